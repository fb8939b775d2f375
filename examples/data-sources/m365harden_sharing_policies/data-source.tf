data "m365harden_sharing_policies" "all" {}

# The import IDs, for import blocks (examples/adopt writes one per
# instance and lets terraform plan -generate-config-out write the resources).
output "sharing_policies" {
  value = data.m365harden_sharing_policies.all.ids
}
