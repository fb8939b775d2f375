# An "External" tag on mail from outside the organization (ScubaGear
# MS.EXO.7.1 alternative, CIS 6.2.3), except from a trusted partner.
resource "m365harden_external_sender_tagging" "this" {
  enabled    = true
  allow_list = ["fabrikam.com"]
}
