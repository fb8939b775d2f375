# The only connection filter policy is imported by its name.
terraform import m365harden_connection_filter_policy.this "Default"
