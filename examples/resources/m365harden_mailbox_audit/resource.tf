# CIS 6.1.2/6.1.3: an executive's mailbox with the owner's sign-ins and
# inbox-rule changes logged and a year of records kept.
resource "m365harden_mailbox_audit" "ceo" {
  identity                 = "ceo@contoso.com"
  audit_log_age_limit_days = 365
  audit_owner = [
    "MailboxLogin", "HardDelete", "SoftDelete", "MoveToDeletedItems", "Update",
    "UpdateInboxRules", "UpdateFolderPermissions", "UpdateCalendarDelegation", "MailItemsAccessed",
  ]
  # audit_admin and audit_delegate are left unset: they stay on Microsoft's
  # managed default lists, which grow as Microsoft adds actions.
  #
  # audit_enabled defaults to true. Exchange Online ignores it while mailbox
  # auditing is on for the organization (m365harden_audit_configuration);
  # the switch that really stops auditing an account is the audit bypass
  # (m365harden_mailbox_audit_bypass).
}
