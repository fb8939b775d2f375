data "m365harden_safe_attachment_rules" "all" {
  # Only the rules that are turned on (the Get cmdlet's -State).
  state = "Enabled"
}

# The import IDs, for import blocks (examples/adopt writes one per
# instance and lets terraform plan -generate-config-out write the resources).
output "safe_attachment_rules" {
  value = data.m365harden_safe_attachment_rules.all.ids
}
