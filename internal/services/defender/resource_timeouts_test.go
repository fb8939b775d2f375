package defender_test

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

const apTimeoutsAddr = "m365harden_anti_phish_policy.p"

func apTimeoutsConfig(tn *acctest.Tenant, level int) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_anti_phish_policy" "p" {
  name                  = "Executives"
  phish_threshold_level = %d
  timeouts = { create = "2s", update = "2s" }
}
`, level)
}

// Exchange Online replication lag longer than the resource's timeouts (the
// shared code of the anti-phishing, Safe Links and Safe Attachments
// policies): a create ends with an error naming timeouts.create, the new
// policy is in state (tainted) and the next apply replaces it, one policy
// and never two; an update that outlasts timeouts.update ends the same way
// and shows at the next refresh. The timeouts attribute never plans a
// change on refresh.
func TestAccAntiPhishPolicy_timeouts(t *testing.T) {
	tn := acctest.NewTenant(t)
	lag := func() { tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 8*time.Second) }
	caughtUp := func() { tn.Sim.ClearFaults(); time.Sleep(8 * time.Second) }
	onePolicy := func(level int) resource.TestCheckFunc {
		return resource.ComposeTestCheckFunc(
			exchangeObjectIs(tn, "Get-AntiPhishPolicy", "Executives", map[string]any{"PhishThresholdLevel": level}),
			func(*terraform.State) error {
				n := 0
				for _, o := range tn.Sim.Tenant(tn.ID).Store.List("AntiPhishPolicy") {
					if fmt.Sprint(o["Name"]) == "Executives" {
						n++
					}
				}
				if n != 1 {
					return fmt.Errorf("%d anti-phishing policies named Executives in the tenant, want 1", n)
				}
				return nil
			})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             exchangeObjectIs(tn, "Get-AntiPhishPolicy", "Executives", nil),
		Steps: []resource.TestStep{
			{
				PreConfig:   lag,
				Config:      apTimeoutsConfig(tn, 3),
				ExpectError: regexp.MustCompile(`(?s)was created \(and is recorded in state\).*within 2s \(the\s+timeouts\.create\s+timeout`),
			},
			{
				PreConfig: caughtUp,
				Config:    apTimeoutsConfig(tn, 3),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(apTimeoutsAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(apTimeoutsAddr, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("2s")),
				},
				Check: onePolicy(3),
			},
			{Config: apTimeoutsConfig(tn, 3), PlanOnly: true}, // refresh keeps timeouts: no diff
			{
				PreConfig:   lag,
				Config:      apTimeoutsConfig(tn, 4),
				ExpectError: regexp.MustCompile(`(?s)Updating anti-phishing policy "Executives" failed.*within 2s \(the\s+timeouts\.update\s+timeout`),
			},
			{
				// Set-AntiPhishPolicy went through; once it has replicated
				// the refresh shows it and the plan is empty.
				PreConfig:        caughtUp,
				Config:           apTimeoutsConfig(tn, 4),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            onePolicy(4),
			},
			{
				// Import can't know the configuration's timeouts, so only
				// that attribute is left out of the comparison.
				ResourceName: apTimeoutsAddr, ImportState: true, ImportStateId: "Executives",
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}
