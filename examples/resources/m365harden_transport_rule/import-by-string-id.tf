# Terraform 1.5 and later can import in configuration instead.
import {
  to = m365harden_transport_rule.encrypt_partner
  id = "Encrypt mail to partner.example"
}
