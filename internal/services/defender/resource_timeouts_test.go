package defender_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func apTimeoutsConfig(tn *acctest.Tenant, level int) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_anti_phish_policy" "p" {
  name                  = "Executives"
  phish_threshold_level = %d
  timeouts = { create = "2s", update = "2s" }
}
`, level)
}

// Exchange Online replication lag longer than the resource's timeouts
// (acctest.TimeoutsCase) on the code the anti-phishing, Safe Links and Safe
// Attachments policies share: a create fails naming timeouts.create, the
// new policy is in state and the next apply replaces it, one policy and
// never two; an update that outlasts timeouts.update shows at the next
// refresh.
func TestAccAntiPhishPolicy_timeouts(t *testing.T) {
	tn := acctest.NewTenant(t)
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
		Steps: acctest.TimeoutsCase{
			Tenant: tn, Endpoint: m365sim.EndpointExchange, Address: "m365harden_anti_phish_policy.p", ImportID: "Executives",
			Create:      apTimeoutsConfig(tn, 3),
			Update:      apTimeoutsConfig(tn, 4),
			CreateError: regexp.MustCompile(`(?s)was created \(and is recorded in state\).*within 2s \(the\s+timeouts\.create\s+timeout`),
			UpdateError: regexp.MustCompile(`(?s)Updating anti-phishing policy "Executives" failed.*within 2s \(the\s+timeouts\.update\s+timeout`),
			Created:     onePolicy(3),
			Updated:     onePolicy(4),
		}.Steps(),
	})
}

func apRuleTimeoutsConfig(tn *acctest.Tenant, enabled bool) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_anti_phish_policy" "execs" {
  name                  = "Executives"
  phish_threshold_level = 3
}

resource "m365harden_anti_phish_rule" "execs" {
  name                = "Executives"
  policy              = m365harden_anti_phish_policy.execs.name
  recipient_domain_is = ["contoso.com"]
  enabled             = %t
  timeouts = { create = "2s", update = "2s" }
}
`, enabled)
}

// The same on the code the anti-phishing, Safe Links and Safe Attachments
// rules share. The policy has no timeouts: its create waits the lag out
// with the provider's default.
func TestAccAntiPhishRule_timeouts(t *testing.T) {
	tn := acctest.NewTenant(t)
	ruleIs := func(state string) resource.TestCheckFunc {
		return exchangeObjectIs(tn, "Get-AntiPhishRule", "Executives", map[string]any{"State": state, "AntiPhishPolicy": "Executives"})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             exchangeObjectIs(tn, "Get-AntiPhishRule", "Executives", nil),
		Steps: acctest.TimeoutsCase{
			Tenant: tn, Endpoint: m365sim.EndpointExchange, Address: apRuleAddr, ImportID: "Executives",
			Create:      apRuleTimeoutsConfig(tn, true),
			Update:      apRuleTimeoutsConfig(tn, false),
			CreateError: regexp.MustCompile(`(?s)was created \(and is recorded in state\).*within 2s \(the\s+timeouts\.create\s+timeout`),
			UpdateError: regexp.MustCompile(`(?s)Updating anti-phishing rule "Executives" failed.*within 2s \(the\s+timeouts\.update\s+timeout`),
			Created:     ruleIs("Enabled"),
			Updated:     ruleIs("Disabled"),
		}.Steps(),
	})
}
