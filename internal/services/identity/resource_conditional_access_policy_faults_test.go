package identity_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func exactlyPolicies(tn *acctest.Tenant, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := len(tn.Sim.Tenant(tn.ID).Store.ListLatest("conditionalAccessPolicy")); n != want {
			return fmt.Errorf("%d conditional access policies in the tenant, want %d", n, want)
		}
		return nil
	}
}

// "Applied, then failed": the service creates the policy and the answer is
// replaced by a 503 or the connection is dropped. The provider never sends
// the POST again; it finds the policy by name and adopts it: exactly one
// policy, in state, and the next plan is empty.
func TestAccConditionalAccessPolicy_appliedThenFailed(t *testing.T) {
	for _, mode := range []string{"", "drop"} {
		t.Run("mode="+mode, func(t *testing.T) {
			tn := acctest.NewTenant(t)
			cfg := mfaConfig(tn, "enabledForReportingButNotEnforced", fmt.Sprintf("[%q]", breakGlass))
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				CheckDestroy:             caDestroyed(tn),
				Steps: []resource.TestStep{
					{
						PreConfig: func() {
							tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Method: "POST", Match: "/v1.0" + caPath, Status: 503, Mode: mode, AfterApply: true, Times: 1})
							tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 2*time.Second)
						},
						Config: cfg,
						Check: resource.ComposeTestCheckFunc(
							exactlyPolicies(tn, 1),
							func(s *terraform.State) error {
								if n := tn.Sim.Stats().AfterApply(m365sim.EndpointGraph); n != 1 {
									return fmt.Errorf("%d applied-then-failed answers, want 1: the fault did not fire", n)
								}
								if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, "POST /v1.0"+caPath); n != 1 {
									return fmt.Errorf("%d POSTs, want 1", n)
								}
								return tenantPolicy(t, tn, func(map[string]any) error { return nil })(s)
							},
						),
					},
					{Config: cfg, PlanOnly: true},
				},
			})
		})
	}
}

// A policy with the same name already in the tenant is not duplicated: the
// error says how to import it.
func TestAccConditionalAccessPolicy_duplicateNameRefused(t *testing.T) {
	tn := acctest.NewTenant(t)
	var existing string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				code, out := graphJSON(t, tn, "POST", caPath, map[string]any{
					"displayName": "require mfa for ALL users", "state": "disabled",
					"conditions": map[string]any{
						"clientAppTypes": []string{"all"},
						"users":          map[string]any{"includeUsers": []string{"All"}},
						"applications":   map[string]any{"includeApplications": []string{"All"}},
					},
					"grantControls": map[string]any{"operator": "OR", "builtInControls": []string{"mfa"}},
				})
				if code != 201 {
					t.Fatalf("out-of-band POST: %d %v", code, out)
				}
				existing = asString(out["id"])
			},
			Config:      mfaConfig(tn, "enabledForReportingButNotEnforced", "[]"),
			ExpectError: regexp.MustCompile(`(?s)already has a conditional access policy named.*terraform\s+import`),
			Check:       exactlyPolicies(tn, 1),
		}},
	})
	if existing == "" {
		t.Fatal("the out-of-band policy was not created")
	}
	if n := len(tn.Sim.Tenant(tn.ID).Store.ListLatest("conditionalAccessPolicy")); n != 1 {
		t.Fatalf("%d policies, want 1", n)
	}
}
