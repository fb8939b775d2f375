package m365sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The seeded histories end at the latest noon (UTC) at or before the test's
// start: the sign-in log keeps 30 days and the emulator refuses an older
// createdDateTime bound, so a fixed date would stop working a month later.
// Filters below are written against 2026-11-30T12:00:00Z and moved by whole
// days with atAnchor.
var (
	testAnchor      = func(d time.Time) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, time.UTC) }(time.Now().UTC().Add(-12 * time.Hour))
	referenceAnchor = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	timestampRE     = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
)

// atAnchor moves every RFC 3339 UTC timestamp in s from the reference
// anchor's frame to testAnchor's.
func atAnchor(s string) string {
	return timestampRE.ReplaceAllStringFunc(s, func(ts string) string {
		t, err := time.Parse(time.RFC3339, ts)
		if err != nil {
			return ts
		}
		return t.Add(testAnchor.Sub(referenceAnchor)).Format(time.RFC3339)
	})
}

type graphPage struct {
	Status   int
	Value    []map[string]any `json:"value"`
	NextLink string           `json:"@odata.nextLink"`
	Error    struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Header http.Header
}

func graphGet(t *testing.T, s *Server, tok, target string) graphPage {
	t.Helper()
	if !strings.HasPrefix(target, "https://") {
		target = s.URL() + "/v1.0" + target
	}
	req, _ := http.NewRequest("GET", target, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := testClient(s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var p graphPage
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%s: %d %s", target, resp.StatusCode, b)
	}
	p.Status, p.Header = resp.StatusCode, resp.Header
	return p
}

func q(filter string, extra ...string) string {
	v := url.Values{}
	if filter != "" {
		v.Set("$filter", filter)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "?" + v.Encode()
}

func seeded(t *testing.T, o SignInHistoryOptions) (*Server, SignInHistorySummary) {
	t.Helper()
	s := startTest(t)
	s.SetReportThrottle(0, 0)
	if o.Anchor.IsZero() {
		o.Anchor = testAnchor
	}
	sum, err := s.SeedSignInHistory(DemoTenantID, o)
	if err != nil {
		t.Fatal(err)
	}
	return s, sum
}

func TestSignInHistoryReproducible(t *testing.T) {
	a, err := GenerateSignInHistory("contoso.onmicrosoft.com", SignInHistoryOptions{Seed: 7, Count: 3000, Failed: 300, Anchor: testAnchor})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateSignInHistory("contoso.onmicrosoft.com", SignInHistoryOptions{Seed: 7, Count: 3000, Failed: 300, Anchor: testAnchor})
	c, _ := GenerateSignInHistory("contoso.onmicrosoft.com", SignInHistoryOptions{Seed: 8, Count: 3000, Failed: 300, Anchor: testAnchor})
	if len(a.SignIns) != 3000 {
		t.Fatalf("count %d", len(a.SignIns))
	}
	same, diff := true, false
	failed := 0
	for i := range a.SignIns {
		x, y := a.SignIns[i], b.SignIns[i]
		if x.Created != y.Created || x.User.UPN != y.User.UPN || x.IPAddress != y.IPAddress || x.ErrorCode != y.ErrorCode || x.App.Name != y.App.Name || x.Seq != y.Seq {
			same = false
		}
		if a.SignIns[i].Created != c.SignIns[i].Created {
			diff = true
		}
		if a.SignIns[i].ErrorCode != 0 {
			failed++
		}
		if i > 0 && a.SignIns[i].Created > a.SignIns[i-1].Created {
			t.Fatalf("not newest first at %d", i)
		}
	}
	if !same || !diff {
		t.Fatalf("same seed same history: %v; other seed differs: %v", same, diff)
	}
	if failed != 300 {
		t.Fatalf("failed = %d, want 300", failed)
	}
	if a.SignIns[0].Created != testAnchor.Unix() {
		t.Fatalf("newest %v", a.SignIns[0].Created)
	}
	if _, err := GenerateSignInHistory("x", SignInHistoryOptions{Count: 10, Anchor: testAnchor}); err == nil {
		t.Fatal("a count below the scenarios' must fail")
	}
}

func TestSignInsFilterPagingAndSelect(t *testing.T) {
	s, sum := seeded(t, SignInHistoryOptions{Seed: 1, Count: 2500, Failed: 400})
	tok := token(t, s, DemoAdminAppID, AudienceGraph)

	// Failed sign-ins, paged at 150: every page newest first, absolute links.
	var got []map[string]any
	p := graphGet(t, s, tok, "/auditLogs/signIns"+q("status/errorCode ne 0", "$top", "150", "$select", "createdDateTime,userPrincipalName,status"))
	pages := 1
	for {
		if p.Status != 200 {
			t.Fatalf("status %d %s", p.Status, p.Error.Message)
		}
		got = append(got, p.Value...)
		if p.NextLink == "" {
			break
		}
		if !strings.HasPrefix(p.NextLink, s.URL()+"/v1.0/auditLogs/signIns?") {
			t.Fatalf("nextLink %s", p.NextLink)
		}
		p = graphGet(t, s, tok, p.NextLink)
		pages++
	}
	if len(got) != sum.Failed || pages != 3 {
		t.Fatalf("got %d failed sign-ins in %d pages, want %d in 3", len(got), pages, sum.Failed)
	}
	if _, ok := got[0]["ipAddress"]; ok {
		t.Fatal("$select not applied")
	}
	for i := 1; i < len(got); i++ {
		cur, _ := got[i]["createdDateTime"].(string)
		prev, _ := got[i-1]["createdDateTime"].(string)
		if cur == "" || cur > prev {
			t.Fatal("not newest first")
		}
	}

	cases := map[string]int{
		"ipAddress eq '" + SprayIP + "'":                                    SprayUsers,
		"ipAddress eq '" + BruteForceIP + "' and status/errorCode eq 50053": BruteForceLocked,
		"userPrincipalName eq '" + sum.BruteForceUser + "' and status/errorCode ne 0 and ipAddress eq '" + BruteForceIP + "'": BruteForceFailures,
		"startsWith(ipAddress, '203.0.113.')": SprayUsers,
		atAnchor("createdDateTime ge 2026-11-28T09:00:00Z and createdDateTime le 2026-11-28T11:00:00Z and ipAddress eq '" + SprayIP + "'"): SprayUsers,
		atAnchor("createdDateTime gt 2026-11-30T12:00:00Z"):                                                   0,
		"riskLevelDuringSignIn eq 'high' or riskLevelAggregated eq 'high'":                                    2,
		"(riskLevelDuringSignIn eq 'medium' or riskLevelDuringSignIn eq 'low') and riskState eq 'remediated'": 1,
		"riskState eq 'atRisk'":            2,
		"appDisplayName eq 'Nonexistent'":  0,
		"location/countryOrRegion eq 'NG'": UnexpectedCountryFail + 1,
		"userPrincipalName eq '" + strings.ToUpper(sum.UnexpectedCountryUser) + "' and location/countryOrRegion eq 'NG'": UnexpectedCountryFail + 1,
	}
	for f, want := range cases {
		p := graphGet(t, s, tok, "/auditLogs/signIns"+q(f))
		if p.Status != 200 || len(p.Value) != want {
			t.Errorf("%s: status %d, %d results, want %d (%s)", f, p.Status, len(p.Value), want, p.Error.Message)
		}
	}
	bad := []string{
		"foo eq 1",
		"status/errorCode gt 0",
		"ipAddress eq 1",
		"createdDateTime ge '2026-01-01'",
		"riskState eq 'sideways'",
		"userPrincipalName eq 'x' and",
		"not (ipAddress eq 'x')",
		"endsWith(userPrincipalName, 'x')",
		"ipAddress eq 'x",
	}
	for _, f := range bad {
		p := graphGet(t, s, tok, "/auditLogs/signIns"+q(f))
		if p.Status != 400 || p.Error.Code != "BadRequest" || !strings.HasPrefix(p.Error.Message, "Invalid filter clause") {
			t.Errorf("%s: %d %s %s", f, p.Status, p.Error.Code, p.Error.Message)
		}
	}
	// A lower bound older than the 30-day retention is refused; one inside
	// it is served.
	old := time.Now().UTC().Add(-31 * 24 * time.Hour).Format("2006-01-02T15:04:05Z")
	if p := graphGet(t, s, tok, "/auditLogs/signIns"+q("createdDateTime ge "+old)); p.Status != 400 || !strings.HasPrefix(p.Error.Message, "Invalid filter clause") {
		t.Errorf("lower bound %s: %d %s", old, p.Status, p.Error.Message)
	}
	recent := time.Now().UTC().Add(-29 * 24 * time.Hour).Format("2006-01-02T15:04:05Z")
	if p := graphGet(t, s, tok, "/auditLogs/signIns"+q("createdDateTime ge "+recent)); p.Status != 200 {
		t.Errorf("lower bound %s: %d %s", recent, p.Status, p.Error.Message)
	}
	if p := graphGet(t, s, tok, "/auditLogs/signIns"+q("", "$select", "nonsense")); p.Status != 400 {
		t.Errorf("unknown $select: %d", p.Status)
	}
	if p := graphGet(t, s, tok, "/auditLogs/signIns"+q("", "$top", "1000")); p.Status != 200 || len(p.Value) != 1000 {
		t.Errorf("$top 1000: %d %d", p.Status, len(p.Value))
	}
	if p := graphGet(t, s, tok, "/auditLogs/signIns"+q("", "$top", "5000")); p.Status != 400 || p.Error.Message != "Invalid page size specified: '5000'. Must be between 1 and 1000 inclusive." {
		t.Errorf("$top above 1000: %d %q", p.Status, p.Error.Message)
	}
}

func TestRiskEndpoints(t *testing.T) {
	s, sum := seeded(t, SignInHistoryOptions{Seed: 3})
	tok := token(t, s, DemoAdminAppID, AudienceGraph)
	if p := graphGet(t, s, tok, "/identityProtection/riskyUsers"); p.Status != 200 || len(p.Value) != sum.RiskyUsers {
		t.Fatalf("riskyUsers: %d %d", p.Status, len(p.Value))
	}
	if p := graphGet(t, s, tok, "/identityProtection/riskyUsers"+q("riskState eq 'atRisk' and riskLevel eq 'high'")); len(p.Value) != 2 {
		t.Fatalf("atRisk high: %d", len(p.Value))
	}
	p := graphGet(t, s, tok, "/identityProtection/riskDetections"+q("", "$top", "2"))
	if len(p.Value) != 2 || p.NextLink == "" {
		t.Fatalf("detections page: %d %q", len(p.Value), p.NextLink)
	}
	if p := graphGet(t, s, tok, "/identityProtection/riskDetections"+q(atAnchor("riskEventType eq 'passwordSpray' and detectedDateTime ge 2026-11-20T00:00:00Z"))); len(p.Value) != 1 {
		t.Fatalf("spray detection: %d", len(p.Value))
	}
	if p := graphGet(t, s, tok, "/identityProtection/riskDetections"+q("riskLevel eq 'extreme'")); p.Status != 400 {
		t.Fatalf("bad level: %d", p.Status)
	}
}

func TestSignInsPermissionsLicencesThrottle(t *testing.T) {
	fx := DefaultFixture()
	p1 := fx.Tenants[0]
	p1.ID, p1.InitialDomain, p1.Licences = "0b0b0b0b-0000-4000-8000-000000000001", "fabrikam.onmicrosoft.com", Licences{EntraIDP1: true}
	none := fx.Tenants[0]
	none.ID, none.InitialDomain, none.Licences = "0b0b0b0b-0000-4000-8000-000000000002", "tailspin.onmicrosoft.com", Licences{}
	fx.Tenants = append(fx.Tenants, p1, none)
	s, err := Start(Options{StateDir: t.TempDir(), Fixture: fx})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	tokFor := func(tenant, app string) string {
		tn := s.Tenant(tenant)
		tok, _, err := s.issueToken(tn, tn.App(app), AudienceGraph)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	r := graphGet(t, s, tokFor(none.ID, DemoAdminAppID), "/auditLogs/signIns")
	if r.Status != 403 || r.Error.Code != "Authentication_RequestFromNonPremiumTenantOrB2CTenant" {
		t.Fatalf("no P1: %d %s", r.Status, r.Error.Code)
	}
	r = graphGet(t, s, tokFor(p1.ID, DemoAdminAppID), "/identityProtection/riskyUsers")
	if r.Status != 403 || !strings.Contains(r.Error.Message, "P2") {
		t.Fatalf("riskyUsers without P2: %d %s", r.Status, r.Error.Message)
	}
	if r = graphGet(t, s, tokFor(p1.ID, DemoAdminAppID), "/identityProtection/riskDetections"); r.Status != 200 {
		t.Fatalf("riskDetections with P1: %d", r.Status)
	}
	// The read-only app lacks Directory.Read.All.
	if r = graphGet(t, s, tokFor(DemoTenantID, DemoReaderAppID), "/auditLogs/signIns"); r.Status != 403 || r.Error.Code != "Authorization_RequestDenied" {
		t.Fatalf("reader: %d %s", r.Status, r.Error.Code)
	}

	// Throttle: on by default at 5 per 10 s per app per tenant.
	tok := tokFor(DemoTenantID, DemoAdminAppID)
	for i := 0; i < DefaultReportRequests; i++ {
		if r := graphGet(t, s, tok, "/auditLogs/signIns"+q("", "$top", "1")); r.Status != 200 {
			t.Fatalf("request %d: %d", i, r.Status)
		}
	}
	r = graphGet(t, s, tok, "/auditLogs/signIns"+q("", "$top", "1"))
	if r.Status != 429 || r.Error.Code != "TooManyRequests" || r.Header.Get("Retry-After") != "2" {
		t.Fatalf("6th request: %d %s retry-after %q", r.Status, r.Error.Code, r.Header.Get("Retry-After"))
	}
	// Another app of the same tenant has its own budget.
	if r := graphGet(t, s, tokFor(DemoTenantID, DemoNoRoleAppID), "/auditLogs/signIns"+q("", "$top", "1")); r.Status != 200 {
		t.Fatalf("other app: %d", r.Status)
	}
	if got := s.Stats().Statuses(EndpointGraph, 429); got != 1 {
		t.Fatalf("429s counted: %d", got)
	}
	s.SetReportThrottle(0, 0)
	for i := 0; i < 10; i++ {
		if r := graphGet(t, s, tok, "/auditLogs/signIns"+q("", "$top", "1")); r.Status != 200 {
			t.Fatalf("throttle off, request %d: %d", i, r.Status)
		}
	}
}

func TestSignIns200kFilterFast(t *testing.T) {
	s, sum := seeded(t, SignInHistoryOptions{Seed: 42, Count: 200_000, Failed: 10_000})
	tok := token(t, s, DemoAdminAppID, AudienceGraph)
	start := time.Now()
	p := graphGet(t, s, tok, "/auditLogs/signIns"+q(atAnchor("status/errorCode ne 0 and createdDateTime ge 2026-11-23T12:00:00Z"), "$select", "createdDateTime,status"))
	if p.Status != 200 || len(p.Value) != 1000 || p.NextLink == "" {
		t.Fatalf("%d %d", p.Status, len(p.Value))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("a filtered page of 200,000 sign-ins took %v", d)
	}
	if sum.Count != 200_000 {
		t.Fatal(sum.Count)
	}
}

// A snapshot keeps the seeder's options, so a restarted emulator serves the
// same history.
func TestSignInHistorySurvivesSnapshot(t *testing.T) {
	dir := t.TempDir()
	snap := dir + "/snap.json"
	s1, err := Start(Options{StateDir: dir + "/a", SnapshotPath: snap})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s1.SeedSignInHistory(DemoTenantID, SignInHistoryOptions{Seed: 4, Count: 1500, Failed: 200, Anchor: testAnchor}); err != nil {
		t.Fatal(err)
	}
	_, before, _ := s1.GraphRequest(DemoTenantID, "GET", "/auditLogs/signIns"+q("status/errorCode ne 0", "$top", "1000"), nil)
	_ = s1.Close()
	s2, err := Start(Options{StateDir: dir + "/b", SnapshotPath: snap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s2.Close() })
	code, after, _ := s2.GraphRequest(DemoTenantID, "GET", "/auditLogs/signIns"+q("status/errorCode ne 0", "$top", "1000"), nil)
	var p1, p2 graphPage
	_ = json.Unmarshal(before, &p1)
	_ = json.Unmarshal(after, &p2)
	if code != 200 || len(p2.Value) != 200 || p1.Value[0]["id"] != p2.Value[0]["id"] || p1.Value[199]["createdDateTime"] != p2.Value[199]["createdDateTime"] {
		t.Fatalf("after reload: %d, %d events", code, len(p2.Value))
	}
}

// A token without the permission gets the workload's permission 403, not
// the licence 403, even in a tenant without the licence: the two differ by
// error code.
func TestGraphPermissionMissingVsLicence(t *testing.T) {
	fx := DefaultFixture()
	none := fx.Tenants[0]
	none.ID, none.InitialDomain, none.Licences = "0b0b0b0b-0000-4000-8000-000000000003", "tailspin.onmicrosoft.com", Licences{}
	fx.Tenants = append(fx.Tenants, none)
	s, err := Start(Options{StateDir: t.TempDir(), Fixture: fx})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	tokFor := func(tenant, app string) string {
		tn := s.Tenant(tenant)
		tok, _, err := s.issueToken(tn, tn.App(app), AudienceGraph)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	for _, tenant := range []string{DemoTenantID, none.ID} {
		// DemoNoManageAsAppID has neither AuditLog.Read.All, the Identity
		// Protection permissions nor Policy.Read.All.
		tok := tokFor(tenant, DemoNoManageAsAppID)
		r := graphGet(t, s, tok, "/auditLogs/signIns")
		if r.Status != 403 || r.Error.Code != "Authentication_MSGraphPermissionMissing" || !strings.Contains(r.Error.Message, "AuditLog.Read.All") {
			t.Fatalf("%s signIns: %d %s %q", tenant, r.Status, r.Error.Code, r.Error.Message)
		}
		for _, p := range []string{"/identityProtection/riskyUsers", "/identityProtection/riskDetections", "/identity/conditionalAccess/policies"} {
			r := graphGet(t, s, tok, p)
			if r.Status != 403 || r.Error.Code != "AccessDenied" || !strings.Contains(r.Error.Message, "required scopes are missing in the token") {
				t.Fatalf("%s %s: %d %s %q", tenant, p, r.Status, r.Error.Code, r.Error.Message)
			}
		}
	}
	// With the permissions, the unlicensed tenant gets the licence 403s.
	tok := tokFor(none.ID, DemoAdminAppID)
	if r := graphGet(t, s, tok, "/auditLogs/signIns"); r.Status != 403 || r.Error.Code != "Authentication_RequestFromNonPremiumTenantOrB2CTenant" {
		t.Fatalf("signIns licence: %d %s", r.Status, r.Error.Code)
	}
	if r := graphGet(t, s, tok, "/identity/conditionalAccess/policies"); r.Status != 403 || r.Error.Code != "Authentication_RequestFromNonPremiumTenantOrB2CTenant" {
		t.Fatalf("CA licence: %d %s", r.Status, r.Error.Code)
	}
	for _, p := range []string{"/identityProtection/riskyUsers", "/identityProtection/riskDetections"} {
		if r := graphGet(t, s, tok, p); r.Status != 403 || r.Error.Code != "Forbidden" {
			t.Fatalf("%s licence: %d %s", p, r.Status, r.Error.Code)
		}
	}
}

// Page sizes above an operation's maximum and $ query options it does not
// serve are refused with a 400, never capped or ignored.
func TestGraphTopMaximumAndQueryOptions(t *testing.T) {
	s, _ := seeded(t, SignInHistoryOptions{Seed: 3})
	s.SetReportThrottle(0, 0)
	tok := token(t, s, DemoAdminAppID, AudienceGraph)
	tops := []struct {
		path string
		max  int
	}{
		{"/auditLogs/signIns", 1000},
		{"/identityProtection/riskyUsers", 500},
		{"/identityProtection/riskDetections", 500},
		{"/identity/conditionalAccess/policies", 1000},
		{"/domains", 999},
	}
	for _, c := range tops {
		if p := graphGet(t, s, tok, c.path+q("", "$top", fmt.Sprint(c.max))); p.Status != 200 {
			t.Errorf("%s $top=%d: %d %s", c.path, c.max, p.Status, p.Error.Message)
		}
		p := graphGet(t, s, tok, c.path+q("", "$top", fmt.Sprint(c.max+1)))
		if want := fmt.Sprintf("Invalid page size specified: '%d'. Must be between 1 and %d inclusive.", c.max+1, c.max); p.Status != 400 || p.Error.Code != "BadRequest" || p.Error.Message != want {
			t.Errorf("%s $top=%d: %d %s %q", c.path, c.max+1, p.Status, p.Error.Code, p.Error.Message)
		}
	}
	opts := []struct {
		path, key, val, want string
	}{
		{"/auditLogs/signIns", "$frobnicate", "1", "The query parameter '$frobnicate' is not supported."},
		{"/auditLogs/signIns", "$orderby", "createdDateTime", "Query option 'OrderBy' is not allowed"},
		{"/auditLogs/signIns", "$skip", "10", "Query option 'Skip' is not allowed"},
		{"/identityProtection/riskyUsers", "$count", "true", "Query option 'Count' is not allowed"},
		{"/identity/conditionalAccess/policies", "$filter", "state eq 'enabled'", "Query option 'Filter' is not allowed"},
		{"/domains", "$expand", "domainNameReferences", "Query option 'Expand' is not allowed"},
		{"/organization", "$tops", "5", "The query parameter '$tops' is not supported."},
	}
	for _, c := range opts {
		p := graphGet(t, s, tok, c.path+q("", c.key, c.val))
		if p.Status != 400 || p.Error.Code != "BadRequest" || !strings.Contains(p.Error.Message, c.want) {
			t.Errorf("%s %s: %d %s %q", c.path, c.key, p.Status, p.Error.Code, p.Error.Message)
		}
	}
	// Options without $ are not OData system options and pass through; the
	// options an operation serves work.
	if p := graphGet(t, s, tok, "/auditLogs/signIns"+q("status/errorCode eq 50126", "$select", "id,status", "$top", "5")); p.Status != 200 || len(p.Value) != 5 {
		t.Errorf("served options: %d %d %q", p.Status, len(p.Value), p.Error.Message)
	}
}
