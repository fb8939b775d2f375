# Import by the method: Fido2, MicrosoftAuthenticator, Sms, Voice, Email,
# TemporaryAccessPass or SoftwareOath
terraform import m365harden_authentication_method_configuration.sms Sms
