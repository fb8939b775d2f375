# The singleton is imported by the tenant ID the provider is configured for,
# or by the policy ID Graph reports.
terraform import m365harden_security_defaults.this 00000000-0000-0000-0000-000000000000
terraform import m365harden_security_defaults.this 00000000-0000-0000-0000-000000000005
