package signins_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Issue 9, item 7: Microsoft Entra keeps sign-in logs and risk detections
// for 30 days, and Graph refuses an older createdDateTime lower bound; a
// since older than that is refused at plan time with an error that names
// the retention, before any Graph request. Dates are relative to now, so
// the test means the same on any day.
func TestAccSignIns_sinceOlderThanRetention(t *testing.T) {
	tn := acctest.NewTenant(t)
	tooOld := time.Now().UTC().Add(-31 * 24 * time.Hour).Format(time.RFC3339)
	// The subtests are parallel, so they run after this function returns:
	// count the requests once they are all done.
	t.Cleanup(func() {
		if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 0 {
			t.Errorf("a plan-time error must not reach the tenant; Graph saw %d requests", n)
		}
	})
	for _, ds := range []string{"m365harden_failed_sign_ins", "m365harden_risky_sign_ins", "m365harden_risk_detections"} {
		t.Run(ds, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config: tn.ProviderConfig() + fmt.Sprintf(`
data %q "this" {
  since = %q
}
`, ds, tooOld),
					PlanOnly: true,
					ExpectError: regexp.MustCompile(`(?s)since is older than the sign-in log retention.*since = ` + regexp.QuoteMeta(tooOld) +
						`\s+is\s+older\s+than\s.*Microsoft\s+Entra\s+keeps\s+sign-in\s+logs\s+and\s+risk\s+detections\s+for\s+30\s+days`),
				}},
			})
		})
	}
}

// A since just inside the retention is accepted (the boundary is 30 days,
// not less).
func TestAccSignIns_sinceInsideRetention(t *testing.T) {
	tn := acctest.NewTenant(t)
	recent := time.Now().UTC().Add(-29 * 24 * time.Hour).Format(time.RFC3339)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfig() + fmt.Sprintf(`
data "m365harden_failed_sign_ins" "this" {
  since = %q
}
`, recent),
			Check: resource.TestCheckResourceAttr("data.m365harden_failed_sign_ins.this", "window_start", recent),
		}},
	})
}
