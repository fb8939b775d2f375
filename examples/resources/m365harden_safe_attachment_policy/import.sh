# A Safe Attachments policy is imported by its name.
terraform import m365harden_safe_attachment_policy.all_staff "All staff"
