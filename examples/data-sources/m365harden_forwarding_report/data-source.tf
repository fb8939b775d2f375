data "m365harden_forwarding_report" "this" {
  # Forwards to the partner are approved; everything else is a finding.
  allowed_targets           = ["partner.example"]
  allowed_outbound_policies = ["Allowed forwarders"]
  inbox_rule_concurrency    = 4
}

output "forwarding_not_allowed" {
  value = [for f in data.m365harden_forwarding_report.this.findings : f if !f.allowed]
}

# Fail the run when anything forwards outside the allow-lists.
check "no_unapproved_forwarding" {
  assert {
    condition     = data.m365harden_forwarding_report.this.not_allowed_count == 0
    error_message = "Mail is forwarded outside the organization: see output forwarding_not_allowed."
  }
}
