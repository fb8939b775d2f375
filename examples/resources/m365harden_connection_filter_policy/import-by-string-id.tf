# Terraform 1.5 and later can import in configuration instead.
import {
  to = m365harden_connection_filter_policy.this
  id = "Default"
}
