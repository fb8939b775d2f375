package signins_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
)

const (
	riskySignInsAddr = "data.m365harden_risky_sign_ins.this"
	riskyUsersAddr   = "data.m365harden_risky_users.this"
	detectionsAddr   = "data.m365harden_risk_detections.this"
	leakUser         = "patti.vance@contoso.onmicrosoft.com" // users[4]
)

// counts checks a by_* list: key/count pairs in order.
func counts(pairs ...any) knownvalue.Check {
	var checks []knownvalue.Check
	for i := 0; i+1 < len(pairs); i += 2 {
		key, _ := pairs[i].(string)
		n, _ := pairs[i+1].(int)
		checks = append(checks, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"key": knownvalue.StringExact(key), "count": knownvalue.Int64Exact(int64(n)),
		}))
	}
	return knownvalue.ListExact(checks)
}

func TestAccRiskySignIns_basic(t *testing.T) {
	tn := seededTenant(t)
	cfg := func(body string) string {
		return shifted(tn.ProviderConfig() + `
data "m365harden_risky_sign_ins" "this" {
  since = "2026-11-23T00:00:00Z"
  until = "2026-11-30T12:00:00Z"
` + body + `
}
`)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      cfg(`  min_risk_level = "severe"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`value must be one of`),
			},
			{
				Config:      cfg(`  risk_states = ["compromised"]`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`value must be one of`),
			},
			{ // defaults: medium and above, or at risk / compromised
				Config: cfg(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(riskySignInsAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(riskySignInsAddr, tfjsonpath.New("by_risk_level"), counts("high", 2, "medium", 1)),
					statecheck.ExpectKnownValue(riskySignInsAddr, tfjsonpath.New("by_risk_state"), counts("atRisk", 2, "remediated", 1)),
					statecheck.ExpectKnownValue(riskySignInsAddr, tfjsonpath.New("events").AtSliceIndex(0).AtMapKey("user_principal_name"), knownvalue.StringExact(leakUser)),
					statecheck.ExpectKnownValue(riskySignInsAddr, tfjsonpath.New("events").AtSliceIndex(0).AtMapKey("risk_level_aggregated"), knownvalue.StringExact("high")),
					statecheck.ExpectKnownValue(riskySignInsAddr, tfjsonpath.New("events").AtSliceIndex(1).AtMapKey("country"), knownvalue.StringExact("NG")),
					statecheck.ExpectKnownValue(riskySignInsAddr, tfjsonpath.New("graph_filter"), knownvalue.StringRegexp(regexp.MustCompile(`^createdDateTime ge .* and \(riskLevelDuringSignIn eq 'medium' or riskLevelDuringSignIn eq 'high' or riskLevelAggregated eq 'medium' or riskLevelAggregated eq 'high' or riskState eq 'atRisk' or riskState eq 'confirmedCompromised'\)$`))),
				},
			},
			{
				Config: cfg(`  min_risk_level = "low"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(riskySignInsAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(4)),
				},
			},
			{
				Config: cfg(`
  min_risk_level = "high"
  risk_states    = []
  max_events     = 1`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(riskySignInsAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(riskySignInsAddr, tfjsonpath.New("events"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(riskySignInsAddr, tfjsonpath.New("by_user"), counts(unexpUser, 1, leakUser, 1)),
				},
			},
		},
	})
}

func TestAccRiskyUsers_basic(t *testing.T) {
	tn := seededTenant(t)
	cfg := func(body string) string {
		return tn.ProviderConfig() + "\ndata \"m365harden_risky_users\" \"this\" {\n" + body + "\n}\n"
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      cfg(`  risk_levels = ["critical"]`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`value must be one of`),
			},
			{
				Config: cfg(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(riskyUsersAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(5)),
					statecheck.ExpectKnownValue(riskyUsersAddr, tfjsonpath.New("by_risk_level"), counts("high", 2, "low", 1, "medium", 1, "none", 1)),
					statecheck.ExpectKnownValue(riskyUsersAddr, tfjsonpath.New("users").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":                  knownvalue.NotNull(),
						"user_principal_name": knownvalue.StringExact(leakUser),
						"user_display_name":   knownvalue.StringExact("Patti Vance"),
						"risk_level":          knownvalue.StringExact("high"),
						"risk_state":          knownvalue.StringExact("atRisk"),
						"risk_detail":         knownvalue.StringExact("none"),
						"risk_last_updated":   knownvalue.StringExact(shifted("2026-11-30T09:00:00Z")),
					})),
				},
			},
			{
				Config: cfg(`  risk_states = ["atRisk", "confirmedCompromised"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(riskyUsersAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(riskyUsersAddr, tfjsonpath.New("graph_filter"), knownvalue.StringExact("(riskState eq 'atRisk' or riskState eq 'confirmedCompromised')")),
				},
			},
			{
				Config: cfg(`
  risk_levels = ["low", "medium"]
  max_users   = 1`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(riskyUsersAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(riskyUsersAddr, tfjsonpath.New("users"), knownvalue.ListSizeExact(1)),
				},
			},
		},
	})
}

func TestAccRiskDetections_basic(t *testing.T) {
	tn := seededTenant(t)
	cfg := func(body string) string {
		return shifted(tn.ProviderConfig() + `
data "m365harden_risk_detections" "this" {
  since = "2026-11-23T00:00:00Z"
  until = "2026-11-30T12:00:00Z"
` + body + `
}
`)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      cfg(`  risk_event_types = ["password spray"]`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`riskEventType`),
			},
			{
				Config: cfg(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(detectionsAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(6)),
					statecheck.ExpectKnownValue(detectionsAddr, tfjsonpath.New("by_risk_event_type"), counts("unfamiliarFeatures", 2, "anonymizedIPAddress", 1, "leakedCredentials", 1, "passwordSpray", 1, "unlikelyTravel", 1)),
					statecheck.ExpectKnownValue(detectionsAddr, tfjsonpath.New("by_risk_level"), counts("high", 3, "medium", 2, "low", 1)),
				},
			},
			{
				Config: cfg(`  risk_event_types = ["passwordSpray"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(detectionsAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(detectionsAddr, tfjsonpath.New("detections").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"user_principal_name": knownvalue.StringExact(firstSprayed),
						"ip_address":          knownvalue.StringExact("203.0.113.77"),
						"country":             knownvalue.StringExact("RU"),
						"detection_timing":    knownvalue.StringExact("offline"),
						"risk_level":          knownvalue.StringExact("high"),
						"detected_time":       knownvalue.StringExact(shifted("2026-11-28T10:02:00Z")),
					})),
				},
			},
			{
				Config: cfg(`
  risk_levels          = ["medium", "high"]
  user_principal_names = ["` + unexpUser + `"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(detectionsAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(2)),
				},
			},
			{ // a window before everything
				Config: shifted(tn.ProviderConfig() + `
data "m365harden_risk_detections" "this" {
  until    = "2026-11-20T00:00:00Z"
  lookback = "7d"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(detectionsAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(detectionsAddr, tfjsonpath.New("window_start"), knownvalue.StringExact(shifted("2026-11-13T00:00:00Z"))),
				},
			},
		},
	})
}
