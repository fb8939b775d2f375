# The baseline is imported by the tenant ID the provider is configured for.
terraform import m365harden_mailbox_audit_baseline.all 00000000-0000-0000-0000-000000000000
