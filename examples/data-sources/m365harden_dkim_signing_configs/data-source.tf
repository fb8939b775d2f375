data "m365harden_dkim_signing_configs" "all" {}

# The import IDs, for import blocks (examples/adopt writes one per
# instance and lets terraform plan -generate-config-out write the resources).
output "dkim_signing_configs" {
  value = data.m365harden_dkim_signing_configs.all.ids
}
