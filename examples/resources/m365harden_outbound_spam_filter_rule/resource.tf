resource "m365harden_outbound_spam_filter_policy" "allowed_forwarders" {
  name                 = "Allowed forwarders"
  auto_forwarding_mode = "On"
}

# Only these senders get the policy that allows external forwarding. Senders
# and groups are named by any value that identifies them (address, alias,
# name, GUID); Exchange reports their primary SMTP addresses.
resource "m365harden_outbound_spam_filter_rule" "allowed_forwarders" {
  name           = "Allowed forwarders"
  policy         = m365harden_outbound_spam_filter_policy.allowed_forwarders.name
  from           = ["adele@contoso.com"]
  from_member_of = ["Partner liaisons"]
  priority       = 0
  comments       = "Approved by the CISO, ticket SEC-1234"
}
