# A pipeline gate: the plan fails (non-zero exit) when a control the
# organization requires fails. Controls that cannot be evaluated (unknown:
# a missing role, permission or licence) fail the gate too, so a
# mis-configured pipeline app cannot pass it by accident.
locals {
  required_controls = [
    "mailbox-auditing-default",
    "unified-audit-log",
    "remote-domain-auto-forwarding",
    "outbound-spam-auto-forwarding",
    "transport-rule-forwarding",
    "mailbox-external-forwarding",
    "ca-mfa-all-users",
    "ca-block-legacy-auth",
  ]
}

data "m365harden_posture" "gate" {
  controls             = local.required_controls
  break_glass_accounts = ["6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"]

  lifecycle {
    postcondition {
      condition = self.fail_count == 0 && self.unknown_count == 0
      error_message = join("\n", [
        for r in self.results : "${r.id} (${join(", ", r.references)}): ${r.status}: ${r.evidence.summary}"
        if r.status != "pass"
      ])
    }
  }
}
