import {
  to = m365harden_authentication_method_configuration.sms
  id = "Sms"
}
