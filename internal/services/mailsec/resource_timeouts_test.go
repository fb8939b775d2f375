package mailsec_test

import (
	"regexp"
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

// Exchange Online replication lag longer than the resource's timeouts: the
// first apply (adopting the singleton and turning SMTP AUTH off) ends with an
// error naming timeouts.create, the configuration stays in state (tainted)
// and the next apply converges; an update that outlasts timeouts.update ends
// the same way and the change shows at the next refresh. The timeouts
// attribute itself never plans a change on refresh.
func TestAccTransportConfig_timeouts(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Exchange(t, "Set-TransportConfig", map[string]any{"SmtpClientAuthenticationDisabled": false})
	created := transportConfig(tn, `  smtp_client_authentication_disabled = true
  timeouts = { create = "2s", update = "2s" }`)
	updated := transportConfig(tn, `  smtp_client_authentication_disabled   = true
  reply_all_storm_block_duration_hours = 12
  timeouts = { create = "2s", update = "2s" }`)
	lag := func() { tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 8*time.Second) }
	caughtUp := func() { tn.Sim.ClearFaults(); time.Sleep(8 * time.Second) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             objectIs(t, tn, "Get-TransportConfig", nil, map[string]any{"SmtpClientAuthenticationDisabled": true, "ReplyAllStormBlockDurationHours": 12}),
		Steps: []resource.TestStep{
			{
				PreConfig:   lag,
				Config:      created,
				ExpectError: regexp.MustCompile(`(?s)Changing the tenant's transport configuration failed.*within 2s \(the\s+timeouts\.create\s+timeout`),
			},
			{
				// The failed apply recorded the singleton: once the lag has
				// passed, the tainted resource is replaced (adopted again)
				// and nothing is left to write.
				PreConfig: caughtUp,
				Config:    created,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(transportAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(transportAddr, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("2s")),
					statecheck.ExpectKnownValue(transportAddr, tfjsonpath.New("smtp_client_authentication_disabled"), knownvalue.Bool(true)),
				},
				Check: objectIs(t, tn, "Get-TransportConfig", nil, map[string]any{"SmtpClientAuthenticationDisabled": true}),
			},
			{Config: created, PlanOnly: true}, // refresh keeps timeouts: no diff
			{
				PreConfig:   lag,
				Config:      updated,
				ExpectError: regexp.MustCompile(`(?s)Changing the tenant's transport configuration failed.*within 2s \(the\s+timeouts\.update\s+timeout`),
			},
			{
				// The write went through; once it has replicated the refresh
				// shows it and the plan is empty.
				PreConfig:        caughtUp,
				Config:           updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            objectIs(t, tn, "Get-TransportConfig", nil, map[string]any{"ReplyAllStormBlockDurationHours": 12}),
			},
			{
				// Import can't know the configuration's timeouts, so only
				// that attribute is left out of the comparison.
				ResourceName: transportAddr, ImportState: true, ImportStateId: m365sim.DemoTenantID,
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}
