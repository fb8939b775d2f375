package mailflow_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

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

// Exchange Online replication lag longer than the resource's timeouts
// (acctest.TimeoutsCase): a create fails naming timeouts.create, the new
// policy is in state and the next apply replaces it, one policy and never
// two; an update that outlasts timeouts.update shows at the next refresh.
func TestAccOutboundSpamFilterPolicy_timeouts(t *testing.T) {
	tn := acctest.NewTenant(t)
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
		Steps: acctest.TimeoutsCase{
			Tenant: tn, Endpoint: m365sim.EndpointExchange, Address: forwardersPolicyAddr, ImportID: "Forwarders",
			Create:      forwardersTimeoutsConfig(tn, "On"),
			Update:      forwardersTimeoutsConfig(tn, "Off"),
			CreateError: regexp.MustCompile(`(?s)was created \(and is recorded in state\).*within 2s \(the\s+timeouts\.create\s+timeout`),
			UpdateError: regexp.MustCompile(`(?s)Updating outbound spam filter policy "Forwarders" failed.*within 2s \(the\s+timeouts\.update\s+timeout`),
			Created:     onePolicy("On"),
			Updated:     onePolicy("Off"),
		}.Steps(),
	})
}
