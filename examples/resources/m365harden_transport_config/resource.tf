# SMTP client authentication off for the whole organization (ScubaGear
# MS.EXO.5.1, CIS 6.5.4); reply-all storm protection on.
resource "m365harden_transport_config" "this" {
  smtp_client_authentication_disabled = true
  reply_all_storm_protection_enabled  = true
}
