# Terraform 1.5 and later can import in configuration instead.
import {
  to = m365harden_conditional_access_policy.mfa_all_users
  id = "7359d0e0-d8a9-4afa-8a93-e23e099d7be8"
}
