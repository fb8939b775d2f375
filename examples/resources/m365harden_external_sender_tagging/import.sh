# Imported by the tenant ID the provider is configured for.
terraform import m365harden_external_sender_tagging.this "00000000-0000-0000-0000-000000000000"
