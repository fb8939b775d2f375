# The tenant-wide transport settings are imported by the tenant ID the
# provider is configured for.
terraform import m365harden_transport_config.this 00000000-0000-0000-0000-000000000000
