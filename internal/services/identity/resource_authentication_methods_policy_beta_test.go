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

const ampBetaPath = "/beta" + ampPath

// tenantAuthMethodsBeta checks the beta view of the tenant's policy.
func tenantAuthMethodsBeta(t *testing.T, tn *acctest.Tenant, check func(scp, rsa map[string]any) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		code, p := graphJSON(t, tn, "GET", ampBetaPath, nil)
		if code != 200 {
			return fmt.Errorf("GET beta authentication methods policy: %d %v", code, p)
		}
		return check(asMap(p["systemCredentialPreferences"]), asMap(p["reportSuspiciousActivitySettings"]))
	}
}

func TestAccAuthenticationMethodsPolicy_betaSettings(t *testing.T) {
	tn := acctest.NewTenant(t)
	hardened := fmt.Sprintf(`
  system_credential_preferences = {
    state           = "enabled"
    include_targets = [{ id = "all_users" }]
    exclude_targets = [{ id = %q }]
  }
  report_suspicious_activity_settings = {
    state                = "enabled"
    include_target       = { id = "all_users" }
    voice_reporting_code = 8
  }
`, amGroup)
	cleared := `
  system_credential_preferences = {
    state           = "enabled"
    exclude_targets = []
  }
  report_suspicious_activity_settings = { state = "enabled" }
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		// Destroy leaves the policy as it is.
		CheckDestroy: tenantAuthMethodsBeta(t, tn, func(scp, rsa map[string]any) error {
			if scp["state"] != "enabled" || rsa["state"] != "enabled" {
				return fmt.Errorf("destroy changed the policy: %v %v", scp, rsa)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{ // adopt with nothing set: the beta settings are read and shown, nothing sent
				Config: ampConfig(tn, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ampAddr, tfjsonpath.New("system_credential_preferences").AtMapKey("state"), knownvalue.StringExact("default")),
					statecheck.ExpectKnownValue(ampAddr, tfjsonpath.New("system_credential_preferences").AtMapKey("include_targets"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"id": knownvalue.StringExact("all_users"), "target_type": knownvalue.StringExact("group")}),
					})),
					statecheck.ExpectKnownValue(ampAddr, tfjsonpath.New("report_suspicious_activity_settings").AtMapKey("state"), knownvalue.StringExact("default")),
					statecheck.ExpectKnownValue(ampAddr, tfjsonpath.New("report_suspicious_activity_settings").AtMapKey("voice_reporting_code"), knownvalue.Int64Exact(0)),
				},
				Check: func(*terraform.State) error {
					if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, "PATCH "+ampBetaPath); n != 0 {
						return fmt.Errorf("adopting with nothing set sent %d beta PATCHes", n)
					}
					return nil
				},
			},
			{ // update in place
				Config: ampConfig(tn, hardened),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ampAddr, plancheck.ResourceActionUpdate),
				}},
				Check: tenantAuthMethodsBeta(t, tn, func(scp, rsa map[string]any) error {
					ex := asList(scp["excludeTargets"])
					if scp["state"] != "enabled" || len(ex) != 1 || asMap(ex[0])["id"] != amGroup || rsa["state"] != "enabled" || rsa["voiceReportingCode"] != float64(8) {
						return fmt.Errorf("tenant policy %v %v", scp, rsa)
					}
					return nil
				}),
			},
			{ // clearing the exclusions; unset attributes keep their values
				Config: ampConfig(tn, cleared),
				Check: tenantAuthMethodsBeta(t, tn, func(scp, rsa map[string]any) error {
					if len(asList(scp["excludeTargets"])) != 0 || len(asList(scp["includeTargets"])) != 1 || rsa["voiceReportingCode"] != float64(8) {
						return fmt.Errorf("tenant policy %v %v", scp, rsa)
					}
					return nil
				}),
			},
			{Config: ampConfig(tn, cleared), ResourceName: ampAddr, ImportState: true, ImportStateVerify: true, ImportStateId: m365sim.DemoTenantID},
			{Config: ampConfig(tn, cleared), ResourceName: ampAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: "authenticationMethodsPolicy"},
			{ // drift: another admin turns system-preferred MFA off through beta
				PreConfig: func() {
					body := map[string]any{"systemCredentialPreferences": map[string]any{"state": "disabled"}}
					if code, out := graphJSON(t, tn, "PATCH", ampBetaPath, body); code != 200 {
						t.Fatalf("out-of-band PATCH: %d %v", code, out)
					}
				},
				Config: ampConfig(tn, cleared), PlanOnly: true, ExpectNonEmptyPlan: true,
			},
			{
				Config: ampConfig(tn, cleared),
				Check: tenantAuthMethodsBeta(t, tn, func(scp, _ map[string]any) error {
					if scp["state"] != "enabled" {
						return fmt.Errorf("drift not corrected: %v", scp)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccAuthenticationMethodsPolicy_betaBadInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: ampConfig(tn, `system_credential_preferences = { state = "on" }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)system_credential_preferences.*enabled`)},
			{Config: ampConfig(tn, `system_credential_preferences = { exclude_targets = [{ id = "admins" }] }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)all_users`)},
			{Config: ampConfig(tn, `report_suspicious_activity_settings = { voice_reporting_code = 10 }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)voice_reporting_code.*between\s+0\s+and\s+9`)},
			{Config: ampConfig(tn, `report_suspicious_activity_settings = { include_target = { id = "all_users", target_type = "role" } }`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)target_type.*group`)},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Graph saw %d requests", n)
	}
}

// Throttled and lagging on the beta endpoint: the PATCH is retried and the
// apply waits until reads show it.
func TestAccAuthenticationMethodsPolicy_betaThrottledAndLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: ampBetaPath, Method: "PATCH", Status: 429, Retry: 1, Times: 1})
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: ampBetaPath, Method: "GET", Status: 503, Retry: 1, Times: 1})
				tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 2*time.Second)
			},
			Config: ampConfig(tn, `system_credential_preferences = { state = "enabled" }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ampAddr, tfjsonpath.New("system_credential_preferences").AtMapKey("state"), knownvalue.StringExact("enabled")),
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

func TestAccAuthenticationMethodsPolicy_betaReadOnlyApp(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) +
				`resource "m365harden_authentication_methods_policy" "this" {
  report_suspicious_activity_settings = { state = "enabled" }
}`,
			ExpectError: regexp.MustCompile(`(?s)Graph beta.*failed.*Policy.ReadWrite.AuthenticationMethod.*HTTP 403`),
		}},
	})
}
