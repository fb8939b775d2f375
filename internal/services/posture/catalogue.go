package posture

import (
	"fmt"
	"strings"

	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// The provider's hardening controls, in the order the data source reports
// them (the list users read is the "Controls" section of the data source's
// page, templates/data-sources/posture.md.tmpl). References are the public
// baseline IDs: CIS = CIS Microsoft 365 Foundations Benchmark v3.1
// (https://www.cisecurity.org/benchmark/microsoft_365), Scuba = CISA
// ScubaGear's Microsoft 365 secure configuration baselines
// (https://github.com/cisagov/ScubaGear/tree/main/PowerShell/ScubaGear/baselines),
// DSC = the Microsoft365DSC resource that manages the same setting
// (https://microsoft365dsc.com/resources/overview/).

// Control ids, stable slugs used in `controls` and in the results.
const (
	ctlMailboxAuditDefault        = "mailbox-auditing-default"
	ctlMailboxAuditSettings       = "mailbox-audit-settings"
	ctlNoAuditBypass              = "no-audit-bypass"
	ctlUnifiedAuditLog            = "unified-audit-log"
	ctlAuditLogRetention          = "audit-log-retention"
	ctlRemoteDomainForwarding     = "remote-domain-auto-forwarding"
	ctlOutboundSpamForwarding     = "outbound-spam-auto-forwarding"
	ctlTransportRuleForwarding    = "transport-rule-forwarding"
	ctlMailboxForwarding          = "mailbox-external-forwarding"
	ctlOutboundSpamNotifications  = "outbound-spam-notifications"
	ctlAlertPolicies              = "alert-policies"
	ctlEncryptionRules            = "encryption-rules"
	ctlIRMPrerequisites           = "irm-prerequisites"
	ctlMFAAllUsers                = "ca-mfa-all-users"
	ctlPhishingResistantMFA       = "ca-phishing-resistant-mfa"
	ctlBlockLegacyAuth            = "ca-block-legacy-auth"
	ctlUserRiskPolicy             = "ca-user-risk-policy"
	ctlUserRiskBlock              = "ca-user-risk-block"
	ctlSignInRiskPolicy           = "ca-sign-in-risk-policy"
	ctlSignInRiskBlock            = "ca-sign-in-risk-block"
	ctlSecurityDefaults           = "security-defaults"
	ctlReviewSignInsAndRiskyUsers = "review-risky-users"
)

// control describes one control: what it checks, where baselines name it,
// and what the app needs to evaluate it.
type control struct {
	ID         string
	Title      string
	References []string
	// Pass says what "pass" means (for the docs).
	Pass string
	// Needs lists the permissions and roles (for the docs).
	Needs string
	// Licence, when set, is checked against the tenant's subscriptions
	// before the control runs.
	Licence *licence
	eval    func(e *evaluation) result
}

// licence is a service plan a requirement depends on.
type licence struct {
	Name    string   // as the requirement names it
	Plans   []string // service plan names (servicePlanName), any one suffices
	Wording string   // the requirement's own words about the licence
}

// Service plan names from Microsoft's licensing reference
// (https://learn.microsoft.com/en-us/entra/identity/users/licensing-service-plan-reference).
var (
	licEntraP1 = &licence{Name: "Microsoft Entra ID P1", Plans: []string{"AAD_PREMIUM"},
		Wording: "Conditional Access needs Microsoft Entra ID P1 (https://learn.microsoft.com/en-us/entra/identity/conditional-access/overview#license-requirements)."}
	licEntraP2Scuba = &licence{Name: "Microsoft Entra ID P2", Plans: []string{"AAD_PREMIUM_P2"},
		Wording: "ScubaGear's license requirement for these policies: \"Requires a Microsoft Entra ID P2 license\"."}
	licEntraP2 = &licence{Name: "Microsoft Entra ID P2", Plans: []string{"AAD_PREMIUM_P2"},
		Wording: "User and sign-in risk come from Microsoft Entra ID Protection, which needs Microsoft Entra ID P2 (https://learn.microsoft.com/en-us/entra/id-protection/overview-identity-protection#license-requirements)."}
	licAuditPremium = &licence{Name: "Microsoft Purview Audit (Premium)", Plans: []string{"M365_ADVANCED_AUDITING"},
		Wording: "ScubaGear MS.SECURITYSUITE.5.2v1: \"To maintain logs in M365 for longer than 180 days, the user generating the logs must have an Office 365 E5 or Microsoft 365 E5 license or a Microsoft Purview Suite (formerly known as Microsoft 365 E5 Compliance) or E5 eDiscovery and Audit add-on license.\""}
)

// catalogue is every control, in report order. It is filled in init so the
// evaluation functions can refer to the evaluation type.
var catalogue []control

func init() {
	const (
		exoConfigRead = "Exchange Online: `Exchange.ManageAsApp` and the `View-Only Configuration` role (Global Reader or Exchange Administrator)"
		exoRecipients = "Exchange Online: `Exchange.ManageAsApp` and the `View-Only Recipients` or `Mail Recipients` role"
		caRead        = "Microsoft Graph `Policy.Read.All` and `LicenseAssignment.Read.All` (or `Organization.Read.All`) for the licence check"
		// caScope is what every conditional access control requires of
		// the policy's other conditions.
		caScope = ", enabled (report-only does not count), and nothing narrows its effect: no excluded users beyond `break_glass_accounts` (and, for a ScubaGear policy, the users and groups of its `cap_exclusions` entry), no excluded groups or roles beyond those, no excluded guests or external users, no excluded or limited locations, platforms or cloud apps, no device filter, and no client app type limit (except the legacy clients the block-legacy control is about). The evidence names the condition that made each policy fail."
	)
	catalogue = []control{
		{ID: ctlMailboxAuditDefault, Title: "Mailbox auditing on by default",
			References: []string{"CIS 6.1.1", "Scuba MS.EXO.13.1v1", "DSC EXOOrganizationConfig"},
			Pass:       "`Get-OrganizationConfig` reports `AuditDisabled = $false`.",
			Needs:      exoConfigRead, eval: evalMailboxAuditDefault},
		{ID: ctlMailboxAuditSettings, Title: "Per-mailbox auditing",
			References: []string{"CIS 6.1.2", "CIS 6.1.3"},
			Pass:       "Every user mailbox has `AuditEnabled = $true`, an `AuditLogAgeLimit` of at least `minimum_audit_log_age_days`, and `AuditAdmin`/`AuditDelegate`/`AuditOwner` that include the CIS action lists (`mailbox_audit_actions`: E3 = CIS 6.1.2, E5 = CIS 6.1.3). Microsoft's default action sets do not include them all (CIS asks for Copy, FolderBind, Move, MailboxLogin and Create on top), so an untouched mailbox fails. Exchange ignores `AuditEnabled = $false` while organization-wide auditing is on (`AuditDisabled = $false`): such a mailbox is still audited, and the evidence says so, but it fails because CIS 6.1.2 checks the flag; the real per-mailbox off-switch is the audit bypass (`no-audit-bypass`). While organization-wide auditing is off no mailbox is audited, so the control fails whatever each mailbox says.",
			Needs:      exoRecipients + "; `View-Only Configuration` to read `AuditDisabled`", eval: evalMailboxAuditSettings},
		{ID: ctlNoAuditBypass, Title: "No audit bypass",
			References: []string{"CIS 6.1.4", "DSC EXOMailboxAuditBypassAssociation"},
			Pass:       "No account has `AuditBypassEnabled = $true` (`Get-MailboxAuditBypassAssociation`).",
			Needs:      "Exchange Online: `Exchange.ManageAsApp` and the `View-Only Configuration` (Global Reader) or `Audit Logs` role", eval: evalNoAuditBypass},
		{ID: ctlUnifiedAuditLog, Title: "Unified audit log",
			References: []string{"CIS 3.1.1", "Scuba MS.SECURITYSUITE.5.1v1", "DSC O365AdminAuditLogConfig"},
			Pass:       "`Get-AdminAuditLogConfig` (read through Exchange Online) reports `UnifiedAuditLogIngestionEnabled = $true`.",
			Needs:      "Exchange Online: `Exchange.ManageAsApp` and the `Audit Logs` or `View-Only Audit Logs` role", eval: evalUnifiedAuditLog},
		{ID: ctlAuditLogRetention, Title: "Audit log retention",
			References: []string{"Scuba MS.SECURITYSUITE.5.2v1", "DSC SCUnifiedAuditLogRetentionPolicy"},
			Pass:       "For every record type in `audit_retention_record_types`, the policy that decides its retention keeps records for `minimum_audit_log_retention` (default `TwelveMonths`, ScubaGear's \"retrievable for a minimum of 12 months\") or longer. Policies are read in priority order (1 is the highest): the first enabled policy naming the record type decides it for the users and operations it covers, so a higher-priority policy limited to some users or operations with a shorter duration fails the control even when a broader policy keeps the rest longer. Microsoft's default Audit (Premium) policy is not counted (it covers only Exchange, SharePoint and Entra ID records of licensed users). Needs Microsoft Purview Audit (Premium) in the tenant's subscriptions (`not licensed` otherwise).",
			Needs:      "Security & Compliance: `Exchange.ManageAsApp` and the `View-Only Audit Logs` or `Audit Logs` role (Compliance Administrator); Microsoft Graph `LicenseAssignment.Read.All` (or `Organization.Read.All`) to read the licence; Microsoft Purview Audit (Premium)",
			Licence:    licAuditPremium, eval: evalAuditLogRetention},
		{ID: ctlRemoteDomainForwarding, Title: "No auto-forwarding via remote domains",
			References: []string{"Scuba MS.EXO.1.1v2", "DSC EXORemoteDomain"},
			Pass:       "`AutoForwardEnabled = $false` on every remote domain except those in `forwarding_allowed_domains`; never on the Default (`*`) domain.",
			Needs:      exoConfigRead, eval: evalRemoteDomainForwarding},
		{ID: ctlOutboundSpamForwarding, Title: "No auto-forwarding via outbound spam policy",
			References: []string{"CIS 6.2.1", "DSC EXOHostedOutboundSpamFilterPolicy"},
			Pass:       "`AutoForwardingMode = Off` on the Default policy and on every custom policy not named in `forwarding_allowed_outbound_policies`. `Automatic` fails. " + common.AutomaticForwardingMeaning + " (" + common.OutboundSpamDocURL + ").",
			Needs:      "Exchange Online: `Exchange.ManageAsApp` and the `View-Only Configuration`, `Security Reader` or `Transport Hygiene` role", eval: evalOutboundSpamForwarding},
		{ID: ctlTransportRuleForwarding, Title: "No forwarding or bypass via transport rules",
			References: []string{"CIS 6.2.1", "CIS 6.2.2"},
			Pass:       "No enabled transport rule redirects, blind-copies or adds recipients outside the accepted domains (and `forwarding_allowed_domains`), and none sets `SetSCL -1` for sender domains.",
			Needs:      exoConfigRead, eval: evalTransportRuleForwarding},
		{ID: ctlMailboxForwarding, Title: "No mailbox-level external forwarding",
			References: []string{"CIS 6.4.1"},
			Pass:       "No mailbox has a `ForwardingSmtpAddress` outside the accepted domains (and `forwarding_allowed_domains`) or a `ForwardingAddress` that is not a mailbox of the tenant; with `scan_inbox_rules`, no inbox rule forwards, redirects or forwards as attachment to such an address.",
			Needs:      exoRecipients + "; with `scan_inbox_rules` the `Mail Recipients` role (Global Reader cannot read inbox rules)", eval: evalMailboxForwarding},
		{ID: ctlOutboundSpamNotifications, Title: "Outbound spam notifications",
			References: []string{"CIS 2.1.6"},
			Pass:       "Every outbound spam filter policy has `NotifyOutboundSpam` and `BccSuspiciousOutboundMail` on, each with at least one recipient. Microsoft's cmdlet reference describes `NotifyOutboundSpam = $true` as notifying the admins in `NotifyOutboundSpamRecipients` and `$false` (the default) as sending no notifications; `BccSuspiciousOutboundMail` adds `BccSuspiciousOutboundAdditionalRecipients` to the Bcc of outgoing spam. Of `NotifyOutboundSpam`, " + common.NotifyOutboundSpamReplaced + "; CIS 2.1.6 still asks for the setting, so the control checks it (" + common.OutboundSpamDocURL + ").",
			Needs:      "Exchange Online: `Exchange.ManageAsApp` and the `View-Only Configuration`, `Security Reader` or `Transport Hygiene` role", eval: evalOutboundSpamNotifications},
		{ID: ctlAlertPolicies, Title: "Alert policies",
			References: []string{"Scuba MS.SECURITYSUITE.4.1v1", "Scuba MS.SECURITYSUITE.4.2v1", "DSC SCProtectionAlert"},
			Pass:       "The default alert policies " + quoteList(requiredBuiltinAlerts) + " are turned on and send e-mail notifications to at least one recipient. A default policy the tenant's licence does not offer is reported, not failed.",
			Needs:      "Security & Compliance: `Exchange.ManageAsApp` and the `View-Only Manage Alerts` role (Compliance Administrator or Security Reader)", eval: evalAlertPolicies},
		{ID: ctlEncryptionRules, Title: "Encryption to selected domains",
			References: []string{"DSC EXOTransportRule"},
			Pass:       "Every domain in `encryption_required_domains` is covered by an enabled, enforced transport rule with `RecipientDomainIs` naming it and `ApplyRightsProtectionTemplate` or `ApplyOME`. No baseline requires it; with no domains required the control passes.",
			Needs:      exoConfigRead, eval: evalEncryptionRules},
		{ID: ctlIRMPrerequisites, Title: "IRM/OME prerequisites",
			References: []string{"DSC EXOIRMConfiguration"},
			Pass:       "`AzureRMSLicensingEnabled = $true` when any transport rule applies encryption (or `encryption_required_domains` is set); passes when no encryption is used.",
			Needs:      exoConfigRead, eval: evalIRMPrerequisites},
		{ID: ctlMFAAllUsers, Title: "MFA for all users",
			References: []string{"CIS 5.2.2.1", "CIS 5.2.2.2", "Scuba MS.AAD.3.2v2", "DSC AADConditionalAccessPolicy"},
			Pass:       "An enabled conditional access policy for all users and all cloud apps requires `mfa` or an authentication strength (alone or with AND)" + caScope + " A policy for all users also covers administrators (CIS 5.2.2.1).",
			Needs:      caRead, Licence: licEntraP1, eval: evalMFAAllUsers},
		{ID: ctlPhishingResistantMFA, Title: "Phishing-resistant MFA for all users",
			References: []string{"Scuba MS.AAD.3.1v1"},
			Pass:       "An enabled conditional access policy for all users and all cloud apps grants the built-in `Phishing-resistant MFA` authentication strength (`" + phishingResistantStrengthID + "`)" + caScope + " The built-in `mfa` grant does not pass (it accepts methods that are not phishing-resistant), nor does a custom strength.",
			Needs:      caRead, Licence: licEntraP1, eval: evalPhishingResistantMFA},
		{ID: ctlBlockLegacyAuth, Title: "Block legacy authentication",
			References: []string{"CIS 5.2.2.3", "Scuba MS.AAD.1.1v1"},
			Pass:       "An enabled conditional access policy for all users and all cloud apps with client app types `exchangeActiveSync` and `other` grants `block`" + caScope,
			Needs:      caRead, Licence: licEntraP1, eval: evalBlockLegacyAuth},
		{ID: ctlUserRiskPolicy, Title: "User risk: MFA and password change (CIS)",
			References: []string{"CIS 5.2.2.6"},
			Pass:       "An enabled conditional access policy for all users and all cloud apps with user risk level `high` requires MFA (or an authentication strength) AND a password change, with the session's sign-in frequency set to every time (as CIS's remediation sets it)" + caScope + " A policy that blocks does not meet this requirement's wording (see `" + ctlUserRiskBlock + "`).",
			Needs:      caRead, Licence: licEntraP2, eval: evalUserRiskPolicy},
		{ID: ctlUserRiskBlock, Title: "User risk: block (ScubaGear)",
			References: []string{"Scuba MS.AAD.2.1v1"},
			Pass:       "\"Users detected as high risk SHALL be blocked\": an enabled conditional access policy for all users and all cloud apps with user risk level `high` grants `block`" + caScope + " MFA with a password change does not pass.",
			Needs:      caRead, Licence: licEntraP2Scuba, eval: evalUserRiskBlock},
		{ID: ctlSignInRiskPolicy, Title: "Sign-in risk: MFA (CIS)",
			References: []string{"CIS 5.2.2.7"},
			Pass:       "An enabled conditional access policy for all users and all cloud apps with sign-in risk levels `high` and, with `require_medium_sign_in_risk` (default `true`), `medium` requires MFA (or an authentication strength), with the session's sign-in frequency set to every time (as CIS's remediation sets it)" + caScope,
			Needs:      caRead, Licence: licEntraP2, eval: evalSignInRiskPolicy},
		{ID: ctlSignInRiskBlock, Title: "Sign-in risk: block (ScubaGear)",
			References: []string{"Scuba MS.AAD.2.3v1"},
			Pass:       "\"Sign-ins detected as high risk SHALL be blocked\": an enabled conditional access policy for all users and all cloud apps with sign-in risk level `high` grants `block`" + caScope + " A policy that only requires MFA does not pass.",
			Needs:      caRead, Licence: licEntraP2Scuba, eval: evalSignInRiskBlock},
		{ID: ctlSecurityDefaults, Title: "Security defaults",
			References: []string{"DSC AADSecurityDefaults"},
			Pass:       "Security defaults are on when the tenant has no enabled conditional access policy, and off when enabled conditional access policies replace them (CIS 5.1.1.1 prefers conditional access).",
			Needs:      "Microsoft Graph `Policy.Read.All` (a tenant without Entra ID P1 has no conditional access, so security defaults must be on)", eval: evalSecurityDefaults},
		{ID: ctlReviewSignInsAndRiskyUsers, Title: "Review failed and risky sign-ins",
			References: []string{"CIS 5.2.6.1"},
			Pass:       "CIS asks for a manual weekly review. The part that can be evaluated is: no user is at risk (`riskState` `atRisk` or `confirmedCompromised`) at `risky_user_level` (default `high`) or above. A pass does not replace the review of failed sign-ins (see `m365harden_failed_sign_ins`).",
			Needs:      "Microsoft Graph `IdentityRiskyUser.Read.All`; Microsoft Entra ID P2", Licence: licEntraP2, eval: evalRiskyUsers},
		// Mail security, anti-malware/anti-phishing and identity policies
		// (controls_mail.go, controls_defender.go, controls_identity_policies.go).
		{ID: ctlSMTPAuthDisabled, Title: "SMTP AUTH disabled",
			References: []string{"Scuba MS.EXO.5.1v1", "DSC EXOTransportConfig"},
			Pass:       "\"SMTP AUTH SHALL be disabled\": `Get-TransportConfig` reports `SmtpClientAuthenticationDisabled = $true` for the organization. A mailbox whose own `SmtpClientAuthenticationDisabled` is `$false` (`Set-CASMailbox`) still allows it; ScubaGear's check and this control read the organization setting.",
			Needs:      exoConfigRead, eval: evalSMTPAuthDisabled},
		{ID: ctlDKIMEnabled, Title: "DKIM signing for every domain",
			References: []string{"CIS 2.1.9", "Scuba MS.EXO.3.1v1", "DSC EXODkimSigningConfig"},
			Pass:       "Every accepted domain (`Get-AcceptedDomain`, the `*.onmicrosoft.com` domains included) has a DKIM signing configuration (`Get-DkimSigningConfig`) with `Enabled = $true` and `Status = Valid`; a configuration that is enabled but cannot sign (its selector CNAME records are missing) fails. Whether the CNAME records resolve is checked by `m365harden_email_authentication`.",
			Needs:      "Exchange Online: `Exchange.ManageAsApp` and the `View-Only Configuration` or `Security Reader` role", eval: evalDKIMEnabled},
		{ID: ctlExternalInOutlook, Title: "External senders identified in Outlook (CIS)",
			References: []string{"CIS 6.2.3", "DSC EXOExternalInOutlook"},
			Pass:       "`Get-ExternalInOutlook` reports `Enabled = $true`: Outlook shows the native External tag, which is the method CIS's recommendation sets. A transport rule that prefixes subjects does not meet this recommendation (see `" + ctlExternalSenderWarnings + "`).",
			Needs:      exoConfigRead, eval: evalExternalInOutlook},
		{ID: ctlExternalSenderWarnings, Title: "External sender warnings (ScubaGear)",
			References: []string{"Scuba MS.EXO.7.1v1"},
			Pass:       "\"External sender warnings SHALL be implemented\": either Outlook's External tag is on (`Get-ExternalInOutlook` `Enabled = $true`) or an enabled transport rule in `Enforce` mode with `FromScope = NotInOrganization` prepends a subject prefix (`PrependSubject`), the rule ScubaGear's instructions create.",
			Needs:      exoConfigRead, eval: evalExternalSenderWarnings},
		{ID: ctlContactSharing, Title: "Contacts not shared with all domains",
			References: []string{"Scuba MS.EXO.6.1v1", "DSC EXOSharingPolicy"},
			Pass:       "\"Contact folders SHALL NOT be shared with all domains\": no enabled sharing policy (`Get-SharingPolicy`) has a `Domains` entry for `*` (every federated organization) or `Anonymous` with `ContactsSharing`. Sharing with named domains is allowed (the requirement's note).",
			Needs:      exoConfigRead, eval: evalContactSharing},
		{ID: ctlCalendarSharing, Title: "Calendars not shared with all domains",
			References: []string{"Scuba MS.EXO.6.2v1", "DSC EXOSharingPolicy"},
			Pass:       "\"Calendar details SHALL NOT be shared with all domains\": no enabled sharing policy has a `Domains` entry for `*` or `Anonymous` with any `CalendarSharing*` action. Microsoft's Default Sharing Policy has `*:CalendarSharingFreeBusySimple` and `Anonymous:CalendarSharingFreeBusyReviewer`, so an untouched tenant fails. Sharing with named domains is allowed.",
			Needs:      exoConfigRead, eval: evalCalendarSharing},
		{ID: ctlExternalCalendarSharing, Title: "External calendar sharing not available (CIS)",
			References: []string{"CIS 1.3.3"},
			Pass:       "No enabled sharing policy has any `Domains` entry with a `CalendarSharing*` action, for any domain: CIS's audit lists the sharing policies whose domains include calendar sharing and requires them disabled (its remediation disables the Default Sharing Policy). Stricter than ScubaGear MS.EXO.6.2v1, which allows named domains. CIS level 2.",
			Needs:      exoConfigRead, eval: evalExternalCalendarSharing},
		{ID: ctlConnectionFilter, Title: "Connection filter: no IP allow list, safe list off",
			References: []string{"DSC EXOHostedConnectionFilterPolicy"},
			Pass:       "The Default connection filter policy (`Get-HostedConnectionFilterPolicy`) has an empty `IPAllowList` and `EnableSafeList = $false`: allowed IPs and Microsoft's safe list skip spam filtering. CIS recommends both from Microsoft 365 Foundations v4.0.0 (2.1.12, 2.1.13); v3.1.0, which the other CIS references cite, uses those numbers for other recommendations, so none is cited here.",
			Needs:      "Exchange Online: `Exchange.ManageAsApp` and the `View-Only Configuration` or `Security Reader` role", eval: evalConnectionFilter},
		{ID: ctlMalwareFileFilter, Title: "Common attachment types filter",
			References: []string{"CIS 2.1.2", "DSC EXOMalwareFilterPolicy"},
			Pass:       "Every anti-malware policy (`Get-MalwareFilterPolicy`, the Default included) has `EnableFileFilter = $true`.",
			Needs:      "Exchange Online: `Exchange.ManageAsApp` and the `View-Only Configuration` or `Security Reader` role", eval: evalMalwareFileFilter},
		{ID: ctlMalwareInternalAdmin, Title: "Admin notifications of malware from internal senders",
			References: []string{"CIS 2.1.3", "DSC EXOMalwareFilterPolicy"},
			Pass:       "Every anti-malware policy has `EnableInternalSenderAdminNotifications = $true` with an `InternalSenderAdminAddress`.",
			Needs:      "Exchange Online: `Exchange.ManageAsApp` and the `View-Only Configuration` or `Security Reader` role", eval: evalMalwareInternalAdmin},
		{ID: ctlAntiPhishing, Title: "Anti-phishing policy",
			References: []string{"CIS 2.1.7", "DSC EXOAntiPhishPolicy"},
			Pass:       "Every anti-phishing policy (`Get-AntiPhishPolicy`, `Office365 AntiPhish Default` included) has a phishing email threshold (`PhishThresholdLevel`) of at least 2 (Aggressive), mailbox intelligence (`EnableMailboxIntelligence`) and its impersonation protection (`EnableMailboxIntelligenceProtection`) on, and spoof intelligence (`EnableSpoofIntelligence`) on, the settings of CIS's remediation. Needs Microsoft Defender for Office 365 in the tenant's subscriptions (`not licensed` otherwise).",
			Needs:      "Exchange Online: `Exchange.ManageAsApp` and the `View-Only Configuration` or `Security Reader` role; Microsoft Graph `LicenseAssignment.Read.All` (or `Organization.Read.All`) to read the licence; Microsoft Defender for Office 365",
			Licence:    licDefenderO365, eval: evalAntiPhishing},
		{ID: ctlAppRegistration, Title: "Only administrators register applications",
			References: []string{"CIS 5.1.2.2", "Scuba MS.AAD.5.1v1", "DSC AADAuthorizationPolicy"},
			Pass:       "The authorization policy's `defaultUserRolePermissions.allowedToCreateApps` is `false`.",
			Needs:      "Microsoft Graph `Policy.Read.All`", eval: evalAppRegistration},
		{ID: ctlUserConsent, Title: "User consent to applications restricted",
			References: []string{"Scuba MS.AAD.5.2v1", "DSC AADAuthorizationPolicy"},
			Pass:       "\"User consent to applications SHALL be restricted\", by either of ScubaGear's two options: `defaultUserRolePermissions.permissionGrantPoliciesAssigned` has no `ManagePermissionGrantsForSelf.*` policy (users cannot consent) or only `ManagePermissionGrantsForSelf.microsoft-user-default-low` (verified publishers, low-risk permissions). The legacy policy (`microsoft-user-default-legacy`), Microsoft's managed policy (`microsoft-user-default-recommended`, whose scope Microsoft changes over time and which is neither of ScubaGear's options) or a custom one fails.",
			Needs:      "Microsoft Graph `Policy.Read.All`", eval: evalUserConsent},
		{ID: ctlAdminConsentWorkflow, Title: "Admin consent workflow",
			References: []string{"CIS 5.1.5.2", "Scuba MS.AAD.5.3v1", "DSC AADAdminConsentRequestPolicy"},
			Pass:       "`/policies/adminConsentRequestPolicy` has `isEnabled = true` and at least one reviewer: a workflow without reviewers sends requests to nobody.",
			Needs:      "Microsoft Graph `Policy.Read.All`", eval: evalAdminConsentWorkflow},
		{ID: ctlGuestAccess, Title: "Guest access to directory objects limited",
			References: []string{"Scuba MS.AAD.8.1v1", "DSC AADAuthorizationPolicy"},
			Pass:       "The authorization policy's `guestUserRoleId` is Guest User (`10dae51f-b6af-4016-8d66-8c2a99b929b3`, limited access) or Restricted Guest User (`2af84b1e-32c8-42b7-82bc-daa82404023b`); the User role (`a0b1b346-4d3e-4e8b-98f8-753987be4970`, same access as members) fails.",
			Needs:      "Microsoft Graph `Policy.Read.All`", eval: evalGuestAccess},
		{ID: ctlGuestInvites, Title: "Guest invitations limited to the Guest Inviter role",
			References: []string{"CIS 5.1.6.3", "Scuba MS.AAD.8.2v1", "DSC AADAuthorizationPolicy"},
			Pass:       "The authorization policy's `allowInvitesFrom` is `adminsAndGuestInviters` (administrators and the Guest Inviter role) or the stricter `none`.",
			Needs:      "Microsoft Graph `Policy.Read.All`", eval: evalGuestInvites},
	}
	catalogue = append(catalogue, authMethodsControls()...)
	catalogue = append(catalogue, presetControls()...)
	catalogue = append(catalogue, authMethodsControls2()...)
	catalogue = append(catalogue, malwareControls()...)
	catalogue = append(catalogue, identityCISControls()...)
}

// controlIDs lists the ids in report order.
func controlIDs() []string {
	ids := make([]string, len(catalogue))
	for i, c := range catalogue {
		ids[i] = c.ID
	}
	return ids
}

// requiredBuiltinAlerts are the default alert policies CISA ScubaGear
// MS.SECURITYSUITE.4.1v1 (formerly MS.EXO.16.1v1) requires to be enabled:
// https://github.com/cisagov/ScubaGear/blob/main/PowerShell/ScubaGear/baselines/securitysuite.md#mssecuritysuite41v1
var requiredBuiltinAlerts = []string{
	"Suspicious email sending patterns detected",
	"Suspicious connector activity",
	"Suspicious Email Forwarding Activity",
	"Messages have been delayed",
	"Tenant restricted from sending unprovisioned email",
	"Tenant restricted from sending email",
	"A potentially malicious URL click was detected",
}

// CIS action lists for per-mailbox auditing. CIS 6.1.2 (E3) asks for
// Microsoft's default sets plus Copy, FolderBind and Move (admin), FolderBind
// and Move (delegate), Create, MailboxLogin and Move (owner); CIS 6.1.3 (E5)
// adds the Audit (Premium) actions MailItemsAccessed and Send. The lists are
// the ones of the benchmark's remediation scripts (CIS Microsoft 365
// Foundations v3.1.0, as published in Tenable's audit items
// https://www.tenable.com/audits/items/CIS_Microsoft_365_v3.1.0_E5_Level_1.audit:6a00ce63b3072829a7b247185d7ceb45);
// Microsoft's defaults: https://learn.microsoft.com/purview/audit-mailboxes.
var (
	cisAuditAdminE3 = []string{"ApplyRecord", "Copy", "Create", "FolderBind", "HardDelete", "Move", "MoveToDeletedItems",
		"SendAs", "SendOnBehalf", "SoftDelete", "Update", "UpdateCalendarDelegation", "UpdateFolderPermissions", "UpdateInboxRules"}
	cisAuditDelegateE3 = []string{"ApplyRecord", "Create", "FolderBind", "HardDelete", "Move", "MoveToDeletedItems",
		"SendAs", "SendOnBehalf", "SoftDelete", "Update", "UpdateFolderPermissions", "UpdateInboxRules"}
	cisAuditOwnerE3 = []string{"ApplyRecord", "Create", "HardDelete", "MailboxLogin", "Move", "MoveToDeletedItems",
		"SoftDelete", "Update", "UpdateCalendarDelegation", "UpdateFolderPermissions", "UpdateInboxRules"}
	cisAuditAdminE5Extra    = []string{"MailItemsAccessed", "Send"}
	cisAuditDelegateE5Extra = []string{"MailItemsAccessed"}
	cisAuditOwnerE5Extra    = []string{"MailItemsAccessed", "Send"}
)

// Values of the enum arguments, defined once for validators and docs.
var (
	auditActionLevels = []string{"E3", "E5"}
	// retentionDurations in increasing order (New-UnifiedAuditLogRetentionPolicy -RetentionDuration).
	retentionDurations = []string{"SevenDays", "OneMonth", "ThreeMonths", "SixMonths", "NineMonths", "TwelveMonths",
		"ThreeYears", "FiveYears", "SevenYears", "TenYears"}
	riskLevels = []string{"low", "medium", "high"}
)

// controlDoc is a control's section in the data source's documentation
// (templates/data-sources/posture.md.tmpl); a test keeps the two in step.
func controlDoc(c control) string {
	return fmt.Sprintf("### `%s` — %s\n\nReferences: %s.\n\nPass: %s\n\nNeeds: %s.\n\n", c.ID, c.Title, strings.Join(c.References, "; "), c.Pass, c.Needs)
}
