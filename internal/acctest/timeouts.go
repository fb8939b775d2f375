package acctest

import (
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// TimeoutsCase is the standard acceptance test of a resource's timeouts
// attribute against replication lag (Steps). Both configurations set
// `timeouts = { create = "2s", update = "2s" }`; m365sim delays what
// writes show by 8s.
type TimeoutsCase struct {
	Tenant   *Tenant
	Endpoint string // the m365sim endpoint family whose writes lag
	Address  string // the resource's address
	// Create is the first configuration; Update changes a setting of it.
	Create, Update string
	// CreateError and UpdateError match the errors of the timed-out apply.
	CreateError, UpdateError *regexp.Regexp
	// Created and Updated check the tenant once the apply has converged.
	Created, Updated resource.TestCheckFunc
	// ImportID imports the resource.
	ImportID string
}

// Steps: a create whose wait outlasts timeouts.create fails with CreateError
// and leaves the resource in state (tainted): once the lag has passed the
// next apply replaces it and the tenant is as configured. A refresh keeps
// the configured timeouts (no diff). An update whose wait outlasts
// timeouts.update fails with UpdateError; once the lag has passed the
// refresh shows the change and the plan is empty. An import verifies every
// attribute but timeouts, which an import can't know.
func (c TimeoutsCase) Steps() []resource.TestStep {
	const lag = 8 * time.Second
	lagging := func() { c.Tenant.Sim.SetReplicationLag(c.Endpoint, lag) }
	caughtUp := func() { c.Tenant.Sim.ClearFaults(); time.Sleep(lag) }
	empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	return []resource.TestStep{
		{PreConfig: lagging, Config: c.Create, ExpectError: c.CreateError},
		{
			PreConfig: caughtUp,
			Config:    c.Create,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(c.Address, plancheck.ResourceActionDestroyBeforeCreate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(c.Address, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("2s")),
			},
			Check: c.Created,
		},
		{Config: c.Create, PlanOnly: true},
		{PreConfig: lagging, Config: c.Update, ExpectError: c.UpdateError},
		{PreConfig: caughtUp, Config: c.Update, ConfigPlanChecks: empty, Check: c.Updated},
		{
			ResourceName: c.Address, ImportState: true, ImportStateId: c.ImportID,
			ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
		},
	}
}
