import {
  to = m365harden_anti_phish_policy.default
  id = "Office365 AntiPhish Default"
}
