# Terraform 1.5 and later can import in configuration instead.
import {
  to = m365harden_external_sender_tagging.this
  id = "00000000-0000-0000-0000-000000000000"
}
