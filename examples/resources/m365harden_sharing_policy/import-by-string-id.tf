# Terraform 1.5 and later can import in configuration instead.
import {
  to = m365harden_sharing_policy.default
  id = "Default Sharing Policy"
}
