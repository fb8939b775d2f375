package identity_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func nlTimeoutsConfig(tn *acctest.Tenant, timeouts string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_named_location" "this" {
  display_name = "Offices"
  ip = {
    ip_ranges = ["203.0.113.0/24"]
  }
  %s
}
`, timeouts)
}

// Graph replication lag longer than timeouts.create: the wait ends with an
// error naming the timeout, the location is kept in state (tainted), and the
// next apply replaces it: one location, never two.
func TestAccNamedLocation_createTimeout(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             nlDestroyed(tn),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 8*time.Second) },
				Config:      nlTimeoutsConfig(tn, `timeouts = { create = "2s" }`),
				ExpectError: regexp.MustCompile(`(?s)was created but reads do not show it yet.*within 2s \(the\s+timeouts\.create timeout`),
			},
			{
				PreConfig: func() { tn.Sim.ClearFaults(); time.Sleep(8 * time.Second) },
				Config:    nlTimeoutsConfig(tn, `timeouts = { create = "2s" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nlAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(nlAddr, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("2s")),
				},
				Check: func(s *terraform.State) error {
					if n := len(tn.Sim.Tenant(tn.ID).Store.List("namedLocation")); n != 1 {
						return fmt.Errorf("%d named locations in the tenant, want 1", n)
					}
					return nil
				},
			},
		},
	})
}

// Unset timeouts: the provider's consistency wait applies (a lag longer than
// the 2s above is waited out) and the null attribute plans clean.
func TestAccNamedLocation_defaultTimeout(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             nlDestroyed(tn),
		Steps: []resource.TestStep{{
			PreConfig: func() { tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 4*time.Second) },
			Config:    nlTimeoutsConfig(tn, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(nlAddr, tfjsonpath.New("timeouts"), knownvalue.Null()),
			},
		}, {
			PreConfig: func() { tn.Sim.ClearFaults() },
			Config:    nlTimeoutsConfig(tn, ""),
			PlanOnly:  true,
		}, {
			ResourceName:      nlAddr,
			ImportState:       true,
			ImportStateVerify: true,
		}},
	})
}
