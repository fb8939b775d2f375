data "m365harden_remote_domains" "all" {}

# The import IDs, for import blocks (examples/adopt writes one per
# instance and lets terraform plan -generate-config-out write the resources).
output "remote_domains" {
  value = data.m365harden_remote_domains.all.ids
}
