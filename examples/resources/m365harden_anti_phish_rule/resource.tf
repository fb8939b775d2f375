resource "m365harden_anti_phish_policy" "executives" {
  name                            = "Executives"
  enable_targeted_user_protection = true
  targeted_users_to_protect       = ["Adele Vance;adele@contoso.com"]
  targeted_user_protection_action = "Quarantine"
}

# Apply the Executives policy to the executives and their assistants.
resource "m365harden_anti_phish_rule" "executives" {
  name              = "Executives"
  policy            = m365harden_anti_phish_policy.executives.name
  sent_to           = ["adele@contoso.com"]
  sent_to_member_of = ["Executive assistants"]
  priority          = 0
}
