package graph_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// The seeded history ends an hour before the test starts: the sign-in log
// keeps 30 days and m365sim refuses older bounds, so no fixed date.
var signInAnchor = time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)

func signInClient(t *testing.T, lic m365sim.Licences, appID, secret string) (*graph.Client, *m365sim.Server) {
	t.Helper()
	fx := m365sim.DefaultFixture()
	fx.Tenants[0].Licences = lic
	s, err := m365sim.Start(m365sim.Options{Fixture: fx, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.SeedSignInHistory(m365sim.DemoTenantID, m365sim.SignInHistoryOptions{Seed: 9, Count: 2500, Failed: 1200, Anchor: signInAnchor}); err != nil {
		t.Fatal(err)
	}
	hc, err := auth.NewHTTPClient(s.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	cred, err := auth.NewCredential(auth.Config{TenantID: m365sim.DemoTenantID, ClientID: appID, ClientSecret: secret, LoginURL: s.URL() + "/", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	c, err := graph.New(graph.Config{BaseURL: s.URL(), Resource: m365sim.AudienceGraph, Credential: cred, Transport: hc.Transport, MaxRetries: 3, MaxWait: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

func TestEachSignInPagesFiltersAndStops(t *testing.T) {
	c, s := signInClient(t, m365sim.Licences{EntraIDP1: true}, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	s.SetReportThrottle(0, 0)
	c.SetReportRate(0, 0)
	ctx := context.Background()
	var last time.Time
	n := 0
	st, err := c.EachSignIn(ctx, "status/errorCode ne 0", func(si *graph.SignIn) error {
		if si.ErrorCode == 0 || si.UserPrincipalName == "" || si.CountryOrRegion == "" || si.FailureReason == "" {
			t.Fatalf("incomplete event %+v", si)
		}
		if !last.IsZero() && si.CreatedDateTime.After(last) {
			t.Fatal("not newest first")
		}
		last = si.CreatedDateTime
		n++
		return nil
	})
	if err != nil || n != 1200 || st.Pages != 2 || st.Events != 1200 {
		t.Fatalf("n=%d stats=%+v err=%v", n, st, err)
	}
	// Stopping early reads one page only.
	st, err = c.EachSignIn(ctx, "", func(*graph.SignIn) error { return graph.ErrStopPaging })
	if err != nil || st.Pages != 1 {
		t.Fatalf("stop: %+v %v", st, err)
	}
	// A filter Graph refuses is a bad request.
	_, err = c.EachSignIn(ctx, "nonsense eq 1", func(*graph.SignIn) error { return nil })
	if !errors.Is(err, graph.ErrBadRequest) {
		t.Fatalf("bad filter: %v", err)
	}
	// Quotes in literals are escaped.
	if got := graph.ODataString("o'brien"); got != "'o''brien'" {
		t.Fatal(got)
	}
	_, err = c.EachSignIn(ctx, "userPrincipalName eq "+graph.ODataString("o'brien@contoso.com"), func(*graph.SignIn) error { return errors.New("no such user") })
	if err != nil {
		t.Fatal(err)
	}
}

func TestSignInLicenceErrorsAreTyped(t *testing.T) {
	c, s := signInClient(t, m365sim.Licences{}, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	s.SetReportThrottle(0, 0)
	ctx := context.Background()
	_, err := c.EachSignIn(ctx, "", func(*graph.SignIn) error { return nil })
	if !graph.IsLicence(err) {
		t.Fatalf("sign-ins without P1: %v", err)
	}
	_, err = c.EachRiskyUser(ctx, "", func(*graph.RiskyUser) error { return nil })
	if !graph.IsLicence(err) {
		t.Fatalf("risky users without P2: %v", err)
	}
	_, err = c.EachRiskDetection(ctx, "", func(*graph.RiskDetection) error { return nil })
	if !graph.IsLicence(err) {
		t.Fatalf("risk detections without P1: %v", err)
	}
	// A permission error stays a permission error.
	r, _ := signInClient(t, m365sim.Licences{EntraIDP1: true, EntraIDP2: true}, m365sim.DemoReaderAppID, m365sim.DemoReaderSecret)
	_, err = r.EachRiskyUser(ctx, "", func(*graph.RiskyUser) error { return nil })
	if !graph.IsForbidden(err) || graph.IsLicence(err) {
		t.Fatalf("reader: %v", err)
	}
	// In a tenant without the licences, a token without the permissions gets
	// the permission 403s (Authentication_MSGraphPermissionMissing,
	// AccessDenied): classified by code as permission errors, never licence.
	np, ns := signInClient(t, m365sim.Licences{}, m365sim.DemoNoManageAsAppID, m365sim.DemoNoManageAsAppSecret)
	ns.SetReportThrottle(0, 0)
	checks := map[string]error{}
	_, checks["signIns"] = np.EachSignIn(ctx, "", func(*graph.SignIn) error { return nil })
	_, checks["riskyUsers"] = np.EachRiskyUser(ctx, "", func(*graph.RiskyUser) error { return nil })
	_, checks["riskDetections"] = np.EachRiskDetection(ctx, "", func(*graph.RiskDetection) error { return nil })
	codes := map[string]string{"signIns": "Authentication_MSGraphPermissionMissing", "riskyUsers": "AccessDenied", "riskDetections": "AccessDenied"}
	for name, err := range checks {
		var ge *graph.Error
		if !graph.IsForbidden(err) || graph.IsLicence(err) || !errors.As(err, &ge) || ge.Code != codes[name] {
			t.Fatalf("%s without permission: %v", name, err)
		}
	}
}

func TestRiskListsPage(t *testing.T) {
	c, _ := signInClient(t, m365sim.Licences{EntraIDP1: true, EntraIDP2: true}, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	ctx := context.Background()
	var users []string
	if _, err := c.EachRiskyUser(ctx, "riskState eq 'atRisk'", func(u *graph.RiskyUser) error {
		users = append(users, u.UserPrincipalName+"/"+u.RiskLevel)
		return nil
	}); err != nil || len(users) != 2 {
		t.Fatalf("%v %v", users, err)
	}
	n := 0
	st, err := c.EachRiskDetection(ctx, "detectedDateTime ge "+signInAnchor.AddDate(0, 0, -29).Format(time.RFC3339), func(d *graph.RiskDetection) error {
		if d.DetectedDateTime.IsZero() || d.RiskEventType == "" {
			t.Fatalf("incomplete %+v", d)
		}
		n++
		return nil
	})
	if err != nil || n != 6 || st.Pages != 1 {
		t.Fatalf("%d %+v %v", n, st, err)
	}
}

// With pacing at the service's rate, a burst of requests never meets a 429.
func TestReportPacingAvoidsThrottle(t *testing.T) {
	c, s := signInClient(t, m365sim.Licences{EntraIDP1: true}, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	s.SetReportThrottle(3, time.Second)
	c.SetReportRate(3, time.Second)
	ctx := context.Background()
	start := time.Now()
	for i := 0; i < 3; i++ {
		st, err := c.EachSignIn(ctx, "", func(*graph.SignIn) error { return nil })
		if err != nil || st.Pages != 3 {
			t.Fatalf("%+v %v", st, err)
		}
	}
	if n := s.Stats().Statuses(m365sim.EndpointGraph, 429); n != 0 {
		t.Fatalf("%d requests throttled", n)
	}
	// 9 requests at 3 per second with a burst of 3: at least 2 seconds.
	if d := time.Since(start); d < 2*time.Second {
		t.Fatalf("9 requests took %v: not paced", d)
	}
}

func TestParseReportRate(t *testing.T) {
	for in, want := range map[string][2]int64{"5/10s": {5, int64(10 * time.Second)}, "0": {0, 0}, "20/1m": {20, int64(time.Minute)}} {
		n, d, err := graph.ParseReportRate(in)
		if err != nil || int64(n) != want[0] || int64(d) != want[1] {
			t.Errorf("%s: %d %v %v", in, n, d, err)
		}
	}
	for _, bad := range []string{"5", "x/10s", "5/0s", "-1/10s", "5/soon"} {
		if _, _, err := graph.ParseReportRate(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
