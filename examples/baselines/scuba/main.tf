# CISA ScubaGear secure configuration baselines: the "SHALL" policies for
# Entra ID, Exchange Online and the security suite that this provider can
# set, one block per policy with its ID in the comment. IDs mean exactly their
# published text (cisagov/ScubaGear, PowerShell/ScubaGear/baselines).
# `local.claimed_controls` lists the m365harden_posture controls this
# configuration makes pass; the posture data source at the end checks them.
# Policies this provider cannot set (DNS records, DLP, ...)
# are listed with the reason in the conformance guide
# (docs/guides/conformance.md).
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

variable "break_glass_accounts" {
  description = "Object IDs of the emergency-access accounts excluded from every conditional access policy (ScubaGear's CapExclusions users)."
  type        = list(string)
  default     = ["6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"]
}

variable "enforce_conditional_access" {
  description = "false keeps the conditional access policies in report-only mode and security defaults on; the ca-* posture controls fail until this is true, because a report-only policy blocks nothing."
  type        = bool
  default     = false
}

variable "sharing_partner_domains" {
  description = "Sharing policy entries for named partner domains (\"fabrikam.com:CalendarSharingFreeBusySimple\"): MS.EXO.6.1v1/6.2v1 allow sharing with specific domains, never with all (\"*\") or anonymous users."
  type        = list(string)
  default     = []
}

variable "allowed_sign_in_countries" {
  description = "ISO 3166-1 alpha-2 codes of the countries users sign in from; the country-block policy blocks every other country (no ScubaGear ID: business e-mail compromise guidance)."
  type        = list(string)
  default     = ["US"]
}

variable "enforce_country_block" {
  description = "false keeps the country-block conditional access policy report-only (enabledForReportingButNotEnforced): review its sign-in log results first. Enforcing it also needs enforce_conditional_access (security defaults off)."
  type        = bool
  default     = false
}

variable "sensitive_accounts" {
  description = "ScubaGear's SensitiveAccounts for MS.DEFENDER.1.4v1/1.5v1: the recipients (addresses, aliases or group names in sensitive_account_groups) the Strict preset protects. With neither set, the Strict preset protects everyone."
  type        = list(string)
  default     = []
}

variable "sensitive_account_groups" {
  description = "Groups whose members are sensitive accounts (the Strict preset's SentToMemberOf)."
  type        = list(string)
  default     = []
}

variable "forwarding_partner_domains" {
  description = "ScubaGear's AllowedForwardingDomains for MS.EXO.1.1v2: partner domains that may receive automatically forwarded mail."
  type        = list(string)
  default     = []
}

variable "blocked_file_types" {
  description = "The file types the anti-malware policy's common attachments filter blocks, without a leading dot. The default is Microsoft's default list for a new policy (set-malwarefilterpolicy). MS.SECURITYSUITE.1.1v1's minimum (exe, cmd, vbe) is always added."
  type        = list(string)
  default = ["ace", "ani", "apk", "app", "appx", "arj", "bat", "cab", "cmd", "com", "deb", "dex", "dll", "docm", "elf", "exe",
    "hta", "img", "iso", "jar", "jnlp", "kext", "lha", "lib", "library", "lnk", "lzh", "macho", "msc", "msi", "msix", "msp", "mst", "pif", "ppa", "ppam",
  "reg", "rev", "scf", "scr", "sct", "sys", "uif", "vb", "vbe", "vbs", "vxd", "wsc", "wsf", "wsh", "xll", "xz", "z"]
}

locals {
  ca_state = var.enforce_conditional_access ? "enabled" : "enabledForReportingButNotEnforced"

  # The m365harden_posture controls this configuration sets.
  claimed_controls = [
    "mailbox-auditing-default",      # MS.EXO.13.1v1
    "unified-audit-log",             # MS.SECURITYSUITE.5.1v1
    "audit-log-retention",           # MS.SECURITYSUITE.5.2v1
    "remote-domain-auto-forwarding", # MS.EXO.1.1v2
    "ca-block-legacy-auth",          # MS.AAD.1.1v1
    "ca-user-risk-block",            # MS.AAD.2.1v1
    "ca-sign-in-risk-block",         # MS.AAD.2.3v1
    "ca-phishing-resistant-mfa",     # MS.AAD.3.1v1
    "ca-mfa-all-users",              # MS.AAD.3.2v2
    "security-defaults",

    "smtp-auth-disabled",               # MS.EXO.5.1v1
    "dkim-enabled",                     # MS.EXO.3.1v1
    "external-sender-warnings",         # MS.EXO.7.1v1
    "contact-sharing-all-domains",      # MS.EXO.6.1v1
    "calendar-sharing-all-domains",     # MS.EXO.6.2v1
    "users-cannot-register-apps",       # MS.AAD.5.1v1
    "user-consent-restricted",          # MS.AAD.5.2v1
    "admin-consent-workflow",           # MS.AAD.5.3v1
    "guest-access-restricted",          # MS.AAD.8.1v1
    "guest-invites-restricted",         # MS.AAD.8.2v1
    "authenticator-login-context",      # MS.AAD.3.3v2
    "auth-methods-migration-complete",  # MS.AAD.3.4v1
    "auth-methods-weak-disabled",       # MS.AAD.3.5v2
    "preset-policies-enabled",          # MS.DEFENDER.1.1v1
    "preset-eop-all-users",             # MS.DEFENDER.1.2v1
    "preset-defender-all-users",        # MS.DEFENDER.1.3v1
    "preset-strict-eop-sensitive",      # MS.DEFENDER.1.4v1
    "preset-strict-defender-sensitive", # MS.DEFENDER.1.5v1
    "ca-phishing-resistant-mfa-admins", # MS.AAD.3.6v1
    "malware-click-to-run-blocked",     # MS.SECURITYSUITE.1.1v1
    "malware-zap-enabled",              # MS.SECURITYSUITE.1.2v1
  ]

  # Whom the Strict preset protects: the sensitive accounts, or everyone.
  strict_scope = {
    sent_to           = length(var.sensitive_accounts) > 0 ? var.sensitive_accounts : null
    sent_to_member_of = length(var.sensitive_account_groups) > 0 ? var.sensitive_account_groups : null
  }

  # The record types the audit-log-retention control requires by default.
  retention_record_types = ["ExchangeAdmin", "ExchangeItem", "ExchangeItemGroup", "SharePoint", "SharePointFileOperation",
  "AzureActiveDirectory", "AzureActiveDirectoryStsLogon"]

  all_users = {
    include_users = ["All"]
    exclude_users = var.break_glass_accounts
  }
  all_apps = {
    include_applications = ["All"]
  }

  # The built-in "Phishing-resistant MFA" authentication strength.
  phishing_resistant_strength = "00000000-0000-0000-0000-000000000004"
}

# --- Exchange Online ----------------------------------------------------------

# MS.EXO.1.1v2: "Automatic forwarding to external domains SHALL be disabled."
resource "m365harden_remote_domain" "default" {
  name                 = "Default"
  domain_name          = "*"
  auto_forward_enabled = false
}

# The AllowedForwardingDomains exception of MS.EXO.1.1v2.
resource "m365harden_remote_domain" "partner" {
  for_each             = toset(var.forwarding_partner_domains)
  name                 = each.value
  domain_name          = each.value
  auto_forward_enabled = true
}

# MS.EXO.13.1v1: "Mailbox auditing SHALL be enabled."
# MS.SECURITYSUITE.5.1v1: "Unified Audit logging SHALL be enabled."
resource "m365harden_audit_configuration" "this" {
  mailbox_auditing_enabled            = true
  unified_audit_log_ingestion_enabled = true
}

# MS.SECURITYSUITE.5.2v1: "Audit logs SHALL be retained and searchable for a
# minimum of 3 months and retrievable for a minimum of 12 months." Needs
# Microsoft Purview Audit (Premium) (E5 or an E5 Compliance / eDiscovery and
# Audit add-on). A higher-priority policy that keeps these record types for
# less than a year would decide first: posture reports it.
resource "m365harden_audit_log_retention_policy" "one_year" {
  name               = "ScubaGear MS.SECURITYSUITE.5.2v1: one year"
  description        = "Managed by Terraform: m365harden ScubaGear baseline"
  record_types       = local.retention_record_types
  retention_duration = "TwelveMonths"
  priority           = 100
}

# MS.EXO.5.1v1: "SMTP AUTH SHALL be disabled."
resource "m365harden_transport_config" "this" {
  smtp_client_authentication_disabled = true
}

# MS.EXO.3.1v1: "DKIM SHOULD be enabled for all domains." Publish each
# domain's two selector CNAMEs (selector1_host -> selector1_cname, ...) at its
# DNS host first: Exchange Online refuses to enable signing without them.
data "m365harden_accepted_domains" "all" {}

resource "m365harden_dkim_signing_config" "this" {
  count       = length(data.m365harden_accepted_domains.all.custom_domain_names)
  domain_name = sort(tolist(data.m365harden_accepted_domains.all.custom_domain_names))[count.index]
  enabled     = true
}

# MS.EXO.7.1v1: "External sender warnings SHALL be implemented." Outlook's
# External tag (ScubaGear's instructions use a subject-prefix transport rule;
# posture accepts either).
resource "m365harden_external_sender_tagging" "this" {
  enabled = true
}

# MS.EXO.6.1v1: "Contact folders SHALL NOT be shared with all domains."
# MS.EXO.6.2v1: "Calendar details SHALL NOT be shared with all domains."
# Microsoft's Default Sharing Policy shares free/busy with every federated
# organization and lets users publish calendars anonymously; this keeps only
# the named partner domains.
resource "m365harden_sharing_policy" "default" {
  name    = "Default Sharing Policy"
  domains = var.sharing_partner_domains
}

# --- Entra ID -----------------------------------------------------------------

# MS.AAD.5.1v1: "Only administrators SHALL be allowed to register
# applications." (also CIS 5.1.2.2, level 2)
# MS.AAD.5.2v1: "User consent to applications SHALL be restricted." (users
# consent only to verified publishers' low-risk permissions; "disabled"
# turns user consent off)
# MS.AAD.8.1v1: "Guest users SHOULD have limited or restricted access to
# Microsoft Entra ID directory objects."
# MS.AAD.8.2v1: "Only users with the Guest Inviter role SHOULD be able to
# invite guest users."
resource "m365harden_authorization_policy" "this" {
  allowed_to_create_apps = false
  user_consent           = "verified_publishers"
  guest_user_access      = "restricted"
  allow_invites_from     = "adminsAndGuestInviters"
}

# MS.AAD.5.3v1: "An admin consent workflow SHALL be configured for
# applications." Cloud Application Administrators review the requests.
resource "m365harden_admin_consent_request_policy" "this" {
  enabled                  = true
  request_duration_in_days = 14
  reviewer_role_ids        = ["158c047a-c907-4556-b7ef-446551a6b5f7"]
}

# Sign-ins from countries the organization never works from: a named
# location of the allowed countries and a policy blocking everything else.
# No ScubaGear ID; report-only (enabledForReportingButNotEnforced) until
# enforce_country_block is true, so its effect can be reviewed in the
# sign-in logs (and m365harden_failed_sign_ins with expected_countries)
# before it blocks anyone.
resource "m365harden_named_location" "allowed_countries" {
  display_name = "Allowed sign-in countries"
  country = {
    countries_and_regions                 = var.allowed_sign_in_countries
    include_unknown_countries_and_regions = false
  }
}

resource "m365harden_conditional_access_policy" "block_other_countries" {
  display_name = "Block sign-ins from outside the allowed countries"
  state        = var.enforce_country_block && var.enforce_conditional_access ? "enabled" : "enabledForReportingButNotEnforced"
  conditions = {
    users        = local.all_users
    applications = local.all_apps
    locations = {
      include_locations = ["All"]
      exclude_locations = [m365harden_named_location.allowed_countries.id]
    }
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["block"]
  }

  depends_on = [m365harden_security_defaults.off]
}

# MS.AAD.1.1v1: "Legacy authentication SHALL be blocked."
resource "m365harden_conditional_access_policy" "block_legacy_auth" {
  display_name = "MS.AAD.1.1v1: block legacy authentication"
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

# MS.AAD.2.1v1 (Entra ID P2): "Users detected as high risk SHALL be blocked."
resource "m365harden_conditional_access_policy" "block_high_risk_users" {
  display_name = "MS.AAD.2.1v1: block high-risk users"
  state        = local.ca_state
  conditions = {
    users            = local.all_users
    applications     = local.all_apps
    user_risk_levels = ["high"]
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["block"]
  }

  # Security defaults go off before a policy is enforced (Graph refuses
  # an enabled policy while they are on).
  depends_on = [m365harden_security_defaults.off]
}

# MS.AAD.2.3v1 (Entra ID P2): "Sign-ins detected as high risk SHALL be blocked."
resource "m365harden_conditional_access_policy" "block_high_risk_sign_ins" {
  display_name = "MS.AAD.2.3v1: block high-risk sign-ins"
  state        = local.ca_state
  conditions = {
    users               = local.all_users
    applications        = local.all_apps
    sign_in_risk_levels = ["high"]
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["block"]
  }

  # Security defaults go off before a policy is enforced (Graph refuses
  # an enabled policy while they are on).
  depends_on = [m365harden_security_defaults.off]
}

# MS.AAD.3.1v1: "Phishing-resistant MFA SHALL be enforced for all users."
# It also meets MS.AAD.3.2v2 ("MFA SHALL be enforced for all users") and
# MS.AAD.3.6v1 ("Phishing-resistant MFA SHALL be required for highly
# privileged roles": all users include every highly privileged role).
resource "m365harden_conditional_access_policy" "phishing_resistant_mfa" {
  display_name = "MS.AAD.3.1v1: phishing-resistant MFA for all users"
  state        = local.ca_state
  conditions = {
    users        = local.all_users
    applications = local.all_apps
  }
  grant_controls = {
    operator                   = "OR"
    authentication_strength_id = local.phishing_resistant_strength
  }

  # Security defaults go off before a policy is enforced (Graph refuses
  # an enabled policy while they are on).
  depends_on = [m365harden_security_defaults.off]
}

# Conditional access replaces security defaults: off only when the policies
# above are enforced.
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
    m365harden_conditional_access_policy.block_legacy_auth,
    m365harden_conditional_access_policy.block_high_risk_users,
    m365harden_conditional_access_policy.block_high_risk_sign_ins,
    m365harden_conditional_access_policy.phishing_resistant_mfa,
    m365harden_conditional_access_policy.block_other_countries,
  ]
}

# --- Posture ------------------------------------------------------------------

# The controls this configuration claims, read after everything above. The
# break-glass accounts are the CapExclusions users of every policy.
# MS.AAD.3.3v2: "If Microsoft Authenticator is enabled, it SHALL be configured
# to show login context information."
resource "m365harden_authentication_method_configuration" "authenticator" {
  method          = "MicrosoftAuthenticator"
  state           = "enabled"
  include_targets = [{ id = "all_users", authentication_mode = "any" }]
  microsoft_authenticator = {
    display_app_information      = { state = "enabled", include_target_id = "all_users", exclude_target_id = "00000000-0000-0000-0000-000000000000" }
    display_location_information = { state = "enabled", include_target_id = "all_users", exclude_target_id = "00000000-0000-0000-0000-000000000000" }
  }
}

# MS.AAD.3.5v2: "The authentication methods SMS, Voice Call, and Email
# One-Time Passcode (OTP) SHALL be disabled."
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

# MS.AAD.3.4v1: "The Authentication Methods Manage Migration feature SHALL be
# set to Migration Complete" -- after the methods above are set, so users
# keep a method they can use.
resource "m365harden_authentication_methods_policy" "this" {
  policy_migration_state = "migrationComplete"

  depends_on = [
    m365harden_authentication_method_configuration.authenticator,
    m365harden_authentication_method_configuration.sms,
    m365harden_authentication_method_configuration.voice,
    m365harden_authentication_method_configuration.email,
  ]
}

# --- Anti-malware (Exchange Online Protection) ----------------------------------

# MS.SECURITYSUITE.1.1v1: "Emails with click-to-run file attachments SHALL be
# blocked, including at a minimum .exe, .cmd, and .vbe files."
# MS.SECURITYSUITE.1.2v1: "Email scanning SHALL be capable of reviewing emails
# after delivery." (zero-hour auto purge for malware)
# The built-in Default policy, which applies to everyone no custom policy
# covers; posture checks every anti-malware policy.
resource "m365harden_malware_filter_policy" "default" {
  name               = "Default"
  enable_file_filter = true
  file_types         = setunion(var.blocked_file_types, ["exe", "cmd", "vbe"])
  zap_enabled        = true
}

# --- Defender for Office 365 ---------------------------------------------------
# Turn both presets on once in the Microsoft Defender portal first
# (https://security.microsoft.com/presetSecurityPolicies): that creates the
# rules these blocks adopt.

# MS.DEFENDER.1.1v1: "The standard and strict preset security policies SHALL
# be enabled." MS.DEFENDER.1.2v1/1.3v1: "All users SHALL be added to Exchange
# Online Protection (EOP)" / "to Defender for Office 365 protection in either
# the standard or strict preset security policy": Standard for everyone.
resource "m365harden_preset_security_policy" "standard" {
  level               = "Standard"
  eop_protection      = {}
  defender_protection = {}
}

# MS.DEFENDER.1.4v1/1.5v1: "Sensitive accounts SHALL be added to Exchange
# Online Protection" / "to Defender for Office 365 protection in the strict
# preset security policy."
resource "m365harden_preset_security_policy" "strict" {
  level               = "Strict"
  eop_protection      = local.strict_scope
  defender_protection = local.strict_scope
}

data "m365harden_posture" "this" {
  controls                     = local.claimed_controls
  break_glass_accounts         = var.break_glass_accounts
  forwarding_allowed_domains   = var.forwarding_partner_domains
  audit_retention_record_types = local.retention_record_types

  # Every resource above: Terraform reads a data source while planning
  # unless one of its depends_on has a change, so a resource missing here
  # would let the read run before its own drift is put right.
  depends_on = [
    m365harden_remote_domain.default,
    m365harden_remote_domain.partner,
    m365harden_audit_configuration.this,
    m365harden_audit_log_retention_policy.one_year,
    m365harden_conditional_access_policy.block_legacy_auth,
    m365harden_conditional_access_policy.block_high_risk_users,
    m365harden_conditional_access_policy.block_high_risk_sign_ins,
    m365harden_conditional_access_policy.phishing_resistant_mfa,
    m365harden_security_defaults.off,
    m365harden_security_defaults.on,
    m365harden_transport_config.this,
    m365harden_preset_security_policy.standard,
    m365harden_preset_security_policy.strict,
    m365harden_dkim_signing_config.this,
    m365harden_external_sender_tagging.this,
    m365harden_sharing_policy.default,
    m365harden_authorization_policy.this,
    m365harden_admin_consent_request_policy.this,
    m365harden_conditional_access_policy.block_other_countries,
    m365harden_authentication_methods_policy.this,
    m365harden_authentication_method_configuration.authenticator,
    m365harden_authentication_method_configuration.sms,
    m365harden_authentication_method_configuration.voice,
    m365harden_authentication_method_configuration.email,
    m365harden_named_location.allowed_countries,
    m365harden_malware_filter_policy.default,
  ]
}

output "scuba_posture" {
  value = data.m365harden_posture.this.statuses
}

check "scuba_controls" {
  assert {
    condition     = data.m365harden_posture.this.fail_count == 0
    error_message = "ScubaGear controls fail: ${join(", ", data.m365harden_posture.this.failed_controls)}. See data.m365harden_posture.this.results."
  }
}
