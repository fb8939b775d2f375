# Every Conditional Access policy in the tenant, e.g. to find the IDs to
# import into m365harden_conditional_access_policy.
data "m365harden_conditional_access_policies" "all" {}

# Only the policies still in report-only mode.
data "m365harden_conditional_access_policies" "report_only" {
  state = "enabledForReportingButNotEnforced"
}

output "conditional_access_policy_ids" {
  value = { for p in data.m365harden_conditional_access_policies.all.policies : p.display_name => p.id }
}
