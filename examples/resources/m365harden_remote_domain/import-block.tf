import {
  to = m365harden_remote_domain.default
  id = "Default"
}
