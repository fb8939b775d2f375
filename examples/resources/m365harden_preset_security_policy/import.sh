# A preset security policy is imported by its level: Standard or Strict.
terraform import m365harden_preset_security_policy.strict Strict
