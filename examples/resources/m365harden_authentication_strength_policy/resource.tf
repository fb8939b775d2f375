# Phishing-resistant methods plus the Authenticator app with a password,
# for a transition period.
resource "m365harden_authentication_strength_policy" "admins" {
  display_name = "Admin sign-in"
  description  = "FIDO2, Windows Hello, certificates; Authenticator until rollout ends"
  allowed_combinations = [
    "fido2",
    "windowsHelloForBusiness",
    "x509CertificateMultiFactor",
    "password,microsoftAuthenticatorPush",
  ]
}
