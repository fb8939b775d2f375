package identity_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
)

// enforcementConfig orders security defaults and an MFA policy the way a
// baseline must in both directions: turning enforcement on, security
// defaults go off before the policy is enabled ("off" is a dependency of the
// policy); turning it off, the policy goes back to report-only before
// security defaults come on ("on" depends on the policy). Destroying either
// security defaults instance leaves the tenant as it is.
func enforcementConfig(tn *acctest.Tenant, enforce bool) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
locals {
  enforce = %t
}

resource "m365harden_security_defaults" "off" {
  count   = local.enforce ? 1 : 0
  enabled = false
}

resource "m365harden_conditional_access_policy" "mfa" {
  display_name = "Require MFA for all users"
  state        = local.enforce ? "enabled" : "enabledForReportingButNotEnforced"
  conditions = {
    users = {
      include_users = ["All"]
      exclude_users = [%q]
    }
    applications = { include_applications = ["All"] }
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
  depends_on = [m365harden_security_defaults.off]
}

resource "m365harden_security_defaults" "on" {
  count      = local.enforce ? 0 : 1
  enabled    = true
  depends_on = [m365harden_conditional_access_policy.mfa]
}
`, enforce, breakGlass)
}

func tenantPolicyState(t *testing.T, tn *acctest.Tenant, want string) resource.TestCheckFunc {
	return tenantPolicy(t, tn, func(p map[string]any) error {
		if p["state"] != want {
			return fmt.Errorf("policy state %v, want %s", p["state"], want)
		}
		return nil
	})
}

// From a tenant with security defaults on (as every new tenant has), the
// ordered configuration enforces the policy and goes back, both ways
// without Graph's refusal.
func TestAccSecurityDefaults_conditionalAccessTransitions(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             caDestroyed(tn),
		Steps: []resource.TestStep{
			{
				Config: enforcementConfig(tn, false),
				Check: resource.ComposeTestCheckFunc(tenantSecurityDefaults(t, tn, true),
					tenantPolicyState(t, tn, "enabledForReportingButNotEnforced")),
			},
			{ // turn enforcement on: security defaults off first, then the policy
				Config: enforcementConfig(tn, true),
				Check: resource.ComposeTestCheckFunc(tenantSecurityDefaults(t, tn, false),
					tenantPolicyState(t, tn, "enabled")),
			},
			{Config: enforcementConfig(tn, true), PlanOnly: true},
			{ // and off again: the policy to report-only first, then security defaults on
				Config: enforcementConfig(tn, false),
				Check: resource.ComposeTestCheckFunc(tenantSecurityDefaults(t, tn, true),
					tenantPolicyState(t, tn, "enabledForReportingButNotEnforced")),
			},
			{Config: enforcementConfig(tn, false), PlanOnly: true},
		},
	})
}

// Without the ordering, both directions fail with an error that names the
// conflict and the fix.
func TestAccSecurityDefaults_conditionalAccessConflict(t *testing.T) {
	tn := acctest.NewTenant(t)
	policy := func(state, deps string) string {
		return fmt.Sprintf(`
resource "m365harden_conditional_access_policy" "mfa" {
  display_name = "Require MFA for all users"
  state        = %q
  conditions = {
    users        = { include_users = ["All"], exclude_users = [%q] }
    applications = { include_applications = ["All"] }
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
  depends_on = %s
}
`, state, breakGlass, deps)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             caDestroyed(tn),
		Steps: []resource.TestStep{
			{ // an enabled policy while security defaults are on
				Config:      tn.ProviderConfig() + policy("enabled", "[]"),
				ExpectError: wrapped(`Security defaults are on in the tenant.*m365harden_security_defaults.*depends_on.*Security Defaults is enabled in the tenant`),
			},
			{ // nothing was created
				Config: tn.ProviderConfig() + policy("enabledForReportingButNotEnforced", "[]"),
				Check: func(*terraform.State) error {
					if n := len(tn.Sim.Tenant(tn.ID).Store.List("conditionalAccessPolicy")); n != 1 {
						return fmt.Errorf("%d policies, want 1", n)
					}
					return nil
				},
			},
			{ // security defaults off first, then the policy enabled
				Config: tn.ProviderConfig() + policy("enabled", "[m365harden_security_defaults.this]") + `
resource "m365harden_security_defaults" "this" {
  enabled = false
}
`,
				Check: resource.ComposeTestCheckFunc(tenantSecurityDefaults(t, tn, false), tenantPolicyState(t, tn, "enabled")),
			},
			{ // turning security defaults on while the policy is enabled
				Config: tn.ProviderConfig() + policy("enabled", "[]") + `
resource "m365harden_security_defaults" "this" {
  enabled = true
}
`,
				ExpectError: wrapped(`enabled conditional access policies.*state = "disabled".*depends_on.*prevents you from enabling Security defaults`),
			},
		},
	})
}

// wrapped matches a message Terraform may have wrapped over lines.
func wrapped(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
}
