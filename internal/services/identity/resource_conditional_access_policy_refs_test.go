package identity_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
)

// A policy may use the tenant's own authentication strength and named
// locations; a location ID the tenant does not have is Graph's 400.
func TestAccConditionalAccessPolicy_customStrengthAndLocations(t *testing.T) {
	tn := newTenantWithoutSecurityDefaults(t)
	cfg := func(location string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_authentication_strength_policy" "fido2" {
  display_name         = "FIDO2 security keys"
  allowed_combinations = ["fido2"]
}

resource "m365harden_named_location" "home" {
  display_name = "Home countries"
  country = {
    countries_and_regions = ["DE", "FR"]
  }
}

resource "m365harden_conditional_access_policy" "admins" {
  display_name = "Admins: FIDO2 from outside home"
  state        = "enabledForReportingButNotEnforced"
  conditions = {
    users        = { include_roles = ["62e90394-69f5-4237-9190-012177145e10"] }
    applications = { include_applications = ["All"] }
    locations = {
      include_locations = ["All"]
      exclude_locations = [%s]
    }
  }
  grant_controls = {
    operator                   = "OR"
    authentication_strength_id = m365harden_authentication_strength_policy.fido2.id
  }
}
`, location)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg("m365harden_named_location.home.id"),
				Check: func(s *terraform.State) error {
					id := s.RootModule().Resources["m365harden_conditional_access_policy.admins"].Primary.ID
					code, p := graphJSON(t, tn, "GET", caPath+"/"+id, nil)
					as := asMap(asMap(p["grantControls"])["authenticationStrength"])
					if code != 200 || as["policyType"] != "custom" || as["displayName"] != "FIDO2 security keys" {
						return fmt.Errorf("policy %d %v", code, p)
					}
					return nil
				},
			},
			{
				// The real location stays in the list so that the policy keeps its
				// dependency on it: after this failed apply, destroy must still
				// delete the policy before the location (Graph refuses to delete a
				// location a policy names).
				Config:      cfg(`m365harden_named_location.home.id, "0b4f3c6e-1234-4567-89ab-cdef01234567"`),
				ExpectError: regexp.MustCompile(`(?s)1040: NamedLocation with id\s+0b4f3c6e-1234-4567-89ab-cdef01234567\s+does\s+not\s+exist`),
			},
		},
	})
}
