package posture

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest/wireaudit"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// newSet starts an emulator with mailboxes and returns it with a client set
// signed in as the administrator app.
func newSet(t *testing.T, mailboxes int) (*m365sim.Server, *clients.Set) {
	t.Helper()
	sim, err := m365sim.Start(m365sim.Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	wireaudit.Audit(t, sim)
	if mailboxes > 0 {
		if _, err := m365sim.SeedMailboxes(sim, m365sim.DemoTenantID, m365sim.MailboxSeed{
			Count: mailboxes, Domain: "contoso.com", ForwardingEvery: 100, ForwardingTo: "archive@fabrikam.example",
		}); err != nil {
			t.Fatal(err)
		}
	}
	e := sim.Endpoints()
	set, err := clients.New(clients.Config{
		Auth:     auth.Config{TenantID: m365sim.DemoTenantID, ClientID: m365sim.DemoAdminAppID, ClientSecret: m365sim.DemoAdminSecret},
		LoginURL: e[m365sim.EndpointLogin], GraphURL: e[m365sim.EndpointGraph], ExchangeURL: e[m365sim.EndpointExchange], ComplianceURL: e[m365sim.EndpointCompliance],
		CAFile: sim.CAFile(), ComplianceRegionalHosts: []string{sim.RegionalHost()}, MaxRetries: 5, MaxRetryWait: 30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return sim, set
}

func allControls() map[string]bool {
	m := map[string]bool{}
	for _, id := range controlIDs() {
		m[id] = true
	}
	return m
}

func defaultOptions() options {
	return options{Controls: allControls(), AllowedPolicies: map[string]bool{}, MinAuditAgeDays: 90, AuditActions: "E3",
		MinRetention: "TwelveMonths", RequireMediumSignIn: true, RiskyUserLevel: "high", InboxRuleConcurrency: 4}
}

func statusOf(rs []controlResult) map[string]string {
	out := map[string]string{}
	for _, r := range rs {
		out[r.ID] = r.Status
	}
	return out
}

func logCounts(t *testing.T, sim *m365sim.Server) {
	snap := sim.Stats().Snapshot()
	keys := make([]string, 0, len(snap))
	for k := range snap {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-70s %d", k, snap[k])
	}
}

// TestEvaluationRequestCounts bounds the calls of one evaluation of every
// control on a 2,500-mailbox tenant: each setting is read once, mailboxes
// in pages of 1,000 shared by the audit and forwarding checks.
func TestEvaluationRequestCounts(t *testing.T) {
	sim, set := newSet(t, 2500)
	ctx := t.Context()
	// Sign in to all three resources first so the counts are the evaluation's.
	if _, err := set.Exchange.GetOrganizationConfig(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := set.Compliance.ListProtectionAlerts(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := set.Graph.GetSecurityDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	sim.Stats().Reset()
	rs := evaluate(ctx, set, defaultOptions())
	logCounts(t, sim)
	st := statusOf(rs)
	if st[ctlMailboxForwarding] != statusFail || st[ctlMailboxAuditSettings] != statusFail {
		t.Fatalf("statuses: %v", st)
	}
	for _, r := range rs {
		if r.ID == ctlMailboxForwarding && !strings.HasPrefix(r.Summary, "25 settings or rules forward mail") {
			t.Errorf("forwarding summary: %s", r.Summary)
		}
	}
	once := []string{"Get-OrganizationConfig", "Get-AdminAuditLogConfig", "Get-AcceptedDomain", "Get-RemoteDomain",
		"Get-HostedOutboundSpamFilterPolicy", "Get-TransportRule",
		// Shared by the mail-security and anti-malware controls.
		"Get-TransportConfig", "Get-ExternalInOutlook", "Get-SharingPolicy", "Get-DkimSigningConfig",
		"Get-HostedConnectionFilterPolicy", "Get-MalwareFilterPolicy", "Get-AntiPhishPolicy",
		// Shared by the preset, Safe Links and Safe Attachments controls.
		"Get-EOPProtectionPolicyRule", "Get-ATPProtectionPolicyRule", "Get-SafeLinksPolicy", "Get-SafeLinksRule",
		"Get-SafeAttachmentPolicy", "Get-SafeAttachmentRule"}
	for _, c := range once {
		if n := sim.Stats().Requests(m365sim.EndpointExchange, c); n != 1 {
			t.Errorf("%s: %d requests, want 1", c, n)
		}
	}
	// Every mailbox account has a bypass association and the cmdlet has no
	// filter: it pages like Get-Mailbox, two properties per object.
	if n := sim.Stats().Requests(m365sim.EndpointExchange, "Get-MailboxAuditBypassAssociation"); n != 3 {
		t.Errorf("Get-MailboxAuditBypassAssociation: %d requests, want 3 (2,500 associations in pages of 1,000)", n)
	}
	if n := sim.Stats().Requests(m365sim.EndpointExchange, "Get-Mailbox"); n != 3 {
		t.Errorf("Get-Mailbox: %d requests, want 3 (2,500 mailboxes in pages of 1,000)", n)
	}
	if n := sim.Stats().Requests(m365sim.EndpointExchange, "Get-IRMConfiguration"); n != 0 {
		t.Errorf("Get-IRMConfiguration: %d requests, want 0 (no encryption rule)", n)
	}
	if n := sim.Stats().Requests(m365sim.EndpointExchange, "Get-InboxRule"); n != 0 {
		t.Errorf("Get-InboxRule: %d requests without scan_inbox_rules", n)
	}
	if n := sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 25 {
		t.Errorf("Exchange Online: %d requests, want 25 (19 settings once, 3+3 pages)", n)
	}
	if n := sim.Stats().Requests(m365sim.EndpointCompliance, ""); n > 2 {
		t.Errorf("Security & Compliance: %d requests, want at most 2 (alerts, retention)", n)
	}
	for _, op := range []string{"GET /v1.0/identity/conditionalAccess/policies", "GET /v1.0/policies/identitySecurityDefaultsEnforcementPolicy", "GET /v1.0/identityProtection/riskyUsers", "GET /v1.0/subscribedSkus",
		"GET /v1.0/policies/authorizationPolicy", "GET /v1.0/policies/adminConsentRequestPolicy", "GET /v1.0/policies/authenticationMethodsPolicy",
		"GET /beta/policies/authenticationMethodsPolicy"} {
		if n := sim.Stats().Requests(m365sim.EndpointGraph, op); n != 1 {
			t.Errorf("%s: %d requests, want 1", op, n)
		}
	}
	if n := sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 8 {
		t.Errorf("Graph: %d requests, want 8 (the authorization, consent and authentication methods policies (v1.0 and beta) and the licences read once for every control)", n)
	}
}

// TestEvaluationForwardingOnly: without the audit check, the forwarding
// check asks the server for the mailboxes that forward instead of reading
// them all.
func TestEvaluationForwardingOnly(t *testing.T) {
	sim, set := newSet(t, 2500)
	opt := defaultOptions()
	opt.Controls = map[string]bool{ctlMailboxForwarding: true}
	rs := evaluate(t.Context(), set, opt)
	logCounts(t, sim)
	if rs[0].Status != statusFail || len(rs[0].Objects) != 25 {
		t.Fatalf("got %s with %d objects: %s", rs[0].Status, len(rs[0].Objects), rs[0].Summary)
	}
	if n := sim.Stats().Requests(m365sim.EndpointExchange, "Get-Mailbox"); n != 1 {
		t.Errorf("Get-Mailbox: %d requests, want 1 (server-side filter)", n)
	}
}

// TestEvaluationInboxRuleScan: one Get-InboxRule per mailbox, nothing else
// per mailbox.
func TestEvaluationInboxRuleScan(t *testing.T) {
	sim, set := newSet(t, 60)
	objs, err := m365sim.SeedMailboxes(sim, m365sim.DemoTenantID, m365sim.MailboxSeed{Count: 1, Prefix: "ruler", Domain: "contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	upn := fmt.Sprint(objs[0]["UserPrincipalName"])
	if err := sim.AddInboxRule(m365sim.DemoTenantID, upn, m365sim.InboxRuleSpec{Name: "exfil", ForwardTo: []string{"drop@evil.example"}}); err != nil {
		t.Fatal(err)
	}
	if err := sim.AddInboxRule(m365sim.DemoTenantID, upn, m365sim.InboxRuleSpec{Name: "team", ForwardTo: []string{"team@contoso.com"}}); err != nil {
		t.Fatal(err)
	}
	opt := defaultOptions()
	opt.Controls = map[string]bool{ctlMailboxForwarding: true, ctlMailboxAuditSettings: true}
	opt.ScanInboxRules = true
	sim.Stats().Reset()
	rs := evaluate(t.Context(), set, opt)
	if n := sim.Stats().Requests(m365sim.EndpointExchange, "Get-InboxRule"); n != 61 {
		t.Errorf("Get-InboxRule: %d requests, want 61", n)
	}
	if n := sim.Stats().Requests(m365sim.EndpointExchange, "Get-Mailbox"); n != 1 {
		t.Errorf("Get-Mailbox: %d requests, want 1 (shared by both controls)", n)
	}
	var found bool
	for _, r := range rs {
		if r.ID != ctlMailboxForwarding {
			continue
		}
		for _, o := range r.Objects {
			if o.Type == "inbox_rule" {
				if o.Name != upn+`\exfil` || o.Detail != "ForwardTo=drop@evil.example" {
					t.Errorf("unexpected inbox rule finding %+v", o)
				}
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the external inbox rule is not in the evidence: %+v", rs)
	}
}

// TestEvaluationThrottled: a 429 with Retry-After is retried by the clients
// and the control still evaluates; a control whose service keeps
// throttling is unknown (throttled) while the others evaluate.
func TestEvaluationThrottled(t *testing.T) {
	sim, set := newSet(t, 0)
	sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-RemoteDomain", Status: 429, Retry: 1, Times: 1})
	sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", Status: 429, Retry: 1, Times: 1})
	opt := defaultOptions()
	opt.Controls = map[string]bool{ctlRemoteDomainForwarding: true, ctlSecurityDefaults: true}
	rs := evaluate(t.Context(), set, opt)
	if st := statusOf(rs); st[ctlRemoteDomainForwarding] != statusFail || st[ctlSecurityDefaults] != statusPass {
		t.Fatalf("statuses after one 429 each: %v (%+v)", st, rs)
	}
	if n := sim.Stats().Statuses(m365sim.EndpointExchange, 429); n != 1 {
		t.Errorf("exchange 429s: %d, want 1", n)
	}
	if n := sim.Stats().Requests(m365sim.EndpointExchange, "Get-RemoteDomain"); n != 2 {
		t.Errorf("Get-RemoteDomain: %d requests, want 2 (the 429 and its retry)", n)
	}

	// Throttled beyond the retry budget: unknown, the rest still evaluates.
	tight := newSetRetries(t, sim, 1)
	sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-RemoteDomain", Status: 429, Retry: 1})
	opt.Controls = map[string]bool{ctlRemoteDomainForwarding: true, ctlMailboxAuditDefault: true}
	rs = evaluate(t.Context(), tight, opt)
	sim.ClearFaults()
	st := statusOf(rs)
	if st[ctlRemoteDomainForwarding] != statusUnknown || st[ctlMailboxAuditDefault] != statusPass {
		t.Fatalf("statuses under sustained throttling: %v", st)
	}
	for _, r := range rs {
		if r.ID == ctlRemoteDomainForwarding && r.Reason != reasonThrottled {
			t.Errorf("reason %q, want %q: %s", r.Reason, reasonThrottled, r.Summary)
		}
	}
}

func newSetRetries(t *testing.T, sim *m365sim.Server, retries int) *clients.Set {
	t.Helper()
	e := sim.Endpoints()
	set, err := clients.New(clients.Config{
		Auth:     auth.Config{TenantID: m365sim.DemoTenantID, ClientID: m365sim.DemoAdminAppID, ClientSecret: m365sim.DemoAdminSecret},
		LoginURL: e[m365sim.EndpointLogin], GraphURL: e[m365sim.EndpointGraph], ExchangeURL: e[m365sim.EndpointExchange], ComplianceURL: e[m365sim.EndpointCompliance],
		CAFile: sim.CAFile(), ComplianceRegionalHosts: []string{sim.RegionalHost()}, MaxRetries: retries, MaxRetryWait: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestEvaluationBreakGlass: exclusions pass only when they are break-glass
// accounts; a UPN that cannot be resolved to an object id excuses nothing
// and is named; report-only and group-excluding policies do not count.
func TestEvaluationBreakGlass(t *testing.T) {
	sim, set := newSet(t, 0)
	const bg = "6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"
	post := func(name, state string, users map[string]any) {
		t.Helper()
		code, body, err := sim.GraphRequest(m365sim.DemoTenantID, "POST", "/identity/conditionalAccess/policies", map[string]any{
			"displayName": name, "state": state,
			"conditions":    map[string]any{"users": users, "applications": map[string]any{"includeApplications": []string{"All"}}, "clientAppTypes": []string{"all"}},
			"grantControls": map[string]any{"operator": "OR", "builtInControls": []string{"mfa"}},
		})
		if err != nil || code != 201 {
			t.Fatalf("creating %s: %d %s %v", name, code, body, err)
		}
	}
	// Graph refuses an enabled policy while security defaults are on.
	if code, body, err := sim.GraphRequest(m365sim.DemoTenantID, "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false}); err != nil || code >= 300 {
		t.Fatalf("security defaults off: %d %s %v", code, body, err)
	}
	post("MFA report-only", "enabledForReportingButNotEnforced", map[string]any{"includeUsers": []string{"All"}})
	post("MFA but not for a group", "enabled", map[string]any{"includeUsers": []string{"All"}, "excludeGroups": []string{"0a0b0c0d-0000-4000-8000-00000000000a"}})
	post("MFA for all", "enabled", map[string]any{"includeUsers": []string{"All"}, "excludeUsers": []string{bg}})

	opt := defaultOptions()
	opt.Controls = map[string]bool{ctlMFAAllUsers: true}
	opt.BreakGlass = []string{"breakglass@contoso.com"}
	r := evaluate(t.Context(), set, opt)[0]
	if r.Status != statusFail || !strings.Contains(r.Summary, "could not be resolved to object ids: breakglass@contoso.com") {
		t.Fatalf("with an unresolvable UPN: %s: %s", r.Status, r.Summary)
	}
	details := map[string]string{}
	for _, o := range r.Objects {
		details[o.Name] = o.Detail
	}
	if !strings.Contains(details["MFA report-only"], "state is enabledForReportingButNotEnforced") ||
		!strings.Contains(details["MFA but not for a group"], "excludes groups beyond the allowed exclusions: 0a0b0c0d-0000-4000-8000-00000000000a") ||
		!strings.Contains(details["MFA for all"], "excludes users beyond the allowed exclusions: "+bg) {
		t.Errorf("evidence: %+v", r.Objects)
	}

	opt.BreakGlass = []string{strings.ToUpper(bg)}
	r = evaluate(t.Context(), set, opt)[0]
	if r.Status != statusPass || !strings.Contains(r.Summary, `"MFA for all"`) {
		t.Fatalf("with the object id: %s: %s", r.Status, r.Summary)
	}
}

// TestEvaluationComplianceUnavailable: a 503 from Security & Compliance is
// retried; the alert control still evaluates.
func TestEvaluationComplianceUnavailable(t *testing.T) {
	sim, set := newSet(t, 0)
	sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointCompliance, Match: "Get-ProtectionAlert", Status: 503, Retry: 1, Times: 1})
	opt := defaultOptions()
	opt.Controls = map[string]bool{ctlAlertPolicies: true}
	r := evaluate(t.Context(), set, opt)[0]
	if r.Status != statusPass {
		t.Fatalf("%s: %s", r.Status, r.Summary)
	}
	if n := sim.Stats().Statuses(m365sim.EndpointCompliance, 503); n != 1 {
		t.Errorf("compliance 503s: %d, want 1", n)
	}
}

// TestEvaluationInboxRulesForbidden: Global Reader cannot run
// Get-InboxRule. The forwarding control is unknown naming the role; the
// audit control that shares the mailbox listing still evaluates.
func TestEvaluationInboxRulesForbidden(t *testing.T) {
	sim, _ := newSet(t, 30)
	e := sim.Endpoints()
	reader, err := clients.New(clients.Config{
		Auth:     auth.Config{TenantID: m365sim.DemoTenantID, ClientID: m365sim.DemoReaderAppID, ClientSecret: m365sim.DemoReaderSecret},
		LoginURL: e[m365sim.EndpointLogin], GraphURL: e[m365sim.EndpointGraph], ExchangeURL: e[m365sim.EndpointExchange], ComplianceURL: e[m365sim.EndpointCompliance],
		CAFile: sim.CAFile(), ComplianceRegionalHosts: []string{sim.RegionalHost()}, MaxRetries: 2, MaxRetryWait: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	opt := defaultOptions()
	opt.Controls = map[string]bool{ctlMailboxAuditSettings: true, ctlMailboxForwarding: true}
	opt.ScanInboxRules = true
	rs := evaluate(t.Context(), reader, opt)
	st := statusOf(rs)
	if st[ctlMailboxAuditSettings] != statusFail { // Microsoft's default action sets
		t.Errorf("audit settings: %v", rs)
	}
	for _, r := range rs {
		if r.ID != ctlMailboxForwarding {
			continue
		}
		if r.Status != statusUnknown || r.Reason != reasonRole || !strings.Contains(r.Summary, `needs the Exchange management role "Mail Recipients"`) {
			t.Errorf("forwarding: %s: %s", r.Status, r.Summary)
		}
	}
	if n := sim.Stats().Requests(m365sim.EndpointExchange, "Get-InboxRule"); n > opt.InboxRuleConcurrency+1 {
		t.Errorf("Get-InboxRule: %d requests after the first refusal, want at most %d", n, opt.InboxRuleConcurrency+1)
	}
}

// TestEvaluationForwardingAddressInternal: a ForwardingAddress naming a
// mailbox of the tenant is internal, found with one Get-Mailbox -Identity
// per distinct target.
func TestEvaluationForwardingAddressInternal(t *testing.T) {
	sim, set := newSet(t, 3)
	objs, err := m365sim.SeedMailboxes(sim, m365sim.DemoTenantID, m365sim.MailboxSeed{Count: 3, Prefix: "fw", Domain: "contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	target := fmt.Sprint(objs[0]["Name"])
	for _, o := range objs[1:] {
		if _, err := sim.Invoke(m365sim.DemoTenantID, m365sim.EndpointExchange, "Set-Mailbox", map[string]any{"Identity": o["UserPrincipalName"], "ForwardingAddress": target}); err != nil {
			t.Fatal(err)
		}
	}
	opt := defaultOptions()
	opt.Controls = map[string]bool{ctlMailboxForwarding: true}
	sim.Stats().Reset()
	r := evaluate(t.Context(), set, opt)[0]
	if r.Status != statusPass {
		t.Fatalf("%s: %s %+v", r.Status, r.Summary, r.Objects)
	}
	// One filtered listing and one look-up for the two forwards to the same mailbox.
	if n := sim.Stats().Requests(m365sim.EndpointExchange, "Get-Mailbox"); n != 2 {
		t.Errorf("Get-Mailbox: %d requests, want 2", n)
	}
}

// TestEvaluationP1Only: with Entra ID P1 but not P2 (read from
// subscribedSkus), conditional access is evaluated, but risk conditions
// cannot exist: the risk policy controls and the risky user review are
// "not licensed" without calling the P2 APIs.
func TestEvaluationP1Only(t *testing.T) {
	fx := m365sim.DefaultFixture()
	fx.Tenants[0].Licences = m365sim.Licences{EntraIDP1: true}
	sim, err := m365sim.Start(m365sim.Options{StateDir: t.TempDir(), Fixture: fx})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	wireaudit.Audit(t, sim)
	set := newSetRetries(t, sim, 3)
	opt := defaultOptions()
	opt.Controls = map[string]bool{ctlMFAAllUsers: true, ctlBlockLegacyAuth: true, ctlUserRiskPolicy: true, ctlSignInRiskPolicy: true, ctlReviewSignInsAndRiskyUsers: true, ctlSecurityDefaults: true,
		ctlUserRiskBlock: true, ctlSignInRiskBlock: true, ctlPhishingResistantMFA: true}
	rs := evaluate(t.Context(), set, opt)
	want := map[string]string{ctlMFAAllUsers: statusFail, ctlBlockLegacyAuth: statusFail, ctlUserRiskPolicy: statusUnknown,
		ctlSignInRiskPolicy: statusUnknown, ctlReviewSignInsAndRiskyUsers: statusUnknown, ctlSecurityDefaults: statusPass,
		ctlUserRiskBlock: statusUnknown, ctlSignInRiskBlock: statusUnknown, ctlPhishingResistantMFA: statusFail}
	for _, r := range rs {
		if r.Status != want[r.ID] {
			t.Errorf("%s: %s, want %s: %s", r.ID, r.Status, want[r.ID], r.Summary)
		}
		if r.Status == statusUnknown && (r.Reason != reasonLicence || !strings.HasPrefix(r.Summary, "not licensed: Microsoft Entra ID P2")) {
			t.Errorf("%s: reason %s: %s", r.ID, r.Reason, r.Summary)
		}
	}
	if n := sim.Stats().Requests(m365sim.EndpointGraph, "GET /v1.0/identityProtection/riskyUsers"); n != 0 {
		t.Errorf("riskyUsers: %d requests, want 0 (the licence is known from subscribedSkus)", n)
	}
	if n := sim.Stats().Requests(m365sim.EndpointGraph, "GET /v1.0/subscribedSkus"); n != 1 {
		t.Errorf("subscribedSkus: %d requests, want 1 (shared by every control)", n)
	}
}

// TestEvaluationLicencePlans: only provisioned plans of live subscriptions
// count; a plan still provisioning or a suspended subscription is "not
// licensed"; without the permission to read subscriptions the control says
// which permission to grant, never "not licensed".
func TestEvaluationLicencePlans(t *testing.T) {
	fx := m365sim.DefaultFixture()
	fx.Tenants[0].Apps = append(fx.Tenants[0].Apps, m365sim.AppSpec{ClientID: "77777777-2222-4333-8444-555555555555", DisplayName: "no licence read",
		ClientSecret: "no-licence-read-secret", Permissions: []string{"Policy.Read.All", "IdentityRiskyUser.Read.All", "Exchange.ManageAsApp"},
		DirectoryRoles: []string{"Global Reader"}})
	sim, err := m365sim.Start(m365sim.Options{StateDir: t.TempDir(), Fixture: fx})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	p2 := m365sim.PlanEntraIDP2
	p2.ProvisioningStatus = "PendingProvisioning"
	if err := sim.SetSubscribedSkus(m365sim.DemoTenantID, []m365sim.SubscribedSku{
		{SkuID: "84a661c4-e949-4bd2-a560-ed7766fcaf2b", SkuPartNumber: "AAD_PREMIUM_P2", Units: 5, Plans: []m365sim.ServicePlan{m365sim.PlanEntraIDP1, p2}},
		{SkuID: "184efa21-98c3-4e5d-95ab-d07053a96e67", SkuPartNumber: "INFORMATION_PROTECTION_COMPLIANCE", CapabilityStatus: "Suspended", Units: 5, Plans: []m365sim.ServicePlan{m365sim.PlanAdvancedAuditing}},
	}); err != nil {
		t.Fatal(err)
	}
	opt := defaultOptions()
	opt.Controls = map[string]bool{ctlMFAAllUsers: true, ctlUserRiskBlock: true, ctlAuditLogRetention: true}
	st := map[string]result{}
	for _, r := range evaluate(t.Context(), newSetRetries(t, sim, 2), opt) {
		st[r.ID] = r.result
	}
	if r := st[ctlMFAAllUsers]; r.Status != statusFail {
		t.Errorf("P1 provisioned: %s %s", r.Status, r.Summary)
	}
	if r := st[ctlUserRiskBlock]; r.Status != statusUnknown || r.Reason != reasonLicence || !strings.HasPrefix(r.Summary, "not licensed: Microsoft Entra ID P2") {
		t.Errorf("P2 pending: %s %s %s", r.Status, r.Reason, r.Summary)
	}
	if r := st[ctlAuditLogRetention]; r.Status != statusUnknown || r.Reason != reasonLicence || !strings.HasPrefix(r.Summary, "not licensed: Microsoft Purview Audit (Premium)") {
		t.Errorf("audit subscription suspended: %s %s %s", r.Status, r.Reason, r.Summary)
	}

	e := sim.Endpoints()
	noRead, err := clients.New(clients.Config{
		Auth:     auth.Config{TenantID: m365sim.DemoTenantID, ClientID: "77777777-2222-4333-8444-555555555555", ClientSecret: "no-licence-read-secret"},
		LoginURL: e[m365sim.EndpointLogin], GraphURL: e[m365sim.EndpointGraph], ExchangeURL: e[m365sim.EndpointExchange], ComplianceURL: e[m365sim.EndpointCompliance],
		CAFile: sim.CAFile(), ComplianceRegionalHosts: []string{sim.RegionalHost()}, MaxRetries: 2, MaxRetryWait: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range evaluate(t.Context(), noRead, opt) {
		if r.Status != statusUnknown || r.Reason != reasonPermission || !strings.Contains(r.Summary, "LicenseAssignment.Read.All") || strings.Contains(r.Summary, "not licensed") {
			t.Errorf("%s without the permission: %s %s %s", r.ID, r.Status, r.Reason, r.Summary)
		}
	}
}
