# An outbound spam filter policy is imported by its name.
terraform import m365harden_outbound_spam_filter_policy.default Default
terraform import m365harden_outbound_spam_filter_policy.allowed_forwarders "Allowed forwarders"
