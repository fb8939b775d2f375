# The mailboxes that still have auditing off (filtered by the service).
data "m365harden_mailboxes" "unaudited" {
  recipient_types = ["UserMailbox", "SharedMailbox"]
  audit_enabled   = false
}

output "unaudited_mailboxes" {
  value = [for m in data.m365harden_mailboxes.unaudited.mailboxes : m.user_principal_name]
}
