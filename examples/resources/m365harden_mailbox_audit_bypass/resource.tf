# CIS 6.1.4: no account bypasses mailbox auditing.
resource "m365harden_mailbox_audit_bypass" "backup_service" {
  identity             = "svc-backup@contoso.com"
  audit_bypass_enabled = false
}
