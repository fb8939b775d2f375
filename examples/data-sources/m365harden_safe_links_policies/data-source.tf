data "m365harden_safe_links_policies" "all" {}

# The import IDs, for import blocks (examples/adopt writes one per
# instance and lets terraform plan -generate-config-out write the resources).
output "safe_links_policies" {
  value = data.m365harden_safe_links_policies.all.ids
}
