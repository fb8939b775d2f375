# A remote domain is imported by its name (Get-RemoteDomain -Identity).
terraform import m365harden_remote_domain.default Default
terraform import m365harden_remote_domain.partner Partner
