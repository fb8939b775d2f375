import {
  to = m365harden_alert_policy.inbox_rule_created
  id = "Inbox rule created"
}
