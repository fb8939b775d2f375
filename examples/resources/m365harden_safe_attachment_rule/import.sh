# A Safe Attachments rule is imported by its name.
terraform import m365harden_safe_attachment_rule.all_staff "All staff"
