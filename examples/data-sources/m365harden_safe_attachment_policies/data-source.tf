data "m365harden_safe_attachment_policies" "all" {}

# The import IDs, for import blocks (examples/adopt writes one per
# instance and lets terraform plan -generate-config-out write the resources).
output "safe_attachment_policies" {
  value = data.m365harden_safe_attachment_policies.all.ids
}
