# A Safe Links rule is imported by its name.
terraform import m365harden_safe_links_rule.all_staff "All staff"
