package mailflow_test

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

func forwardersTimeoutsConfig(tn *acctest.Tenant, mode string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_outbound_spam_filter_policy" "forwarders" {
  name                 = "Forwarders"
  auto_forwarding_mode = %q
  timeouts = { create = "2s", update = "2s" }
}
`, mode)
}

// Exchange Online replication lag longer than the resource's timeouts: a
// create ends with an error naming timeouts.create, the new policy is in
// state (tainted) and the next apply replaces it, one policy and never two;
// an update that outlasts timeouts.update ends the same way and shows at
// the next refresh. The timeouts attribute never plans a change on refresh.
func TestAccOutboundSpamFilterPolicy_timeouts(t *testing.T) {
	tn := acctest.NewTenant(t)
	lag := func() { tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 8*time.Second) }
	caughtUp := func() { tn.Sim.ClearFaults(); time.Sleep(8 * time.Second) }
	onePolicy := func(mode string) resource.TestCheckFunc {
		return resource.ComposeTestCheckFunc(
			exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Forwarders", map[string]any{"AutoForwardingMode": mode}),
			func(*terraform.State) error {
				if n := len(tn.Sim.Tenant(tn.ID).Store.List("HostedOutboundSpamFilterPolicy")); n != 2 {
					return fmt.Errorf("%d outbound spam filter policies in the tenant, want 2 (Default and Forwarders)", n)
				}
				return nil
			})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Forwarders", nil),
		Steps: []resource.TestStep{
			{
				PreConfig:   lag,
				Config:      forwardersTimeoutsConfig(tn, "On"),
				ExpectError: regexp.MustCompile(`(?s)was created \(and is recorded in state\).*within 2s \(the\s+timeouts\.create\s+timeout`),
			},
			{
				PreConfig: caughtUp,
				Config:    forwardersTimeoutsConfig(tn, "On"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(forwardersPolicyAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(forwardersPolicyAddr, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("2s")),
				},
				Check: onePolicy("On"),
			},
			{Config: forwardersTimeoutsConfig(tn, "On"), PlanOnly: true}, // refresh keeps timeouts: no diff
			{
				PreConfig:   lag,
				Config:      forwardersTimeoutsConfig(tn, "Off"),
				ExpectError: regexp.MustCompile(`(?s)Updating outbound spam filter policy "Forwarders" failed.*within 2s \(the\s+timeouts\.update\s+timeout`),
			},
			{
				// Set-HostedOutboundSpamFilterPolicy went through; once it
				// has replicated the refresh shows it and the plan is empty.
				PreConfig:        caughtUp,
				Config:           forwardersTimeoutsConfig(tn, "Off"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            onePolicy("Off"),
			},
			{
				// Import can't know the configuration's timeouts, so only
				// that attribute is left out of the comparison.
				ResourceName: forwardersPolicyAddr, ImportState: true, ImportStateId: "Forwarders",
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}
