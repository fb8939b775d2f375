# IRM / message encryption prerequisites (m365harden_posture control
# "irm-prerequisites"): Azure Rights Management licensing on, so encryption
# rules and Microsoft Purview Message Encryption work. Microsoft365DSC manages
# the same settings: https://microsoft365dsc.com/resources/exchange/EXOIRMConfiguration/
resource "m365harden_irm_configuration" "this" {
  azure_rms_licensing_enabled      = true
  internal_licensing_enabled       = true
  simplified_client_access_enabled = true
}
