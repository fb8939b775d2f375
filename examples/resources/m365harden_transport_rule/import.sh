# A transport rule is imported by its name or its GUID (Get-TransportRule
# -Identity accepts both).
terraform import m365harden_transport_rule.encrypt_partner "Encrypt mail to partner.example"
terraform import m365harden_transport_rule.encrypt_partner 9d3a4f57-2c1b-4f0e-8a6d-5b7c9e1f2a3b
