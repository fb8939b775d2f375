# An anti-phishing policy is imported by its name.
terraform import m365harden_anti_phish_policy.default "Office365 AntiPhish Default"
terraform import m365harden_anti_phish_policy.executives Executives
