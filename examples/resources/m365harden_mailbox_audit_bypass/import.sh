# Import by user principal name, SMTP address, alias or GUID.
terraform import m365harden_mailbox_audit_bypass.backup_service svc-backup@contoso.com
