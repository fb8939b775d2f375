# An outbound spam filter rule is imported by its name.
terraform import m365harden_outbound_spam_filter_rule.allowed_forwarders "Allowed forwarders"
