# Evaluate every control of the baseline on the live tenant.
data "m365harden_posture" "this" {
  # Partner domains that may receive auto-forwarded mail.
  forwarding_allowed_domains = ["partner.example"]

  # Emergency-access accounts the MFA policy may exclude (object ids or UPNs).
  break_glass_accounts = ["6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"]

  # CIS 6.1.2 asks for 90 days; keep a year.
  minimum_audit_log_age_days = 365
}

output "posture_summary" {
  value = {
    pass    = data.m365harden_posture.this.pass_count
    fail    = data.m365harden_posture.this.fail_count
    unknown = data.m365harden_posture.this.unknown_count
  }
}

# What fails, why, and which objects: one line per control.
output "posture_failures" {
  value = {
    for r in data.m365harden_posture.this.results : r.id => {
      references = r.references
      summary    = r.evidence.summary
      objects    = [for o in r.evidence.objects : "${o.type} ${o.name}: ${o.detail}"]
    } if r.status != "pass"
  }
}

# A check block reports a warning on every plan and apply without stopping
# the run: useful for visibility in day-to-day work.
check "mailbox_forwarding" {
  assert {
    condition     = data.m365harden_posture.this.statuses["mailbox-external-forwarding"] == "pass"
    error_message = "Mailboxes forward mail outside the organization: see output posture_failures."
  }
}
