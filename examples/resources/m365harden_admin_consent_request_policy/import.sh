# The tenant has one admin consent request policy: import by the tenant ID
terraform import m365harden_admin_consent_request_policy.this 00000000-0000-0000-0000-000000000000
