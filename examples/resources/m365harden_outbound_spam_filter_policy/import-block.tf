import {
  to = m365harden_outbound_spam_filter_policy.default
  id = "Default"
}
