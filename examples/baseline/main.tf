# The m365harden demo baseline: a small mix of CIS Microsoft 365 Foundations
# v3.1.0 and CISA ScubaGear controls, one block per control, with the IDs each
# block meets in the comments. `make demo` applies this configuration to the
# m365sim emulator. For a baseline that follows one standard completely, use
# examples/baselines/cis or examples/baselines/scuba (see
# docs/guides/conformance.md).
# The published texts:
#   CIS Microsoft 365 Foundations Benchmark: https://www.cisecurity.org/benchmark/microsoft_365
#   CISA ScubaGear baselines (MS.EXO.*, MS.AAD.*, MS.SECURITYSUITE.*):
#     https://github.com/cisagov/ScubaGear/tree/main/PowerShell/ScubaGear/baselines
#
# The provider reads its settings from the environment (M365_TENANT_ID,
# M365_CLIENT_ID, and a credential: see the provider documentation).

terraform {
  required_version = ">= 1.5"
  required_providers {
    m365harden = {
      source = "m365harden/m365harden"
    }
  }
}

provider "m365harden" {}

variable "security_contact" {
  description = "An internal mailbox that receives alerts and outbound spam notifications (external recipients stop receiving them once forwarding is blocked)."
  type        = string
  default     = "soc@contoso.onmicrosoft.com"
}

variable "break_glass_accounts" {
  description = "Object IDs of the emergency-access accounts excluded from conditional access policies."
  type        = list(string)
  default     = ["6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"]
}

variable "enforce_conditional_access" {
  description = "false keeps the conditional access policies in report-only mode; set true once the sign-in logs show they do what you expect."
  type        = bool
  default     = false
}

variable "forwarding_partner_domains" {
  description = "Partner domains that may receive automatically forwarded mail."
  type        = list(string)
  default     = []
}

locals {
  ca_state = var.enforce_conditional_access ? "enabled" : "enabledForReportingButNotEnforced"
}

# --- Auditing ---------------------------------------------------------------

# CIS 6.1.1, ScubaGear MS.EXO.13.1v1: mailbox auditing on by default.
# CIS 3.1.1, ScubaGear MS.SECURITYSUITE.5.1v1: the unified audit log on.
resource "m365harden_audit_configuration" "this" {
  mailbox_auditing_enabled            = true
  unified_audit_log_ingestion_enabled = true
}

# CIS 6.1.2: every user and shared mailbox with AuditEnabled set, at least 90
# days of records and the CIS (E3) audit actions, including mailboxes created
# after this apply. (CIS 6.1.3, the E5 lists, also needs MailItemsAccessed and
# Send.)
# Whether mailboxes are audited at all is decided above (Exchange ignores
# AuditEnabled while organization auditing is on); the per-account off
# switch is the audit bypass (m365harden_mailbox_audit_bypass, CIS 6.1.4).
resource "m365harden_mailbox_audit_baseline" "all" {
  recipient_types              = ["UserMailbox", "SharedMailbox"]
  audit_enabled                = true
  min_audit_log_age_limit_days = 90
  required_audit_admin = ["ApplyRecord", "Copy", "Create", "FolderBind", "HardDelete", "Move", "MoveToDeletedItems",
  "SendAs", "SendOnBehalf", "SoftDelete", "Update", "UpdateCalendarDelegation", "UpdateFolderPermissions", "UpdateInboxRules"]
  required_audit_delegate = ["ApplyRecord", "Create", "FolderBind", "HardDelete", "Move", "MoveToDeletedItems",
  "SendAs", "SendOnBehalf", "SoftDelete", "Update", "UpdateFolderPermissions", "UpdateInboxRules"]
  required_audit_owner = ["ApplyRecord", "Create", "HardDelete", "MailboxLogin", "Move", "MoveToDeletedItems",
  "SoftDelete", "Update", "UpdateCalendarDelegation", "UpdateFolderPermissions", "UpdateInboxRules"]
}

# Keep Exchange audit records for a year (needs Microsoft Purview Audit
# (Premium)). This covers Exchange record types only, so it does not meet
# ScubaGear MS.SECURITYSUITE.5.2v1 on its own: examples/baselines/scuba does.
resource "m365harden_audit_log_retention_policy" "exchange_one_year" {
  name               = "Exchange activity, one year"
  description        = "Managed by Terraform: m365harden baseline"
  record_types       = ["ExchangeAdmin", "ExchangeItem", "ExchangeItemGroup"]
  retention_duration = "TwelveMonths"
  priority           = 100
}

# --- Forwarding ---------------------------------------------------------------

# ScubaGear MS.EXO.1.1v2: no automatic forwarding to external domains.
resource "m365harden_remote_domain" "default" {
  name                 = "Default"
  domain_name          = "*"
  auto_forward_enabled = false
}

resource "m365harden_remote_domain" "partner" {
  for_each             = toset(var.forwarding_partner_domains)
  name                 = each.value
  domain_name          = each.value
  auto_forward_enabled = true
}

# CIS 6.2.1: automatic forwarding Off in the Default outbound spam policy
# (Automatic is not a fixed value: it can still mean On where it was in use).
# CIS 2.1.6: notify on outbound spam and blocked senders.
resource "m365harden_outbound_spam_filter_policy" "default" {
  name                                          = "Default"
  auto_forwarding_mode                          = "Off"
  notify_outbound_spam                          = true
  notify_outbound_spam_recipients               = [var.security_contact]
  bcc_suspicious_outbound_mail                  = true
  bcc_suspicious_outbound_additional_recipients = [var.security_contact]
}

# CIS 6.2.1 (defence in depth): reject auto-forwarded mail leaving the
# organization even if a policy above is loosened.
resource "m365harden_transport_rule" "block_external_auto_forward" {
  name                       = "Block external auto-forwarding"
  from_scope                 = "InOrganization"
  sent_to_scope              = "NotInOrganization"
  message_type_matches       = "AutoForward"
  reject_message_reason_text = "External auto-forwarding is not allowed in this organization."
  stop_rule_processing       = true
}

# --- Alerts -----------------------------------------------------------------

# A custom alert on new inbox rules, sent to a monitored recipient.
resource "m365harden_alert_policy" "inbox_rule_created" {
  name         = "Inbox rule created"
  category     = "ThreatManagement"
  severity     = "Medium"
  threat_type  = "Activity"
  operation    = "New-InboxRule"
  notify_users = [var.security_contact]
  comment      = "Managed by Terraform: m365harden baseline"
}

# --- Identity -----------------------------------------------------------------

# CIS 5.2.2.1 / 5.2.2.2, ScubaGear MS.AAD.3.2v2: MFA for all users (any
# method; ScubaGear MS.AAD.3.1v1 needs the phishing-resistant strength).
resource "m365harden_conditional_access_policy" "mfa_all_users" {
  display_name = "Baseline: require MFA for all users"
  state        = local.ca_state
  conditions = {
    users = {
      include_users = ["All"]
      exclude_users = var.break_glass_accounts
    }
    applications = {
      include_applications = ["All"]
    }
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }

  # Security defaults go off before a policy is enforced (Graph refuses
  # an enabled policy while they are on).
  depends_on = [m365harden_security_defaults.off]
}

# CIS 5.2.2.3, ScubaGear MS.AAD.1.1v1: block legacy authentication.
resource "m365harden_conditional_access_policy" "block_legacy_auth" {
  display_name = "Baseline: block legacy authentication"
  state        = local.ca_state
  conditions = {
    users = {
      include_users = ["All"]
      exclude_users = var.break_glass_accounts
    }
    applications = {
      include_applications = ["All"]
    }
    client_app_types = ["exchangeActiveSync", "other"]
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["block"]
  }

  # Security defaults go off before a policy is enforced (Graph refuses
  # an enabled policy while they are on).
  depends_on = [m365harden_security_defaults.off]
}

# CIS 5.2.2.6 (Entra ID P2): high user risk requires MFA and a password
# change. ScubaGear MS.AAD.2.1v1 asks for a block instead: see
# examples/baselines/scuba.
resource "m365harden_conditional_access_policy" "user_risk" {
  display_name = "Baseline: high user risk requires MFA and a password change"
  state        = local.ca_state
  conditions = {
    users = {
      include_users = ["All"]
      exclude_users = var.break_glass_accounts
    }
    applications = {
      include_applications = ["All"]
    }
    user_risk_levels = ["high"]
  }
  grant_controls = {
    operator          = "AND"
    built_in_controls = ["mfa", "passwordChange"]
  }

  # Security defaults go off before a policy is enforced (Graph refuses
  # an enabled policy while they are on).
  depends_on = [m365harden_security_defaults.off]
}

# CIS 5.1.1.1 prefers conditional access to security defaults; turn them off
# only when the policies above are enforced.
resource "m365harden_security_defaults" "off" {
  count   = var.enforce_conditional_access ? 1 : 0
  enabled = false
}

# Going back to report-only: the policies leave enforcement first, then
# security defaults come back on (Graph refuses turning them on while a
# policy is enabled).
resource "m365harden_security_defaults" "on" {
  count   = var.enforce_conditional_access ? 0 : 1
  enabled = true

  depends_on = [
    m365harden_conditional_access_policy.mfa_all_users,
    m365harden_conditional_access_policy.block_legacy_auth,
    m365harden_conditional_access_policy.user_risk,
  ]
}

# --- Posture ------------------------------------------------------------------

# Every control evaluated on the live tenant; the check warns on each plan.
data "m365harden_posture" "this" {
  forwarding_allowed_domains = var.forwarding_partner_domains
  break_glass_accounts       = var.break_glass_accounts

  # Read after every change above, so the plan after an apply is empty.
  depends_on = [
    m365harden_audit_configuration.this,
    m365harden_mailbox_audit_baseline.all,
    m365harden_audit_log_retention_policy.exchange_one_year,
    m365harden_remote_domain.default,
    m365harden_remote_domain.partner,
    m365harden_outbound_spam_filter_policy.default,
    m365harden_transport_rule.block_external_auto_forward,
    m365harden_alert_policy.inbox_rule_created,
    m365harden_conditional_access_policy.mfa_all_users,
    m365harden_conditional_access_policy.block_legacy_auth,
    m365harden_conditional_access_policy.user_risk,
    m365harden_security_defaults.off,
    m365harden_security_defaults.on,
  ]
}

output "posture" {
  value = {
    pass    = data.m365harden_posture.this.pass_count
    fail    = data.m365harden_posture.this.fail_count
    unknown = data.m365harden_posture.this.unknown_count
  }
}

check "mailbox_forwarding" {
  assert {
    condition     = data.m365harden_posture.this.statuses["mailbox-external-forwarding"] == "pass"
    error_message = "Mailboxes forward mail outside the organization: see data.m365harden_posture.this.results."
  }
}
