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

const amcPath = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/"

// YubiKey 5 NFC's AAGUID, as an example key model.
const yubiKeyAAGUID = "fa2b99dc-9e39-4257-8f92-4a30d23c4118"

func amcConfig(tn *acctest.Tenant, name, body string) string {
	return tn.ProviderConfig() + fmt.Sprintf("resource \"m365harden_authentication_method_configuration\" %q {\n%s\n}\n", name, body)
}

func tenantMethod(t *testing.T, tn *acctest.Tenant, id string, check func(m map[string]any) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		code, m := graphJSON(t, tn, "GET", amcPath+id, nil)
		if code != 200 {
			return fmt.Errorf("GET %s: %d %v", id, code, m)
		}
		return check(m)
	}
}

// SMS off (MS.AAD.3.5): adopt, disable, limit to a group and clear, import,
// drift, destroy leaves it off.
func TestAccAuthenticationMethodConfiguration_sms(t *testing.T) {
	tn := acctest.NewTenant(t)
	addr := "m365harden_authentication_method_configuration.sms"
	off := `
  method = "Sms"
  state  = "disabled"
`
	limited := fmt.Sprintf(`
  method          = "Sms"
  state           = "enabled"
  include_targets = [{ id = %q, is_usable_for_sign_in = false }]
  exclude_targets = [{ id = %q }]
`, amGroup, "6c1f0e0e-1111-4a2b-8c3d-000000000002")
	cleared := `
  method          = "Sms"
  state           = "disabled"
  include_targets = []
  exclude_targets = []
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: tenantMethod(t, tn, "Sms", func(m map[string]any) error {
			if m["state"] != "disabled" {
				return fmt.Errorf("destroy changed SMS: %v", m)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: amcConfig(tn, "sms", off),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("Sms")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("include_targets"), knownvalue.SetExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id": knownvalue.StringExact("all_users"), "target_type": knownvalue.StringExact("group"), "is_registration_required": knownvalue.Bool(false),
						"authentication_mode": knownvalue.Null(), "is_usable_for_sign_in": knownvalue.Bool(true),
					})})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("fido2"), knownvalue.Null()),
				},
				Check: tenantMethod(t, tn, "Sms", func(m map[string]any) error {
					if m["state"] != "disabled" {
						return fmt.Errorf("SMS %v", m)
					}
					return nil
				}),
			},
			{
				Config: amcConfig(tn, "sms", limited),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: tenantMethod(t, tn, "Sms", func(m map[string]any) error {
					inc := asList(m["includeTargets"])
					if m["state"] != "enabled" || len(inc) != 1 || asMap(inc[0])["id"] != amGroup || asMap(inc[0])["isUsableForSignIn"] != false || len(asList(m["excludeTargets"])) != 1 {
						return fmt.Errorf("SMS %v", m)
					}
					return nil
				}),
			},
			{
				Config: amcConfig(tn, "sms", cleared),
				Check: tenantMethod(t, tn, "Sms", func(m map[string]any) error {
					if m["state"] != "disabled" || len(asList(m["includeTargets"])) != 0 || len(asList(m["excludeTargets"])) != 0 {
						return fmt.Errorf("SMS not cleared: %v", m)
					}
					return nil
				}),
			},
			{Config: amcConfig(tn, "sms", cleared), ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "sms"},
			{Config: amcConfig(tn, "sms", cleared), ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: "Sms"},
			{
				Config: amcConfig(tn, "sms", cleared), ResourceName: addr, ImportState: true, ImportStateId: "HardwareOath",
				ExpectError: regexp.MustCompile(`imported by its method`),
			},
			{ // drift: another admin turns SMS back on
				PreConfig: func() {
					if code, out := graphJSON(t, tn, "PATCH", amcPath+"Sms", map[string]any{"@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration", "state": "enabled"}); code != 204 {
						t.Fatalf("out-of-band PATCH: %d %v", code, out)
					}
				},
				Config: amcConfig(tn, "sms", cleared), PlanOnly: true, ExpectNonEmptyPlan: true,
			},
			{Config: amcConfig(tn, "sms", cleared), Check: tenantMethod(t, tn, "Sms", func(m map[string]any) error {
				if m["state"] != "disabled" {
					return fmt.Errorf("drift not corrected: %v", m)
				}
				return nil
			})},
		},
	})
}

// Microsoft Authenticator with app and location context (MS.AAD.3.3), then
// replaced by another method when `method` changes.
func TestAccAuthenticationMethodConfiguration_authenticator(t *testing.T) {
	tn := acctest.NewTenant(t)
	addr := "m365harden_authentication_method_configuration.this"
	auth := func(loc string) string {
		return fmt.Sprintf(`
  method          = "MicrosoftAuthenticator"
  state           = "enabled"
  include_targets = [{ id = "all_users", authentication_mode = "any" }]
  microsoft_authenticator = {
    is_software_oath_enabled     = false
    display_app_information      = { state = "enabled" }
    display_location_information = { state = %q }
  }
`, loc)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: amcConfig(tn, "this", auth("enabled")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("microsoft_authenticator").AtMapKey("display_app_information").AtMapKey("include_target_id"), knownvalue.StringExact("all_users")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("microsoft_authenticator").AtMapKey("display_location_information").AtMapKey("exclude_target_id"), knownvalue.StringExact("00000000-0000-0000-0000-000000000000")),
				},
				Check: tenantMethod(t, tn, "MicrosoftAuthenticator", func(m map[string]any) error {
					fs := asMap(m["featureSettings"])
					if m["state"] != "enabled" || asMap(fs["displayAppInformationRequiredState"])["state"] != "enabled" || asMap(fs["displayLocationInformationRequiredState"])["state"] != "enabled" {
						return fmt.Errorf("Authenticator %v", m)
					}
					return nil
				}),
			},
			{
				Config: amcConfig(tn, "this", auth("disabled")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: tenantMethod(t, tn, "MicrosoftAuthenticator", func(m map[string]any) error {
					if f := asMap(asMap(m["featureSettings"])["displayLocationInformationRequiredState"]); f["state"] != "disabled" || asMap(f["includeTarget"])["id"] != "all_users" {
						return fmt.Errorf("Authenticator %v", m)
					}
					return nil
				}),
			},
			{Config: amcConfig(tn, "this", auth("disabled")), ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "MicrosoftAuthenticator"},
			{ // another method: replace; Authenticator is left as it is
				Config: amcConfig(tn, "this", `
  method = "Voice"
  state  = "disabled"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: tenantMethod(t, tn, "MicrosoftAuthenticator", func(m map[string]any) error {
					if m["state"] != "enabled" {
						return fmt.Errorf("replacing changed Authenticator: %v", m)
					}
					return nil
				}),
			},
		},
	})
}

// FIDO2/passkeys: attestation and key restrictions, then clearing the
// AAGUID list.
func TestAccAuthenticationMethodConfiguration_fido2(t *testing.T) {
	tn := acctest.NewTenant(t)
	addr := "m365harden_authentication_method_configuration.fido2"
	cfg := func(guids string) string {
		return fmt.Sprintf(`
  method = "Fido2"
  state  = "enabled"
  fido2 = {
    is_attestation_enforced = true
    key_restrictions = {
      is_enforced      = true
      enforcement_type = "allow"
      aa_guids         = [%s]
    }
  }
`, guids)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: amcConfig(tn, "fido2", cfg(`"`+yubiKeyAAGUID+`"`)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("fido2").AtMapKey("is_self_service_registration_allowed"), knownvalue.Bool(true)),
				},
				Check: tenantMethod(t, tn, "Fido2", func(m map[string]any) error {
					kr := asMap(m["keyRestrictions"])
					if m["state"] != "enabled" || kr["enforcementType"] != "allow" || kr["isEnforced"] != true || !slices.Equal(strs(kr["aaGuids"]), []string{yubiKeyAAGUID}) {
						return fmt.Errorf("FIDO2 %v", m)
					}
					return nil
				}),
			},
			{
				Config: amcConfig(tn, "fido2", cfg("")),
				Check: tenantMethod(t, tn, "Fido2", func(m map[string]any) error {
					if len(asList(asMap(m["keyRestrictions"])["aaGuids"])) != 0 {
						return fmt.Errorf("AAGUIDs not cleared: %v", m)
					}
					return nil
				}),
			},
			{Config: amcConfig(tn, "fido2", cfg("")), ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "Fido2"},
		},
	})
}

// Temporary Access Pass: Graph's own rule (default lifetime between minimum
// and maximum) reaches the user as Graph's 400; the 429/503 retry.
func TestAccAuthenticationMethodConfiguration_tapAndFaults(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: amcConfig(tn, "tap", `
  method = "TemporaryAccessPass"
  temporary_access_pass = { default_lifetime_in_minutes = 600 }
`),
				ExpectError: regexp.MustCompile(`(?s)Changing the TemporaryAccessPass authentication method configuration failed.*HTTP 400.*between\s+minimumLifetimeInMinutes`),
			},
			{
				PreConfig: func() {
					tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + amcPath + "TemporaryAccessPass", Status: 429, Retry: 1, Times: 1})
					tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + amcPath + "TemporaryAccessPass", Status: 503, Retry: 1, Times: 1})
					tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 2*time.Second)
				},
				Config: amcConfig(tn, "tap", `
  method = "TemporaryAccessPass"
  state  = "enabled"
  temporary_access_pass = {
    is_usable_once              = true
    default_lifetime_in_minutes = 120
  }
`),
				Check: resource.ComposeTestCheckFunc(
					tenantMethod(t, tn, "TemporaryAccessPass", func(m map[string]any) error {
						if m["state"] != "enabled" || m["isUsableOnce"] != true || m["defaultLifetimeInMinutes"] != float64(120) || m["maximumLifetimeInMinutes"] != float64(480) {
							return fmt.Errorf("TAP %v", m)
						}
						return nil
					}),
					func(*terraform.State) error {
						st := tn.Sim.Stats()
						if st.Statuses(m365sim.EndpointGraph, 429) != 1 || st.Statuses(m365sim.EndpointGraph, 503) != 1 {
							return fmt.Errorf("faults not exercised")
						}
						return nil
					}),
			},
		},
	})
}

func TestAccAuthenticationMethodConfiguration_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	plan := func(body, want string) resource.TestStep {
		return resource.TestStep{Config: amcConfig(tn, "x", body), PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			plan(`method = "HardwareOath"`, `(?s)method.*MicrosoftAuthenticator`),
			plan(`
  method = "Sms"
  state  = "off"`, `(?s)state.*disabled`),
			plan(`
  method = "Sms"
  fido2  = { is_attestation_enforced = true }`, `(?s)fido2 applies to method "Fido2" only`),
			plan(`
  method          = "MicrosoftAuthenticator"
  include_targets = [{ id = "all_users" }]`, `(?s)needs authentication_mode`),
			plan(`
  method          = "Voice"
  include_targets = [{ id = "all_users", is_usable_for_sign_in = true }]`, `(?s)is_usable_for_sign_in applies to Sms targets only`),
			plan(`
  method          = "Voice"
  include_targets = [{ id = "All Users" }]`, `(?s)all_users`),
			plan(`
  method = "TemporaryAccessPass"
  temporary_access_pass = { default_length = 6 }`, `(?s)default_length.*between 8\s+and\s+48`),
			plan(`
  method = "Fido2"
  fido2  = { key_restrictions = { aa_guids = ["yubikey"] } }`, `(?s)AAGUID`),
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Graph saw %d requests", n)
	}
}

func TestAccAuthenticationMethodConfiguration_readOnlyApp(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) +
				`resource "m365harden_authentication_method_configuration" "sms" {
  method = "Sms"
  state  = "disabled"
}`,
			ExpectError: regexp.MustCompile(`(?s)Changing the Sms authentication method configuration failed.*Policy.ReadWrite.AuthenticationMethod.*HTTP 403`),
		}},
	})
}

func TestAccAuthenticationMethodConfiguration_example(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.Example(t, "resources/m365harden_authentication_method_configuration/resource.tf")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: resource.ComposeTestCheckFunc(
				tenantMethod(t, tn, "Sms", func(m map[string]any) error {
					if m["state"] != "disabled" {
						return fmt.Errorf("SMS %v", m)
					}
					return nil
				}),
				tenantMethod(t, tn, "MicrosoftAuthenticator", func(m map[string]any) error {
					if m["state"] != "enabled" {
						return fmt.Errorf("Authenticator %v", m)
					}
					return nil
				}),
			)},
			{Config: cfg, PlanOnly: true},
		},
	})
}
