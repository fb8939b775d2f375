# CIS 6.1.2/6.1.3: auditing on for an executive's mailbox, with the owner's
# sign-ins and inbox-rule changes logged and a year of records kept.
resource "m365harden_mailbox_audit" "ceo" {
  identity                 = "ceo@contoso.com"
  audit_enabled            = true
  audit_log_age_limit_days = 365
  audit_owner = [
    "MailboxLogin", "HardDelete", "SoftDelete", "MoveToDeletedItems", "Update",
    "UpdateInboxRules", "UpdateFolderPermissions", "UpdateCalendarDelegation", "MailItemsAccessed",
  ]
  # audit_admin and audit_delegate are left unset: they stay on Microsoft's
  # managed default lists, which grow as Microsoft adds actions.
}
