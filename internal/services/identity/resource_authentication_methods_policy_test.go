package identity_test

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

const (
	ampAddr = "m365harden_authentication_methods_policy.this"
	ampPath = "/policies/authenticationMethodsPolicy"
	amGroup = "5bd63a5a-4f6a-4b9d-9c5e-2f0e8f7c1a01"
)

func ampConfig(tn *acctest.Tenant, body string) string {
	return tn.ProviderConfig() + "resource \"m365harden_authentication_methods_policy\" \"this\" {\n" + body + "\n}\n"
}

func tenantAuthMethods(t *testing.T, tn *acctest.Tenant, check func(p, campaign map[string]any) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		code, p := graphJSON(t, tn, "GET", ampPath, nil)
		if code != 200 {
			return fmt.Errorf("GET authentication methods policy: %d %v", code, p)
		}
		return check(p, asMap(asMap(p["registrationEnforcement"])["authenticationMethodsRegistrationCampaign"]))
	}
}

func TestAccAuthenticationMethodsPolicy_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	campaign := fmt.Sprintf(`
  policy_migration_state = "migrationComplete"
  registration_campaign = {
    state                   = "enabled"
    snooze_duration_in_days = 3
    include_targets         = [{ id = "all_users" }]
    exclude_targets         = [{ id = %q }]
  }
`, amGroup)
	cleared := `
  policy_migration_state = "migrationComplete"
  registration_campaign = {
    state           = "enabled"
    exclude_targets = []
  }
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		// Destroy leaves the policy as it is.
		CheckDestroy: tenantAuthMethods(t, tn, func(p, c map[string]any) error {
			if p["policyMigrationState"] != "migrationComplete" || c["state"] != "enabled" {
				return fmt.Errorf("destroy changed the policy: %v", p)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{ // adopt with nothing set: everything read, nothing sent
				Config: ampConfig(tn, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ampAddr, tfjsonpath.New("id"), knownvalue.StringExact("authenticationMethodsPolicy")),
					statecheck.ExpectKnownValue(ampAddr, tfjsonpath.New("policy_migration_state"), knownvalue.StringExact("preMigration")),
					statecheck.ExpectKnownValue(ampAddr, tfjsonpath.New("registration_campaign").AtMapKey("state"), knownvalue.StringExact("default")),
					statecheck.ExpectKnownValue(ampAddr, tfjsonpath.New("registration_campaign").AtMapKey("include_targets"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"id": knownvalue.StringExact("all_users"), "target_type": knownvalue.StringExact("group"), "targeted_authentication_method": knownvalue.StringExact("microsoftAuthenticator")}),
					})),
				},
				Check: func(*terraform.State) error {
					if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, "PATCH /v1.0"+ampPath); n != 0 {
						return fmt.Errorf("adopting with nothing set sent %d PATCHes", n)
					}
					return nil
				},
			},
			{ // update in place: migration complete, campaign on
				Config: ampConfig(tn, campaign),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ampAddr, plancheck.ResourceActionUpdate),
				}},
				Check: tenantAuthMethods(t, tn, func(p, c map[string]any) error {
					if p["policyMigrationState"] != "migrationComplete" || c["state"] != "enabled" || c["snoozeDurationInDays"] != float64(3) ||
						len(asList(c["excludeTargets"])) != 1 || asMap(asList(c["excludeTargets"])[0])["id"] != amGroup {
						return fmt.Errorf("tenant policy %v", p)
					}
					return nil
				}),
			},
			{ // clearing the exclusions; unset attributes keep their values
				Config: ampConfig(tn, cleared),
				Check: tenantAuthMethods(t, tn, func(p, c map[string]any) error {
					if len(asList(c["excludeTargets"])) != 0 || c["snoozeDurationInDays"] != float64(3) {
						return fmt.Errorf("tenant policy %v", p)
					}
					return nil
				}),
			},
			{Config: ampConfig(tn, cleared), ResourceName: ampAddr, ImportState: true, ImportStateVerify: true, ImportStateId: m365sim.DemoTenantID},
			{Config: ampConfig(tn, cleared), ResourceName: ampAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: "authenticationMethodsPolicy"},
			{
				Config: ampConfig(tn, cleared), ResourceName: ampAddr, ImportState: true, ImportStateId: "Sms",
				ExpectError: regexp.MustCompile(`imported by the tenant ID`),
			},
			{ // drift: another admin turns the campaign off
				PreConfig: func() {
					body := map[string]any{"registrationEnforcement": map[string]any{"authenticationMethodsRegistrationCampaign": map[string]any{"state": "disabled"}}}
					if code, out := graphJSON(t, tn, "PATCH", ampPath, body); code != 200 {
						t.Fatalf("out-of-band PATCH: %d %v", code, out)
					}
				},
				Config: ampConfig(tn, cleared), PlanOnly: true, ExpectNonEmptyPlan: true,
			},
			{
				Config: ampConfig(tn, cleared),
				Check: tenantAuthMethods(t, tn, func(p, c map[string]any) error {
					if c["state"] != "enabled" {
						return fmt.Errorf("drift not corrected: %v", c)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccAuthenticationMethodsPolicy_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: ampConfig(tn, `policy_migration_state = "done"`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)policy_migration_state.*migrationComplete`)},
			{Config: ampConfig(tn, `registration_campaign = { snooze_duration_in_days = 15 }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)snooze_duration_in_days.*between\s+0\s+and\s+14`)},
			{Config: ampConfig(tn, `registration_campaign = { include_targets = [{ id = "everyone" }] }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)all_users`)},
			{Config: ampConfig(tn, `registration_campaign = { include_targets = [{ id = "all_users", targeted_authentication_method = "fido2" }] }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)targeted_authentication_method.*microsoftAuthenticator`)},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Graph saw %d requests", n)
	}
}

// Throttled and lagging: the PATCH is retried and the apply waits until
// reads show it.
func TestAccAuthenticationMethodsPolicy_throttledAndLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + ampPath, Status: 429, Retry: 1, Times: 1})
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + ampPath, Status: 503, Retry: 1, Times: 1})
				tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 2*time.Second)
			},
			Config: ampConfig(tn, `policy_migration_state = "migrationComplete"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ampAddr, tfjsonpath.New("policy_migration_state"), knownvalue.StringExact("migrationComplete")),
			},
			Check: func(*terraform.State) error {
				st := tn.Sim.Stats()
				if st.Statuses(m365sim.EndpointGraph, 429) != 1 || st.Statuses(m365sim.EndpointGraph, 503) != 1 {
					return fmt.Errorf("faults not exercised")
				}
				return nil
			},
		}},
	})
}

func TestAccAuthenticationMethodsPolicy_readOnlyApp(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) +
				`resource "m365harden_authentication_methods_policy" "this" { policy_migration_state = "migrationComplete" }`,
			ExpectError: regexp.MustCompile(`(?s)Changing the tenant's authentication methods policy failed.*Policy.ReadWrite.AuthenticationMethod.*HTTP 403`),
		}},
	})
}

func TestAccAuthenticationMethodsPolicy_example(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.Example(t, "resources/m365harden_authentication_methods_policy/resource.tf")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: tenantAuthMethods(t, tn, func(p, c map[string]any) error {
				if p["policyMigrationState"] != "migrationComplete" || c["state"] != "enabled" {
					return fmt.Errorf("tenant policy %v", p)
				}
				return nil
			})},
			{Config: cfg, PlanOnly: true},
		},
	})
}
