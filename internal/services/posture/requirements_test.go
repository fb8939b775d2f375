package posture

import (
	"context"
	"strings"
	"testing"
)

// caEval runs one conditional access control against an in-memory set of
// policies (no service: the policies are what Graph would return).
func caEval(t *testing.T, eval func(*evaluation) result, opt options, pols ...*caPolicy) result {
	t.Helper()
	e := &evaluation{ctx: context.Background(), opt: opt}
	_, _ = e.caPolicies.get(func() ([]*caPolicy, error) { return pols, nil })
	return eval(e)
}

const (
	bgID    = "6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"
	otherID = "11111111-aaaa-4bbb-8ccc-222222222222"
	groupID = "33333333-aaaa-4bbb-8ccc-444444444444"
)

// base is a policy for all users and all cloud apps excluding the
// break-glass account.
func base(name string, mut func(p *caPolicy)) *caPolicy {
	p := &caPolicy{Name: name, State: "enabled", IncludeUsers: []string{"All"}, ExcludeUsers: []string{bgID},
		IncludeApplications: []string{"All"}, ClientAppTypes: []string{"all"}, GrantOperator: "OR"}
	mut(p)
	return p
}

// requirementCases builds, for every conditional access control, one
// compliant policy and non-compliant variants, each with the condition the
// evidence must name.
type caCase struct {
	control string
	ref     string
	eval    func(*evaluation) result
	good    func(p *caPolicy)
}

var caCases = []caCase{
	{ctlMFAAllUsers, "Scuba MS.AAD.3.2v2", evalMFAAllUsers, func(p *caPolicy) { p.BuiltInControls = []string{"mfa"} }},
	{ctlPhishingResistantMFA, "Scuba MS.AAD.3.1v1", evalPhishingResistantMFA, func(p *caPolicy) { p.AuthenticationStrengthID = phishingResistantStrengthID }},
	{ctlBlockLegacyAuth, "Scuba MS.AAD.1.1v1", evalBlockLegacyAuth, func(p *caPolicy) {
		p.BuiltInControls = []string{"block"}
		p.ClientAppTypes = []string{"exchangeActiveSync", "other"}
	}},
	{ctlUserRiskPolicy, "CIS 5.2.2.6", evalUserRiskPolicy, func(p *caPolicy) {
		p.UserRiskLevels = []string{"high"}
		p.BuiltInControls, p.GrantOperator = []string{"mfa", "passwordChange"}, "AND"
		p.SignInFrequency = "everyTime"
	}},
	{ctlUserRiskBlock, "Scuba MS.AAD.2.1v1", evalUserRiskBlock, func(p *caPolicy) {
		p.UserRiskLevels = []string{"high"}
		p.BuiltInControls = []string{"block"}
	}},
	{ctlSignInRiskPolicy, "CIS 5.2.2.7", evalSignInRiskPolicy, func(p *caPolicy) {
		p.SignInRiskLevels = []string{"high", "medium"}
		p.BuiltInControls = []string{"mfa"}
		p.SignInFrequency = "everyTime"
	}},
	{ctlSignInRiskBlock, "Scuba MS.AAD.2.3v1", evalSignInRiskBlock, func(p *caPolicy) {
		p.SignInRiskLevels = []string{"high"}
		p.BuiltInControls = []string{"block"}
	}},
	// controls_authmethods2.go
	{ctlPhishingResistantAdmins, "Scuba MS.AAD.3.6v1", evalPhishingResistantAdmins, func(p *caPolicy) { p.AuthenticationStrengthID = phishingResistantStrengthID }},
	{ctlManagedDevices, "Scuba MS.AAD.3.7v1", evalManagedDevices, func(p *caPolicy) { p.BuiltInControls = []string{"compliantDevice", "domainJoinedDevice"} }},
}

// gaps are the narrowing conditions every conditional access control must
// refuse, with the words the evidence must use.
var gaps = []struct {
	name, want string
	mut        func(p *caPolicy)
}{
	{"report-only", "state is enabledForReportingButNotEnforced", func(p *caPolicy) { p.State = "enabledForReportingButNotEnforced" }},
	{"not all users", "users: does not include All", func(p *caPolicy) { p.IncludeUsers = []string{otherID} }},
	{"extra user", "excludes users beyond the allowed exclusions: " + otherID, func(p *caPolicy) { p.ExcludeUsers = append(p.ExcludeUsers, otherID) }},
	{"group", "excludes groups beyond the allowed exclusions: " + groupID, func(p *caPolicy) { p.ExcludeGroups = []string{groupID} }},
	{"role", "excludes directory roles", func(p *caPolicy) { p.ExcludeRoles = []string{"62e90394-69f5-4237-9190-012177145e10"} }},
	{"guests", "excludes guests or external users (b2bCollaborationGuest)", func(p *caPolicy) { p.ExcludeGuests = "b2bCollaborationGuest" }},
	{"apps", "applications: excludes", func(p *caPolicy) { p.ExcludeApplications = []string{"00000002-0000-0ff1-ce00-000000000000"} }},
	{"location excluded", "locations: excludes AllTrusted", func(p *caPolicy) {
		p.HasLocations, p.IncludeLocations, p.ExcludeLocations = true, []string{"All"}, []string{"AllTrusted"}
	}},
	{"location limited", "locations: limited to", func(p *caPolicy) { p.HasLocations, p.IncludeLocations = true, []string{otherID} }},
	{"platform excluded", "platforms: excludes linux", func(p *caPolicy) {
		p.HasPlatforms, p.IncludePlatforms, p.ExcludePlatforms = true, []string{"all"}, []string{"linux"}
	}},
	{"platform limited", "platforms: limited to windows", func(p *caPolicy) { p.HasPlatforms, p.IncludePlatforms = true, []string{"windows"} }},
	{"device filter", "devices: a device filter (exclude device.trustType -eq \"ServerAD\")", func(p *caPolicy) {
		p.DeviceFilterMode, p.DeviceFilterRule = "exclude", `device.trustType -eq "ServerAD"`
	}},
}

func defaultOpt() options {
	return options{BreakGlass: []string{bgID}, RequireMediumSignIn: true, CapExclusions: map[string]capExclusion{}}
}

// TestCARequirements: each conditional access control passes its
// compliant policy and fails every narrowing condition, naming it.
func TestCARequirements(t *testing.T) {
	for _, c := range caCases {
		t.Run(c.control, func(t *testing.T) {
			if r := caEval(t, c.eval, defaultOpt(), base("good", c.good)); r.Status != statusPass {
				t.Fatalf("compliant policy: %s %s %+v", r.Status, r.Summary, r.Objects)
			}
			for _, g := range gaps {
				if c.control == ctlBlockLegacyAuth && strings.HasPrefix(g.name, "client") {
					continue
				}
				p := base(g.name, func(p *caPolicy) { c.good(p); g.mut(p) })
				r := caEval(t, c.eval, defaultOpt(), p)
				if r.Status != statusFail || len(r.Objects) != 1 || !strings.Contains(r.Objects[0].Detail, g.want) {
					t.Errorf("%s: %s %q %+v, want fail naming %q", g.name, r.Status, r.Summary, r.Objects, g.want)
				}
			}
			if c.control != ctlBlockLegacyAuth {
				p := base("client apps", func(p *caPolicy) { c.good(p); p.ClientAppTypes = []string{"browser"} })
				if r := caEval(t, c.eval, defaultOpt(), p); r.Status != statusFail || !strings.Contains(r.Objects[0].Detail, "client apps: limited to browser") {
					t.Errorf("client apps: %s %+v", r.Status, r.Objects)
				}
			}
		})
	}
}

// TestCAGrantsAreTheRequirementsOwn: CIS and ScubaGear ask different things
// of the same topic; each control passes only its own grant.
func TestCAGrantsAreTheRequirementsOwn(t *testing.T) {
	cisUser := base("cis user risk", caCases[3].good)
	scubaUser := base("scuba user risk", caCases[4].good)
	cisSignIn := base("cis sign-in risk", caCases[5].good)
	mfa := base("mfa", caCases[0].good)
	strength2 := base("mfa strength", func(p *caPolicy) { p.AuthenticationStrengthID = "00000000-0000-0000-0000-000000000002" })
	for _, tc := range []struct {
		eval   func(*evaluation) result
		pol    *caPolicy
		status string
		detail string
	}{
		{evalUserRiskBlock, cisUser, statusFail, "grant: is not block"},
		{evalUserRiskPolicy, scubaUser, statusFail, "grant: is not MFA and password change (AND)"},
		{evalSignInRiskBlock, cisSignIn, statusFail, "grant: is not block"},
		{evalPhishingResistantMFA, mfa, statusFail, "no authentication strength"},
		{evalPhishingResistantMFA, strength2, statusFail, "is not the built-in Phishing-resistant MFA strength"},
		{evalMFAAllUsers, strength2, statusPass, ""},
		{evalMFAAllUsers, base("pr", caCases[1].good), statusPass, ""},
	} {
		r := caEval(t, tc.eval, defaultOpt(), tc.pol)
		if r.Status != tc.status || (tc.detail != "" && (len(r.Objects) == 0 || !strings.Contains(r.Objects[0].Detail, tc.detail))) {
			t.Errorf("%s: %s %q %+v, want %s %q", tc.pol.Name, r.Status, r.Summary, r.Objects, tc.status, tc.detail)
		}
	}
}

// TestCISRiskSessionEveryTime: CIS's risk policies re-authenticate at
// every sign-in; a policy without it fails naming the session control.
func TestCISRiskSessionEveryTime(t *testing.T) {
	for _, c := range []caCase{caCases[3], caCases[5]} {
		p := base(c.control, func(p *caPolicy) { c.good(p); p.SignInFrequency = "timeBased" })
		if r := caEval(t, c.eval, defaultOpt(), p); r.Status != statusFail || !strings.Contains(r.Objects[0].Detail, "session: sign-in frequency is not every time") {
			t.Errorf("%s: %s %+v", c.control, r.Status, r.Objects)
		}
	}
}

// TestCapExclusions: the users and groups of a ScubaGear policy's
// CapExclusions may be excluded from the policies checked against that id,
// and only those; CIS controls allow only the break-glass accounts.
func TestCapExclusions(t *testing.T) {
	opt := defaultOpt()
	opt.CapExclusions["MS.AAD.2.1v1"] = capExclusion{Users: []string{otherID}, Groups: []string{groupID}}
	withExcl := func(good func(*caPolicy)) *caPolicy {
		return base("excl", func(p *caPolicy) {
			good(p)
			p.ExcludeUsers = append(p.ExcludeUsers, strings.ToUpper(otherID))
			p.ExcludeGroups = []string{groupID}
		})
	}
	if r := caEval(t, evalUserRiskBlock, opt, withExcl(caCases[4].good)); r.Status != statusPass {
		t.Errorf("MS.AAD.2.1v1 with its CapExclusions: %s %+v", r.Status, r.Objects)
	}
	r := caEval(t, evalSignInRiskBlock, opt, withExcl(caCases[6].good))
	if r.Status != statusFail || !strings.Contains(r.Objects[0].Detail, "excludes users beyond the allowed exclusions: "+strings.ToUpper(otherID)) ||
		!strings.Contains(r.Objects[0].Detail, "excludes groups beyond the allowed exclusions: "+groupID) {
		t.Errorf("MS.AAD.2.3v1 has no CapExclusions here: %s %+v", r.Status, r.Objects)
	}
	if r := caEval(t, evalUserRiskPolicy, opt, withExcl(caCases[3].good)); r.Status != statusFail {
		t.Errorf("CIS 5.2.2.6 allows only break-glass accounts: %s", r.Status)
	}
}

// TestRetentionCoverage: precedence by priority (1 highest), coverage per
// record type, partial policies deciding only for their users.
func TestRetentionCoverage(t *testing.T) {
	year := func(name string, prio int64, rts ...string) retentionPolicy {
		return retentionPolicy{Name: name, Priority: prio, Duration: "TwelveMonths", RecordTypes: rts, Enabled: true}
	}
	req := []string{"ExchangeItem", "SharePoint"}
	for _, tc := range []struct {
		name string
		pols []retentionPolicy
		fail map[string]string // record type -> detail fragment
	}{
		{"both covered", []retentionPolicy{year("a", 10, "ExchangeItem", "SharePoint")}, nil},
		{"one record type only", []retentionPolicy{year("a", 10, "ExchangeItem")}, map[string]string{"SharePoint": "no enabled retention policy covers it"}},
		{"shorter policy first decides", []retentionPolicy{
			{Name: "short", Priority: 1, Duration: "ThreeMonths", RecordTypes: []string{"SharePoint"}, Enabled: true},
			year("a", 10, "ExchangeItem", "SharePoint"),
		}, map[string]string{"SharePoint": `decided by "short" (Priority 1) for all users and operations: RetentionDuration=ThreeMonths`}},
		{"longer policy first wins", []retentionPolicy{
			year("a", 1, "ExchangeItem", "SharePoint"),
			{Name: "short", Priority: 5, Duration: "ThreeMonths", RecordTypes: []string{"SharePoint"}, Enabled: true},
		}, nil},
		{"partial shorter first", []retentionPolicy{
			{Name: "vip", Priority: 1, Duration: "SixMonths", RecordTypes: []string{"ExchangeItem"}, UserIDs: []string{"ceo@contoso.com"}, Enabled: true},
			year("a", 10, "ExchangeItem", "SharePoint"),
		}, map[string]string{"ExchangeItem": "for the users or operations it names: RetentionDuration=SixMonths"}},
		{"partial longer only", []retentionPolicy{
			{Name: "vip", Priority: 1, Duration: "TenYears", RecordTypes: []string{"ExchangeItem"}, UserIDs: []string{"ceo@contoso.com"}, Enabled: true},
			year("a", 10, "SharePoint"),
		}, map[string]string{"ExchangeItem": "no enabled retention policy covers it for all users"}},
		{"disabled ignored", []retentionPolicy{{Name: "off", Priority: 1, Duration: "TwelveMonths", RecordTypes: req, Enabled: false}},
			map[string]string{"ExchangeItem": "no enabled", "SharePoint": "no enabled"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := retentionCoverage(tc.pols, req, "TwelveMonths")
			if len(got) != len(tc.fail) {
				t.Fatalf("findings %+v, want %v", got, tc.fail)
			}
			for _, o := range got {
				if !strings.Contains(o.Detail, tc.fail[o.Name]) || tc.fail[o.Name] == "" {
					t.Errorf("%s: %q, want %q", o.Name, o.Detail, tc.fail[o.Name])
				}
			}
		})
	}
}
