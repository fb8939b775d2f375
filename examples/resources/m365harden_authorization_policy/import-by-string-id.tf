import {
  to = m365harden_authorization_policy.this
  id = "authorizationPolicy"
}
