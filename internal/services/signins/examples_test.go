package signins_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func example(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "data-sources", name, "data-source.tf"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The documented examples run against a tenant attacked in the last day:
// the check blocks evaluate (they warn, the run succeeds) and the data
// sources find what the generator put there.
func TestAccSignIns_examples(t *testing.T) {
	t.Setenv(graph.ReportRateEnv, "0")
	tn := acctest.NewTenant(t)
	tn.Sim.SetReportThrottle(0, 0)
	// The history ends now: the spray was 50 hours ago and the brute force
	// 26 hours ago (outside the last day), the unexpected-country failures
	// 5 hours ago.
	now := time.Now().UTC().Truncate(time.Second)
	if _, err := tn.Sim.SeedSignInHistory(tn.ID, m365sim.SignInHistoryOptions{Seed: 2, Count: 3000, Failed: 300, Anchor: now}); err != nil {
		t.Fatal(err)
	}
	cfg := tn.ProviderConfig()
	for _, n := range []string{"m365harden_failed_sign_ins", "m365harden_risky_sign_ins", "m365harden_risky_users", "m365harden_risk_detections"} {
		cfg += example(t, n)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.m365harden_failed_sign_ins.last_day", tfjsonpath.New("brute_forces"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.m365harden_failed_sign_ins.last_day", tfjsonpath.New("unexpected_countries").AtSliceIndex(0).AtMapKey("country"), knownvalue.StringExact("NG")),
				statecheck.ExpectKnownValue("data.m365harden_risky_sign_ins.week", tfjsonpath.New("total"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue("data.m365harden_risky_users.at_risk", tfjsonpath.New("total"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue("data.m365harden_risk_detections.credential_attacks", tfjsonpath.New("total"), knownvalue.Int64Exact(2)),
			},
		}},
	})
}
