# The built-in Default policy: adopted, never created or removed.
resource "m365harden_outbound_spam_filter_policy" "default" {
  name                            = "Default"
  auto_forwarding_mode            = "Off"
  notify_outbound_spam            = true
  notify_outbound_spam_recipients = ["soc@contoso.com"]
  action_when_threshold_reached   = "BlockUser"
}

# A custom policy that allows forwarding, for the senders a rule assigns it to.
resource "m365harden_outbound_spam_filter_policy" "allowed_forwarders" {
  name                 = "Allowed forwarders"
  auto_forwarding_mode = "On"
}
