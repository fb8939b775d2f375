# Tenants that enforce Conditional Access policies turn security defaults
# off (CIS 5.1.1.1 prefers Conditional Access); tenants without Entra ID P1
# keep them on.
resource "m365harden_security_defaults" "this" {
  enabled = false
}
