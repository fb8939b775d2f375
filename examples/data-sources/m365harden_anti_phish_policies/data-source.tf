data "m365harden_anti_phish_policies" "all" {}

# The import IDs, for import blocks (examples/adopt writes one per
# instance and lets terraform plan -generate-config-out write the resources).
output "anti_phish_policies" {
  value = data.m365harden_anti_phish_policies.all.ids
}
