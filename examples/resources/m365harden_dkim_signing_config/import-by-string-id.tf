# Terraform 1.5 and later can import in configuration instead.
import {
  to = m365harden_dkim_signing_config.this
  id = "contoso.com"
}
