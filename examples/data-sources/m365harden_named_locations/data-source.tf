data "m365harden_named_locations" "all" {}

# The import IDs, for import blocks (examples/adopt writes one per
# instance and lets terraform plan -generate-config-out write the resources).
output "named_locations" {
  value = data.m365harden_named_locations.all.ids
}
