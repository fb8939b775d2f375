# Terraform 1.5 and later. The import ID and the configuration may name the
# account differently (user principal name, SMTP address, alias, GUID, any
# letter case): the plan after the import is empty.
import {
  to = m365harden_mailbox_audit_bypass.backup_service
  id = "svc-backup@contoso.com"
}
