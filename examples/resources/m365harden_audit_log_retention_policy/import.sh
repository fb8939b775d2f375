# Import by the policy's name.
terraform import m365harden_audit_log_retention_policy.mailbox_access "Mailbox access, one year"
