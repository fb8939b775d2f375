# Every user and shared mailbox audited, today and for mailboxes created
# later; a plan names each mailbox that deviates.
resource "m365harden_mailbox_audit_baseline" "all" {
  recipient_types              = ["UserMailbox", "SharedMailbox"]
  excluded_mailboxes           = ["journal@contoso.com"]
  audit_enabled                = true
  min_audit_log_age_limit_days = 90
  required_audit_owner         = ["MailboxLogin", "HardDelete", "UpdateInboxRules"]
}
