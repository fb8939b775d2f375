# The tenant has one authentication methods policy: import by the tenant ID
terraform import m365harden_authentication_methods_policy.this 00000000-0000-0000-0000-000000000000
