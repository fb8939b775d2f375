package signins

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

func TestParseLookback(t *testing.T) {
	good := map[string]time.Duration{
		"24h": 24 * time.Hour, "90m": 90 * time.Minute, "1h30m": 90 * time.Minute,
		"7d": 7 * 24 * time.Hour, "1d12h": 36 * time.Hour, "30d": 30 * 24 * time.Hour, "45s": 45 * time.Second,
	}
	for in, want := range good {
		if got, err := parseLookback(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "d", "7", "3 days", "31d", "721h", "0h", "-1h", "1w", "h7"} {
		if _, err := parseLookback(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestWindowResolve(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var d diag.Diagnostics
	w := windowModel{Since: types.StringNull(), Lookback: types.StringNull(), Until: types.StringNull()}
	if s, e, ok := w.resolve(now, &d); !ok || !e.Equal(now) || !s.Equal(now.Add(-24*time.Hour)) {
		t.Fatalf("default window %v %v %v", s, e, ok)
	}
	w.Since, w.Until = types.StringValue("2026-11-30T10:00:00+02:00"), types.StringValue("2026-11-30T08:00:00Z")
	if _, _, ok := w.resolve(now, &d); ok || !d.HasError() {
		t.Fatal("an empty window (start == end) must be refused")
	}
	d = nil
	w.Lookback = types.StringUnknown()
	if _, _, ok := w.resolve(now, &d); ok || d.HasError() {
		t.Fatal("unknown values wait")
	}
}

func TestFilters(t *testing.T) {
	if got := allOf(windowFilter("createdDateTime", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2026, 1, 3, 0, 0, 0, 0, time.FixedZone("x", 3600))), anyEq("ipAddress", []string{"1.2.3.4"}), anyEqInt("status/errorCode", []int64{50126, 50053}), anyEq("userPrincipalName", nil)); got !=
		"createdDateTime ge 2026-01-02T03:04:05Z and createdDateTime le 2026-01-02T23:00:00Z and ipAddress eq '1.2.3.4' and (status/errorCode eq 50126 or status/errorCode eq 50053)" {
		t.Fatal(got)
	}
}

func TestAnalyzerPatterns(t *testing.T) {
	a := newFailureAnalyzer(2)
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	add := func(user, ip, country string, code int) {
		at = at.Add(-time.Minute)
		a.add(&graph.SignIn{UserPrincipalName: user, IPAddress: ip, CountryOrRegion: country, ErrorCode: code, CreatedDateTime: at})
	}
	for i := 0; i < 4; i++ {
		add(string(rune('a'+i))+"@x", "9.9.9.9", "RU", 50126)
	}
	for i := 0; i < 3; i++ {
		add("victim@x", "8.8.8.8", "US", 50053)
	}
	r := a.result(thresholds{sprayMinUsers: 4, bruteMinFailures: 3, aggregateLimit: 1, expectedCountries: map[string]bool{"US": true}})
	if r.Total != 7 || len(r.Events) != 2 || r.Events[0].UserPrincipalName != "a@x" {
		t.Fatalf("%+v", r)
	}
	if len(r.Sprays) != 1 || r.Sprays[0].UserCount != 4 || r.Sprays[0].FirstSeen != "2026-11-30T11:56:00Z" || r.Sprays[0].LastSeen != "2026-11-30T11:59:00Z" {
		t.Fatalf("sprays %+v", r.Sprays)
	}
	if len(r.BruteForces) != 1 || r.BruteForces[0].UserPrincipalName != "victim@x" || !r.BruteForces[0].LockedOut {
		t.Fatalf("brute %+v", r.BruteForces)
	}
	if len(r.Unexpected) != 1 || r.Unexpected[0].Country != "RU" {
		t.Fatalf("countries %+v", r.Unexpected)
	}
	if len(r.ByUser) != 1 || r.ByUser[0].Key != "victim@x" || r.ByUser[0].Count != 3 || len(r.ByErrorCode) != 1 || r.ByErrorCode[0].Key != "50126" {
		t.Fatalf("aggregates %+v %+v", r.ByUser, r.ByErrorCode)
	}
}

func TestSinceOlderThanRetentionIsRefused(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var d diag.Diagnostics
	w := windowModel{Since: types.StringValue("2026-10-30T11:59:00Z"), Lookback: types.StringNull(), Until: types.StringNull()}
	if _, _, ok := w.resolve(now, &d); ok || !d.HasError() {
		t.Fatal("a since older than 30 days must be refused")
	}
	d = nil
	w.Since = types.StringValue("2026-10-31T12:00:01Z")
	if _, _, ok := w.resolve(now, &d); !ok || d.HasError() {
		t.Fatalf("a since inside the retention was refused: %v", d)
	}
}

func TestValidIP(t *testing.T) {
	for _, ok := range []string{"203.0.113.7", "0.0.0.0", "2001:db8::7", "::1", "::ffff:192.0.2.1"} {
		if !validIP(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"999.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "2001:db8:::7", "fe80::1%eth0", "1.2.3.4/32", "", "localhost", ":"} {
		if validIP(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
