resource "m365harden_outbound_spam_filter_policy" "allowed_forwarders" {
  name                 = "Allowed forwarders"
  auto_forwarding_mode = "On"
}

# Only these senders get the policy that allows external forwarding.
resource "m365harden_outbound_spam_filter_rule" "allowed_forwarders" {
  name     = "Allowed forwarders"
  policy   = m365harden_outbound_spam_filter_policy.allowed_forwarders.name
  from     = ["adele@contoso.com"]
  priority = 0
  comments = "Approved by the CISO, ticket SEC-1234"
}
