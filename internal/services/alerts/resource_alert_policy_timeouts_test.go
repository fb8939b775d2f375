package alerts_test

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Security & Compliance replication lag longer than timeouts.create: the
// wait ends with an error naming the timeout, the policy is kept in state
// (tainted) and the next apply replaces it instead of failing on "already
// exists". Refresh keeps the timeouts; an import with timeouts configured
// plans a change of timeouts alone, which sends the service nothing.
func TestAccAlertPolicy_timeouts(t *testing.T) {
	tn := acctest.NewTenant(t)
	name := "Forwarding inbox rule created"
	cfg := acctest.WithTimeouts(alertConfig(tn, alertBasic), `{ create = "2s" }`)
	var writes int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             alertDestroyed(t, tn, name),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { tn.Sim.SetReplicationLag(m365sim.EndpointCompliance, 6*time.Second) },
				Config:      cfg,
				ExpectError: acctest.TimeoutError(`was created \(and is recorded in state\)`, "create"),
			},
			{
				PreConfig: func() { tn.Sim.ClearFaults(); time.Sleep(6 * time.Second) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(alertAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("2s")),
				},
				Check: checkTenantAlert(t, tn, name, map[string]any{"Operation": "[New-InboxRule]"}),
			},
			{RefreshState: true},
			{
				Config: cfg, ResourceName: alertAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks:   resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{acctest.OnlyTimeoutsChange(alertAddr)}},
			},
			{
				PreConfig: func() { writes = acctest.Writes(tn.Sim, m365sim.EndpointCompliance) },
				Config:    acctest.WithTimeouts(alertConfig(tn, alertBasic), `{ create = "2s", update = "10m" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					acctest.OnlyTimeoutsChange(alertAddr),
				}},
				Check: acctest.NoWrites(tn.Sim, m365sim.EndpointCompliance, &writes),
			},
		},
	})
}
