# CIS Microsoft 365 Foundations Benchmark v3.1.0, the level 1 recommendations
# this provider can set, one block per recommendation with its section number
# in the comment. `local.claimed_controls` lists the m365harden_posture
# controls this configuration makes pass; the posture data source at the end
# checks exactly those. What it cannot set is checked by posture only and
# listed in the conformance guide (docs/guides/conformance.md).
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
  description = "An internal mailbox that receives outbound spam notifications (external recipients stop receiving them once forwarding is blocked)."
  type        = string
  default     = "soc@contoso.onmicrosoft.com"
}

variable "break_glass_accounts" {
  description = "Object IDs of the emergency-access accounts excluded from every conditional access policy (CIS: \"Break-glass accounts should be excluded from all Conditional Access policies\")."
  type        = list(string)
  default     = ["6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"]
}

variable "enforce_conditional_access" {
  description = "false keeps the conditional access policies in report-only mode (CIS allows starting there) and security defaults on; the ca-* posture controls fail until this is true, because a report-only policy protects nobody."
  type        = bool
  default     = false
}

locals {
  ca_state = var.enforce_conditional_access ? "enabled" : "enabledForReportingButNotEnforced"

  # The m365harden_posture controls this configuration sets.
  claimed_controls = [
    "mailbox-auditing-default",      # CIS 6.1.1
    "mailbox-audit-settings",        # CIS 6.1.2
    "unified-audit-log",             # CIS 3.1.1
    "outbound-spam-auto-forwarding", # CIS 6.2.1
    "outbound-spam-notifications",   # CIS 2.1.6
    "ca-mfa-all-users",              # CIS 5.2.2.1, 5.2.2.2
    "ca-block-legacy-auth",          # CIS 5.2.2.3
    "ca-user-risk-policy",           # CIS 5.2.2.6
    "ca-sign-in-risk-policy",        # CIS 5.2.2.7
    "security-defaults",             # CIS 5.1.1.1 prefers conditional access

    "dkim-enabled",                          # CIS 2.1.9
    "external-sender-identification",        # CIS 6.2.3
    "malware-common-attachments-filter",     # CIS 2.1.2
    "malware-internal-sender-notifications", # CIS 2.1.3
    "anti-phishing-policy",                  # CIS 2.1.7
    "safe-links-policy",                     # CIS 2.1.1
    "safe-attachments-policy",               # CIS 2.1.4
    "connection-filter-allow-lists",         # (CIS v4.0.0 2.1.12, 2.1.13)
    "admin-consent-workflow",                # CIS 5.1.5.2
    "authenticator-login-context",           # CIS 5.2.3.1
    "auth-methods-system-preferred-mfa",     # CIS 5.2.3.6
    "ca-admin-sign-in-frequency",            # CIS 5.2.2.4
    "users-cannot-register-apps",            # CIS 5.1.2.2
    "users-cannot-create-tenants",           # CIS 5.1.2.3
    "user-consent-disallowed",               # CIS 5.1.5.1
    "guest-invites-restricted",              # CIS 5.1.6.3
    "auth-methods-weak-disabled",            # CIS 5.2.3.5
  ]

  # CIS 6.1.2 (E3): Microsoft's default audit actions plus the ones CIS adds.
  cis_audit_admin = ["ApplyRecord", "Copy", "Create", "FolderBind", "HardDelete", "Move", "MoveToDeletedItems",
  "SendAs", "SendOnBehalf", "SoftDelete", "Update", "UpdateCalendarDelegation", "UpdateFolderPermissions", "UpdateInboxRules"]
  cis_audit_delegate = ["ApplyRecord", "Create", "FolderBind", "HardDelete", "Move", "MoveToDeletedItems",
  "SendAs", "SendOnBehalf", "SoftDelete", "Update", "UpdateFolderPermissions", "UpdateInboxRules"]
  cis_audit_owner = ["ApplyRecord", "Create", "HardDelete", "MailboxLogin", "Move", "MoveToDeletedItems",
  "SoftDelete", "Update", "UpdateCalendarDelegation", "UpdateFolderPermissions", "UpdateInboxRules"]

  all_users = {
    include_users = ["All"]
    exclude_users = var.break_glass_accounts
  }
  all_apps = {
    include_applications = ["All"]
  }

  # CIS 5.2.2.4's administrative roles: Application, Authentication,
  # Billing, Cloud Application, Conditional Access, Exchange, Global,
  # Helpdesk, Password, Privileged Authentication, Privileged Role,
  # Security, SharePoint and User Administrator, and Global Reader.
  cis_admin_roles = [
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "c4e39bd9-1100-46d3-8c65-fb160da0071f", "b0f54661-2d74-4c50-afa3-1ec803f12efe",
    "158c047a-c907-4556-b7ef-446551a6b5f7", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "29232cdf-9323-42fd-ade2-1d097af3e4de",
    "62e90394-69f5-4237-9190-012177145e10", "729827e3-9c14-49f7-bb1b-9608f156bbb8", "966707d0-3269-4727-9be2-8c3a10f19b9d",
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "e8611ab8-c189-46e8-94e1-60213ab1f814", "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "fe930be7-5e62-47db-91af-98c3a49a38b1", "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
  ]
}

# --- Auditing -----------------------------------------------------------------

# CIS 6.1.1: AuditDisabled = $false. CIS 3.1.1: audit log search enabled.
resource "m365harden_audit_configuration" "this" {
  mailbox_auditing_enabled            = true
  unified_audit_log_ingestion_enabled = true
}

# CIS 6.1.2: every user mailbox audits the CIS action lists, with at least
# 90 days of records. (CIS 6.1.3, the E5 lists, adds MailItemsAccessed and
# Send: set mailbox_audit_actions = "E5" on the posture data source and add
# them here on E5 tenants.)
resource "m365harden_mailbox_audit_baseline" "users" {
  recipient_types              = ["UserMailbox"]
  audit_enabled                = true
  min_audit_log_age_limit_days = 90
  required_audit_admin         = local.cis_audit_admin
  required_audit_delegate      = local.cis_audit_delegate
  required_audit_owner         = local.cis_audit_owner
}

# --- Mail flow ------------------------------------------------------------------

# CIS 6.2.1: automatic forwarding Off in the Default outbound spam policy
# (Automatic is not a fixed value: see the posture documentation).
# CIS 2.1.6: notify administrators of outbound spam and blocked senders.
resource "m365harden_outbound_spam_filter_policy" "default" {
  name                                          = "Default"
  auto_forwarding_mode                          = "Off"
  notify_outbound_spam                          = true
  notify_outbound_spam_recipients               = [var.security_contact]
  bcc_suspicious_outbound_mail                  = true
  bcc_suspicious_outbound_additional_recipients = [var.security_contact]
}

# CIS 6.2.1 (step 1 of its remediation): a transport rule rejecting
# automatically forwarded mail leaving the organization.
resource "m365harden_transport_rule" "block_external_auto_forward" {
  name                       = "Block external auto-forwarding"
  from_scope                 = "InOrganization"
  sent_to_scope              = "NotInOrganization"
  message_type_matches       = "AutoForward"
  reject_message_reason_text = "External auto-forwarding is not allowed in this organization."
  stop_rule_processing       = true
}

# CIS 2.1.9: DKIM signing for every custom domain. Publish each domain's two
# selector CNAMEs (selector1_host -> selector1_cname, ...) at its DNS host
# first: Exchange Online refuses to enable signing without them.
data "m365harden_accepted_domains" "all" {}

resource "m365harden_dkim_signing_config" "this" {
  count       = length(data.m365harden_accepted_domains.all.custom_domain_names)
  domain_name = sort(tolist(data.m365harden_accepted_domains.all.custom_domain_names))[count.index]
  enabled     = true
}

# CIS 6.2.3: Outlook identifies mail from external senders (the native
# External tag, the method CIS prefers to subject-prefix rules).
resource "m365harden_external_sender_tagging" "this" {
  enabled = true
}

# Not in v3.1.0 (CIS v4.0.0 adds them as 2.1.12 and 2.1.13): no IP allow
# list and no safe list in the connection filter, so no sender skips spam
# filtering by its IP.
resource "m365harden_connection_filter_policy" "this" {
  ip_allow_list    = []
  enable_safe_list = false
}

# --- Threat protection ------------------------------------------------------------

# CIS 2.1.2: the common attachment types filter. CIS 2.1.3: administrators
# are told when an internal user sends malware.
resource "m365harden_malware_filter_policy" "default" {
  name                                       = "Default"
  enable_file_filter                         = true
  enable_internal_sender_admin_notifications = true
  internal_sender_admin_address              = var.security_contact
}

# CIS 2.1.7 (Microsoft Defender for Office 365): the Default anti-phishing
# policy with a phishing threshold of at least 2 (3 here, More aggressive),
# mailbox intelligence and its impersonation protection, spoof intelligence.
resource "m365harden_anti_phish_policy" "default" {
  name                                   = "Office365 AntiPhish Default"
  phish_threshold_level                  = 3
  enable_mailbox_intelligence            = true
  enable_mailbox_intelligence_protection = true
  mailbox_intelligence_protection_action = "Quarantine"
  enable_spoof_intelligence              = true
  enable_first_contact_safety_tips       = true
}

# CIS 2.1.1 (Microsoft Defender for Office 365): Safe Links for e-mail, Teams
# and Office apps, clicks tracked, no click-through, for every accepted domain.
resource "m365harden_safe_links_policy" "cis" {
  name                         = "CIS 2.1.1 Safe Links"
  enable_safe_links_for_email  = true
  enable_safe_links_for_teams  = true
  enable_safe_links_for_office = true
  track_clicks                 = true
  allow_click_through          = false
  scan_urls                    = true
  enable_for_internal_senders  = true
  deliver_message_after_scan   = true
  disable_url_rewrite          = false
}

resource "m365harden_safe_links_rule" "cis" {
  name                = "CIS 2.1.1 Safe Links"
  policy              = m365harden_safe_links_policy.cis.name
  priority            = 0
  recipient_domain_is = data.m365harden_accepted_domains.all.custom_domain_names
}

# CIS 2.1.4 (Microsoft Defender for Office 365): Safe Attachments on, malware
# blocked, for every accepted domain.
resource "m365harden_safe_attachment_policy" "cis" {
  name   = "CIS 2.1.4 Safe Attachments"
  enable = true
  action = "Block"
}

resource "m365harden_safe_attachment_rule" "cis" {
  name                = "CIS 2.1.4 Safe Attachments"
  policy              = m365harden_safe_attachment_policy.cis.name
  priority            = 0
  recipient_domain_is = data.m365harden_accepted_domains.all.custom_domain_names
}

# --- Applications -------------------------------------------------------------------

# CIS 5.1.5.2: the admin consent workflow, reviewed by Cloud Application
# Administrators.
resource "m365harden_admin_consent_request_policy" "this" {
  enabled                  = true
  request_duration_in_days = 14
  reviewer_role_ids        = ["158c047a-c907-4556-b7ef-446551a6b5f7"]
}

# CIS 5.1.2.2 and 5.1.2.3: only administrators register applications and
# create tenants. CIS 5.1.5.1:
# users cannot consent to applications (the admin consent workflow above
# takes their requests). CIS 5.1.6.3: only administrators and the Guest
# Inviter role invite guests.
resource "m365harden_authorization_policy" "this" {
  allowed_to_create_apps    = false
  allowed_to_create_tenants = false
  user_consent              = "disabled"
  allow_invites_from        = "adminsAndGuestInviters"
}

# --- Conditional access -----------------------------------------------------------

# CIS 5.2.2.2 (and 5.2.2.1: all users include administrators): MFA for all users.
resource "m365harden_conditional_access_policy" "mfa_all_users" {
  display_name = "CIS 5.2.2.2: require MFA for all users"
  state        = local.ca_state
  conditions = {
    users        = local.all_users
    applications = local.all_apps
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }

  # Security defaults go off before a policy is enforced (Graph refuses
  # an enabled policy while they are on).
  depends_on = [m365harden_security_defaults.off]
}

# CIS 5.2.2.3: block legacy authentication.
resource "m365harden_conditional_access_policy" "block_legacy_auth" {
  display_name = "CIS 5.2.2.3: block legacy authentication"
  state        = local.ca_state
  conditions = {
    users            = local.all_users
    applications     = local.all_apps
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

# CIS 5.2.2.6 (Entra ID P2): high user risk requires MFA and a password change.
resource "m365harden_conditional_access_policy" "user_risk" {
  display_name = "CIS 5.2.2.6: high user risk requires MFA and a password change"
  state        = local.ca_state
  conditions = {
    users            = local.all_users
    applications     = local.all_apps
    user_risk_levels = ["high"]
  }
  grant_controls = {
    operator          = "AND"
    built_in_controls = ["mfa", "passwordChange"]
  }
  # CIS's remediation: sign-in frequency "Every time".
  session_controls = {
    sign_in_frequency = {
      frequency_interval = "everyTime"
    }
  }

  # Security defaults go off before a policy is enforced (Graph refuses
  # an enabled policy while they are on).
  depends_on = [m365harden_security_defaults.off]
}

# CIS 5.2.2.7 (Entra ID P2): high and medium sign-in risk require MFA.
resource "m365harden_conditional_access_policy" "sign_in_risk" {
  display_name = "CIS 5.2.2.7: medium and high sign-in risk require MFA"
  state        = local.ca_state
  conditions = {
    users               = local.all_users
    applications        = local.all_apps
    sign_in_risk_levels = ["high", "medium"]
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
  # CIS's remediation: sign-in frequency "Every time".
  session_controls = {
    sign_in_frequency = {
      frequency_interval = "everyTime"
    }
  }

  # Security defaults go off before a policy is enforced (Graph refuses
  # an enabled policy while they are on).
  depends_on = [m365harden_security_defaults.off]
}

# CIS 5.2.2.4: administrators sign in again with MFA every 4 hours and
# their browser sessions never persist. The roles are the ones CIS lists
# at a minimum (template IDs from Microsoft Entra's built-in roles page).
resource "m365harden_conditional_access_policy" "admin_sessions" {
  display_name = "CIS 5.2.2.4: administrators re-authenticate every 4 hours, no persistent browser"
  state        = local.ca_state
  conditions = {
    users = {
      include_roles = local.cis_admin_roles
      exclude_users = var.break_glass_accounts
    }
    applications = local.all_apps
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
  session_controls = {
    sign_in_frequency = {
      value = 4
      type  = "hours"
    }
    persistent_browser = {
      mode = "never"
    }
  }

  # Security defaults go off before a policy is enforced (Graph refuses
  # an enabled policy while they are on).
  depends_on = [m365harden_security_defaults.off]
}

# CIS 5.1.1.1 prefers conditional access to security defaults: off only
# when the policies above are enforced.
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
    m365harden_conditional_access_policy.sign_in_risk,
    m365harden_conditional_access_policy.admin_sessions,
  ]
}

# --- Posture ------------------------------------------------------------------------

# The controls this configuration claims, read after everything above.
# CIS 5.2.3.1: Microsoft Authenticator protects against MFA fatigue -- it
# shows the app and the location of each sign-in (number matching is always on).
resource "m365harden_authentication_method_configuration" "authenticator" {
  method          = "MicrosoftAuthenticator"
  state           = "enabled"
  include_targets = [{ id = "all_users", authentication_mode = "any" }]
  microsoft_authenticator = {
    display_app_information      = { state = "enabled", include_target_id = "all_users", exclude_target_id = "00000000-0000-0000-0000-000000000000" }
    display_location_information = { state = "enabled", include_target_id = "all_users", exclude_target_id = "00000000-0000-0000-0000-000000000000" }
  }
}

# CIS 5.2.3.5: the weak methods off -- SMS and voice call (CIS v6.0), and
# email one-time passcodes too (CIS v5.0.0 lists all three).
resource "m365harden_authentication_method_configuration" "sms" {
  method = "Sms"
  state  = "disabled"
}

resource "m365harden_authentication_method_configuration" "voice" {
  method = "Voice"
  state  = "disabled"
}

resource "m365harden_authentication_method_configuration" "email" {
  method = "Email"
  state  = "disabled"
}

# CIS 5.2.3.6: system-preferred MFA prompts each user for the strongest
# method they registered (Microsoft Graph beta; see the resource's page).
resource "m365harden_authentication_methods_policy" "this" {
  system_credential_preferences = {
    state           = "enabled"
    include_targets = [{ id = "all_users" }]
    exclude_targets = []
  }
}

data "m365harden_posture" "this" {
  controls             = local.claimed_controls
  break_glass_accounts = var.break_glass_accounts

  # Every resource above: Terraform reads a data source while planning
  # unless one of its depends_on has a change, so a resource missing here
  # would let the read run before its own drift is put right.
  depends_on = [
    m365harden_authentication_method_configuration.authenticator,
    m365harden_authentication_method_configuration.sms,
    m365harden_authentication_method_configuration.voice,
    m365harden_authentication_method_configuration.email,
    m365harden_authentication_methods_policy.this,
    m365harden_audit_configuration.this,
    m365harden_mailbox_audit_baseline.users,
    m365harden_outbound_spam_filter_policy.default,
    m365harden_transport_rule.block_external_auto_forward,
    m365harden_conditional_access_policy.mfa_all_users,
    m365harden_conditional_access_policy.block_legacy_auth,
    m365harden_conditional_access_policy.user_risk,
    m365harden_conditional_access_policy.sign_in_risk,
    m365harden_conditional_access_policy.admin_sessions,
    m365harden_security_defaults.off,
    m365harden_security_defaults.on,
    m365harden_dkim_signing_config.this,
    m365harden_external_sender_tagging.this,
    m365harden_connection_filter_policy.this,
    m365harden_malware_filter_policy.default,
    m365harden_anti_phish_policy.default,
    m365harden_safe_links_rule.cis,
    m365harden_safe_attachment_rule.cis,
    m365harden_admin_consent_request_policy.this,
    m365harden_safe_links_policy.cis,
    m365harden_safe_attachment_policy.cis,
    m365harden_authorization_policy.this,
  ]
}

output "cis_posture" {
  value = data.m365harden_posture.this.statuses
}

check "cis_controls" {
  assert {
    condition     = data.m365harden_posture.this.fail_count == 0
    error_message = "CIS controls fail: ${join(", ", data.m365harden_posture.this.failed_controls)}. See data.m365harden_posture.this.results."
  }
}
