# Block external forwarding except for partner.example.
#
# Microsoft offers four routes out; each is closed here (transport rules have
# their own resource, m365harden_transport_rule):
#   1. remote domains: auto-forwarding off for "*", on only for the partner;
#   2. outbound spam filter policies: automatic forwarding Off by default,
#      On only for the senders that may forward (a custom policy + rule);
#   3. mailbox forwarding: declared per mailbox (none, or an approved forward);
#   4. inbox rules: found by the forwarding report, which fails the run when
#      anything forwards outside the allow-list.
# A message auto-forwarded to partner.example needs both route 1 and route 2
# to allow it: the remote domain allows the destination, the outbound policy
# the sender.

terraform {
  required_providers {
    m365harden = {
      source = "m365harden/m365harden"
    }
  }
}

provider "m365harden" {}

# Route 1: remote domains.
resource "m365harden_remote_domain" "default" {
  name                 = "Default"
  domain_name          = "*"
  auto_forward_enabled = false
}

resource "m365harden_remote_domain" "partner" {
  name                 = "partner.example"
  domain_name          = "partner.example"
  auto_forward_enabled = true
}

# Route 2: outbound spam filter policies.
resource "m365harden_outbound_spam_filter_policy" "default" {
  name                            = "Default"
  auto_forwarding_mode            = "Off"
  notify_outbound_spam            = true
  notify_outbound_spam_recipients = ["soc@contoso.com"]
}

resource "m365harden_outbound_spam_filter_policy" "partner_forwarding" {
  name                 = "Partner forwarding"
  auto_forwarding_mode = "On"
}

resource "m365harden_outbound_spam_filter_rule" "partner_forwarding" {
  name   = "Partner forwarding"
  policy = m365harden_outbound_spam_filter_policy.partner_forwarding.name
  from   = ["adele@contoso.com"]
}

# Route 3: mailbox forwarding. Adele's forward to the partner is approved;
# Megan and Lee must not forward (a forward added later is planned away).
resource "m365harden_mailbox_forwarding" "adele" {
  mailbox                        = "adele@contoso.com"
  forwarding_smtp_address        = "adele@partner.example"
  deliver_to_mailbox_and_forward = true
}

resource "m365harden_mailbox_forwarding" "megan" {
  mailbox = "megan@contoso.com"
}

resource "m365harden_mailbox_forwarding" "lee" {
  mailbox = "lee@contoso.com"
}

# Route 4 (and a check of the others): the forwarding report.
data "m365harden_forwarding_report" "this" {
  allowed_targets           = ["partner.example"]
  allowed_outbound_policies = [m365harden_outbound_spam_filter_policy.partner_forwarding.name]
}

check "only_partner_forwarding" {
  assert {
    condition     = data.m365harden_forwarding_report.this.not_allowed_count == 0
    error_message = "Something forwards outside partner.example: ${jsonencode([for f in data.m365harden_forwarding_report.this.findings : f if !f.allowed])}"
  }
}
