# Import by user principal name, primary SMTP address or mailbox GUID.
terraform import m365harden_mailbox_audit.ceo ceo@contoso.com
