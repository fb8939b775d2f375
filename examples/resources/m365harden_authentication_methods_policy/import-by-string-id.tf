import {
  to = m365harden_authentication_methods_policy.this
  id = "authenticationMethodsPolicy"
}
