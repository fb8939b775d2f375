package audit_test

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

// Security & Compliance replication lag longer than timeouts.create: the
// wait ends with an error naming the timeout and the policy is kept in state
// (tainted), so the next apply replaces it instead of failing on "already
// exists".
func TestAccAuditLogRetentionPolicy_createTimeout(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := retentionConfig(tn, "TwelveMonths", 100, `  timeouts = { create = "2s" }`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             retentionGone(tn, t),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { tn.Sim.SetReplicationLag(m365sim.EndpointCompliance, 8*time.Second) },
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)was created \(and is recorded in state\).*within 2s \(the\s+timeouts\.create\s+timeout`),
			},
			{
				PreConfig: func() { tn.Sim.ClearFaults(); time.Sleep(8 * time.Second) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(retentionAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(retentionAddr, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("2s")),
				},
				Check: tenantRetention(t, tn, "TwelveMonths", 100),
			},
		},
	})
}

// Unset timeouts: the provider's consistency wait applies and waits out a
// lag longer than the 2s above; the null attribute plans clean.
func TestAccAuditLogRetentionPolicy_defaultTimeout(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := retentionConfig(tn, "TwelveMonths", 100, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             retentionGone(tn, t),
		Steps: []resource.TestStep{{
			PreConfig: func() { tn.Sim.SetReplicationLag(m365sim.EndpointCompliance, 4*time.Second) },
			Config:    cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(retentionAddr, tfjsonpath.New("timeouts"), knownvalue.Null()),
			},
			Check: tenantRetention(t, tn, "TwelveMonths", 100),
		}, {
			PreConfig: func() { tn.Sim.ClearFaults() },
			Config:    cfg,
			PlanOnly:  true,
		}},
	})
}
