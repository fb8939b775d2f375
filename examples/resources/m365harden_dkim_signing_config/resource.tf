# DKIM signing for every custom domain (ScubaGear MS.EXO.3.1, CIS 2.1.9).
# First apply with enabled = false, publish the two CNAME records (here in
# Azure DNS), then apply again with enabled = true.
data "m365harden_accepted_domains" "all" {}

resource "m365harden_dkim_signing_config" "this" {
  for_each = data.m365harden_accepted_domains.all.custom_domain_names

  domain_name = each.value
  enabled     = true
  key_size    = 2048
  # Change this value to rotate the keys (the new key signs after 4 days).
  rotation_trigger = "2026-H2"
}

# For example with azurerm (zone and resource group names are yours):
#
# resource "azurerm_dns_cname_record" "dkim_selector1" {
#   for_each            = m365harden_dkim_signing_config.this
#   name                = "selector1._domainkey"
#   zone_name           = each.value.domain_name
#   resource_group_name = "dns"
#   ttl                 = 3600
#   record              = each.value.selector1_cname
# }
