# The built-in default policy: adopted, never created or removed.
# Spoof protection, the first contact safety tip (CIS 2.1.7) and, with
# Defender for Office 365, impersonation protection (the settings ScubaGear
# MS.DEFENDER.2.1-2.3 ask of the preset policies, which this does not manage).
resource "m365harden_anti_phish_policy" "default" {
  name                                   = "Office365 AntiPhish Default"
  enable_spoof_intelligence              = true
  honor_dmarc_policy                     = true
  authentication_fail_action             = "Quarantine"
  enable_first_contact_safety_tips       = true
  phish_threshold_level                  = 3
  enable_organization_domains_protection = true
  targeted_domain_protection_action      = "Quarantine"
  enable_mailbox_intelligence            = true
  enable_mailbox_intelligence_protection = true
  mailbox_intelligence_protection_action = "Quarantine"
  enable_similar_users_safety_tips       = true
  enable_similar_domains_safety_tips     = true
  enable_unusual_characters_safety_tips  = true
}

# A custom policy protecting named executives from impersonation; assign it
# with m365harden_anti_phish_rule.
resource "m365harden_anti_phish_policy" "executives" {
  name                            = "Executives"
  enable_targeted_user_protection = true
  targeted_users_to_protect       = ["Adele Vance;adele@contoso.com", "Megan Bowen;megan@contoso.com"]
  targeted_user_protection_action = "Quarantine"
  phish_threshold_level           = 4
}
