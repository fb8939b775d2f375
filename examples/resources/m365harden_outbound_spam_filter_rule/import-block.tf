# The tenant reports the rule's senders by their primary SMTP addresses; a
# configuration that names the same senders another way (alias, UPN) plans
# no change after the import.
import {
  to = m365harden_outbound_spam_filter_rule.allowed_forwarders
  id = "Allowed forwarders"
}
