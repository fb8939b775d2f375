data "m365harden_alert_policies" "all" {}

# The default alert policies a hardened tenant keeps turned on.
locals {
  required_default_alerts = [
    "Suspicious email sending patterns detected",
    "Suspicious connector activity",
    "Suspicious Email Forwarding Activity",
    "Messages have been delayed",
    "Tenant restricted from sending unprovisioned email",
    "Tenant restricted from sending email",
  ]
  disabled_required_alerts = setintersection(
    data.m365harden_alert_policies.all.disabled_names,
    toset(local.required_default_alerts),
  )
}

check "default_alerts_enabled" {
  assert {
    condition     = length(local.disabled_required_alerts) == 0
    error_message = "Turn these default alert policies back on in the Microsoft Defender portal: ${join(", ", local.disabled_required_alerts)}"
  }
}

output "custom_alert_policies" {
  value = [for p in data.m365harden_alert_policies.all.policies : p.name if !p.is_system_rule]
}
