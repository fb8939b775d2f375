package signins_test

import (
	"fmt"
	"regexp"
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

// licensedTenant starts an emulator whose only tenant has the given
// licences (built in the test: the shared fixture stays as it is).
func licensedTenant(t *testing.T, lic m365sim.Licences) *acctest.Tenant {
	t.Helper()
	acctest.PreCheck(t)
	t.Setenv(graph.ReportRateEnv, "0")
	fx := m365sim.DefaultFixture()
	fx.Tenants[0].Licences = lic
	s, err := m365sim.Start(m365sim.Options{StateDir: t.TempDir(), Fixture: fx})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	s.SetReportThrottle(0, 0)
	if _, err := s.SeedSignInHistory(m365sim.DemoTenantID, historyOpts); err != nil {
		t.Fatal(err)
	}
	return &acctest.Tenant{Sim: s, ID: m365sim.DemoTenantID}
}

const allFour = `
data "m365harden_failed_sign_ins" "this" {
  since = "2026-11-23T00:00:00Z"
  until = "2026-11-30T12:00:00Z"
}
data "m365harden_risky_sign_ins" "this" {
  since = "2026-11-23T00:00:00Z"
  until = "2026-11-30T12:00:00Z"
}
data "m365harden_risky_users" "this" {}
data "m365harden_risk_detections" "this" {
  since = "2026-11-23T00:00:00Z"
  until = "2026-11-30T12:00:00Z"
}
# Something else in the same plan, unaffected by the missing licences.
output "window" {
  value = data.m365harden_failed_sign_ins.this.window_start
}
`

// Without P1/P2 every data source warns and returns licensed = false; the
// plan goes on.
func TestAccSignIns_unlicensed(t *testing.T) {
	tn := licensedTenant(t, m365sim.Licences{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfig() + shifted(allFour),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("licensed"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("total_failed"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("password_sprays"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(riskySignInsAddr, tfjsonpath.New("licensed"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(riskyUsersAddr, tfjsonpath.New("licensed"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(detectionsAddr, tfjsonpath.New("licensed"), knownvalue.Bool(false)),
				statecheck.ExpectKnownOutputValue("window", knownvalue.StringExact(shifted("2026-11-23T00:00:00Z"))),
			},
			Check: func(*terraform.State) error {
				if n := tn.Sim.Stats().Statuses(m365sim.EndpointGraph, 403); n == 0 {
					return fmt.Errorf("expected Graph to answer 403")
				}
				return nil
			},
		}},
	})
}

// With P1 only: sign-in logs and risk detections read, risky users (P2) warn.
func TestAccSignIns_p1Only(t *testing.T) {
	tn := licensedTenant(t, m365sim.Licences{EntraIDP1: true})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfig() + shifted(allFour),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("licensed"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("total_failed"), knownvalue.Int64Exact(300)),
				statecheck.ExpectKnownValue(riskyUsersAddr, tfjsonpath.New("licensed"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(riskyUsersAddr, tfjsonpath.New("users"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(detectionsAddr, tfjsonpath.New("licensed"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(detectionsAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(6)),
			},
		}},
	})
}

// A missing permission is an error naming it, not a licence warning.
func TestAccSignIns_forbidden(t *testing.T) {
	tn := seededTenant(t)
	reader := tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      reader + "data \"m365harden_failed_sign_ins\" \"this\" {}\n",
				ExpectError: regexp.MustCompile(`(?s)Reading sign-in logs failed.*Grant the app.*Directory.Read.All`),
			},
			{
				Config:      reader + "data \"m365harden_risky_users\" \"this\" {}\n",
				ExpectError: regexp.MustCompile(`(?s)Reading Identity Protection risky users failed.*IdentityRiskyUser.Read.All`),
			},
		},
	})
}

// A token without the permission, in a tenant without the licence either:
// Graph answers the permission 403 (Authentication_MSGraphPermissionMissing
// for sign-in logs, AccessDenied for Identity Protection), and the data
// sources fail naming the permission instead of warning "not licensed" with
// zero results. The licence path is TestAccSignIns_unlicensed.
func TestAccSignIns_permissionMissingNotLicence(t *testing.T) {
	tn := licensedTenant(t, m365sim.Licences{})
	app := tn.ProviderConfigAs(m365sim.DemoNoManageAsAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoNoManageAsAppSecret))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      app + "data \"m365harden_failed_sign_ins\" \"this\" {}\n",
				ExpectError: regexp.MustCompile(`(?s)Reading sign-in logs failed: the app lacks the Microsoft Graph permission\s+AuditLog.Read.All.*Authentication_MSGraphPermissionMissing`),
			},
			{
				Config:      app + "data \"m365harden_risk_detections\" \"this\" {}\n",
				ExpectError: regexp.MustCompile(`(?s)Reading Identity Protection risk detections failed: the app lacks the\s+Microsoft Graph permission IdentityRiskEvent.Read.All.*AccessDenied`),
			},
			{
				Config:      app + "data \"m365harden_risky_users\" \"this\" {}\n",
				ExpectError: regexp.MustCompile(`(?s)permission\s+IdentityRiskyUser.Read.All.*AccessDenied`),
			},
		},
	})
}

// The reports throttle on (scaled to 5 requests per 2 seconds to keep the
// test short) and the client pacing at the same rate: a six-page window is
// read without a single 429.
func TestAccFailedSignIns_pacedUnderThrottle(t *testing.T) {
	acctest.PreCheck(t)
	t.Setenv(graph.ReportRateEnv, "5/2s")
	tn := acctest.NewTenant(t)
	tn.Sim.SetReportThrottle(5, 2*time.Second)
	if _, err := tn.Sim.SeedSignInHistory(tn.ID, m365sim.SignInHistoryOptions{Seed: 5, Count: 6000, Failed: 5500, Anchor: anchor}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: failedConfig(tn, "  max_events = 10"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("total_failed"), knownvalue.Int64Exact(5500)),
				statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("pages_read"), knownvalue.Int64Exact(6)),
				statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("events"), knownvalue.ListSizeExact(10)),
			},
			Check: func(*terraform.State) error {
				reqs := tn.Sim.Stats().Requests(m365sim.EndpointGraph, "GET /v1.0/auditLogs/signIns")
				if n := tn.Sim.Stats().Statuses(m365sim.EndpointGraph, 429); n != 0 || reqs < 6 {
					return fmt.Errorf("%d requests, %d answered 429; want no 429 with pacing on", reqs, n)
				}
				return nil
			},
		}},
	})
}

// Pacing off: the throttle answers 429 with Retry-After, the client waits as
// told and the result is still complete.
func TestAccFailedSignIns_honoursRetryAfter(t *testing.T) {
	acctest.PreCheck(t)
	t.Setenv(graph.ReportRateEnv, "0")
	tn := acctest.NewTenant(t)
	// Two requests, then one every 3 s: the six page reads of one refresh
	// come faster than that even on a loaded machine (with one every second
	// a slow run could stay under the limit and never see a 429).
	tn.Sim.SetReportThrottle(2, 6*time.Second)
	if _, err := tn.Sim.SeedSignInHistory(tn.ID, m365sim.SignInHistoryOptions{Seed: 5, Count: 6000, Failed: 5500, Anchor: anchor}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: failedConfig(tn, "  max_events = 10"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("total_failed"), knownvalue.Int64Exact(5500)),
				statecheck.ExpectKnownValue(failedAddr, tfjsonpath.New("pages_read"), knownvalue.Int64Exact(6)),
			},
			Check: func(*terraform.State) error {
				if n := tn.Sim.Stats().Statuses(m365sim.EndpointGraph, 429); n == 0 {
					return fmt.Errorf("expected the throttle to answer 429 without pacing")
				}
				return nil
			},
		}},
	})
}
