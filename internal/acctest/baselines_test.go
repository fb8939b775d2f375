package acctest_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// baselineCase is one shipped baseline: the controls it claims, what makes
// each fail on the tenant before apply, and the out-of-band change per
// control that turns it back after apply.
type baselineCase struct {
	path     string
	claimed  []string
	weaken   func(t *testing.T, tn *acctest.Tenant) // makes the claimed controls that pass on a new tenant fail
	drifts   []drift                                // one setting per control turned back, one step each
	postArgs string                                 // the "before" posture's arguments (the baseline's own)
	checks   []statecheck.StateCheck                // further checks of the applied state
}

// beforeDS reads the same controls as the baseline's own posture data
// source but without depends_on, so Terraform reads it while planning: it
// shows the tenant before the apply, and the baseline's data source (read
// after its resources) shows it after.
func beforeDS(args string) string {
	return `
data "m365harden_posture" "before" {
  controls = local.claimed_controls
` + args + `
}
`
}

func statusesAre(addr string, ids []string, want string) statecheck.StateCheck {
	m := map[string]knownvalue.Check{}
	for _, id := range ids {
		m[id] = knownvalue.StringExact(want)
	}
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("statuses"), knownvalue.MapExact(m))
}

// graphPatchPolicies sets a property on every conditional access policy
// whose name starts with prefix, as another administrator would.
func graphPatchPolicies(t *testing.T, tn *acctest.Tenant, prefix string, body map[string]any) {
	t.Helper()
	code, out, err := tn.Sim.GraphRequest(tn.ID, "GET", "/identity/conditionalAccess/policies", nil)
	if err != nil || code != 200 {
		t.Fatalf("list policies: %d %s %v", code, out, err)
	}
	var list struct {
		Value []struct{ ID, DisplayName string } `json:"value"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range list.Value {
		if !strings.HasPrefix(p.DisplayName, prefix) {
			continue
		}
		n++
		if code, out, err := tn.Sim.GraphRequest(tn.ID, "PATCH", "/identity/conditionalAccess/policies/"+p.ID, body); err != nil || code >= 300 {
			t.Fatalf("patch %s: %d %s %v", p.DisplayName, code, out, err)
		}
	}
	if n == 0 {
		t.Fatalf("no policy named %s*", prefix)
	}
}

// publishDKIMRecords publishes contoso.com's two DKIM selector CNAMEs in
// the emulator's DNS, as the domain owner does before signing is enabled.
func publishDKIMRecords(t *testing.T, tn *acctest.Tenant) {
	t.Helper()
	var recs []map[string]any
	for i := 1; i <= 2; i++ {
		recs = append(recs, map[string]any{"name": fmt.Sprintf("selector%d._domainkey.contoso.com", i), "type": "CNAME",
			"value": m365sim.DKIMSelectorCNAME(m365sim.DemoDomain, "contoso.com", i)})
	}
	if _, err := tn.Sim.Seed(tn.ID, "dns-records", map[string]any{"records": recs}); err != nil {
		t.Fatal(err)
	}
}

func graphCall(t *testing.T, tn *acctest.Tenant, method, path string, body map[string]any) {
	t.Helper()
	if code, out, err := tn.Sim.GraphRequest(tn.ID, method, path, body); err != nil || code >= 300 {
		t.Fatalf("%s %s: %d %s %v", method, path, code, out, err)
	}
}

// adminConsentOff turns the admin consent workflow off (Graph takes the
// whole policy in a PUT).
func adminConsentOff(t *testing.T, tn *acctest.Tenant) {
	graphCall(t, tn, "PUT", "/policies/adminConsentRequestPolicy", map[string]any{"isEnabled": false, "notifyReviewers": false,
		"remindersEnabled": false, "requestDurationInDays": 30, "reviewers": []any{}})
}

// presetsTurnedOff: both presets were turned on once in the portal (which
// creates their rules) and are off now; the first time, the portal action.
func presetsTurnedOff(t *testing.T, tn *acctest.Tenant) {
	for _, level := range []string{"Standard", "Strict"} {
		if len(tn.Exchange(t, "Get-EOPProtectionPolicyRule", nil)) < 2 {
			if err := m365sim.TurnOnPresetInPortal(tn.Sim, tn.ID, level); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, level := range []string{"Standard", "Strict"} {
		tn.Exchange(t, "Disable-EOPProtectionPolicyRule", map[string]any{"Identity": level + " Preset Security Policy"})
		tn.Exchange(t, "Disable-ATPProtectionPolicyRule", map[string]any{"Identity": level + " Preset Security Policy"})
	}
}

// authenticatorWithoutContext turns Microsoft Authenticator on without the
// app and location display (a new tenant has it off, which passes).
func authenticatorWithoutContext(t *testing.T, tn *acctest.Tenant) {
	off := map[string]any{"state": "disabled"}
	body := map[string]any{"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration", "state": "enabled",
		"featureSettings": map[string]any{"displayAppInformationRequiredState": off, "displayLocationInformationRequiredState": off}}
	if code, out, err := tn.Sim.GraphRequest(tn.ID, "PATCH", "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/MicrosoftAuthenticator", body); err != nil || code >= 300 {
		t.Fatalf("%d %s %v", code, out, err)
	}
}

func weakenAuditing(t *testing.T, tn *acctest.Tenant) {
	tn.Exchange(t, "Set-OrganizationConfig", map[string]any{"AuditDisabled": true})
	tn.Exchange(t, "Set-AdminAuditLogConfig", map[string]any{"UnifiedAuditLogIngestionEnabled": false})
}

var cisBaseline = baselineCase{
	path: "baselines/cis/main.tf",
	claimed: []string{"mailbox-auditing-default", "mailbox-audit-settings", "unified-audit-log", "outbound-spam-auto-forwarding",
		"outbound-spam-notifications", "ca-mfa-all-users", "ca-block-legacy-auth", "ca-user-risk-policy", "ca-sign-in-risk-policy", "security-defaults",
		"dkim-enabled", "external-sender-identification", "malware-common-attachments-filter", "malware-internal-sender-notifications",
		"anti-phishing-policy", "safe-links-policy", "safe-attachments-policy", "connection-filter-allow-lists", "admin-consent-workflow", "authenticator-login-context",
		"auth-methods-system-preferred-mfa", "ca-admin-sign-in-frequency",
		"users-cannot-register-apps", "users-cannot-create-tenants", "user-consent-disallowed", "guest-invites-restricted", "auth-methods-weak-disabled"},
	weaken: func(t *testing.T, tn *acctest.Tenant) {
		weakenAuditing(t, tn)
		publishDKIMRecords(t, tn)
		authenticatorWithoutContext(t, tn)
		// A new tenant filters common attachments and has no IP allow list.
		tn.Exchange(t, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "EnableFileFilter": false})
		tn.Exchange(t, "Set-HostedConnectionFilterPolicy", map[string]any{"Identity": "Default", "IPAllowList": []string{"192.0.2.10"}, "EnableSafeList": true})
		// Security defaults off with no conditional access: nothing protects the tenant.
		if code, out, err := tn.Sim.GraphRequest(tn.ID, "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false}); err != nil || code >= 300 {
			t.Fatalf("%d %s %v", code, out, err)
		}
	},
	drifts:   cisDrifts,
	postArgs: `  break_glass_accounts = var.break_glass_accounts`,
}

var scubaBaseline = baselineCase{
	path: "baselines/scuba/main.tf",
	claimed: []string{"mailbox-auditing-default", "unified-audit-log", "audit-log-retention", "remote-domain-auto-forwarding",
		"ca-block-legacy-auth", "ca-user-risk-block", "ca-sign-in-risk-block", "ca-phishing-resistant-mfa", "ca-mfa-all-users", "security-defaults",
		"smtp-auth-disabled", "dkim-enabled", "external-sender-warnings", "contact-sharing-all-domains", "calendar-sharing-all-domains",
		"users-cannot-register-apps", "user-consent-restricted", "admin-consent-workflow", "guest-access-restricted", "guest-invites-restricted",
		"authenticator-login-context", "auth-methods-migration-complete", "auth-methods-weak-disabled",
		"preset-policies-enabled", "preset-eop-all-users", "preset-defender-all-users", "preset-strict-eop-sensitive", "preset-strict-defender-sensitive", "ca-phishing-resistant-mfa-admins",
		"malware-click-to-run-blocked", "malware-zap-enabled"},
	weaken: func(t *testing.T, tn *acctest.Tenant) {
		weakenAuditing(t, tn)
		presetsTurnedOff(t, tn)
		publishDKIMRecords(t, tn)
		authenticatorWithoutContext(t, tn)
		// A new organization has SMTP AUTH off, shares no contacts and
		// gives guests limited access: turn those back as an old tenant has them.
		tn.Exchange(t, "Set-TransportConfig", map[string]any{"SmtpClientAuthenticationDisabled": false})
		tn.Exchange(t, "Set-SharingPolicy", map[string]any{"Identity": "Default Sharing Policy", "Domains": []string{"*:CalendarSharingFreeBusySimple,ContactsSharing"}})
		graphCall(t, tn, "PATCH", "/policies/authorizationPolicy", map[string]any{"guestUserRoleId": "a0b1b346-4d3e-4e8b-98f8-753987be4970"})
		// Microsoft's default anti-malware policy blocks exe, cmd and vbe
		// and purges after delivery: a policy edited to a short list without
		// zero-hour auto purge.
		tn.Exchange(t, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "FileTypes": []string{"iso", "exe"}, "ZapEnabled": false})
		if code, out, err := tn.Sim.GraphRequest(tn.ID, "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false}); err != nil || code >= 300 {
			t.Fatalf("%d %s %v", code, out, err)
		}
	},
	drifts: scubaDrifts,
	// The country block stays report-only: enforce_country_block is false.
	checks: []statecheck.StateCheck{statecheck.ExpectKnownValue("m365harden_conditional_access_policy.block_other_countries",
		tfjsonpath.New("state"), knownvalue.StringExact("enabledForReportingButNotEnforced"))},
	postArgs: `  break_glass_accounts         = var.break_glass_accounts
  forwarding_allowed_domains   = var.forwarding_partner_domains
  audit_retention_record_types = local.retention_record_types`,
}

// testBaseline applies a shipped baseline to a non-compliant tenant and
// asserts, control by control, fail before and pass after for every
// control it claims. Then, one step per claimed control, it turns that
// control's setting back out of band and asserts that exactly that control
// (and the controls its drift declares) fails in the plan-time read, and
// that the step's apply restores it (the baseline's own read after apply).
func testBaseline(t *testing.T, bc baselineCase) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: 5, Domain: "contoso.com"}); err != nil {
		t.Fatal(err)
	}
	cfg := tn.Example(t, bc.path) + beforeDS(bc.postArgs)
	vars := config.Variables{"enforce_conditional_access": config.BoolVariable(true)}
	after := append([]statecheck.StateCheck{statusesAre("data.m365harden_posture.this", bc.claimed, "pass")}, bc.checks...)
	steps := []resource.TestStep{{
		PreConfig:         func() { bc.weaken(t, tn) },
		Config:            cfg,
		ConfigVariables:   vars,
		ConfigStateChecks: append([]statecheck.StateCheck{statusesAre("data.m365harden_posture.before", bc.claimed, "fail")}, after...),
	}}
	for _, d := range bc.drifts {
		want := map[string]string{}
		for _, id := range bc.claimed {
			want[id] = "pass"
		}
		for _, id := range append([]string{d.control}, d.alsoFails...) {
			want[id] = "fail"
		}
		steps = append(steps, resource.TestStep{
			PreConfig:         func() { t.Logf("drift: %s", d.control); d.do(t, tn) },
			Config:            cfg,
			ConfigVariables:   vars,
			ConfigStateChecks: append([]statecheck.StateCheck{statusesMap("data.m365harden_posture.before", want)}, after...),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps:                    steps,
	})
	if t.Failed() {
		return
	}
	// What the steps asserted, one line per claimed control (the closing
	// notes' table is made from these lines).
	for _, d := range bc.drifts {
		t.Logf("observed %s %s: before=fail after=pass drift=fail also=%s restored=pass", bc.path, d.control, strings.Join(d.alsoFails, ","))
	}
}

func statusesMap(addr string, want map[string]string) statecheck.StateCheck {
	m := map[string]knownvalue.Check{}
	for id, s := range want {
		m[id] = knownvalue.StringExact(s)
	}
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("statuses"), knownvalue.MapExact(m))
}

func TestAccBaselines_cis(t *testing.T)   { testBaseline(t, cisBaseline) }
func TestAccBaselines_scuba(t *testing.T) { testBaseline(t, scubaBaseline) }

// The test's list of claimed controls is the baseline's own
// local.claimed_controls, in order.
func TestBaselinesClaimWhatTheyCheck(t *testing.T) {
	re := regexp.MustCompile(`(?s)claimed_controls = \[(.*?)\]`)
	idRe := regexp.MustCompile(`"([a-z0-9-]+)"`)
	for _, bc := range []baselineCase{cisBaseline, scubaBaseline} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", bc.path))
		if err != nil {
			t.Fatal(err)
		}
		m := re.FindSubmatch(b)
		if m == nil {
			t.Fatalf("%s has no claimed_controls", bc.path)
		}
		var got []string
		for _, x := range idRe.FindAllSubmatch(m[1], -1) {
			got = append(got, string(x[1]))
		}
		if strings.Join(got, ",") != strings.Join(bc.claimed, ",") {
			t.Errorf("%s claims %v, the test knows %v", bc.path, got, bc.claimed)
		}
		postureWaitsForEveryResource(t, bc.path, b)
		// One drift per claimed control, naming only claimed controls.
		drifted := map[string]int{}
		for _, d := range bc.drifts {
			drifted[d.control]++
			for _, id := range append([]string{d.control}, d.alsoFails...) {
				if !slices.Contains(bc.claimed, id) {
					t.Errorf("%s: drift of %s names %s, which the baseline does not claim", bc.path, d.control, id)
				}
			}
		}
		for _, id := range bc.claimed {
			if drifted[id] != 1 {
				t.Errorf("%s: %d drift steps for %s, want 1", bc.path, drifted[id], id)
			}
		}
	}
}

// postureWaitsForEveryResource: every resource block of a baseline is in
// its posture data source's depends_on (Terraform reads a data source while
// planning unless one of its depends_on has a change, so a missing resource's
// drift would be read before the apply puts it right).
func postureWaitsForEveryResource(t *testing.T, path string, b []byte) {
	t.Helper()
	dsStart := strings.Index(string(b), `data "m365harden_posture" "this"`)
	if dsStart < 0 {
		t.Fatalf("%s has no posture data source", path)
	}
	deps := regexp.MustCompile(`(?s)depends_on = \[(.*?)\]`).FindSubmatch(b[dsStart:])
	if deps == nil {
		t.Fatalf("%s: the posture data source has no depends_on", path)
	}
	for _, r := range regexp.MustCompile(`(?m)^resource "([a-z0-9_]+)" "([a-z0-9_]+)"`).FindAllSubmatch(b, -1) {
		addr := string(r[1]) + "." + string(r[2])
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(addr) + `\b`).Match(deps[1]) {
			t.Errorf("%s: %s is not in the posture data source's depends_on", path, addr)
		}
	}
}

// The demo's baseline (examples/baseline) waits for every resource too, so
// a recovery apply after an interrupted or failed one leaves no false drift
// in its outputs (issue 10 item 7); the CIS and ScubaGear baselines are
// checked by TestBaselinesClaimWhatTheyCheck.
func TestDemoBaselinePostureWaits(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "baseline", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	postureWaitsForEveryResource(t, "baseline/main.tf", b)
}
