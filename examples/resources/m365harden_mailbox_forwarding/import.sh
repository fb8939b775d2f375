# Mailbox forwarding is imported by the mailbox's UPN, primary SMTP address or GUID.
terraform import m365harden_mailbox_forwarding.megan megan@contoso.com
