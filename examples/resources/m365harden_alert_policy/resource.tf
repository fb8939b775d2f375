# E-mail the security team whenever someone creates an inbox rule (the
# activity behind most mailbox-level forwarding). Single-event alerts
# (aggregation_type = "None" with an operation) work on every licence.
resource "m365harden_alert_policy" "inbox_rule_created" {
  name         = "Inbox rule created"
  category     = "ThreatManagement"
  severity     = "Medium"
  threat_type  = "Activity"
  operation    = "New-InboxRule"
  notify_users = ["secops@contoso.com"] # internal recipients only
  comment      = "Managed by Terraform"
}

# Aggregated: more than 10 mailbox permission grants by admins in two hours.
# Needs Microsoft 365 E5/G5, or E3 with Defender for Office 365 P2,
# Microsoft 365 E5 Compliance or E5 eDiscovery and Audit.
resource "m365harden_alert_policy" "mailbox_permission_changes" {
  name                = "Mailbox permissions added in bulk"
  category            = "AccessGovernance"
  severity            = "High"
  threat_type         = "Activity"
  operation           = "Add-MailboxPermission"
  notify_users        = ["secops@contoso.com", "soc@contoso.com"]
  aggregation_type    = "SimpleAggregation"
  threshold           = 10
  time_window_minutes = 120
  filter              = "Activity.UserType -eq 'Admin'"
}
