data "m365harden_audit_log_retention_policies" "all" {}

# The import IDs, for import blocks (examples/adopt writes one per
# instance and lets terraform plan -generate-config-out write the resources).
output "audit_log_retention_policies" {
  value = data.m365harden_audit_log_retention_policies.all.ids
}
