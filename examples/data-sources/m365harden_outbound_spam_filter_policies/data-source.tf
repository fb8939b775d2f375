data "m365harden_outbound_spam_filter_policies" "all" {}

# The import IDs, for import blocks (examples/adopt writes one per
# instance and lets terraform plan -generate-config-out write the resources).
output "outbound_spam_filter_policies" {
  value = data.m365harden_outbound_spam_filter_policies.all.ids
}
