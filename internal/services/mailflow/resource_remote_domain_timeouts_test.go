package mailflow_test

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

// A create whose replication lag outlasts timeouts.create ends the wait with
// an error naming the timeout; the remote domain is kept in state (tainted,
// so the next apply replaces it rather than creating a second one).
func TestAccRemoteDomain_createTimeout(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             remoteDomainIs(tn, "Partner", nil),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 8*time.Second) },
				Config: partnerConfig(tn, "Partner", "partner.example", `  auto_forward_enabled = false
  timeouts = { create = "2s" }`),
				ExpectError: regexp.MustCompile(`(?s)was created \(and is recorded in state\).*within 2s \(the timeouts\.create\s+timeout`),
			},
			{
				// Once the lag has passed, the refresh finds the domain
				// the failed apply recorded.
				PreConfig: func() { tn.Sim.ClearFaults(); time.Sleep(8 * time.Second) },
				Config: partnerConfig(tn, "Partner", "partner.example", `  auto_forward_enabled = false
  timeouts = { create = "2s" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("2s")),
				},
				Check: remoteDomainIs(tn, "Partner", map[string]any{"AutoForwardEnabled": false}),
			},
		},
	})
}

// Without a timeouts attribute the provider's consistency wait applies: a
// lag of a few seconds (longer than the short timeout above) is waited out,
// and the null attribute plans clean.
func TestAccRemoteDomain_defaultTimeout(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             remoteDomainIs(tn, "Partner", nil),
		Steps: []resource.TestStep{{
			PreConfig: func() { tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 4*time.Second) },
			Config:    partnerConfig(tn, "Partner", "partner.example", `  auto_forward_enabled = false`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("timeouts"), knownvalue.Null()),
			},
			Check: remoteDomainIs(tn, "Partner", map[string]any{"AutoForwardEnabled": false}),
		}, {
			PreConfig: func() { tn.Sim.ClearFaults() },
			Config:    partnerConfig(tn, "Partner", "partner.example", `  auto_forward_enabled = false`),
			PlanOnly:  true,
		}},
	})
}
