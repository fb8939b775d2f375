# Users Identity Protection still considers at risk.
data "m365harden_risky_users" "at_risk" {
  risk_states = ["atRisk", "confirmedCompromised"]
  risk_levels = ["medium", "high"]
}

output "users_to_remediate" {
  value = [for u in data.m365harden_risky_users.at_risk.users : "${u.user_principal_name} (${u.risk_level})"]
}
