package signins_test

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// The seeded history every test reads: 3,000 sign-ins over the week before
// the anchor, 300 of them failed, with the generator's attacks.
var (
	historyOpts = m365sim.SignInHistoryOptions{Seed: 11, Count: 3000, Failed: 300, Anchor: anchor}
)

const (
	failedAddr   = "data.m365harden_failed_sign_ins.this"
	bruteUser    = "adele.vance@contoso.onmicrosoft.com" // the generator's users[0]
	unexpUser    = "alex.vance@contoso.onmicrosoft.com"  // users[1]
	firstSprayed = "lynne.vance@contoso.onmicrosoft.com" // users[5]
)

// seededTenant starts an emulator with the history, the reports throttle
// off and the client's pacing off (one test covers both).
func seededTenant(t *testing.T) *acctest.Tenant {
	t.Helper()
	t.Setenv(graph.ReportRateEnv, "0")
	tn := acctest.NewTenant(t)
	tn.Sim.SetReportThrottle(0, 0)
	if _, err := tn.Sim.SeedSignInHistory(tn.ID, historyOpts); err != nil {
		t.Fatal(err)
	}
	return tn
}

// expected counts computed from the generator itself, independently of the
// provider's code.
type expected struct {
	byCountry, byCode map[string]int
	distinctIPs       int
	newestFailed      string
}

func expect(t *testing.T) expected {
	h, err := m365sim.GenerateSignInHistory(m365sim.DemoDomain, historyOpts)
	if err != nil {
		t.Fatal(err)
	}
	e := expected{byCountry: map[string]int{}, byCode: map[string]int{}}
	ips := map[string]bool{}
	for _, s := range h.SignIns {
		if s.ErrorCode == 0 {
			continue
		}
		if e.newestFailed == "" {
			e.newestFailed = time.Unix(s.Created, 0).UTC().Format(time.RFC3339)
		}
		e.byCountry[s.Place.Country]++
		e.byCode[strconv.Itoa(int(s.ErrorCode))]++
		ips[s.IPAddress] = true
	}
	e.distinctIPs = len(ips)
	return e
}

func countsCheck(m map[string]int) knownvalue.Check {
	type kv struct {
		k string
		v int
	}
	var rows []kv
	for k, v := range m {
		rows = append(rows, kv{k, v})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].v != rows[j].v {
			return rows[i].v > rows[j].v
		}
		return rows[i].k < rows[j].k
	})
	var checks []knownvalue.Check
	for _, r := range rows {
		checks = append(checks, knownvalue.ObjectExact(map[string]knownvalue.Check{"key": knownvalue.StringExact(r.k), "count": knownvalue.Int64Exact(int64(r.v))}))
	}
	return knownvalue.ListExact(checks)
}

func failedConfig(tn *acctest.Tenant, body string) string {
	return shifted(tn.ProviderConfig() + fmt.Sprintf(`
data "m365harden_failed_sign_ins" "this" {
  since = "2026-11-23T00:00:00Z"
  until = "2026-11-30T12:00:00Z"
%s
}
`, body))
}

func TestAccFailedSignIns_basic(t *testing.T) {
	tn := seededTenant(t)
	e := expect(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: failedConfig(tn, `
  expected_countries = ["US", "GB", "DE"]
  max_events         = 5
`) + `
check "no_password_spray" {
  assert {
    condition     = length(data.m365harden_failed_sign_ins.this.password_sprays) == 0
    error_message = "Password spray in progress"
  }
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("licensed"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("total_failed"), knownvalue.Int64Exact(300)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("pages_read"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("distinct_ips"), knownvalue.Int64Exact(int64(e.distinctIPs))),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("graph_filter"), knownvalue.StringExact(shifted("createdDateTime ge 2026-11-23T00:00:00Z and createdDateTime le 2026-11-30T12:00:00Z and status/errorCode ne 0"))),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("events"), knownvalue.ListSizeExact(5)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("events").AtSliceIndex(0).AtMapKey("time"), knownvalue.StringExact(e.newestFailed)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("by_country"), countsCheck(e.byCountry)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("by_error_code"), countsCheck(e.byCode)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("by_user").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"key": knownvalue.StringExact(bruteUser), "count": knownvalue.Int64Exact(m365sim.BruteForceFailures),
					})),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("by_ip").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"key": knownvalue.StringExact(m365sim.BruteForceIP), "count": knownvalue.Int64Exact(m365sim.BruteForceFailures),
					})),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("password_sprays"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"ip_address":    knownvalue.StringExact(m365sim.SprayIP),
							"country":       knownvalue.StringExact(m365sim.SprayCountry),
							"user_count":    knownvalue.Int64Exact(m365sim.SprayUsers),
							"failure_count": knownvalue.Int64Exact(m365sim.SprayUsers),
							"first_seen":    knownvalue.StringExact(shifted("2026-11-28T10:00:00Z")),
							"last_seen":     knownvalue.StringExact(shifted("2026-11-28T10:48:00Z")),
							"users":         knownvalue.ListSizeExact(m365sim.SprayUsers),
						}),
					})),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("password_sprays").AtSliceIndex(0).AtMapKey("users").AtSliceIndex(0), knownvalue.StringExact("adele.wilber@contoso.onmicrosoft.com")),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("brute_forces"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"user_principal_name": knownvalue.StringExact(bruteUser),
							"failure_count":       knownvalue.Int64Exact(m365sim.BruteForceFailures),
							"ip_addresses":        knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(m365sim.BruteForceIP)}),
							"countries":           knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("CN")}),
							"locked_out":          knownvalue.Bool(true),
							"first_seen":          knownvalue.StringExact(shifted("2026-11-29T10:00:00Z")),
							"last_seen":           knownvalue.StringExact(shifted("2026-11-29T10:19:30Z")),
						}),
					})),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("unexpected_countries"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"country": knownvalue.StringExact("CN"), "failure_count": knownvalue.Int64Exact(40), "user_count": knownvalue.Int64Exact(1)}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"country": knownvalue.StringExact("RU"), "failure_count": knownvalue.Int64Exact(25), "user_count": knownvalue.Int64Exact(25)}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"country": knownvalue.StringExact("NG"), "failure_count": knownvalue.Int64Exact(2), "user_count": knownvalue.Int64Exact(1),
							"users":        knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(unexpUser)}),
							"ip_addresses": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(m365sim.UnexpectedCountryIP)}),
						}),
					})),
				},
				Check: func(*terraform.State) error {
					// One page per read; the filter ran in the emulator (never a 200 carrying successes).
					if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, "GET /v1.0/auditLogs/signIns"); n == 0 {
						return fmt.Errorf("no sign-in requests counted")
					}
					return nil
				},
			},
			{ // thresholds move the patterns; no expected_countries, no country check
				Config: failedConfig(tn, `
  spray_min_users          = 26
  brute_force_min_failures = 41
  aggregate_limit          = 2
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("password_sprays"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("brute_forces"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("unexpected_countries"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("by_user"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("events"), knownvalue.ListSizeExact(100)),
				},
			},
		},
	})
}

func TestAccFailedSignIns_filters(t *testing.T) {
	tn := seededTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: failedConfig(tn, fmt.Sprintf(`  user_principal_names = [%q]`, bruteUser)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("total_failed"), knownvalue.Int64Exact(m365sim.BruteForceFailures)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("graph_filter"), knownvalue.StringExact(shifted("createdDateTime ge 2026-11-23T00:00:00Z and createdDateTime le 2026-11-30T12:00:00Z and status/errorCode ne 0 and userPrincipalName eq '"+bruteUser+"'"))),
				},
			},
			{
				Config: failedConfig(tn, `  error_codes = [50053]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("total_failed"), knownvalue.Int64Exact(m365sim.BruteForceLocked)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("brute_forces"), knownvalue.ListSizeExact(0)),
				},
			},
			{
				Config: failedConfig(tn, fmt.Sprintf(`  ip_addresses = [%q, %q]
  error_codes  = [50126, 50074]`, m365sim.SprayIP, m365sim.UnexpectedCountryIP)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("total_failed"), knownvalue.Int64Exact(m365sim.SprayUsers+m365sim.UnexpectedCountryFail)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("by_ip"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("events").AtSliceIndex(0).AtMapKey("user_principal_name"), knownvalue.StringExact(unexpUser)),
				},
			},
			{ // a narrow window: the spray's first ten minutes
				Config: shifted(tn.ProviderConfig() + `
data "m365harden_failed_sign_ins" "this" {
  until        = "2026-11-28T10:10:00Z"
  lookback     = "10m"
  ip_addresses = ["` + m365sim.SprayIP + `"]
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("window_start"), knownvalue.StringExact(shifted("2026-11-28T10:00:00Z"))),
					statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("total_failed"), knownvalue.Int64Exact(6)),
				},
			},
		},
	})
}

// An out-of-band change of the tenant's history shows in the next read.
func TestAccFailedSignIns_newActivity(t *testing.T) {
	tn := seededTenant(t)
	cfg := failedConfig(tn, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("total_failed"), knownvalue.Int64Exact(300))},
			},
			{
				PreConfig: func() {
					o := historyOpts
					o.Failed = 500
					if _, err := tn.Sim.SeedSignInHistory(tn.ID, o); err != nil {
						t.Fatal(err)
					}
				},
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("total_failed"), knownvalue.Int64Exact(500))},
			},
		},
	})
}

func TestAccFailedSignIns_badArguments(t *testing.T) {
	tn := seededTenant(t)
	step := func(body string, want string) resource.TestStep {
		return resource.TestStep{
			Config:      shifted(tn.ProviderConfig() + "\ndata \"m365harden_failed_sign_ins\" \"this\" {\n" + body + "\n}\n"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			step(`lookback = "3 days"`, "Invalid lookback"),
			step(`lookback = "31d"`, "longer than the 30 days"),
			step(`lookback = "0h"`, "longer than zero"),
			step(`since = "yesterday"`, "not an RFC 3339 time"),
			step(`
  since = "2026-11-30T00:00:00Z"
  until = "2026-11-29T00:00:00Z"`, "Inverted window"),
			step(`
  since    = "2026-11-30T00:00:00Z"
  lookback = "24h"`, "cannot be configured together|Invalid Attribute Combination"),
			step(`expected_countries = ["usa"]`, "two-letter ISO 3166"),
			step(`spray_min_users = 1`, "between 2 and 10000"),
			step(`ip_addresses = ["not-an-ip"]`, "IPv4 or IPv6"),
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, "GET /v1.0/auditLogs/signIns"); n != 0 {
		t.Fatalf("bad arguments reached Graph %d times", n)
	}
}
