package identity_test

import (
	"fmt"
	"regexp"
	"slices"
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
	asAddr = "m365harden_authentication_strength_policy.this"
	asPath = "/policies/authenticationStrengthPolicies"
)

func asConfig(tn *acctest.Tenant, name, extra, combos string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_authentication_strength_policy" "this" {
  display_name         = %q
  allowed_combinations = %s
  %s
}
`, name, combos, extra)
}

func asID(s *terraform.State) string { return s.RootModule().Resources[asAddr].Primary.ID }

func tenantStrength(t *testing.T, tn *acctest.Tenant, check func(p map[string]any) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		code, p := graphJSON(t, tn, "GET", asPath+"/"+asID(s), nil)
		if code != 200 {
			return fmt.Errorf("GET strength: %d %v", code, p)
		}
		return check(p)
	}
}

func customStrengths(tn *acctest.Tenant) int {
	n := 0
	for _, o := range tn.Sim.Tenant(tn.ID).Store.List("authenticationStrengthPolicy") {
		if o["policyType"] == "custom" {
			n++
		}
	}
	return n
}

func TestAccAuthenticationStrengthPolicy_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	var firstID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if n := customStrengths(tn); n != 0 {
				return fmt.Errorf("%d custom strengths left after destroy", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: asConfig(tn, "Admin sign-in", `description = "phishing resistant"`, `["fido2", "windowsHelloForBusiness"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(asAddr, tfjsonpath.New("requirements_satisfied"), knownvalue.StringExact("mfa")),
				},
				Check: resource.ComposeTestCheckFunc(
					tenantStrength(t, tn, func(p map[string]any) error {
						if p["policyType"] != "custom" || !slices.Equal(strs(p["allowedCombinations"]), []string{"fido2", "windowsHelloForBusiness"}) {
							return fmt.Errorf("tenant strength %v", p)
						}
						return nil
					}),
					func(s *terraform.State) error { firstID = asID(s); return nil },
				),
			},
			{ // in place: combinations through updateAllowedCombinations, the description cleared
				Config: asConfig(tn, "Admin sign-in", "", `["fido2", "password,microsoftAuthenticatorPush"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(asAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					tenantStrength(t, tn, func(p map[string]any) error {
						if asString(p["description"]) != "" || !slices.Equal(strs(p["allowedCombinations"]), []string{"fido2", "password,microsoftAuthenticatorPush"}) {
							return fmt.Errorf("tenant strength %v", p)
						}
						return nil
					}),
					func(s *terraform.State) error {
						if asID(s) != firstID {
							return fmt.Errorf("replaced")
						}
						if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, "POST /v1.0"+asPath+"/{id}/updateAllowedCombinations"); n != 1 {
							return fmt.Errorf("updateAllowedCombinations ran %d times, want 1", n)
						}
						return nil
					},
				),
			},
			{
				Config:       asConfig(tn, "Admin sign-in", "", `["fido2", "password,microsoftAuthenticatorPush"]`),
				ResourceName: asAddr, ImportState: true, ImportStateVerify: true,
			},
			{
				Config:       asConfig(tn, "Admin sign-in", "", `["fido2", "password,microsoftAuthenticatorPush"]`),
				ResourceName: asAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateIdFunc: func(s *terraform.State) (string, error) { return firstID, nil },
			},
			{ // a built-in cannot be imported
				Config:       asConfig(tn, "Admin sign-in", "", `["fido2", "password,microsoftAuthenticatorPush"]`),
				ResourceName: asAddr, ImportState: true, ImportStateId: "00000000-0000-0000-0000-000000000004",
				ExpectError: regexp.MustCompile(`(?s)built-in\s+strength\s+"Phishing\s+resistant\s+MFA"`),
			},
			{ // drift: renamed out of band
				PreConfig: func() {
					if code, out := graphJSON(t, tn, "PATCH", asPath+"/"+firstID, map[string]any{"displayName": "Renamed"}); code != 204 {
						t.Fatalf("out-of-band PATCH: %d %v", code, out)
					}
				},
				Config:   asConfig(tn, "Admin sign-in", "", `["fido2", "password,microsoftAuthenticatorPush"]`),
				PlanOnly: true, ExpectNonEmptyPlan: true,
			},
			{ // out-of-band delete: re-created
				PreConfig: func() {
					if code, out := graphJSON(t, tn, "DELETE", asPath+"/"+firstID, nil); code != 204 {
						t.Fatalf("out-of-band DELETE: %d %v", code, out)
					}
				},
				Config: asConfig(tn, "Admin sign-in", "", `["fido2", "password,microsoftAuthenticatorPush"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(asAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

func TestAccAuthenticationStrengthPolicy_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: asConfig(tn, "x", "", `["fido3"]`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Unknown authentication method combination`)},
			{Config: asConfig(tn, "x", "", `["microsoftAuthenticatorPush,password"]`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)as\s+"password,microsoftAuthenticatorPush"`)},
			{Config: asConfig(tn, "x", "", `[]`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)allowed_combinations.*at least 1`)},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Graph saw %d requests", n)
	}
}

// A combination the SDK knows but Graph does not accept for a custom
// strength fails at apply with Graph's message; a built-in strength's name
// is refused before anything is sent.
func TestAccAuthenticationStrengthPolicy_refused(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: asConfig(tn, "x", "", `["password"]`), ExpectError: regexp.MustCompile(`(?s)HTTP 400.*combination\s+'password'\s+is\s+not\s+supported`)},
			{Config: asConfig(tn, "Passwordless MFA", "", `["fido2"]`), ExpectError: regexp.MustCompile(`(?s)built-in\s+authentication\s+strength.*cannot\s+be\s+managed.*names\s+are\s+unique`)},
		},
	})
}

func TestAccAuthenticationStrengthPolicy_throttledAndLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + asPath, Status: 429, Retry: 1, Times: 1})
				tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 2*time.Second)
			},
			Config: asConfig(tn, "Admin sign-in", "", `["fido2"]`),
			Check: func(*terraform.State) error {
				st := tn.Sim.Stats()
				if st.Statuses(m365sim.EndpointGraph, 429) != 1 || st.Statuses(m365sim.EndpointGraph, 404) == 0 {
					return fmt.Errorf("throttling or lag not exercised")
				}
				return nil
			},
		}},
	})
}

func TestAccAuthenticationStrengthsDataSource_builtIns(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.Example(t, "data-sources/m365harden_authentication_strengths/data-source.tf")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.m365harden_authentication_strengths.builtin", tfjsonpath.New("strengths"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownOutputValue("phishing_resistant_combinations", knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("windowsHelloForBusiness"), knownvalue.StringExact("fido2"), knownvalue.StringExact("x509CertificateMultiFactor"),
					})),
				},
			},
			{ // a custom strength shows up, and the filter keeps it out of builtIn
				Config: cfg + asConfig(tn, "Admin sign-in", "", `["fido2"]`)[len(tn.ProviderConfig()):] + `
data "m365harden_authentication_strengths" "all" {
  depends_on = [m365harden_authentication_strength_policy.this]
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.m365harden_authentication_strengths.all", tfjsonpath.New("strengths"), knownvalue.ListSizeExact(4)),
					statecheck.ExpectKnownValue("data.m365harden_authentication_strengths.builtin", tfjsonpath.New("strengths"), knownvalue.ListSizeExact(3)),
				},
			},
		},
	})
}

func TestAccAuthenticationStrengthPolicy_example(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.Example(t, "resources/m365harden_authentication_strength_policy/resource.tf")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps:                    []resource.TestStep{{Config: cfg}, {Config: cfg, PlanOnly: true}},
	})
}

// A read-only app gets an error naming the permission, and nothing is created.
func TestAccAuthenticationStrengthPolicy_forbidden(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) + `
resource "m365harden_authentication_strength_policy" "this" {
  display_name         = "Passkeys only"
  allowed_combinations = ["fido2"]
}`,
			ExpectError: regexp.MustCompile(`(?s)Policy.ReadWrite.ConditionalAccess.*HTTP 403`),
		}},
	})
	if n := customStrengths(tn); n != 0 {
		t.Fatalf("%d custom strengths created by a read-only app", n)
	}
}
