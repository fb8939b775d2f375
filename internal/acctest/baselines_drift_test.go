package acctest_test

import (
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
)

// drift is one out-of-band change that turns a claimed control back: the
// setting an administrator (or a portal default) would change. A drift step
// applies exactly one of them and asserts that exactly control and
// alsoFails fail, so each control is shown to fail on its own setting and
// not on another control's. alsoFails lists the controls the same setting
// also decides, each with the reason in a comment.
type drift struct {
	control   string
	alsoFails []string
	do        func(t *testing.T, tn *acctest.Tenant)
}

func exoDrift(cmdlet string, params map[string]any) func(t *testing.T, tn *acctest.Tenant) {
	return func(t *testing.T, tn *acctest.Tenant) { tn.Exchange(t, cmdlet, params) }
}

func graphDrift(method, path string, body map[string]any) func(t *testing.T, tn *acctest.Tenant) {
	return func(t *testing.T, tn *acctest.Tenant) { graphCall(t, tn, method, path, body) }
}

func policyDrift(prefix string, body map[string]any) func(t *testing.T, tn *acctest.Tenant) {
	return func(t *testing.T, tn *acctest.Tenant) { graphPatchPolicies(t, tn, prefix, body) }
}

var (
	reportOnly   = map[string]any{"state": "enabledForReportingButNotEnforced"}
	disabled     = map[string]any{"state": "disabled"}
	auditOff     = exoDrift("Set-OrganizationConfig", map[string]any{"AuditDisabled": true})
	ualOff       = exoDrift("Set-AdminAuditLogConfig", map[string]any{"UnifiedAuditLogIngestionEnabled": false})
	dkimOff      = exoDrift("Set-DkimSigningConfig", map[string]any{"Identity": "contoso.com", "Enabled": false})
	externalOff  = exoDrift("Set-ExternalInOutlook", map[string]any{"Enabled": false})
	consentOff   = func(t *testing.T, tn *acctest.Tenant) { adminConsentOff(t, tn) }
	authNoCtx    = func(t *testing.T, tn *acctest.Tenant) { authenticatorWithoutContext(t, tn) }
	cisCAs       = []string{"ca-mfa-all-users", "ca-block-legacy-auth", "ca-user-risk-policy", "ca-sign-in-risk-policy", "ca-admin-sign-in-frequency"}
	scubaCAs     = []string{"ca-block-legacy-auth", "ca-user-risk-block", "ca-sign-in-risk-block", "ca-phishing-resistant-mfa", "ca-mfa-all-users", "ca-phishing-resistant-mfa-admins"}
	mfaStrength  = "00000000-0000-0000-0000-000000000002" // the built-in "Multifactor authentication" strength
	presetPolicy = func(level string) string { return level + " Preset Security Policy" }
)

// cisDrifts: one per control examples/baselines/cis claims.
var cisDrifts = []drift{
	// While organization-wide auditing is off no mailbox is audited, so
	// the per-mailbox control fails too (see its Pass text).
	{"mailbox-auditing-default", []string{"mailbox-audit-settings"}, auditOff},
	{"mailbox-audit-settings", nil, exoDrift("Set-Mailbox", map[string]any{"Identity": "user2@contoso.com",
		"AuditOwner": []string{"ApplyRecord", "HardDelete", "MoveToDeletedItems", "SoftDelete"}})},
	{"unified-audit-log", nil, ualOff},
	{"outbound-spam-auto-forwarding", nil, exoDrift("Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "AutoForwardingMode": "Automatic"})},
	{"outbound-spam-notifications", nil, exoDrift("Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "NotifyOutboundSpam": false})},
	{"ca-mfa-all-users", nil, policyDrift("CIS 5.2.2.2", reportOnly)},
	{"ca-block-legacy-auth", nil, policyDrift("CIS 5.2.2.3", disabled)},
	// CIS's remediation sets sign-in frequency "Every time"; a policy
	// re-authenticating every 4 hours does not meet it.
	{"ca-user-risk-policy", nil, policyDrift("CIS 5.2.2.6", map[string]any{"sessionControls": map[string]any{"signInFrequency": map[string]any{
		"isEnabled": true, "type": "hours", "value": 4, "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication"}}})},
	{"ca-sign-in-risk-policy", nil, policyDrift("CIS 5.2.2.7", disabled)},
	// Security defaults fail only when nothing protects the tenant: every
	// policy disabled while they are off (Graph refuses turning them on
	// beside an enabled policy), so every conditional access control fails.
	{"security-defaults", cisCAs, policyDrift("CIS 5.2.2", disabled)},
	{"dkim-enabled", nil, dkimOff},
	{"external-sender-identification", nil, externalOff},
	{"malware-common-attachments-filter", nil, exoDrift("Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "EnableFileFilter": false})},
	{"malware-internal-sender-notifications", nil, exoDrift("Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "EnableInternalSenderAdminNotifications": false})},
	{"anti-phishing-policy", nil, exoDrift("Set-AntiPhishPolicy", map[string]any{"Identity": "Office365 AntiPhish Default", "PhishThresholdLevel": 1})},
	{"safe-links-policy", nil, exoDrift("Set-SafeLinksPolicy", map[string]any{"Identity": "CIS 2.1.1 Safe Links", "AllowClickThrough": true})},
	{"safe-attachments-policy", nil, exoDrift("Disable-SafeAttachmentRule", map[string]any{"Identity": "CIS 2.1.4 Safe Attachments"})},
	{"connection-filter-allow-lists", nil, exoDrift("Set-HostedConnectionFilterPolicy", map[string]any{"Identity": "Default", "IPAllowList": []string{"192.0.2.10"}})},
	{"admin-consent-workflow", nil, consentOff},
	{"authenticator-login-context", nil, authNoCtx},
	{"auth-methods-system-preferred-mfa", nil, graphDrift("PATCH", "/beta/policies/authenticationMethodsPolicy",
		map[string]any{"systemCredentialPreferences": map[string]any{"state": "default"}})},
	// Administrators re-authenticate every 8 hours: more than CIS's 4.
	{"ca-admin-sign-in-frequency", nil, policyDrift("CIS 5.2.2.4", map[string]any{"sessionControls": map[string]any{"signInFrequency": map[string]any{
		"isEnabled": true, "type": "hours", "value": 8, "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication"}}})},
	{"users-cannot-register-apps", nil, graphDrift("PATCH", "/policies/authorizationPolicy", map[string]any{"defaultUserRolePermissions": map[string]any{"allowedToCreateApps": true}})},
	{"users-cannot-create-tenants", nil, graphDrift("PATCH", "/policies/authorizationPolicy", map[string]any{"defaultUserRolePermissions": map[string]any{"allowedToCreateTenants": true}})},
	// Consent limited to verified publishers is still user consent.
	{"user-consent-disallowed", nil, graphDrift("PATCH", "/policies/authorizationPolicy", map[string]any{"defaultUserRolePermissions": map[string]any{
		"permissionGrantPoliciesAssigned": []string{"ManagePermissionGrantsForSelf.microsoft-user-default-low"}}})},
	{"guest-invites-restricted", nil, graphDrift("PATCH", "/policies/authorizationPolicy", map[string]any{"allowInvitesFrom": "everyone"})},
	{"auth-methods-weak-disabled", nil, graphDrift("PATCH", "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Voice",
		map[string]any{"@odata.type": "#microsoft.graph.voiceAuthenticationMethodConfiguration", "state": "enabled"})},
}

// scubaDrifts: one per control examples/baselines/scuba claims.
var scubaDrifts = []drift{
	{"mailbox-auditing-default", nil, auditOff},
	{"unified-audit-log", nil, ualOff},
	{"audit-log-retention", nil, func(t *testing.T, tn *acctest.Tenant) {
		// The cmdlet requires Priority; the baseline's own value.
		tn.Compliance(t, "Set-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "ScubaGear MS.SECURITYSUITE.5.2v1: one year", "Priority": 100, "RetentionDuration": "SixMonths"})
	}},
	{"remote-domain-auto-forwarding", nil, exoDrift("Set-RemoteDomain", map[string]any{"Identity": "Default", "AutoForwardEnabled": true})},
	{"ca-block-legacy-auth", nil, policyDrift("MS.AAD.1.1v1", disabled)},
	// MFA lets a high-risk user in: not "blocked".
	{"ca-user-risk-block", nil, policyDrift("MS.AAD.2.1v1", map[string]any{"grantControls": map[string]any{"operator": "OR", "builtInControls": []string{"mfa"}}})},
	{"ca-sign-in-risk-block", nil, policyDrift("MS.AAD.2.3v1", reportOnly)},
	// The all-users policy is also the one for the privileged roles
	// (MS.AAD.3.6v1); the MFA strength still counts as MFA (MS.AAD.3.2v2).
	{"ca-phishing-resistant-mfa", []string{"ca-phishing-resistant-mfa-admins"}, policyDrift("MS.AAD.3.1v1",
		map[string]any{"grantControls": map[string]any{"operator": "OR", "authenticationStrength": map[string]any{"id": mfaStrength}}})},
	// The phishing-resistant policy is the baseline's MFA policy too, so
	// no setting turns MFA off without turning phishing-resistant MFA off.
	{"ca-mfa-all-users", []string{"ca-phishing-resistant-mfa", "ca-phishing-resistant-mfa-admins"}, policyDrift("MS.AAD.3.1v1", disabled)},
	{"security-defaults", scubaCAs, policyDrift("MS.AAD.", disabled)},
	{"smtp-auth-disabled", nil, exoDrift("Set-TransportConfig", map[string]any{"SmtpClientAuthenticationDisabled": false})},
	{"dkim-enabled", nil, dkimOff},
	{"external-sender-warnings", nil, externalOff},
	{"contact-sharing-all-domains", nil, exoDrift("Set-SharingPolicy", map[string]any{"Identity": "Default Sharing Policy", "Domains": []string{"*:ContactsSharing"}})},
	{"calendar-sharing-all-domains", nil, exoDrift("Set-SharingPolicy", map[string]any{"Identity": "Default Sharing Policy", "Domains": []string{"*:CalendarSharingFreeBusySimple"}})},
	{"users-cannot-register-apps", nil, graphDrift("PATCH", "/policies/authorizationPolicy", map[string]any{"defaultUserRolePermissions": map[string]any{"allowedToCreateApps": true}})},
	{"user-consent-restricted", nil, graphDrift("PATCH", "/policies/authorizationPolicy", map[string]any{"defaultUserRolePermissions": map[string]any{
		"permissionGrantPoliciesAssigned": []string{"ManagePermissionGrantsForSelf.microsoft-user-default-legacy"}}})},
	{"admin-consent-workflow", nil, consentOff},
	{"guest-access-restricted", nil, graphDrift("PATCH", "/policies/authorizationPolicy", map[string]any{"guestUserRoleId": "a0b1b346-4d3e-4e8b-98f8-753987be4970"})},
	{"guest-invites-restricted", nil, graphDrift("PATCH", "/policies/authorizationPolicy", map[string]any{"allowInvitesFrom": "everyone"})},
	{"authenticator-login-context", nil, authNoCtx},
	{"auth-methods-migration-complete", nil, graphDrift("PATCH", "/policies/authenticationMethodsPolicy", map[string]any{"policyMigrationState": "migrationInProgress"})},
	{"auth-methods-weak-disabled", nil, graphDrift("PATCH", "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Sms",
		map[string]any{"@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration", "state": "enabled"})},
	// The Strict preset (no sensitive accounts named) still covers all
	// users, so only the "both on" control fails.
	{"preset-policies-enabled", nil, exoDrift("Disable-EOPProtectionPolicyRule", map[string]any{"Identity": presetPolicy("Standard")})},
	{"preset-eop-all-users", nil, func(t *testing.T, tn *acctest.Tenant) {
		for _, level := range []string{"Standard", "Strict"} {
			tn.Exchange(t, "Set-EOPProtectionPolicyRule", map[string]any{"Identity": presetPolicy(level), "RecipientDomainIs": []string{"contoso.com"}})
		}
	}},
	{"preset-defender-all-users", nil, func(t *testing.T, tn *acctest.Tenant) {
		for _, level := range []string{"Standard", "Strict"} {
			tn.Exchange(t, "Set-ATPProtectionPolicyRule", map[string]any{"Identity": presetPolicy(level), "RecipientDomainIs": []string{"contoso.com"}})
		}
	}},
	// A Strict preset turned off is also a preset not on.
	{"preset-strict-eop-sensitive", []string{"preset-policies-enabled"}, exoDrift("Disable-EOPProtectionPolicyRule", map[string]any{"Identity": presetPolicy("Strict")})},
	{"preset-strict-defender-sensitive", []string{"preset-policies-enabled"}, exoDrift("Disable-ATPProtectionPolicyRule", map[string]any{"Identity": presetPolicy("Strict")})},
	// A file-type list replaced without exe: the common attachments filter
	// stays on, so only the click-to-run control fails.
	{"malware-click-to-run-blocked", nil, exoDrift("Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "FileTypes": []string{"cmd", "vbe", "iso"}})},
	{"malware-zap-enabled", nil, exoDrift("Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "ZapEnabled": false})},
	// The privileged roles' policy is the all-users one (see above).
	{"ca-phishing-resistant-mfa-admins", []string{"ca-phishing-resistant-mfa", "ca-mfa-all-users"}, policyDrift("MS.AAD.3.1v1", reportOnly)},
}
