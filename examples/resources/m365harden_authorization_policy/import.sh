# The tenant has one authorization policy: import by the tenant ID
terraform import m365harden_authorization_policy.this 00000000-0000-0000-0000-000000000000
