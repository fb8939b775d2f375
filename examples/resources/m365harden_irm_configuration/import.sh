# The tenant-wide IRM settings are imported by the tenant ID the provider is
# configured for.
terraform import m365harden_irm_configuration.this 00000000-0000-0000-0000-000000000000
