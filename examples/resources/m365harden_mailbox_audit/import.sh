# Import by user principal name, SMTP address, alias or mailbox GUID.
terraform import m365harden_mailbox_audit.ceo ceo@contoso.com
