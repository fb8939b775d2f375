package identity_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

const partnerTenant = "9c1d6a2e-4b7f-4e3a-8d5c-1f2e3a4b5c6d"

// fullConditionsConfig is a report-only policy with every optional block
// the resource has, or (full = false) the same policy without them.
func fullConditionsConfig(tn *acctest.Tenant, full bool) string {
	extra, users, grant := "", "", `
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }`
	if full {
		users = fmt.Sprintf(`
      include_guests_or_external_users = {
        guest_or_external_user_types     = ["b2bCollaborationGuest", "internalGuest"]
        external_tenants_membership_kind = "all"
      }
      exclude_guests_or_external_users = {
        guest_or_external_user_types     = ["serviceProvider"]
        external_tenants_membership_kind = "enumerated"
        external_tenants_members         = [%q]
      }`, partnerTenant)
		extra = `
    locations = {
      include_locations = ["All"]
      exclude_locations = ["AllTrusted"]
    }
    platforms = {
      include_platforms = ["all"]
      exclude_platforms = ["iOS", "android"]
    }
    devices = {
      device_filter = {
        mode = "exclude"
        rule = "device.trustType -eq \"ServerAD\""
      }
    }
    sign_in_risk_levels = ["high"]
    user_risk_levels    = ["high"]`
		grant = `
  grant_controls = {
    operator                   = "OR"
    authentication_strength_id = "00000000-0000-0000-0000-000000000004"
  }
  session_controls = {
    sign_in_frequency = {
      value = 4
      type  = "hours"
    }
    persistent_browser = {
      mode = "never"
    }
  }`
	}
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_conditional_access_policy" "mfa" {
  display_name = "Full conditions"
  state        = "enabledForReportingButNotEnforced"
  conditions = {
    users = {
      include_users = ["All"]
      exclude_users = [%q]%s
    }
    applications = {
      include_applications = ["All"]
    }%s
  }%s
}
`, breakGlass, users, extra, grant)
}

// Every optional block is written as Graph nests it, read back, and removed
// again by an update: removing a block sends an explicit null (Graph merges
// PATCH bodies, and so does m365sim), so the tenant holds none of them after.
func TestAccConditionalAccessPolicy_fullConditionsAndClearing(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             caDestroyed(tn),
		Steps: []resource.TestStep{
			{
				Config: fullConditionsConfig(tn, true),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(caAddr, tfjsonpath.New("conditions").AtMapKey("devices").AtMapKey("device_filter").AtMapKey("mode"), knownvalue.StringExact("exclude")),
					statecheck.ExpectKnownValue(caAddr, tfjsonpath.New("session_controls").AtMapKey("sign_in_frequency").AtMapKey("frequency_interval"), knownvalue.StringExact("timeBased")),
					statecheck.ExpectKnownValue(caAddr, tfjsonpath.New("conditions").AtMapKey("users").AtMapKey("include_guests_or_external_users").AtMapKey("guest_or_external_user_types"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("internalGuest"), knownvalue.StringExact("b2bCollaborationGuest")})),
				},
				Check: tenantPolicy(t, tn, func(p map[string]any) error {
					c := asMap(p["conditions"])
					users := asMap(c["users"])
					inc := asMap(users["includeGuestsOrExternalUsers"])
					exc := asMap(users["excludeGuestsOrExternalUsers"])
					sc := asMap(p["sessionControls"])
					switch {
					case inc["guestOrExternalUserTypes"] != "internalGuest,b2bCollaborationGuest":
						return fmt.Errorf("includeGuestsOrExternalUsers %v", inc)
					case asMap(inc["externalTenants"])["membershipKind"] != "all":
						return fmt.Errorf("includeGuestsOrExternalUsers.externalTenants %v", inc["externalTenants"])
					case !slices.Equal(strs(asMap(exc["externalTenants"])["members"]), []string{partnerTenant}):
						return fmt.Errorf("excludeGuestsOrExternalUsers %v", exc)
					case !slices.Equal(strs(asMap(c["platforms"])["excludePlatforms"]), []string{"android", "iOS"}):
						return fmt.Errorf("platforms %v", c["platforms"])
					case asMap(asMap(c["devices"])["deviceFilter"])["rule"] != `device.trustType -eq "ServerAD"`:
						return fmt.Errorf("devices %v", c["devices"])
					case asMap(sc["persistentBrowser"])["mode"] != "never" || asMap(sc["signInFrequency"])["type"] != "hours":
						return fmt.Errorf("sessionControls %v", sc)
					case asMap(asMap(p["grantControls"])["authenticationStrength"])["id"] != "00000000-0000-0000-0000-000000000004":
						return fmt.Errorf("grantControls %v", p["grantControls"])
					}
					return nil
				}),
			},
			{Config: fullConditionsConfig(tn, true), PlanOnly: true},
			{ // remove every optional block: an in-place update that clears them in the tenant
				Config: fullConditionsConfig(tn, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionUpdate),
				}},
				Check: tenantPolicy(t, tn, func(p map[string]any) error {
					c := asMap(p["conditions"])
					users := asMap(c["users"])
					for what, v := range map[string]any{
						"conditions.locations": c["locations"], "conditions.platforms": c["platforms"], "conditions.devices": c["devices"],
						"users.includeGuestsOrExternalUsers": users["includeGuestsOrExternalUsers"], "users.excludeGuestsOrExternalUsers": users["excludeGuestsOrExternalUsers"],
						"sessionControls": p["sessionControls"], "grantControls.authenticationStrength": asMap(p["grantControls"])["authenticationStrength"],
					} {
						if v != nil {
							return fmt.Errorf("%s left in the tenant after removing it: %v", what, v)
						}
					}
					if len(strs(c["signInRiskLevels"])) != 0 || len(strs(c["userRiskLevels"])) != 0 {
						return fmt.Errorf("risk levels left: %v", c)
					}
					return nil
				}),
			},
			{Config: fullConditionsConfig(tn, false), PlanOnly: true},
		},
	})
}

// onlyPolicyID is the ID of the tenant's one conditional access policy.
func onlyPolicyID(t *testing.T, tn *acctest.Tenant) string {
	t.Helper()
	ps := tn.Sim.Tenant(tn.ID).Store.List("conditionalAccessPolicy")
	if len(ps) != 1 {
		t.Fatalf("%d policies, want 1", len(ps))
	}
	id, _ := ps[0]["id"].(string)
	return id
}

// An attacker (or a hurried admin) adds a location exclusion and swaps the
// authentication strength out of band: the plan shows both, and the next
// apply reverts them.
func TestAccConditionalAccessPolicy_outOfBandAdditionsReverted(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := mfaConfig(tn, "enabledForReportingButNotEnforced", fmt.Sprintf("[%q]", breakGlass))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             caDestroyed(tn),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					id := onlyPolicyID(t, tn)
					code, out := graphJSON(t, tn, "PATCH", caPath+"/"+id, map[string]any{
						"conditions": map[string]any{
							"locations": map[string]any{"includeLocations": []string{"All"}, "excludeLocations": []string{"AllTrusted"}},
							"platforms": map[string]any{"includePlatforms": []string{"all"}, "excludePlatforms": []string{"linux"}},
						},
						"grantControls":   map[string]any{"operator": "OR", "builtInControls": []string{"mfa"}, "authenticationStrength": map[string]any{"id": "00000000-0000-0000-0000-000000000002"}},
						"sessionControls": map[string]any{"persistentBrowser": map[string]any{"mode": "always", "isEnabled": true}},
					})
					if code != 204 {
						t.Fatalf("out-of-band PATCH: %d %v", code, out)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(caAddr, tfjsonpath.New("conditions").AtMapKey("locations"), knownvalue.Null()),
					plancheck.ExpectKnownValue(caAddr, tfjsonpath.New("session_controls"), knownvalue.Null()),
				}},
				Check: tenantPolicy(t, tn, func(p map[string]any) error {
					c := asMap(p["conditions"])
					if c["locations"] != nil || c["platforms"] != nil || p["sessionControls"] != nil || asMap(p["grantControls"])["authenticationStrength"] != nil {
						return fmt.Errorf("out-of-band additions survived the apply: %v", p)
					}
					return nil
				}),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// Properties the schema does not have are not hidden: set out of band, they
// show in unmanaged_settings, the plan updates the policy, and the apply
// clears them in the tenant. Configuring a value there is refused at plan
// time.
func TestAccConditionalAccessPolicy_unmanagedSettingsShownAndCleared(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := mfaConfig(tn, "enabledForReportingButNotEnforced", fmt.Sprintf("[%q]", breakGlass))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             caDestroyed(tn),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(caAddr, tfjsonpath.New("unmanaged_settings"), knownvalue.SetExact([]knownvalue.Check{})),
				},
			},
			{ // another admin adds terms of use, a custom control and an authentication context
				PreConfig: func() {
					id := onlyPolicyID(t, tn)
					code, out := graphJSON(t, tn, "PATCH", caPath+"/"+id, map[string]any{
						"conditions": map[string]any{"applications": map[string]any{"includeAuthenticationContextClassReferences": []string{"c1"}}},
						"grantControls": map[string]any{"operator": "OR", "builtInControls": []string{"mfa"},
							"termsOfUse": []string{"8f1d3b2a-5c4e-4d6f-9a8b-7c6d5e4f3a2b"}, "customAuthenticationFactors": []string{"RequireDuoMfa"}},
					})
					if code != 204 {
						t.Fatalf("out-of-band PATCH: %d %v", code, out)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(caAddr, "unmanaged_settings.#", "3"),
					resource.TestCheckTypeSetElemAttr(caAddr, "unmanaged_settings.*", "conditions.applications.includeAuthenticationContextClassReferences"),
					resource.TestCheckTypeSetElemAttr(caAddr, "unmanaged_settings.*", "grantControls.termsOfUse"),
					resource.TestCheckTypeSetElemAttr(caAddr, "unmanaged_settings.*", "grantControls.customAuthenticationFactors"),
				),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(caAddr, tfjsonpath.New("unmanaged_settings"), knownvalue.SetExact([]knownvalue.Check{})),
				}},
				Check: tenantPolicy(t, tn, func(p map[string]any) error {
					g := asMap(p["grantControls"])
					if len(asList(g["termsOfUse"])) != 0 || len(asList(g["customAuthenticationFactors"])) != 0 ||
						len(asList(asMap(asMap(p["conditions"])["applications"])["includeAuthenticationContextClassReferences"])) != 0 {
						return fmt.Errorf("unmanaged settings survived the apply: %v", p)
					}
					return nil
				}),
			},
			{
				Config: strings.Replace(cfg, `display_name = "Require MFA for all users"`, `display_name = "Require MFA for all users"
  unmanaged_settings = ["grantControls.termsOfUse"]`, 1),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)unmanaged_settings.*at most 0`),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// Empty-but-invalid lists and impossible combinations of the new blocks fail
// at plan time, without a request to the tenant.
func TestAccConditionalAccessPolicy_badConditions(t *testing.T) {
	tn := acctest.NewTenant(t)
	policy := func(conditions, controls string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_conditional_access_policy" "mfa" {
  display_name = "x"
  state        = "enabledForReportingButNotEnforced"
  conditions = {
    users        = { include_users = ["All"] }
    applications = { include_applications = ["All"] }
    %s
  }
  %s
}
`, conditions, controls)
	}
	mfa := `grant_controls = { operator = "OR", built_in_controls = ["mfa"] }`
	steps := []struct{ cfg, want string }{
		{policy(`client_app_types = []`, mfa), `(?s)client_app_types.*at least 1`},
		{policy(`platforms = { include_platforms = [] }`, mfa), `(?s)include_platforms.*at least 1`},
		{policy(`platforms = { include_platforms = ["ios"] }`, mfa), `(?s)include_platforms.*value must be\s+one of`},
		{policy(`devices = { device_filter = { mode = "only", rule = "device.isCompliant -eq True" } }`, mfa), `(?s)mode.*value must be\s+one of`},
		{policy(`devices = { device_filter = { mode = "include", rule = "" } }`, mfa), `(?s)rule.*length`},
		{policy(`users = { include_users = ["All"], exclude_guests_or_external_users = { guest_or_external_user_types = ["b2bCollaborationGuest"], external_tenants_membership_kind = "enumerated" } }`, mfa), `External tenants missing`},
		{policy(`users = { include_users = ["All"], exclude_guests_or_external_users = { guest_or_external_user_types = ["b2bCollaborationGuest"], external_tenants_membership_kind = "all", external_tenants_members = ["`+partnerTenant+`"] } }`, mfa), `External tenants not allowed`},
		{policy(`users = { include_users = ["All"], include_guests_or_external_users = { guest_or_external_user_types = ["none"] } }`, mfa), `(?s)guest_or_external_user_types.*value must be\s+one of`},
		{policy(``, ``), `No grant or session control`},
		{policy(``, `session_controls = { sign_in_frequency = { frequency_interval = "everyTime", value = 1, type = "hours" } }`), `takes no value`},
		{policy(``, `session_controls = { sign_in_frequency = { value = 4 } }`), `needs value and type`},
		{policy(``, `session_controls = { sign_in_frequency = { value = 24, type = "hours" } }`), `out of range`},
		{policy(``, `session_controls = { persistent_browser = { mode = "sometimes" } }`), `(?s)mode.*value must be\s+one of`},
	}
	var ts []resource.TestStep
	for _, s := range steps {
		ts = append(ts, resource.TestStep{Config: s.cfg, PlanOnly: true, ExpectError: regexp.MustCompile(s.want)})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: ts})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Graph saw %d requests", n)
	}
}
