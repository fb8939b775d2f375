package posture

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// refCase builds, on an emulated tenant, a tenant that does not meet the
// given references of a control and then one that does, as an
// administrator would (cmdlets, Graph requests, portal actions). The
// policyCases of controls_policies_test.go are refCases too.
type refCase struct {
	control string
	refs    []string // the catalogue references this case checks
	opt     func(o *options)
	bad     func(t *testing.T, sim *m365sim.Server)
	want    string // words of the failing evidence (objects or summary)
	good    func(t *testing.T, sim *m365sim.Server)
	// fresh: the compliant tenant is a new one (the emulator has no
	// action that undoes the non-compliant state, e.g. dismissing risk).
	fresh bool
}

func compliance(t *testing.T, sim *m365sim.Server, cmdlet string, params map[string]any) {
	t.Helper()
	if _, err := sim.Invoke(m365sim.DemoTenantID, m365sim.EndpointCompliance, cmdlet, params); err != nil {
		t.Fatalf("%s: %v", cmdlet, err)
	}
}

func steps(fs ...func(t *testing.T, sim *m365sim.Server)) func(t *testing.T, sim *m365sim.Server) {
	return func(t *testing.T, sim *m365sim.Server) {
		for _, f := range fs {
			f(t, sim)
		}
	}
}

func exoStep(cmdlet string, params map[string]any) func(t *testing.T, sim *m365sim.Server) {
	return func(t *testing.T, sim *m365sim.Server) { exo(t, sim, cmdlet, params) }
}

func graphStep(method, path string, body map[string]any) func(t *testing.T, sim *m365sim.Server) {
	return func(t *testing.T, sim *m365sim.Server) { graphDo(t, sim, method, path, body) }
}

func nothing(*testing.T, *m365sim.Server) {}

// userMailboxes seeds n user mailboxes without forwarding and returns
// their UPNs.
func userMailboxes(t *testing.T, sim *m365sim.Server, n int) []string {
	t.Helper()
	objs, err := m365sim.SeedMailboxes(sim, m365sim.DemoTenantID, m365sim.MailboxSeed{Count: n, Domain: "contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	var upns []string
	for _, o := range objs {
		upns = append(upns, fmt.Sprint(o["UserPrincipalName"]))
	}
	return upns
}

func firstMailbox(t *testing.T, sim *m365sim.Server) string {
	t.Helper()
	objs, err := sim.Invoke(m365sim.DemoTenantID, m365sim.EndpointExchange, "Get-Mailbox", nil)
	if err != nil || len(objs) == 0 {
		t.Fatalf("Get-Mailbox: %d %v", len(objs), err)
	}
	return fmt.Sprint(objs[0]["UserPrincipalName"])
}

func auditActions(e5 bool) func(t *testing.T, sim *m365sim.Server) {
	return func(t *testing.T, sim *m365sim.Server) {
		admin, delegate, owner := cisAuditAdminE3, cisAuditDelegateE3, cisAuditOwnerE3
		if e5 {
			admin = append(slices.Clone(admin), cisAuditAdminE5Extra...)
			delegate = append(slices.Clone(delegate), cisAuditDelegateE5Extra...)
			owner = append(slices.Clone(owner), cisAuditOwnerE5Extra...)
		}
		objs, err := sim.Invoke(m365sim.DemoTenantID, m365sim.EndpointExchange, "Get-Mailbox", nil)
		if err != nil || len(objs) == 0 {
			t.Fatalf("Get-Mailbox: %d %v", len(objs), err)
		}
		for _, o := range objs {
			exo(t, sim, "Set-Mailbox", map[string]any{"Identity": o["UserPrincipalName"], "AuditAdmin": admin, "AuditDelegate": delegate, "AuditOwner": owner})
		}
	}
}

var retentionTypes = []string{"ExchangeAdmin", "ExchangeItem", "ExchangeItemGroup", "SharePoint", "SharePointFileOperation", "AzureActiveDirectory", "AzureActiveDirectoryStsLogon"}

// caStep creates an enabled conditional access policy for all users and
// all cloud apps (security defaults off first: Graph refuses an enabled
// policy while they are on).
func caStep(name string, conditions, grant, session map[string]any) func(t *testing.T, sim *m365sim.Server) {
	return caStepState(name, "enabled", conditions, grant, session)
}

func caStepState(name, state string, conditions, grant, session map[string]any) func(t *testing.T, sim *m365sim.Server) {
	return func(t *testing.T, sim *m365sim.Server) {
		graphDo(t, sim, "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false})
		c := map[string]any{"users": map[string]any{"includeUsers": []string{"All"}}, "applications": map[string]any{"includeApplications": []string{"All"}},
			"clientAppTypes": []string{"all"}}
		for k, v := range conditions {
			c[k] = v
		}
		p := map[string]any{"displayName": name, "state": state, "conditions": c, "grantControls": grant}
		if session != nil {
			p["sessionControls"] = session
		}
		graphDo(t, sim, "POST", "/identity/conditionalAccess/policies", p)
	}
}

func grant(op string, controls ...string) map[string]any {
	return map[string]any{"operator": op, "builtInControls": controls}
}

func strength(id string) map[string]any {
	return map[string]any{"operator": "OR", "authenticationStrength": map[string]any{"id": id}}
}

var (
	everyTimeSession = map[string]any{"signInFrequency": map[string]any{"isEnabled": true, "frequencyInterval": "everyTime", "authenticationType": "primaryAndSecondaryAuthentication"}}
	userRiskHigh     = map[string]any{"userRiskLevels": []string{"high"}}
	signInHighMedium = map[string]any{"signInRiskLevels": []string{"high", "medium"}}
	signInHigh       = map[string]any{"signInRiskLevels": []string{"high"}}
	mfaStrengthID    = "00000000-0000-0000-0000-000000000002" // built-in "Multifactor authentication"
	globalAdminRole  = "62e90394-69f5-4237-9190-012177145e10"
	authMethodCfgs   = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/"
)

// adminSession re-authenticates every h hours and never keeps the browser
// session (CIS 5.2.2.4's session controls).
func adminSession(h int) map[string]any {
	return map[string]any{
		"signInFrequency":   map[string]any{"isEnabled": true, "type": "hours", "value": h, "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication"},
		"persistentBrowser": map[string]any{"isEnabled": true, "mode": "never"},
	}
}

// presetsOff: both presets turned on once in the portal (which creates
// their rules), then every rule turned off.
func presetsOff(t *testing.T, sim *m365sim.Server) {
	for _, level := range []string{presetStandard, presetStrict} {
		if err := m365sim.TurnOnPresetInPortal(sim, m365sim.DemoTenantID, level); err != nil {
			t.Fatal(err)
		}
		exo(t, sim, "Disable-EOPProtectionPolicyRule", map[string]any{"Identity": level + presetRuleSuffix})
		exo(t, sim, "Disable-ATPProtectionPolicyRule", map[string]any{"Identity": level + presetRuleSuffix})
	}
}

func presetsOn(t *testing.T, sim *m365sim.Server) {
	for _, level := range []string{presetStandard, presetStrict} {
		exo(t, sim, "Enable-EOPProtectionPolicyRule", map[string]any{"Identity": level + presetRuleSuffix})
		exo(t, sim, "Enable-ATPProtectionPolicyRule", map[string]any{"Identity": level + presetRuleSuffix})
	}
}

func alertPortal(name string, fields map[string]any) func(t *testing.T, sim *m365sim.Server) {
	return func(t *testing.T, sim *m365sim.Server) {
		body := map[string]any{"name": name}
		for k, v := range fields {
			body[k] = v
		}
		if _, err := sim.Seed(m365sim.DemoTenantID, "protection-alert-portal", body); err != nil {
			t.Fatal(err)
		}
	}
}

var refCases = []refCase{
	{control: ctlMailboxAuditDefault, refs: []string{"CIS 6.1.1", "Scuba MS.EXO.13.1v1", "DSC EXOOrganizationConfig"},
		bad: exoStep("Set-OrganizationConfig", map[string]any{"AuditDisabled": true}), want: "AuditDisabled = $true",
		good: exoStep("Set-OrganizationConfig", map[string]any{"AuditDisabled": false})},
	{control: ctlMailboxAuditSettings, refs: []string{"CIS 6.1.2"},
		bad: func(t *testing.T, sim *m365sim.Server) { userMailboxes(t, sim, 2) }, want: "user mailboxes fall short",
		good: auditActions(false)},
	{control: ctlMailboxAuditSettings, refs: []string{"CIS 6.1.3"}, opt: func(o *options) { o.AuditActions = "E5" },
		bad:  func(t *testing.T, sim *m365sim.Server) { userMailboxes(t, sim, 2); auditActions(false)(t, sim) },
		want: "MailItemsAccessed", good: auditActions(true)},
	{control: ctlNoAuditBypass, refs: []string{"CIS 6.1.4", "DSC EXOMailboxAuditBypassAssociation"},
		bad: func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-MailboxAuditBypassAssociation", map[string]any{"Identity": userMailboxes(t, sim, 1)[0], "AuditBypassEnabled": true})
		}, want: "AuditBypassEnabled=true",
		good: func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-MailboxAuditBypassAssociation", map[string]any{"Identity": firstMailbox(t, sim), "AuditBypassEnabled": false})
		}},
	{control: ctlUnifiedAuditLog, refs: []string{"CIS 3.1.1", "Scuba MS.SECURITYSUITE.5.1v1", "DSC O365AdminAuditLogConfig"},
		bad: exoStep("Set-AdminAuditLogConfig", map[string]any{"UnifiedAuditLogIngestionEnabled": false}), want: "UnifiedAuditLogIngestionEnabled",
		good: exoStep("Set-AdminAuditLogConfig", map[string]any{"UnifiedAuditLogIngestionEnabled": true})},
	{control: ctlAuditLogRetention, refs: []string{"Scuba MS.SECURITYSUITE.5.2v1", "DSC SCUnifiedAuditLogRetentionPolicy"},
		opt: func(o *options) { o.RetentionRecordTypes = retentionTypes },
		bad: func(t *testing.T, sim *m365sim.Server) {
			compliance(t, sim, "New-UnifiedAuditLogRetentionPolicy", map[string]any{"Name": "Half a year", "Priority": 1, "RetentionDuration": "SixMonths", "RecordTypes": retentionTypes})
		}, want: "SixMonths",
		good: func(t *testing.T, sim *m365sim.Server) {
			compliance(t, sim, "Set-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "Half a year", "Priority": 1, "RetentionDuration": "TwelveMonths"})
		}},
	{control: ctlRemoteDomainForwarding, refs: []string{"Scuba MS.EXO.1.1v2", "DSC EXORemoteDomain"},
		bad: exoStep("Set-RemoteDomain", map[string]any{"Identity": "Default", "AutoForwardEnabled": true}), want: "Default",
		good: exoStep("Set-RemoteDomain", map[string]any{"Identity": "Default", "AutoForwardEnabled": false})},
	{control: ctlOutboundSpamForwarding, refs: []string{"CIS 6.2.1", "DSC EXOHostedOutboundSpamFilterPolicy"},
		bad: exoStep("Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "AutoForwardingMode": "Automatic"}), want: "Automatic",
		good: exoStep("Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "AutoForwardingMode": "Off"})},
	{control: ctlTransportRuleForwarding, refs: []string{"CIS 6.2.1"},
		bad:  exoStep("New-TransportRule", map[string]any{"Name": "Copy out", "SentToScope": "NotInOrganization", "BlindCopyTo": []string{"archive@fabrikam.example"}}),
		want: "BlindCopyTo=archive@fabrikam.example (external)",
		good: exoStep("Disable-TransportRule", map[string]any{"Identity": "Copy out"})},
	{control: ctlTransportRuleForwarding, refs: []string{"CIS 6.2.2"},
		bad:  exoStep("New-TransportRule", map[string]any{"Name": "Trust the vendor", "SenderDomainIs": []string{"vendor.example"}, "SetSCL": "-1"}),
		want: "SetSCL=-1 for SenderDomainIs=vendor.example",
		good: exoStep("Disable-TransportRule", map[string]any{"Identity": "Trust the vendor"})},
	{control: ctlMailboxForwarding, refs: []string{"CIS 6.4.1"},
		bad: func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-Mailbox", map[string]any{"Identity": userMailboxes(t, sim, 1)[0], "ForwardingSmtpAddress": "smtp:exfil@fabrikam.example"})
		}, want: "ForwardingSmtpAddress=exfil@fabrikam.example",
		good: func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-Mailbox", map[string]any{"Identity": firstMailbox(t, sim), "ForwardingSmtpAddress": "smtp:archive@contoso.com"})
		}},
	{control: ctlOutboundSpamNotifications, refs: []string{"CIS 2.1.6"},
		bad: exoStep("Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "NotifyOutboundSpam": false}), want: "NotifyOutboundSpam",
		good: exoStep("Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "NotifyOutboundSpam": true, "NotifyOutboundSpamRecipients": []string{"secops@contoso.com"},
			"BccSuspiciousOutboundMail": true, "BccSuspiciousOutboundAdditionalRecipients": []string{"secops@contoso.com"}})},
	{control: ctlAlertPolicies, refs: []string{"Scuba MS.SECURITYSUITE.4.1v1", "DSC SCProtectionAlert"},
		bad:  alertPortal("Suspicious Email Forwarding Activity", map[string]any{"disabled": true}),
		want: "Disabled=true", good: alertPortal("Suspicious Email Forwarding Activity", map[string]any{"disabled": false})},
	{control: ctlAlertPolicies, refs: []string{"Scuba MS.SECURITYSUITE.4.2v1"},
		bad:  alertPortal("Suspicious connector activity", map[string]any{"notificationEnabled": false}),
		want: "NotificationEnabled=false", good: alertPortal("Suspicious connector activity", map[string]any{"notificationEnabled": true})},
	{control: ctlEncryptionRules, refs: []string{"DSC EXOTransportRule"}, opt: func(o *options) { o.EncryptionDomains = []string{"bank.example"} },
		bad: nothing, want: "bank.example",
		good: exoStep("New-TransportRule", map[string]any{"Name": "Encrypt to the bank", "RecipientDomainIs": []string{"bank.example"}, "ApplyRightsProtectionTemplate": "Encrypt"})},
	{control: ctlIRMPrerequisites, refs: []string{"DSC EXOIRMConfiguration"},
		bad: steps(exoStep("New-TransportRule", map[string]any{"Name": "Encrypt to the bank", "RecipientDomainIs": []string{"bank.example"}, "ApplyRightsProtectionTemplate": "Encrypt"}),
			exoStep("Set-IRMConfiguration", map[string]any{"AzureRMSLicensingEnabled": false})), want: "Encrypt to the bank",
		good: exoStep("Set-IRMConfiguration", map[string]any{"AzureRMSLicensingEnabled": true})},

	// Conditional access: each non-compliant policy misses exactly the
	// requirement the reference states.
	{control: ctlMFAAllUsers, refs: []string{"CIS 5.2.2.2", "Scuba MS.AAD.3.2v2", "DSC AADConditionalAccessPolicy"},
		bad:  caStepState("MFA report-only", "enabledForReportingButNotEnforced", nil, grant("OR", "mfa"), nil),
		want: "state is enabledForReportingButNotEnforced", good: caStep("MFA", nil, grant("OR", "mfa"), nil)},
	{control: ctlMFAAllUsers, refs: []string{"CIS 5.2.2.1"},
		bad:  caStep("MFA but not for Global Administrators", map[string]any{"users": map[string]any{"includeUsers": []string{"All"}, "excludeRoles": []string{globalAdminRole}}}, grant("OR", "mfa"), nil),
		want: "excludes directory roles", good: caStep("MFA", nil, grant("OR", "mfa"), nil)},
	{control: ctlPhishingResistantMFA, refs: []string{"Scuba MS.AAD.3.1v1"},
		bad: caStep("MFA", nil, grant("OR", "mfa"), nil), want: "MFA",
		good: caStep("Phishing-resistant MFA", nil, strength(phishingResistantStrengthID), nil)},
	{control: ctlBlockLegacyAuth, refs: []string{"CIS 5.2.2.3", "Scuba MS.AAD.1.1v1"},
		bad:  caStep("Block ActiveSync only", map[string]any{"clientAppTypes": []string{"exchangeActiveSync"}}, grant("OR", "block"), nil),
		want: "other", good: caStep("Block legacy", map[string]any{"clientAppTypes": []string{"exchangeActiveSync", "other"}}, grant("OR", "block"), nil)},
	{control: ctlUserRiskPolicy, refs: []string{"CIS 5.2.2.6"},
		bad:  caStep("User risk without every-time sign-in", userRiskHigh, grant("AND", "mfa", "passwordChange"), nil),
		want: "session: sign-in frequency is not every time", good: caStep("User risk", userRiskHigh, grant("AND", "mfa", "passwordChange"), everyTimeSession)},
	{control: ctlUserRiskBlock, refs: []string{"Scuba MS.AAD.2.1v1"},
		bad:  caStep("User risk: MFA and password change", userRiskHigh, grant("AND", "mfa", "passwordChange"), nil),
		want: "grant: is not block", good: caStep("User risk: block", userRiskHigh, grant("OR", "block"), nil)},
	{control: ctlSignInRiskPolicy, refs: []string{"CIS 5.2.2.7"},
		bad:  caStep("Sign-in risk high only", signInHigh, grant("OR", "mfa"), everyTimeSession),
		want: "risk levels do not include medium", good: caStep("Sign-in risk", signInHighMedium, grant("OR", "mfa"), everyTimeSession)},
	{control: ctlSignInRiskBlock, refs: []string{"Scuba MS.AAD.2.3v1"},
		bad:  caStep("Sign-in risk: MFA", signInHigh, grant("OR", "mfa"), nil),
		want: "grant: is not block", good: caStep("Sign-in risk: block", signInHigh, grant("OR", "block"), nil)},
	{control: ctlPhishingResistantAdmins, refs: []string{"Scuba MS.AAD.3.6v1", "DSC AADConditionalAccessPolicy"},
		bad:  caStep("MFA strength", nil, strength(mfaStrengthID), nil),
		want: "not the built-in Phishing-resistant MFA", good: caStep("Phishing-resistant MFA", nil, strength(phishingResistantStrengthID), nil)},
	{control: ctlManagedDevices, refs: []string{"Scuba MS.AAD.3.7v1", "DSC AADConditionalAccessPolicy"},
		bad: caStep("MFA", nil, grant("OR", "mfa"), nil), want: "No enabled conditional access policy requires a managed",
		good: caStep("Managed devices", nil, grant("OR", "compliantDevice", "domainJoinedDevice"), nil)},
	{control: ctlSecurityDefaults, refs: []string{"DSC AADSecurityDefaults"},
		bad:  graphStep("PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false}),
		want: "off", good: graphStep("PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": true})},
	{control: ctlReviewSignInsAndRiskyUsers, refs: []string{"CIS 5.2.6.1"},
		bad: func(t *testing.T, sim *m365sim.Server) {
			if _, err := sim.Seed(m365sim.DemoTenantID, "signins", m365sim.SignInHistoryOptions{Seed: 7, Count: 500}); err != nil {
				t.Fatal(err)
			}
		}, want: "at risk level high or above", good: nothing, fresh: true},

	// Authentication methods.
	{control: ctlAuthMethodsMigration, refs: []string{"Scuba MS.AAD.3.4v1", "DSC AADAuthenticationMethodPolicy"},
		bad: nothing, want: "policyMigrationState",
		good: graphStep("PATCH", "/policies/authenticationMethodsPolicy", map[string]any{"policyMigrationState": "migrationComplete"})},
	{control: ctlWeakMethodsDisabled, refs: []string{"Scuba MS.AAD.3.5v2", "DSC AADAuthenticationMethodPolicySms", "DSC AADAuthenticationMethodPolicyVoice", "DSC AADAuthenticationMethodPolicyEmail"},
		bad: graphStep("PATCH", authMethodCfgs+"Sms", map[string]any{"@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration", "state": "enabled"}), want: "Sms",
		good: func(t *testing.T, sim *m365sim.Server) {
			for id, typ := range map[string]string{"Sms": "sms", "Voice": "voice", "Email": "email"} {
				graphDo(t, sim, "PATCH", authMethodCfgs+id, map[string]any{"@odata.type": "#microsoft.graph." + typ + "AuthenticationMethodConfiguration", "state": "disabled"})
			}
		}},
	// CIS 5.2.3.5 names the same methods (SMS, voice call, email OTP); a
	// case of its own so the reference is checked on its own tenant.
	{control: ctlWeakMethodsDisabled, refs: []string{"CIS 5.2.3.5"},
		bad: graphStep("PATCH", authMethodCfgs+"Voice", map[string]any{"@odata.type": "#microsoft.graph.voiceAuthenticationMethodConfiguration", "state": "enabled"}), want: "Voice",
		good: func(t *testing.T, sim *m365sim.Server) {
			for id, typ := range map[string]string{"Sms": "sms", "Voice": "voice", "Email": "email"} {
				graphDo(t, sim, "PATCH", authMethodCfgs+id, map[string]any{"@odata.type": "#microsoft.graph." + typ + "AuthenticationMethodConfiguration", "state": "disabled"})
			}
		}},
	{control: ctlAdminSessionControls, refs: []string{"CIS 5.2.2.4", "DSC AADConditionalAccessPolicy"},
		bad: caStep("Admins: 8 hours", nil, grant("OR", "mfa"), adminSession(8)), want: "more than 4 hours",
		good: caStep("Admins: 4 hours", nil, grant("OR", "mfa"), adminSession(4))},
	{control: ctlAuthenticatorContext, refs: []string{"Scuba MS.AAD.3.3v2", "CIS 5.2.3.1", "DSC AADAuthenticationMethodPolicyAuthenticator"},
		bad: graphStep("PATCH", authMethodCfgs+"MicrosoftAuthenticator", map[string]any{"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration", "state": "enabled",
			"featureSettings": map[string]any{"displayAppInformationRequiredState": map[string]any{"state": "disabled"}, "displayLocationInformationRequiredState": map[string]any{"state": "disabled"}}}),
		want: "displayLocationInformationRequiredState",
		good: graphStep("PATCH", authMethodCfgs+"MicrosoftAuthenticator", map[string]any{"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration",
			"featureSettings": map[string]any{"displayAppInformationRequiredState": map[string]any{"state": "enabled"}, "displayLocationInformationRequiredState": map[string]any{"state": "enabled"}}})},
	{control: ctlSystemPreferredMFA, refs: []string{"CIS 5.2.3.6", "DSC AADAuthenticationMethodPolicy"},
		bad: nothing, want: "state=default",
		good: graphStep("PATCH", "/beta/policies/authenticationMethodsPolicy", map[string]any{"systemCredentialPreferences": map[string]any{"state": "enabled"}})},

	// Presets, Safe Links, Safe Attachments.
	{control: ctlPresetsEnabled, refs: []string{"Scuba MS.DEFENDER.1.1v1", "DSC EXOEOPProtectionPolicyRule", "DSC EXOATPProtectionPolicyRule"},
		bad: presetsOff, want: "State=Disabled", good: presetsOn},
	{control: ctlPresetEOPAllUsers, refs: []string{"Scuba MS.DEFENDER.1.2v1", "DSC EXOEOPProtectionPolicyRule"},
		bad: presetsOff, want: "State=Disabled", good: presetsOn},
	{control: ctlPresetDefenderAllUsers, refs: []string{"Scuba MS.DEFENDER.1.3v1", "DSC EXOATPProtectionPolicyRule"},
		bad: presetsOff, want: "State=Disabled", good: presetsOn},
	{control: ctlPresetStrictEOP, refs: []string{"Scuba MS.DEFENDER.1.4v1", "DSC EXOEOPProtectionPolicyRule"},
		bad: presetsOff, want: "State=Disabled", good: presetsOn},
	{control: ctlPresetStrictDefender, refs: []string{"Scuba MS.DEFENDER.1.5v1", "DSC EXOATPProtectionPolicyRule"},
		bad: presetsOff, want: "State=Disabled", good: presetsOn},
	{control: ctlSafeLinksPolicy, refs: []string{"CIS 2.1.1", "DSC EXOSafeLinksPolicy"},
		bad: steps(exoStep("New-SafeLinksPolicy", map[string]any{"Name": "Links", "AllowClickThrough": true}),
			exoStep("New-SafeLinksRule", map[string]any{"Name": "Links", "SafeLinksPolicy": "Links", "RecipientDomainIs": []string{"contoso.com"}})),
		want: "AllowClickThrough=true",
		good: func(t *testing.T, sim *m365sim.Server) {
			p := map[string]any{"Identity": "Links"}
			for _, f := range cisSafeLinks {
				p[f.field] = f.want
			}
			exo(t, sim, "Set-SafeLinksPolicy", p)
		}},
	{control: ctlSafeAttachmentsPolicy, refs: []string{"CIS 2.1.4", "DSC EXOSafeAttachmentPolicy"},
		bad: steps(exoStep("New-SafeAttachmentPolicy", map[string]any{"Name": "Attachments", "Enable": true, "Action": "Allow"}),
			exoStep("New-SafeAttachmentRule", map[string]any{"Name": "Attachments", "SafeAttachmentPolicy": "Attachments", "RecipientDomainIs": []string{"contoso.com"}})),
		want: "Allow",
		good: exoStep("Set-SafeAttachmentPolicy", map[string]any{"Identity": "Attachments", "Action": "Block"})},
}

// allRefCases: these and the policy controls' cases.
func allRefCases() []refCase {
	out := slices.Clone(refCases)
	for _, pc := range policyCases {
		out = append(out, refCase{control: pc.control, refs: pc.refs, bad: pc.bad, want: pc.want, good: pc.good})
	}
	return out
}

// TestReferenceTenants: for every reference of every control, a
// non-compliant emulated tenant fails (with evidence naming what falls
// short) and a compliant one passes.
func TestReferenceTenants(t *testing.T) {
	for _, rc := range allRefCases() {
		t.Run(rc.control+"/"+strings.Join(rc.refs, ","), func(t *testing.T) {
			t.Parallel()
			opt := defaultOptions()
			if rc.opt != nil {
				rc.opt(&opt)
			}
			opt.Controls = map[string]bool{rc.control: true}
			one := func(set func() []controlResult) controlResult {
				rs := set()
				if len(rs) != 1 {
					t.Fatalf("%d results", len(rs))
				}
				return rs[0]
			}
			sim, set := newSet(t, 0)
			rc.bad(t, sim)
			r := one(func() []controlResult { return evaluate(t.Context(), set, opt) })
			text := r.Summary + "\n" + objectsText(r.Objects)
			if r.Status != statusFail || !strings.Contains(text, rc.want) {
				t.Fatalf("non-compliant: %s %q %+v, want fail naming %q", r.Status, r.Summary, r.Objects, rc.want)
			}
			if rc.fresh {
				sim, set = newSet(t, 0)
			}
			rc.good(t, sim)
			if r := one(func() []controlResult { return evaluate(t.Context(), set, opt) }); r.Status != statusPass {
				t.Fatalf("compliant: %s %q %+v", r.Status, r.Summary, r.Objects)
			}
		})
	}
}

// TestReferenceTenantsCoverCatalogue: every control has cases, the cases
// of a control check exactly its catalogue references (each one at least
// once), and no case names a reference the catalogue does not give it.
func TestReferenceTenantsCoverCatalogue(t *testing.T) {
	got := map[string][]string{}
	for _, rc := range allRefCases() {
		if len(rc.refs) == 0 || rc.bad == nil || rc.good == nil || rc.want == "" {
			t.Errorf("%s: a case without references, tenants or evidence", rc.control)
		}
		got[rc.control] = append(got[rc.control], rc.refs...)
	}
	for _, c := range catalogue {
		have := slices.Clone(got[c.ID])
		sort.Strings(have)
		have = slices.Compact(have)
		want := slices.Clone(c.References)
		sort.Strings(want)
		if strings.Join(have, "|") != strings.Join(want, "|") {
			t.Errorf("%s: catalogue references %v, the cases check %v", c.ID, want, have)
		}
		delete(got, c.ID)
	}
	for id := range got {
		t.Errorf("%s: has cases but is not in the catalogue", id)
	}
}
