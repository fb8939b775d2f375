# The id names the mailbox as the configuration does; state keeps its GUID.
import {
  to = m365harden_mailbox_forwarding.megan
  id = "megan@contoso.com"
}
