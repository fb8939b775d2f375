package posture_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/acctest/wireaudit"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

const postureDS = "data.m365harden_posture.this"

// A new tenant has no audit bypass and no audit log retention policy.
const (
	noAuditBypassDefault    = "pass"
	auditRetentionDefault   = "fail"
	auditRetentionNoLicence = "unknown"
)

// breakGlassID is the emergency-access account the tests' policies exclude.
const breakGlassID = "6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"

// Statuses of an untouched tenant (security defaults on, Default remote
// domain and outbound policy as Microsoft ships them, no conditional access).
func defaultStatuses() map[string]string {
	return map[string]string{
		"mailbox-auditing-default":      "pass",
		"mailbox-audit-settings":        "fail", // Microsoft's default action sets lack some CIS actions
		"no-audit-bypass":               noAuditBypassDefault,
		"unified-audit-log":             "pass",
		"audit-log-retention":           auditRetentionDefault,
		"remote-domain-auto-forwarding": "fail",
		"outbound-spam-auto-forwarding": "fail",
		"transport-rule-forwarding":     "pass",
		"mailbox-external-forwarding":   "pass",
		"outbound-spam-notifications":   "fail",
		"alert-policies":                "pass",
		"encryption-rules":              "pass",
		"irm-prerequisites":             "pass",
		"ca-mfa-all-users":              "fail",
		"ca-phishing-resistant-mfa":     "fail",
		"ca-block-legacy-auth":          "fail",
		"ca-user-risk-policy":           "fail",
		"ca-user-risk-block":            "fail",
		"ca-sign-in-risk-policy":        "fail",
		"ca-sign-in-risk-block":         "fail",
		"security-defaults":             "pass",
		"review-risky-users":            "pass",
		// A new organization has SMTP AUTH off, no IP allow list, the
		// common attachments filter on and guests limited; everything
		// else of the mail and identity policies is Microsoft's open default.
		"smtp-auth-disabled":                    "pass",
		"dkim-enabled":                          "fail", // contoso.com is not signed
		"external-sender-identification":        "fail",
		"external-sender-warnings":              "fail",
		"contact-sharing-all-domains":           "pass",
		"calendar-sharing-all-domains":          "fail",
		"external-calendar-sharing":             "fail",
		"connection-filter-allow-lists":         "pass",
		"malware-common-attachments-filter":     "pass",
		"malware-internal-sender-notifications": "fail",
		"anti-phishing-policy":                  "fail",
		"users-cannot-register-apps":            "fail",
		"user-consent-restricted":               "fail",
		"admin-consent-workflow":                "fail",
		"guest-access-restricted":               "pass",
		"guest-invites-restricted":              "fail",
		// A new tenant is before the authentication methods migration, has
		// SMS/voice/email enabled and Authenticator off (which passes).
		"auth-methods-migration-complete": "fail",
		"auth-methods-weak-disabled":      "fail",
		"authenticator-login-context":     "pass",
		// The presets were never turned on (no rules) and there is no
		// custom Safe Links or Safe Attachments policy.
		"preset-policies-enabled":          "fail",
		"preset-eop-all-users":             "fail",
		"preset-defender-all-users":        "fail",
		"preset-strict-eop-sensitive":      "fail",
		"preset-strict-defender-sensitive": "fail",
		"safe-links-policy":                "fail",
		"safe-attachments-policy":          "fail",
		// No conditional access policy; system-preferred MFA is "default".
		"ca-phishing-resistant-mfa-admins":  "fail",
		"ca-managed-devices":                "fail",
		"auth-methods-system-preferred-mfa": "fail",
		// Microsoft's default anti-malware policy blocks exe, cmd and vbe
		// and has zero-hour auto purge on.
		"malware-click-to-run-blocked": "pass",
		"malware-zap-enabled":          "pass",
		// The built-in protection policy blocks malware; no custom
		// Safe Attachments policy exists.
		"malware-quarantined-or-dropped": "pass",
		// No admin session policy; a new tenant lets users consent (legacy).
		"ca-admin-sign-in-frequency":  "fail",
		"user-consent-disallowed":     "fail",
		"users-cannot-create-tenants": "fail",
	}
}

// mailPolicyExchangeControls are the new controls that read Exchange Online.
var mailPolicyExchangeControls = []string{"smtp-auth-disabled", "dkim-enabled", "external-sender-identification", "external-sender-warnings",
	"contact-sharing-all-domains", "calendar-sharing-all-domains", "external-calendar-sharing", "connection-filter-allow-lists",
	"malware-common-attachments-filter", "malware-internal-sender-notifications", "anti-phishing-policy",
	"preset-policies-enabled", "preset-eop-all-users", "preset-defender-all-users", "preset-strict-eop-sensitive", "preset-strict-defender-sensitive",
	"safe-links-policy", "safe-attachments-policy", "malware-click-to-run-blocked", "malware-zap-enabled",
	"malware-quarantined-or-dropped"}

func with(base map[string]string, changes map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

func expectStatuses(want map[string]string) statecheck.StateCheck {
	m := map[string]knownvalue.Check{}
	for k, v := range want {
		m[k] = knownvalue.StringExact(v)
	}
	return statecheck.ExpectKnownValue(postureDS, tfjsonpath.New("statuses"), knownvalue.MapExact(m))
}

// resultAttrs returns a control's flattened attributes (e.g. "status",
// "evidence.summary", "evidence.objects.0.name").
func resultAttrs(s *terraform.State, id string) (map[string]string, error) {
	rs := s.RootModule().Resources[postureDS]
	if rs == nil {
		return nil, fmt.Errorf("%s not in state", postureDS)
	}
	n, _ := strconv.Atoi(rs.Primary.Attributes["results.#"])
	for i := 0; i < n; i++ {
		p := fmt.Sprintf("results.%d.", i)
		if rs.Primary.Attributes[p+"id"] != id {
			continue
		}
		out := map[string]string{}
		for k, v := range rs.Primary.Attributes {
			if strings.HasPrefix(k, p) {
				out[strings.TrimPrefix(k, p)] = v
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("control %s not in results", id)
}

// expectEvidence checks that a control's evidence lists an object whose name
// and detail match, and that the summary matches summary.
func expectEvidence(id, name string, detail, summary *regexp.Regexp) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a, err := resultAttrs(s, id)
		if err != nil {
			return err
		}
		if summary != nil && !summary.MatchString(a["evidence.summary"]) {
			return fmt.Errorf("%s: summary %q does not match %s", id, a["evidence.summary"], summary)
		}
		if name == "" {
			return nil
		}
		n, _ := strconv.Atoi(a["evidence.objects.#"])
		var seen []string
		for i := 0; i < n; i++ {
			p := fmt.Sprintf("evidence.objects.%d.", i)
			seen = append(seen, a[p+"name"]+": "+a[p+"detail"])
			if strings.EqualFold(a[p+"name"], name) && (detail == nil || detail.MatchString(a[p+"detail"])) {
				return nil
			}
		}
		return fmt.Errorf("%s: no evidence object %q matching %v; objects: %s", id, name, detail, strings.Join(seen, " | "))
	}
}

func expectReason(id, reason string, summary *regexp.Regexp) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a, err := resultAttrs(s, id)
		if err != nil {
			return err
		}
		if a["unknown_reason"] != reason {
			return fmt.Errorf("%s: unknown_reason = %q, want %q (summary: %s)", id, a["unknown_reason"], reason, a["evidence.summary"])
		}
		if !summary.MatchString(a["evidence.summary"]) {
			return fmt.Errorf("%s: summary %q does not match %s", id, a["evidence.summary"], summary)
		}
		return nil
	}
}

func seedMailboxes(t *testing.T, tn *acctest.Tenant, n int) []m365sim.Object {
	t.Helper()
	objs, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: n, Domain: "contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func graphRequest(t *testing.T, tn *acctest.Tenant, method, path string, body any) {
	t.Helper()
	code, out, err := tn.Sim.GraphRequest(tn.ID, method, path, body)
	if err != nil || code >= 300 {
		t.Fatalf("out-of-band %s %s: %d %s %v", method, path, code, out, err)
	}
}

func caPolicy(name string, conditions, grant map[string]any) map[string]any {
	return map[string]any{"displayName": name, "state": "enabled", "conditions": conditions, "grantControls": grant}
}

func allUsers(extra map[string]any) map[string]any {
	c := map[string]any{
		"users":          map[string]any{"includeUsers": []string{"All"}, "excludeUsers": []string{breakGlassID}},
		"applications":   map[string]any{"includeApplications": []string{"All"}},
		"clientAppTypes": []string{"all"},
	}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

// The CIS 6.1.2 (E3) audit action lists.
var (
	cisAdmin = []string{"ApplyRecord", "Copy", "Create", "FolderBind", "HardDelete", "Move", "MoveToDeletedItems",
		"SendAs", "SendOnBehalf", "SoftDelete", "Update", "UpdateCalendarDelegation", "UpdateFolderPermissions", "UpdateInboxRules"}
	cisDelegate = []string{"ApplyRecord", "Create", "FolderBind", "HardDelete", "Move", "MoveToDeletedItems",
		"SendAs", "SendOnBehalf", "SoftDelete", "Update", "UpdateFolderPermissions", "UpdateInboxRules"}
	cisOwner = []string{"ApplyRecord", "Create", "HardDelete", "MailboxLogin", "Move", "MoveToDeletedItems",
		"SoftDelete", "Update", "UpdateCalendarDelegation", "UpdateFolderPermissions", "UpdateInboxRules"}
)

// harden changes the tenant out of band to what the baseline asks for.
func harden(t *testing.T, tn *acctest.Tenant) {
	t.Helper()
	tn.Exchange(t, "Set-RemoteDomain", map[string]any{"Identity": "Default", "AutoForwardEnabled": false})
	tn.Exchange(t, "Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "AutoForwardingMode": "Off",
		"NotifyOutboundSpam": true, "NotifyOutboundSpamRecipients": []string{"secops@contoso.com"},
		"BccSuspiciousOutboundMail": true, "BccSuspiciousOutboundAdditionalRecipients": []string{"secops@contoso.com"}})
	tn.Compliance(t, "New-UnifiedAuditLogRetentionPolicy", map[string]any{"Name": "Keep a year", "Priority": 1, "RetentionDuration": "TwelveMonths",
		"RecordTypes": []string{"ExchangeAdmin", "ExchangeItem", "ExchangeItemGroup", "SharePoint", "SharePointFileOperation", "AzureActiveDirectory", "AzureActiveDirectoryStsLogon"}})
	graphRequest(t, tn, "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false})
	graphRequest(t, tn, "POST", "/identity/conditionalAccess/policies", caPolicy("Require MFA for all users", allUsers(nil),
		map[string]any{"operator": "OR", "builtInControls": []string{"mfa"}}))
	graphRequest(t, tn, "POST", "/identity/conditionalAccess/policies", caPolicy("Block legacy authentication",
		allUsers(map[string]any{"clientAppTypes": []string{"exchangeActiveSync", "other"}}),
		map[string]any{"operator": "OR", "builtInControls": []string{"block"}}))
	everyTime := map[string]any{"signInFrequency": map[string]any{"isEnabled": true, "frequencyInterval": "everyTime", "authenticationType": "primaryAndSecondaryAuthentication"}}
	userRisk := caPolicy("High user risk: secure password change", allUsers(map[string]any{"userRiskLevels": []string{"high"}}),
		map[string]any{"operator": "AND", "builtInControls": []string{"mfa", "passwordChange"}})
	userRisk["sessionControls"] = everyTime
	graphRequest(t, tn, "POST", "/identity/conditionalAccess/policies", userRisk)
	signInRisk := caPolicy("Risky sign-ins: MFA", allUsers(map[string]any{"signInRiskLevels": []string{"high", "medium"}}),
		map[string]any{"operator": "OR", "builtInControls": []string{"mfa"}})
	signInRisk["sessionControls"] = everyTime
	graphRequest(t, tn, "POST", "/identity/conditionalAccess/policies", signInRisk)
}

func postureConfig(tn *acctest.Tenant, args string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
data "m365harden_posture" "this" {
%s
}
`, args)
}

func TestAccPostureDataSource_defaultTenant(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedMailboxes(t, tn, 5)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: postureConfig(tn, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(postureDS, tfjsonpath.New("id"), knownvalue.StringExact(m365sim.DemoTenantID)),
				expectStatuses(defaultStatuses()),
				statecheck.ExpectKnownValue(postureDS, tfjsonpath.New("results").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"id":         knownvalue.StringExact("mailbox-auditing-default"),
					"title":      knownvalue.StringExact("Mailbox auditing on by default"),
					"references": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("CIS 6.1.1"), knownvalue.StringExact("Scuba MS.EXO.13.1v1"), knownvalue.StringExact("DSC EXOOrganizationConfig")}),
					"status":     knownvalue.StringExact("pass"),
				})),
				statecheck.ExpectKnownValue(postureDS, tfjsonpath.New("failed_controls"), knownvalue.ListExact(idsWith(defaultStatuses(), "fail"))),
				statecheck.ExpectKnownValue(postureDS, tfjsonpath.New("pass_count"), knownvalue.Int64Exact(count(defaultStatuses(), "pass"))),
				statecheck.ExpectKnownValue(postureDS, tfjsonpath.New("fail_count"), knownvalue.Int64Exact(count(defaultStatuses(), "fail"))),
				statecheck.ExpectKnownValue(postureDS, tfjsonpath.New("unknown_count"), knownvalue.Int64Exact(count(defaultStatuses(), "unknown"))),
			},
			Check: resource.ComposeTestCheckFunc(
				expectEvidence("remote-domain-auto-forwarding", "Default", regexp.MustCompile(`DomainName=\*; AutoForwardEnabled=true on the Default domain`), nil),
				expectEvidence("outbound-spam-auto-forwarding", "Default", regexp.MustCompile(`AutoForwardingMode=Automatic \(`+regexp.QuoteMeta(common.AutomaticForwardingEvidence)+`\)`), nil),
				expectEvidence("outbound-spam-notifications", "Default", regexp.MustCompile(`NotifyOutboundSpam=false; BccSuspiciousOutboundMail=false`), nil),
				expectEvidence("mailbox-audit-settings", "user2@contoso.com", regexp.MustCompile(`^AuditAdmin lacks Copy,FolderBind,Move; AuditDelegate lacks FolderBind,Move; AuditOwner lacks Create,MailboxLogin,Move$`),
					regexp.MustCompile(`^5 of 5 user mailboxes fall short of the audit settings: auditing on, log age at least 90 days, the CIS 6.1.2 \(E3\) action lists\.$`)),
				expectEvidence("mailbox-external-forwarding", "", nil, regexp.MustCompile(`inbox rules were not \(set scan_inbox_rules`)),
				expectEvidence("security-defaults", "", nil, regexp.MustCompile(`Security defaults are on and no conditional access policy is enabled`)),
				resource.TestCheckResourceAttr(postureDS, "results.#", strconv.Itoa(len(defaultStatuses()))),
			),
		}},
	})
}

func idsWith(statuses map[string]string, status string) []knownvalue.Check {
	order := []string{"mailbox-auditing-default", "mailbox-audit-settings", "no-audit-bypass", "unified-audit-log", "audit-log-retention",
		"remote-domain-auto-forwarding", "outbound-spam-auto-forwarding", "transport-rule-forwarding", "mailbox-external-forwarding",
		"outbound-spam-notifications", "alert-policies", "encryption-rules", "irm-prerequisites", "ca-mfa-all-users", "ca-phishing-resistant-mfa", "ca-block-legacy-auth",
		"ca-user-risk-policy", "ca-user-risk-block", "ca-sign-in-risk-policy", "ca-sign-in-risk-block", "security-defaults", "review-risky-users",
		"smtp-auth-disabled", "dkim-enabled", "external-sender-identification", "external-sender-warnings", "contact-sharing-all-domains",
		"calendar-sharing-all-domains", "external-calendar-sharing", "connection-filter-allow-lists", "malware-common-attachments-filter",
		"malware-internal-sender-notifications", "anti-phishing-policy", "users-cannot-register-apps", "user-consent-restricted",
		"admin-consent-workflow", "guest-access-restricted", "guest-invites-restricted",
		"auth-methods-migration-complete", "auth-methods-weak-disabled", "authenticator-login-context",
		"preset-policies-enabled", "preset-eop-all-users", "preset-defender-all-users", "preset-strict-eop-sensitive", "preset-strict-defender-sensitive",
		"safe-links-policy", "safe-attachments-policy",
		"ca-phishing-resistant-mfa-admins", "ca-managed-devices", "auth-methods-system-preferred-mfa",
		"malware-click-to-run-blocked", "malware-zap-enabled", "malware-quarantined-or-dropped",
		"ca-admin-sign-in-frequency", "user-consent-disallowed", "users-cannot-create-tenants"}
	out := []knownvalue.Check{}
	for _, id := range order {
		if statuses[id] == status {
			out = append(out, knownvalue.StringExact(id))
		}
	}
	return out
}

func count(statuses map[string]string, status string) int64 {
	var n int64
	for _, s := range statuses {
		if s == status {
			n++
		}
	}
	return n
}

func TestAccPostureDataSource_hardenThenWeaken(t *testing.T) {
	tn := acctest.NewTenant(t)
	mbx := seedMailboxes(t, tn, 4)
	victim := fmt.Sprint(mbx[1]["UserPrincipalName"])
	ruleOwner := fmt.Sprint(mbx[2]["UserPrincipalName"])
	victimName := fmt.Sprint(mbx[1]["Name"])
	args := fmt.Sprintf(`  break_glass_accounts       = [%q]
  forwarding_allowed_domains = ["partner.example"]
  scan_inbox_rules           = true`, breakGlassID)
	hardened := with(defaultStatuses(), map[string]string{
		"remote-domain-auto-forwarding": "pass",
		"outbound-spam-auto-forwarding": "pass",
		"outbound-spam-notifications":   "pass",
		"ca-mfa-all-users":              "pass",
		"ca-block-legacy-auth":          "pass",
		"ca-user-risk-policy":           "pass",
		"ca-sign-in-risk-policy":        "pass",
		"security-defaults":             "pass",
		"audit-log-retention":           "pass",
		"mailbox-audit-settings":        "pass",
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					harden(t, tn)
					for _, m := range mbx {
						tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": m["UserPrincipalName"], "AuditAdmin": cisAdmin, "AuditDelegate": cisDelegate, "AuditOwner": cisOwner})
					}
					// A partner domain that may receive forwards, and a
					// forward to it: neither is a finding.
					tn.Exchange(t, "New-RemoteDomain", map[string]any{"Name": "Partner", "DomainName": "partner.example"})
					tn.Exchange(t, "Set-RemoteDomain", map[string]any{"Identity": "Partner", "AutoForwardEnabled": true})
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": mbx[0]["UserPrincipalName"], "ForwardingSmtpAddress": "smtp:desk@partner.example"})
				},
				Config:            postureConfig(tn, args),
				ConfigStateChecks: []statecheck.StateCheck{expectStatuses(hardened)},
				Check: resource.ComposeTestCheckFunc(
					expectEvidence("ca-mfa-all-users", "", nil, regexp.MustCompile(`"Require MFA for all users" requires MFA`)),
					expectEvidence("security-defaults", "", nil, regexp.MustCompile(`off and 4 enabled conditional access policies replace them`)),
					expectEvidence("mailbox-external-forwarding", "", nil, regexp.MustCompile(`inbox rules of 4 mailboxes were checked`)),
				),
			},
			{
				PreConfig: func() {
					tn.Exchange(t, "Set-OrganizationConfig", map[string]any{"AuditDisabled": true})
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": victim, "ForwardingSmtpAddress": "smtp:exfil@fabrikam.example", "AuditEnabled": false})
					if err := tn.Sim.AddInboxRule(tn.ID, ruleOwner, m365sim.InboxRuleSpec{Name: "to home", RedirectTo: []string{"me@home.example"}}); err != nil {
						t.Fatal(err)
					}
					tn.Exchange(t, "Set-RemoteDomain", map[string]any{"Identity": "Default", "AutoForwardEnabled": true})
					tn.Exchange(t, "Set-MailboxAuditBypassAssociation", map[string]any{"Identity": victim, "AuditBypassEnabled": true})
				},
				Config: postureConfig(tn, args),
				ConfigStateChecks: []statecheck.StateCheck{expectStatuses(with(hardened, map[string]string{
					"mailbox-auditing-default":      "fail",
					"mailbox-audit-settings":        "fail",
					"mailbox-external-forwarding":   "fail",
					"remote-domain-auto-forwarding": "fail",
					"no-audit-bypass":               "fail",
				}))},
				Check: resource.ComposeTestCheckFunc(
					expectEvidence("mailbox-auditing-default", "", nil, regexp.MustCompile(`AuditDisabled = \$true`)),
					expectEvidence("mailbox-audit-settings", victim, regexp.MustCompile(`^AuditEnabled=false$`), regexp.MustCompile(`^1 of 4 user mailboxes fall short`)),
					expectEvidence("mailbox-external-forwarding", victim, regexp.MustCompile(`ForwardingSmtpAddress=exfil@fabrikam.example`), nil),
					expectEvidence("mailbox-external-forwarding", ruleOwner+`\to home`, regexp.MustCompile(`RedirectTo=me@home.example`), nil),
					resource.TestCheckResourceAttr(postureDS, "results.8.evidence.objects_total", "2"),
					expectEvidence("remote-domain-auto-forwarding", "Default", nil, regexp.MustCompile(`^1 remote domain allows automatic forwarding`)),
					expectEvidence("no-audit-bypass", victimName, regexp.MustCompile(`^AuditBypassEnabled=true$`), regexp.MustCompile(`^1 account bypasses mailbox audit logging`)),
				),
			},
		},
	})
}

func TestAccPostureDataSource_riskyUsers(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := tn.Sim.Seed(tn.ID, "signins", m365sim.SignInHistoryOptions{Seed: 7, Count: 500}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: postureConfig(tn, `  controls = ["review-risky-users"]`),
			ConfigStateChecks: []statecheck.StateCheck{
				expectStatuses(map[string]string{"review-risky-users": "fail"}),
				statecheck.ExpectKnownValue(postureDS, tfjsonpath.New("results").AtSliceIndex(0).AtMapKey("evidence").AtMapKey("objects").AtSliceIndex(0).AtMapKey("type"), knownvalue.StringExact("risky_user")),
			},
			Check: expectEvidence("review-risky-users", "", nil, regexp.MustCompile(`at risk level high or above wait for investigation`)),
		}},
	})
}

// noPremiumTenant starts an emulator whose tenant has no Entra ID P1/P2 (and
// no advanced auditing or alerts).
func noPremiumTenant(t *testing.T) *acctest.Tenant {
	t.Helper()
	acctest.PreCheck(t)
	fx := m365sim.DefaultFixture()
	fx.Tenants[0].Licences = m365sim.Licences{}
	s, err := m365sim.Start(m365sim.Options{StateDir: t.TempDir(), Fixture: fx})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	wireaudit.Audit(t, s)
	return &acctest.Tenant{Sim: s, ID: m365sim.DemoTenantID}
}

func TestAccPostureDataSource_noPremiumLicence(t *testing.T) {
	tn := noPremiumTenant(t)
	seedMailboxes(t, tn, 3)
	want := with(defaultStatuses(), map[string]string{
		"ca-mfa-all-users":                 "unknown",
		"ca-phishing-resistant-mfa":        "unknown",
		"ca-block-legacy-auth":             "unknown",
		"ca-user-risk-policy":              "unknown",
		"ca-user-risk-block":               "unknown",
		"ca-sign-in-risk-policy":           "unknown",
		"ca-sign-in-risk-block":            "unknown",
		"review-risky-users":               "unknown",
		"audit-log-retention":              auditRetentionNoLicence,
		"anti-phishing-policy":             "unknown", // no Defender for Office 365
		"preset-defender-all-users":        "unknown",
		"preset-strict-defender-sensitive": "unknown",
		"safe-links-policy":                "unknown",
		"safe-attachments-policy":          "unknown",
		"malware-quarantined-or-dropped":   "unknown",
		// Conditional access needs P1 (controls_authmethods2.go).
		"ca-phishing-resistant-mfa-admins": "unknown",
		"ca-managed-devices":               "unknown",
		"ca-admin-sign-in-frequency":       "unknown", // controls_identity_cis.go
	})
	licence := regexp.MustCompile(`^not licensed: Microsoft Entra ID P1 \(no subscription has the service plan AAD_PREMIUM provisioned\)`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            postureConfig(tn, ""),
			ConfigStateChecks: []statecheck.StateCheck{expectStatuses(want)},
			Check: resource.ComposeTestCheckFunc(
				expectReason("ca-mfa-all-users", "missing_licence", licence),
				expectReason("ca-phishing-resistant-mfa-admins", "missing_licence", licence),
				expectReason("ca-sign-in-risk-policy", "missing_licence", regexp.MustCompile(`^not licensed: Microsoft Entra ID P2`)),
				expectReason("ca-user-risk-block", "missing_licence", regexp.MustCompile(`^not licensed: Microsoft Entra ID P2 .*"Requires a Microsoft Entra ID P2 license"`)),
				expectReason("audit-log-retention", "missing_licence", regexp.MustCompile(`^not licensed: Microsoft Purview Audit \(Premium\).*MS.SECURITYSUITE.5.2v1`)),
				expectReason("review-risky-users", "missing_licence", regexp.MustCompile(`P2`)),
				expectReason("anti-phishing-policy", "missing_licence", regexp.MustCompile(`^not licensed: Microsoft Defender for Office 365 \(no subscription has the service plan ATP_ENTERPRISE or THREAT_INTELLIGENCE provisioned\)`)),
				expectReason("safe-links-policy", "missing_licence", regexp.MustCompile(`^not licensed: Microsoft Defender for Office 365`)),
				// Only the EOP rules count without Defender; none exists.
				expectEvidence("preset-policies-enabled", "Standard", regexp.MustCompile(`EOP rule: no rule \(never turned on in the portal\)`), nil),
				// Without conditional access, security defaults are the
				// protection: on → pass.
				expectEvidence("security-defaults", "", nil, regexp.MustCompile(`on and no conditional access`)),
				// The E5-only default alert is reported, not failed.
				expectEvidence("alert-policies", "", nil, regexp.MustCompile(`Not offered by the tenant's subscription: A potentially malicious URL click was detected`)),
			),
		}},
	})
}

func TestAccPostureDataSource_noExchangeRole(t *testing.T) {
	tn := acctest.NewTenant(t)
	exchangeControls := []string{"mailbox-auditing-default", "mailbox-audit-settings", "no-audit-bypass", "unified-audit-log", "audit-log-retention",
		"remote-domain-auto-forwarding", "outbound-spam-auto-forwarding", "transport-rule-forwarding", "mailbox-external-forwarding",
		"outbound-spam-notifications", "alert-policies", "irm-prerequisites"}
	exchangeControls = append(exchangeControls, mailPolicyExchangeControls...)
	want := with(defaultStatuses(), nil)
	for _, id := range exchangeControls {
		want[id] = "unknown"
	}
	var checks []resource.TestCheckFunc
	for _, c := range []struct{ id, role string }{
		{"mailbox-auditing-default", `"View-Only Configuration" or "Organization Configuration"`},
		{"mailbox-audit-settings", `"View-Only Recipients" or "Mail Recipients"`},
		{"remote-domain-auto-forwarding", `"View-Only Configuration" or "Remote and Accepted Domains"`},
		{"alert-policies", `"View-Only Manage Alerts"`},
		{"unified-audit-log", `"View-Only Audit Logs" or "Audit Logs"`},
	} {
		checks = append(checks, expectReason(c.id, "missing_role", regexp.MustCompile(regexp.QuoteMeta(c.role))))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoNoRoleAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoNoRoleSecret)) + `
data "m365harden_posture" "this" {}
`,
			ConfigStateChecks: []statecheck.StateCheck{expectStatuses(want)},
			Check:             resource.ComposeTestCheckFunc(checks...),
		}},
	})
}

func TestAccPostureDataSource_badArguments(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      postureConfig(tn, `  controls = ["mailbox-auditing-default", "mfa-everywhere"]`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)value must be one of:.*"ca-mfa-all-users"`),
			},
			{
				Config:      postureConfig(tn, `  minimum_audit_log_age_days = 0`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`must be between 1 and 24855`),
			},
			{
				Config:      postureConfig(tn, `  break_glass_accounts = ["not an account"]`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)must be an object id\s+\(GUID\) or a user principal name`),
			},
			{
				Config:      postureConfig(tn, `  minimum_audit_log_retention = "OneYear"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)value must be one of:.*"TwelveMonths"`),
			},
			// cap_exclusions is keyed by the ScubaGear policies with
			// CapExclusions; a CIS id or a policy without them is refused.
			{
				Config:      postureConfig(tn, `  cap_exclusions = { "CIS 5.2.2.6" = { users = ["6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"] } }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)cap_exclusions.*value must be one of:.*"MS\.AAD\.2\.1v1"`),
			},
			{
				Config:      postureConfig(tn, `  cap_exclusions = { "MS.AAD.2.1v1" = { users = ["breakglass@contoso.com"] } }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)cap_exclusions\["MS\.AAD\.2\.1v1"\]\.users.*must\s+be\s+an\s+object\s+id\s+\(GUID\)`),
			},
			{
				Config:      postureConfig(tn, `  cap_exclusions = { "MS.AAD.3.1v1" = { groups = ["Finance"] } }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)cap_exclusions\["MS\.AAD\.3\.1v1"\]\.groups.*must\s+be\s+an\s+object\s+id\s+\(GUID\)`),
			},
		},
	})
}

// TestAccPostureDataSource_pipelineGate runs the documented pipeline gate
// (examples/data-sources/m365harden_posture/pipeline-gate.tf): the plan
// fails on a default tenant, naming the failing controls, and passes once
// the tenant is hardened.
func TestAccPostureDataSource_pipelineGate(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.Example(t, "data-sources/m365harden_posture/pipeline-gate.tf")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*remote-domain-auto-forwarding \(Scuba MS.EXO.1.1v2, DSC\s+EXORemoteDomain\):\s+fail.*ca-block-legacy-auth`),
			},
			{
				PreConfig: func() { harden(t, tn) },
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.m365harden_posture.gate", tfjsonpath.New("pass_count"), knownvalue.Int64Exact(8)),
				},
			},
		},
	})
}

// TestAccPostureDataSource_rulesAlertsEncryption covers the transport rule,
// encryption, IRM and alert controls: required encryption missing → fail;
// a rule that blind-copies outside, a rule that whitelists a sender domain
// and a default alert turned off in the portal → fail with those objects;
// the encryption rule added → pass; IRM licensing off → fail naming the
// rule.
func TestAccPostureDataSource_rulesAlertsEncryption(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := postureConfig(tn, `  controls = ["transport-rule-forwarding", "encryption-rules", "irm-prerequisites", "alert-policies"]
  encryption_required_domains = ["bank.example"]`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{expectStatuses(map[string]string{
					"transport-rule-forwarding": "pass", "encryption-rules": "fail", "irm-prerequisites": "pass", "alert-policies": "pass",
				})},
				Check: expectEvidence("encryption-rules", "bank.example", regexp.MustCompile(`no enabled, enforced transport rule`), nil),
			},
			{
				PreConfig: func() {
					tn.Exchange(t, "New-TransportRule", map[string]any{"Name": "Encrypt to the bank", "RecipientDomainIs": []string{"bank.example"}, "ApplyRightsProtectionTemplate": "Encrypt"})
					tn.Exchange(t, "New-TransportRule", map[string]any{"Name": "Copy the CEO", "SentToScope": "NotInOrganization", "BlindCopyTo": []string{"archive@fabrikam.example", "audit@contoso.com"}})
					tn.Exchange(t, "New-TransportRule", map[string]any{"Name": "Trust the vendor", "SenderDomainIs": []string{"vendor.example"}, "SetSCL": "-1"})
					if _, err := tn.Sim.Seed(tn.ID, "protection-alert-portal", map[string]any{"name": "Suspicious Email Forwarding Activity", "disabled": true}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{expectStatuses(map[string]string{
					"transport-rule-forwarding": "fail", "encryption-rules": "pass", "irm-prerequisites": "pass", "alert-policies": "fail",
				})},
				Check: resource.ComposeTestCheckFunc(
					expectEvidence("transport-rule-forwarding", "Copy the CEO", regexp.MustCompile(`^BlindCopyTo=archive@fabrikam.example \(external\)$`), nil),
					expectEvidence("transport-rule-forwarding", "Trust the vendor", regexp.MustCompile(`SetSCL=-1 for SenderDomainIs=vendor.example`), nil),
					expectEvidence("alert-policies", "Suspicious Email Forwarding Activity", regexp.MustCompile(`^Disabled=true$`), nil),
					expectEvidence("irm-prerequisites", "", nil, regexp.MustCompile(`AzureRMSLicensingEnabled is \$true for the 1 rule`)),
				),
			},
			{
				PreConfig: func() {
					tn.Exchange(t, "Set-IRMConfiguration", map[string]any{"AzureRMSLicensingEnabled": false})
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{expectStatuses(map[string]string{
					"transport-rule-forwarding": "fail", "encryption-rules": "pass", "irm-prerequisites": "fail", "alert-policies": "fail",
				})},
				Check: expectEvidence("irm-prerequisites", "Encrypt to the bank", regexp.MustCompile(`applies encryption`), nil),
			},
		},
	})
}

// TestAccPostureDataSource_conditionsAndExclusions: a ScubaGear tenant's
// policies read through Graph. The phishing-resistant strength passes
// MS.AAD.3.1v1 and a group excluded from the high-user-risk block passes
// only while cap_exclusions allows it for MS.AAD.2.1v1; a location
// exclusion added out of band fails the policy, naming the condition.
func TestAccPostureDataSource_conditionsAndExclusions(t *testing.T) {
	tn := acctest.NewTenant(t)
	const group = "0a0b0c0d-0000-4000-8000-00000000000a"
	controls := `  controls = ["ca-phishing-resistant-mfa", "ca-user-risk-block", "ca-user-risk-policy"]
  break_glass_accounts = ["` + breakGlassID + `"]`
	withExclusions := controls + `
  cap_exclusions = {
    "MS.AAD.2.1v1" = { groups = ["` + group + `"] }
  }`
	var phishID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					// Graph refuses an enabled policy while security defaults are on.
					graphRequest(t, tn, "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false})
					code, out, err := tn.Sim.GraphRequest(tn.ID, "POST", "/identity/conditionalAccess/policies", caPolicy("Phishing-resistant MFA", allUsers(nil),
						map[string]any{"operator": "OR", "authenticationStrength": map[string]any{"id": "00000000-0000-0000-0000-000000000004"}}))
					if err != nil || code != 201 {
						t.Fatalf("%d %s %v", code, out, err)
					}
					var created struct {
						ID string `json:"id"`
					}
					if err := json.Unmarshal(out, &created); err != nil || created.ID == "" {
						t.Fatalf("created policy: %s %v", out, err)
					}
					phishID = created.ID
					block := allUsers(map[string]any{"userRiskLevels": []string{"high"}})
					block["users"] = map[string]any{"includeUsers": []string{"All"}, "excludeUsers": []string{breakGlassID}, "excludeGroups": []string{group}}
					graphRequest(t, tn, "POST", "/identity/conditionalAccess/policies", caPolicy("Block high-risk users", block,
						map[string]any{"operator": "OR", "builtInControls": []string{"block"}}))
				},
				Config: postureConfig(tn, withExclusions),
				ConfigStateChecks: []statecheck.StateCheck{expectStatuses(map[string]string{
					"ca-phishing-resistant-mfa": "pass", "ca-user-risk-block": "pass", "ca-user-risk-policy": "fail",
				})},
				Check: expectEvidence("ca-user-risk-policy", "Block high-risk users", regexp.MustCompile(`grant: is not MFA and password change \(AND\)`), nil),
			},
			{
				Config: postureConfig(tn, controls),
				ConfigStateChecks: []statecheck.StateCheck{expectStatuses(map[string]string{
					"ca-phishing-resistant-mfa": "pass", "ca-user-risk-block": "fail", "ca-user-risk-policy": "fail",
				})},
				Check: expectEvidence("ca-user-risk-block", "Block high-risk users", regexp.MustCompile(`users: excludes groups beyond the allowed exclusions: `+group), nil),
			},
			{
				PreConfig: func() {
					graphRequest(t, tn, "PATCH", "/identity/conditionalAccess/policies/"+phishID, map[string]any{"conditions": allUsers(map[string]any{
						"locations": map[string]any{"includeLocations": []string{"All"}, "excludeLocations": []string{"AllTrusted"}}})})
				},
				Config: postureConfig(tn, withExclusions),
				ConfigStateChecks: []statecheck.StateCheck{expectStatuses(map[string]string{
					"ca-phishing-resistant-mfa": "fail", "ca-user-risk-block": "pass", "ca-user-risk-policy": "fail",
				})},
				Check: expectEvidence("ca-phishing-resistant-mfa", "Phishing-resistant MFA", regexp.MustCompile(`^locations: excludes AllTrusted$`), nil),
			},
		},
	})
}
