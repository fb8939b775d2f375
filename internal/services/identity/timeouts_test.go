package identity_test

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

// Graph replication lag longer than timeouts.create: the wait ends with an
// error naming the timeout, the policy stays in state (tainted), and the
// next apply replaces it: one policy, never two. Refresh keeps the
// timeouts; an import with timeouts configured plans a change of timeouts
// alone, and applying a change of timeouts alone sends Graph nothing.
func TestAccConditionalAccessPolicy_timeouts(t *testing.T) {
	tn := newTenantWithoutSecurityDefaults(t)
	cfg := acctest.WithTimeouts(mfaConfig(tn, "enabled", "[]"), `{ create = "2s" }`)
	var writes int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             caDestroyed(tn),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 6*time.Second) },
				Config:      cfg,
				ExpectError: acctest.TimeoutError(`was created but reads do not show it yet`, "create"),
			},
			{
				PreConfig: func() { tn.Sim.ClearFaults(); time.Sleep(6 * time.Second) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(caAddr, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("2s")),
				},
				Check: exactlyPolicies(tn, 1),
			},
			{RefreshState: true, Check: exactlyPolicies(tn, 1)},
			{
				Config: cfg, ResourceName: caAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks:   resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{acctest.OnlyTimeoutsChange(caAddr)}},
			},
			{
				PreConfig: func() { writes = acctest.Writes(tn.Sim, m365sim.EndpointGraph) },
				Config:    acctest.WithTimeouts(mfaConfig(tn, "enabled", "[]"), `{ create = "2s", update = "10m" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionUpdate),
					acctest.OnlyTimeoutsChange(caAddr),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(caAddr, tfjsonpath.New("timeouts").AtMapKey("update"), knownvalue.StringExact("10m")),
				},
				Check: resource.ComposeTestCheckFunc(acctest.NoWrites(tn.Sim, m365sim.EndpointGraph, &writes), exactlyPolicies(tn, 1)),
			},
		},
	})
}

// A singleton: the PATCH outlasts timeouts.create, then timeouts.update;
// each time the apply fails naming the timeout, state holds what Graph
// shows, and once replication catches up the next apply converges.
func TestAccSecurityDefaults_timeouts(t *testing.T) {
	tn := acctest.NewTenant(t)
	lag := func() { tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 6*time.Second) }
	settle := func() { tn.Sim.ClearFaults(); time.Sleep(6 * time.Second) }
	off := acctest.WithTimeouts(sdConfig(tn, false), `{ create = "2s" }`)
	on := acctest.WithTimeouts(sdConfig(tn, true), `{ create = "2s", update = "2s" }`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             tenantSecurityDefaults(t, tn, true),
		Steps: []resource.TestStep{
			{
				PreConfig:   lag,
				Config:      off,
				ExpectError: acctest.TimeoutError(`Security defaults were set to enabled = false but reads do not show\s+it`, "create"),
			},
			{
				// In state (tainted, as Graph showed it then): the next apply
				// adopts the singleton again, with nothing left to send.
				PreConfig: settle,
				Config:    off,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(sdAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: tenantSecurityDefaults(t, tn, false),
			},
			{
				PreConfig:   lag,
				Config:      on,
				ExpectError: acctest.TimeoutError(`Security defaults were set to enabled = true but reads do not show\s+it`, "update"),
			},
			{
				// The change reached the tenant: after replication the plan
				// is empty.
				PreConfig: settle,
				Config:    on,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sdAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(sdAddr, tfjsonpath.New("timeouts").AtMapKey("update"), knownvalue.StringExact("2s")),
				},
				Check: tenantSecurityDefaults(t, tn, true),
			},
			{
				Config: on, ResourceName: sdAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:      tn.ID,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks:   resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{acctest.OnlyTimeoutsChange(sdAddr)}},
			},
		},
	})
}
