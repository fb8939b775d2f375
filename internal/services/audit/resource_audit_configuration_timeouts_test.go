package audit_test

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

// A singleton whose Set-AdminAuditLogConfig outlasts timeouts.create, then
// timeouts.update: each apply fails naming the timeout, state holds what
// Exchange shows, and once replication catches up the next apply
// converges. An import with timeouts configured plans a change of timeouts
// alone, which sends Exchange nothing.
func TestAccAuditConfiguration_timeouts(t *testing.T) {
	tn := acctest.NewTenant(t)
	lag := func() { tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 6*time.Second) }
	settle := func() { tn.Sim.ClearFaults(); time.Sleep(6 * time.Second) }
	off := acctest.WithTimeouts(auditConfig(tn, true, false), `{ create = "2s" }`)
	on := acctest.WithTimeouts(auditConfig(tn, true, true), `{ create = "2s", update = "2s" }`)
	var writes int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             tenantAudit(t, tn, false, true),
		Steps: []resource.TestStep{
			{
				PreConfig:   lag,
				Config:      off,
				ExpectError: acctest.TimeoutError(`Changing the tenant's audit configuration failed`, "create"),
			},
			{
				// In state (tainted, as Exchange showed it then): the next
				// apply adopts the singleton again with nothing left to send.
				PreConfig: settle,
				Config:    off,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(auditConfigAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: tenantAudit(t, tn, false, false),
			},
			{
				PreConfig:   lag,
				Config:      on,
				ExpectError: acctest.TimeoutError(`Changing the tenant's audit configuration failed`, "update"),
			},
			{
				PreConfig: settle,
				Config:    on,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(auditConfigAddr, tfjsonpath.New("unified_audit_log_ingestion_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(auditConfigAddr, tfjsonpath.New("timeouts").AtMapKey("update"), knownvalue.StringExact("2s")),
				},
				Check: tenantAudit(t, tn, false, true),
			},
			{RefreshState: true},
			{
				Config: on, ResourceName: auditConfigAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:      m365sim.DemoTenantID,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks:   resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{acctest.OnlyTimeoutsChange(auditConfigAddr)}},
			},
			{
				PreConfig: func() { writes = acctest.Writes(tn.Sim, m365sim.EndpointExchange) },
				Config:    acctest.WithTimeouts(auditConfig(tn, true, true), `{ create = "2s", update = "10m" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					acctest.OnlyTimeoutsChange(auditConfigAddr),
				}},
				Check: acctest.NoWrites(tn.Sim, m365sim.EndpointExchange, &writes),
			},
		},
	})
}
