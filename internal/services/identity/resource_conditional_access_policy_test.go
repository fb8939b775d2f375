package identity_test

import (
	"encoding/json"
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
	caAddr     = "m365harden_conditional_access_policy.mfa"
	breakGlass = "6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"
	caPath     = "/identity/conditionalAccess/policies"
)

// graphJSON runs a Graph request out of band, as another administrator would.
func graphJSON(t *testing.T, tn *acctest.Tenant, method, path string, body any) (int, map[string]any) {
	t.Helper()
	code, b, err := tn.Sim.GraphRequest(tn.ID, method, path, body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, code, b)
		}
	}
	return code, out
}

// newTenantWithoutSecurityDefaults is a tenant whose security defaults were
// turned off before the test (Graph refuses enabled policies while they are
// on); set in the emulator's store, so no request is counted.
func newTenantWithoutSecurityDefaults(t *testing.T) *acctest.Tenant {
	tn := acctest.NewTenant(t)
	st := tn.Sim.Tenant(tn.ID).Store
	o := st.GetLatest("identitySecurityDefaultsEnforcementPolicy", m365sim.SecurityDefaultsPolicyID)
	if o == nil {
		t.Fatal("the tenant has no security defaults policy")
	}
	o["isEnabled"] = false
	st.Put("identitySecurityDefaultsEnforcementPolicy", m365sim.SecurityDefaultsPolicyID, o, 0)
	return tn
}

func policyID(s *terraform.State) string {
	return s.RootModule().Resources[caAddr].Primary.ID
}

// tenantPolicy checks the policy as Graph holds it.
func tenantPolicy(t *testing.T, tn *acctest.Tenant, check func(p map[string]any) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		code, p := graphJSON(t, tn, "GET", caPath+"/"+policyID(s), nil)
		if code != 200 {
			return fmt.Errorf("GET policy: %d %v", code, p)
		}
		return check(p)
	}
}

func strs(v any) []string {
	var out []string
	for _, e := range asList(v) {
		out = append(out, asString(e))
	}
	slices.Sort(out)
	return out
}

func mfaConfig(tn *acctest.Tenant, state, excludeUsers string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_conditional_access_policy" "mfa" {
  display_name = "Require MFA for all users"
  state        = %q
  conditions = {
    users = {
      include_users = ["All"]
      exclude_users = %s
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
`, state, excludeUsers)
}

func caDestroyed(tn *acctest.Tenant) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := len(tn.Sim.Tenant(tn.ID).Store.List("conditionalAccessPolicy")); n != 0 {
			return fmt.Errorf("%d conditional access policies left after destroy", n)
		}
		return nil
	}
}

func TestAccConditionalAccessPolicy_basic(t *testing.T) {
	tn := newTenantWithoutSecurityDefaults(t)
	var firstID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             caDestroyed(tn),
		Steps: []resource.TestStep{
			{ // create in report-only mode, excluding the break-glass account
				Config: mfaConfig(tn, "enabledForReportingButNotEnforced", fmt.Sprintf("[%q]", breakGlass)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(caAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
					statecheck.ExpectKnownValue(caAddr, tfjsonpath.New("conditions").AtMapKey("client_app_types"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("all")})),
					statecheck.ExpectKnownValue(caAddr, tfjsonpath.New("conditions").AtMapKey("users").AtMapKey("include_groups"), knownvalue.SetSizeExact(0)),
					statecheck.ExpectKnownValue(caAddr, tfjsonpath.New("conditions").AtMapKey("locations"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(
					tenantPolicy(t, tn, func(p map[string]any) error {
						users := asMap(asMap(p["conditions"])["users"])
						if p["state"] != "enabledForReportingButNotEnforced" || !slices.Equal(strs(users["excludeUsers"]), []string{breakGlass}) ||
							!slices.Equal(strs(asMap(p["grantControls"])["builtInControls"]), []string{"mfa"}) {
							return fmt.Errorf("tenant policy %v", p)
						}
						return nil
					}),
					func(s *terraform.State) error { firstID = policyID(s); return nil },
				),
			},
			{ // enforce it and drop the exclusion: an in-place update
				Config: mfaConfig(tn, "enabled", "[]"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					tenantPolicy(t, tn, func(p map[string]any) error {
						users := asMap(asMap(p["conditions"])["users"])
						if p["state"] != "enabled" || len(strs(users["excludeUsers"])) != 0 {
							return fmt.Errorf("tenant policy %v", p)
						}
						return nil
					}),
					func(s *terraform.State) error {
						if policyID(s) != firstID {
							return fmt.Errorf("policy replaced: %s -> %s", firstID, policyID(s))
						}
						return nil
					},
				),
			},
			{ // import by policy id
				Config:            mfaConfig(tn, "enabled", "[]"),
				ResourceName:      caAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{ // an import block by policy id plans no change
				Config:          mfaConfig(tn, "enabled", "[]"),
				ResourceName:    caAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
			{ // a malformed import id is refused
				Config:        mfaConfig(tn, "enabled", "[]"),
				ResourceName:  caAddr,
				ImportState:   true,
				ImportStateId: "Require MFA for all users",
				ExpectError:   regexp.MustCompile(`imported by the policy's object ID`),
			},
			{ // drift: another admin switches the policy off; a plan shows it
				PreConfig: func() {
					code, out := graphJSON(t, tn, "PATCH", caPath+"/"+firstID, map[string]any{"state": "disabled"})
					if code != 204 {
						t.Fatalf("out-of-band PATCH: %d %v", code, out)
					}
				},
				Config:             mfaConfig(tn, "enabled", "[]"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // and the next apply puts it back
				Config: mfaConfig(tn, "enabled", "[]"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(caAddr, tfjsonpath.New("state"), knownvalue.StringExact("enabled")),
				}},
				Check: tenantPolicy(t, tn, func(p map[string]any) error {
					if p["state"] != "enabled" {
						return fmt.Errorf("state %v", p["state"])
					}
					return nil
				}),
			},
		},
	})
}

// A policy deleted out of band is created again.
func TestAccConditionalAccessPolicy_disappears(t *testing.T) {
	tn := newTenantWithoutSecurityDefaults(t)
	var firstID string
	cfg := mfaConfig(tn, "enabled", fmt.Sprintf("[%q]", breakGlass))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             caDestroyed(tn),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  func(s *terraform.State) error { firstID = policyID(s); return nil },
			},
			{
				PreConfig: func() {
					if code, out := graphJSON(t, tn, "DELETE", caPath+"/"+firstID, nil); code != 204 {
						t.Fatalf("out-of-band DELETE: %d %v", code, out)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionCreate),
				}},
				Check: func(s *terraform.State) error {
					if policyID(s) == firstID {
						return fmt.Errorf("the policy was not created again")
					}
					return tenantPolicy(t, tn, func(map[string]any) error { return nil })(s)
				},
			},
		},
	})
}

// The CIS/ScubaGear legacy-authentication block and a risk-based policy
// with the documented passwordChange combination, plus a location condition
// and an authentication strength.
func TestAccConditionalAccessPolicy_baseline(t *testing.T) {
	tn := newTenantWithoutSecurityDefaults(t)
	cfg := tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_conditional_access_policy" "legacy" {
  display_name = "Block legacy authentication"
  state        = "enabled"
  conditions = {
    users = {
      include_users = ["All"]
      exclude_users = [%[1]q]
    }
    applications = {
      include_applications = ["All"]
    }
    client_app_types = ["exchangeActiveSync", "other"]
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["block"]
  }
}

resource "m365harden_conditional_access_policy" "user_risk" {
  display_name = "High user risk: secure password change"
  state        = "enabled"
  conditions = {
    users = {
      include_users = ["All"]
      exclude_users = [%[1]q]
    }
    applications = {
      include_applications = ["All"]
    }
    user_risk_levels = ["high"]
  }
  grant_controls = {
    operator          = "AND"
    built_in_controls = ["mfa", "passwordChange"]
  }
}

resource "m365harden_conditional_access_policy" "admins" {
  display_name = "Admins: phishing-resistant MFA outside trusted locations"
  state        = "enabledForReportingButNotEnforced"
  conditions = {
    users = {
      include_roles = ["62e90394-69f5-4237-9190-012177145e10"]
    }
    applications = {
      include_applications = ["All"]
    }
    sign_in_risk_levels = ["high", "medium"]
    locations = {
      include_locations = ["All"]
      exclude_locations = ["AllTrusted"]
    }
  }
  grant_controls = {
    operator                   = "OR"
    authentication_strength_id = "00000000-0000-0000-0000-000000000004"
  }
}
`, breakGlass)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             caDestroyed(tn),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("m365harden_conditional_access_policy.legacy", tfjsonpath.New("conditions").AtMapKey("client_app_types"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("exchangeActiveSync"), knownvalue.StringExact("other")})),
					statecheck.ExpectKnownValue("m365harden_conditional_access_policy.user_risk", tfjsonpath.New("grant_controls").AtMapKey("built_in_controls"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("mfa"), knownvalue.StringExact("passwordChange")})),
					statecheck.ExpectKnownValue("m365harden_conditional_access_policy.admins", tfjsonpath.New("grant_controls").AtMapKey("authentication_strength_id"),
						knownvalue.StringExact("00000000-0000-0000-0000-000000000004")),
					statecheck.ExpectKnownValue("m365harden_conditional_access_policy.admins", tfjsonpath.New("conditions").AtMapKey("locations").AtMapKey("exclude_locations"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("AllTrusted")})),
				},
			},
			{ // an untouched tenant plans empty
				Config:   cfg,
				PlanOnly: true,
			},
		},
	})
}

// Bad values and combinations Graph refuses fail at plan time, without a
// request to the tenant.
func TestAccConditionalAccessPolicy_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	policy := func(state, users, clientApps, controls, operator, risk string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_conditional_access_policy" "mfa" {
  display_name = "x"
  state        = %q
  conditions = {
    users = { %s }
    applications = { include_applications = ["All"] }
    client_app_types = %s
    user_risk_levels = %s
  }
  grant_controls = {
    operator          = %q
    built_in_controls = %s
  }
}
`, state, users, clientApps, risk, operator, controls)
	}
	all := `include_users = ["All"]`
	steps := []struct {
		cfg  string
		want string
	}{
		{policy("on", all, `["all"]`, `["mfa"]`, "OR", `[]`), `(?s)state.*value must be\s+one of`},
		{policy("enabled", all, `["legacy"]`, `["mfa"]`, "OR", `[]`), `(?s)client_app_types.*value must be\s+one of`},
		{policy("enabled", all, `["all"]`, `["captcha"]`, "OR", `[]`), `(?s)built_in_controls.*value must be\s+one of`},
		{policy("enabled", all, `["all"]`, `["mfa"]`, "XOR", `[]`), `(?s)operator.*value must be\s+one of`},
		{policy("enabled", all, `["all"]`, `["mfa"]`, "OR", `["severe"]`), `(?s)user_risk_levels.*value must be\s+one of`},
		{policy("enabled", `include_users = ["alice@contoso.com"]`, `["all"]`, `["mfa"]`, "OR", `[]`), `lower-case object ID`},
		{policy("enabled", `include_users = ["6F0C2B9E-3D8A-4C1F-9E2B-7A5D4C3B2A10"]`, `["all"]`, `["mfa"]`, "OR", `[]`), `lower-case object ID`},
		{policy("enabled", `exclude_users = ["6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"]`, `["all"]`, `["mfa"]`, "OR", `[]`), `No users included`},
		{policy("enabled", all, `["all"]`, `[]`, "OR", `[]`), `No grant control`},
		{policy("enabled", all, `["all"]`, `["mfa", "passwordChange"]`, "OR", `["high"]`), `passwordChange needs mfa under AND`},
		{policy("enabled", all, `["all"]`, `["mfa", "passwordChange"]`, "AND", `[]`), `passwordChange needs user_risk_levels`},
	}
	var ts []resource.TestStep
	for _, s := range steps {
		ts = append(ts, resource.TestStep{Config: s.cfg, PlanOnly: true, ExpectError: regexp.MustCompile(s.want)})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: ts})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Graph saw %d requests", n)
	}
}

// Throttling (429, then 503) on the Conditional Access path and replication
// lag after the create: the apply still succeeds, waits until reads show the
// policy, and the plan after it is empty.
func TestAccConditionalAccessPolicy_throttledAndLag(t *testing.T) {
	tn := newTenantWithoutSecurityDefaults(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             caDestroyed(tn),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + caPath, Status: 429, Retry: 1, Times: 2})
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + caPath, Status: 503, Retry: 1, Times: 1})
				tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 2*time.Second)
			},
			Config: mfaConfig(tn, "enabled", fmt.Sprintf("[%q]", breakGlass)),
			Check: resource.ComposeTestCheckFunc(
				tenantPolicy(t, tn, func(map[string]any) error { return nil }),
				func(*terraform.State) error {
					st := tn.Sim.Stats()
					if n := st.Statuses(m365sim.EndpointGraph, 429); n != 2 {
						return fmt.Errorf("emulator answered %d 429s, want 2", n)
					}
					if n := st.Statuses(m365sim.EndpointGraph, 503); n != 1 {
						return fmt.Errorf("emulator answered %d 503s, want 1", n)
					}
					if n := st.Statuses(m365sim.EndpointGraph, 404); n == 0 {
						return fmt.Errorf("no read hit the replication lag: the test did not exercise it")
					}
					return nil
				},
			),
		}},
	})
}

// A read-only app can't write policies: the error names the permission.
func TestAccConditionalAccessPolicy_forbidden(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) + `
resource "m365harden_conditional_access_policy" "mfa" {
  display_name = "Require MFA"
  state        = "enabled"
  conditions = {
    users        = { include_users = ["All"] }
    applications = { include_applications = ["All"] }
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: regexp.MustCompile(`(?s)Creating conditional access policy "Require MFA" failed.*Policy.ReadWrite.ConditionalAccess.*HTTP 403`),
		}},
	})
}

// The documented example applies as written and plans empty afterwards.
func TestAccConditionalAccessPolicy_example(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.Example(t, "resources/m365harden_conditional_access_policy/resource.tf")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             caDestroyed(tn),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					if n := len(tn.Sim.Tenant(tn.ID).Store.List("conditionalAccessPolicy")); n != 5 {
						return fmt.Errorf("%d policies in the tenant, want 5", n)
					}
					return nil
				},
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// Without Microsoft Entra ID P2, a risk-based policy fails at apply with an
// error that names the licence; a P1 policy still works.
func TestAccConditionalAccessPolicy_needsP2ForRisk(t *testing.T) {
	tn := newTenantWithoutSecurityDefaults(t)
	// Before any request reaches the emulator: a tenant with P1 only.
	tn.Sim.Tenant(tn.ID).Licences.EntraIDP2 = false
	cfg := mfaConfig(tn, "enabled", fmt.Sprintf("[%q]", breakGlass)) + `
resource "m365harden_conditional_access_policy" "risk" {
  display_name = "Risky sign-ins need MFA"
  state        = "enabled"
  conditions = {
    users               = { include_users = ["All"] }
    applications        = { include_applications = ["All"] }
    sign_in_risk_levels = ["high"]
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             caDestroyed(tn),
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: regexp.MustCompile(`(?s)Creating conditional access policy "Risky sign-ins need MFA" failed.*sign_in_risk_levels need Microsoft Entra ID P2.*1039`),
		}},
	})
}

// Checked accessors for decoded JSON: a wrong shape reads as empty and the
// test's comparison fails.
func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}
