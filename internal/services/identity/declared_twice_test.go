package identity_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Issue 10, item 6 (Graph): Graph lets conditional access policies and
// named locations share a display name; the provider refuses two blocks
// with one display_name (in any letter case) at plan time, before anything
// is created. Different names apply and plan again empty.
func TestAccConditionalAccessPolicy_declaredTwice(t *testing.T) {
	tn := acctest.NewTenant(t)
	ca := func(label, name, state string) string {
		return fmt.Sprintf(`
resource "m365harden_conditional_access_policy" %q {
  display_name = %q
  state        = %q
  conditions = {
    users = {
      include_users = ["All"]
    }
    applications = {
      include_applications = ["All"]
    }
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
}
`, label, name, state)
	}
	loc := func(label, name string) string {
		return fmt.Sprintf(`
resource "m365harden_named_location" %q {
  display_name = %q
  ip = {
    ip_ranges  = ["203.0.113.0/24"]
    is_trusted = true
  }
}
`, label, name)
	}
	good := tn.ProviderConfig() + ca("a", "Require MFA", "disabled") + ca("b", "Require MFA for admins", "disabled") + loc("a", "Office") + loc("b", "Branch")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      tn.ProviderConfig() + ca("a", "Require MFA", "disabled") + ca("b", "require mfa", "enabledForReportingButNotEnforced"),
				PlanOnly:    true,
				ExpectError: acctest.DeclaredTwice(`conditional access policy "`, "Another m365harden_conditional_access_policy block", "attribute display_name", "Give each block its own display_name"),
			},
			{
				Config:      tn.ProviderConfig() + loc("a", "Office") + loc("b", "OFFICE"),
				PlanOnly:    true,
				ExpectError: acctest.DeclaredTwice(`named location "`),
			},
			{Config: good},
			{Config: good, PlanOnly: true},
			{
				Config:      good + ca("c", "REQUIRE MFA FOR ADMINS", "disabled"),
				ExpectError: acctest.DeclaredTwice("conditional access policy"),
			},
		},
	})
	for path, want := range map[string]int{"/identity/conditionalAccess/policies": 2, "/identity/conditionalAccess/namedLocations": 2} {
		if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, "POST /v1.0"+path); n != want {
			t.Errorf("POST %s: %d requests, want %d (the different objects only)", path, n, want)
		}
	}
}
