# Terraform 1.5 and later. The import ID and the configuration may name the
# mailbox differently (user principal name, SMTP address, alias, GUID, any
# letter case): the plan after the import is empty.
import {
  to = m365harden_mailbox_audit.ceo
  id = "ceo@contoso.com"
}
