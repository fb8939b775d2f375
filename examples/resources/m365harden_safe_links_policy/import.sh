# A Safe Links policy is imported by its name.
terraform import m365harden_safe_links_policy.all_staff "All staff"
