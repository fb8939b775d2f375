# A domain's DKIM signing configuration is imported by the domain.
terraform import m365harden_dkim_signing_config.this contoso.com
