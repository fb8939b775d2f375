# Turn each preset on once in the Microsoft Defender portal first
# (https://security.microsoft.com/presetSecurityPolicies): that creates the
# rules these resources adopt.

# Standard protection for everyone (no condition = all recipients), except
# the shared service mailbox (MS.DEFENDER.1.2, 1.3).
resource "m365harden_preset_security_policy" "standard" {
  level               = "Standard"
  eop_protection      = { except_if_sent_to = ["scanner@contoso.com"] }
  defender_protection = { except_if_sent_to = ["scanner@contoso.com"] }
}

# Strict protection for the sensitive accounts (MS.DEFENDER.1.4, 1.5).
resource "m365harden_preset_security_policy" "strict" {
  level               = "Strict"
  eop_protection      = { sent_to_member_of = ["Executives"] }
  defender_protection = { sent_to_member_of = ["Executives"] }
}
