data "m365harden_preset_security_policies" "all" {}

# The import IDs (Standard, Strict) of the presets whose rules exist, for
# import blocks.
import {
  for_each = toset(data.m365harden_preset_security_policies.all.ids)
  to       = m365harden_preset_security_policy.this[each.key]
  id       = each.key
}
