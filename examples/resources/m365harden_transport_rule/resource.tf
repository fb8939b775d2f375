# Encryption to selected domains (m365harden_posture control
# "encryption-rules"): encrypt mail to a partner with the built-in "Encrypt"
# template. Microsoft365DSC manages the same rules:
# https://microsoft365dsc.com/resources/exchange/EXOTransportRule/
resource "m365harden_irm_configuration" "this" {
  azure_rms_licensing_enabled = true
}

resource "m365harden_transport_rule" "encrypt_partner" {
  name                             = "Encrypt mail to partner.example"
  recipient_domain_is              = ["partner.example"]
  apply_rights_protection_template = "Encrypt"
  comments                         = "Managed by Terraform: encryption to selected domains"

  depends_on = [m365harden_irm_configuration.this]
}

# Block external auto-forwarding (CIS 6.2.1 defence in depth, next to the
# remote domain and outbound spam policy settings): reject auto-forwarded
# mail leaving the organization and report it.
resource "m365harden_transport_rule" "block_auto_forward" {
  name                       = "Block external auto-forwarding"
  priority                   = 0
  from_scope                 = "InOrganization"
  sent_to_scope              = "NotInOrganization"
  message_type_matches       = "AutoForward"
  reject_message_reason_text = "External auto-forwarding is not allowed in this organization."
  generate_incident_report   = "secops@contoso.com"
  stop_rule_processing       = true
}
