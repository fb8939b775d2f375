# Microsoft's built-in strengths, e.g. to require phishing-resistant MFA
# (ScubaGear MS.AAD.3.1) in a Conditional Access policy by name.
data "m365harden_authentication_strengths" "builtin" {
  policy_type = "builtIn"
}

locals {
  phishing_resistant_mfa = one([
    for s in data.m365harden_authentication_strengths.builtin.strengths :
    s.id if s.display_name == "Phishing resistant MFA"
  ])
}

output "phishing_resistant_combinations" {
  value = one([
    for s in data.m365harden_authentication_strengths.builtin.strengths :
    s.allowed_combinations if s.id == local.phishing_resistant_mfa
  ])
}
