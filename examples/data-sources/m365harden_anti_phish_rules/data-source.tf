data "m365harden_anti_phish_rules" "all" {
  # Only the rules that are turned on (the Get cmdlet's -State).
  state = "Enabled"
}

# The import IDs, for import blocks (examples/adopt writes one per
# instance and lets terraform plan -generate-config-out write the resources).
output "anti_phish_rules" {
  value = data.m365harden_anti_phish_rules.all.ids
}
