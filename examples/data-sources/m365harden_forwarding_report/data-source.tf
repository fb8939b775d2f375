data "m365harden_forwarding_report" "this" {
  # Forwards to the partner are approved; everything else is a finding.
  allowed_targets           = ["partner.example"]
  allowed_outbound_policies = ["Allowed forwarders"]
  graph_batch_concurrency   = 16 # Graph path: batches of 20 mailboxes in flight
  inbox_rule_concurrency    = 4  # Exchange fallback: Get-InboxRule calls in flight
}

# "graph" when the app has MailboxSettings.Read (inbox rules read 20
# mailboxes per Graph batch), "exchange" when it fell back to Get-InboxRule.
output "inbox_rules_source" {
  value = data.m365harden_forwarding_report.this.inbox_rules_source
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
