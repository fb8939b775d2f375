# One resource per authentication method.

# MS.AAD.3.5: SMS, voice call and email one-time passcodes off.
resource "m365harden_authentication_method_configuration" "sms" {
  method = "Sms"
  state  = "disabled"
}

resource "m365harden_authentication_method_configuration" "voice" {
  method = "Voice"
  state  = "disabled"
}

resource "m365harden_authentication_method_configuration" "email" {
  method = "Email"
  state  = "disabled"
}

# MS.AAD.3.3: Microsoft Authenticator shows the app and the location of the
# sign-in it approves (number matching is always on).
resource "m365harden_authentication_method_configuration" "authenticator" {
  method          = "MicrosoftAuthenticator"
  state           = "enabled"
  include_targets = [{ id = "all_users", authentication_mode = "any" }]
  microsoft_authenticator = {
    display_app_information      = { state = "enabled" }
    display_location_information = { state = "enabled" }
  }
}

# Phishing-resistant MFA (MS.AAD.3.1): FIDO2 security keys and passkeys.
resource "m365harden_authentication_method_configuration" "fido2" {
  method = "Fido2"
  state  = "enabled"
  fido2 = {
    is_self_service_registration_allowed = true
  }
}

# Certificate-based authentication, piloted with one group first (state and
# targets only; certificate bindings stay as configured in the portal).
resource "m365harden_authentication_method_configuration" "certificates" {
  method          = "X509Certificate"
  state           = "enabled"
  include_targets = [{ id = "5bd63a5a-4f6a-4b9d-9c5e-2f0e8f7c1a01" }]
}
