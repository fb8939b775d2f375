data "m365harden_outbound_spam_filter_rules" "all" {
  # Only the rules that are turned on (the Get cmdlet's -State).
  state = "Enabled"
}

# The import IDs, for import blocks (examples/adopt writes one per
# instance and lets terraform plan -generate-config-out write the resources).
output "outbound_spam_filter_rules" {
  value = data.m365harden_outbound_spam_filter_rules.all.ids
}
