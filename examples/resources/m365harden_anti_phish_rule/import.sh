# An anti-phishing rule is imported by its name.
terraform import m365harden_anti_phish_rule.executives Executives
