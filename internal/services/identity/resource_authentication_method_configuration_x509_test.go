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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Certificate-based authentication (X509Certificate): adopt, enable for a
// group, clear the targets, import, drift; the certificate bindings the
// resource does not manage are left as the tenant has them.
func TestAccAuthenticationMethodConfiguration_x509Certificate(t *testing.T) {
	tn := acctest.NewTenant(t)
	addr := "m365harden_authentication_method_configuration.cba"
	adopt := `
  method = "X509Certificate"
`
	pilot := fmt.Sprintf(`
  method          = "X509Certificate"
  state           = "enabled"
  include_targets = [{ id = %q }]
  exclude_targets = [{ id = %q }]
`, amGroup, "6c1f0e0e-1111-4a2b-8c3d-000000000002")
	cleared := `
  method          = "X509Certificate"
  state           = "disabled"
  include_targets = []
  exclude_targets = []
`
	bindingsKept := func(m map[string]any) error {
		if len(asList(m["certificateUserBindings"])) != 2 || asMap(m["authenticationModeConfiguration"])["x509CertificateAuthenticationDefaultMode"] != "x509CertificateSingleFactor" {
			return fmt.Errorf("the unmanaged settings changed: %v", m)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: tenantMethod(t, tn, "X509Certificate", func(m map[string]any) error {
			if m["state"] != "disabled" {
				return fmt.Errorf("destroy changed the method: %v", m)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{ // a new tenant's defaults, read and shown
				Config: amcConfig(tn, "cba", adopt),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("state"), knownvalue.StringExact("disabled")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("include_targets").AtSliceIndex(0).AtMapKey("id"), knownvalue.StringExact("all_users")),
				},
			},
			{
				Config: amcConfig(tn, "cba", pilot),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: tenantMethod(t, tn, "X509Certificate", func(m map[string]any) error {
					inc := asList(m["includeTargets"])
					if m["state"] != "enabled" || len(inc) != 1 || asMap(inc[0])["id"] != amGroup || len(asList(m["excludeTargets"])) != 1 {
						return fmt.Errorf("tenant method %v", m)
					}
					return bindingsKept(m)
				}),
			},
			{
				Config: amcConfig(tn, "cba", cleared),
				Check: tenantMethod(t, tn, "X509Certificate", func(m map[string]any) error {
					if m["state"] != "disabled" || len(asList(m["includeTargets"])) != 0 || len(asList(m["excludeTargets"])) != 0 {
						return fmt.Errorf("not cleared: %v", m)
					}
					return bindingsKept(m)
				}),
			},
			{Config: amcConfig(tn, "cba", cleared), ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "x509certificate"},
			{Config: amcConfig(tn, "cba", cleared), ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: "X509Certificate"},
			{ // drift: another admin turns certificate-based authentication on
				PreConfig: func() {
					if code, out := graphJSON(t, tn, "PATCH", amcPath+"X509Certificate", map[string]any{"@odata.type": "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration", "state": "enabled"}); code != 204 {
						t.Fatalf("out-of-band PATCH: %d %v", code, out)
					}
				},
				Config: amcConfig(tn, "cba", cleared), PlanOnly: true, ExpectNonEmptyPlan: true,
			},
			{
				Config: amcConfig(tn, "cba", cleared),
				Check: tenantMethod(t, tn, "X509Certificate", func(m map[string]any) error {
					if m["state"] != "disabled" {
						return fmt.Errorf("drift not corrected: %v", m)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccAuthenticationMethodConfiguration_x509BadInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	plan := func(body, want string) resource.TestStep {
		return resource.TestStep{Config: amcConfig(tn, "x", body), PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			plan(`
  method = "X509Certificate"
  fido2  = { is_attestation_enforced = true }`, `(?s)fido2 applies to method "Fido2" only`),
			plan(`
  method          = "X509Certificate"
  include_targets = [{ id = "all_users", is_usable_for_sign_in = false }]`, `(?s)is_usable_for_sign_in`),
			plan(`
  method          = "X509Certificate"
  include_targets = [{ id = "everyone" }]`, `(?s)all_users`),
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Graph saw %d requests", n)
	}
}

// Throttled, unavailable and lagging: retried, and the apply waits for reads.
func TestAccAuthenticationMethodConfiguration_x509ThrottledAndLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + amcPath + "X509Certificate", Method: "PATCH", Status: 429, Retry: 1, Times: 1})
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + amcPath + "X509Certificate", Method: "GET", Status: 503, Retry: 1, Times: 1})
				tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 2*time.Second)
			},
			Config: amcConfig(tn, "cba", `
  method = "X509Certificate"
  state  = "enabled"`),
			Check: tenantMethod(t, tn, "X509Certificate", func(m map[string]any) error {
				st := tn.Sim.Stats()
				if m["state"] != "enabled" || st.Statuses(m365sim.EndpointGraph, 429) != 1 || st.Statuses(m365sim.EndpointGraph, 503) != 1 {
					return fmt.Errorf("state %v, faults not exercised", m["state"])
				}
				return nil
			}),
		}},
	})
}

func TestAccAuthenticationMethodConfiguration_x509ReadOnlyApp(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) + `
resource "m365harden_authentication_method_configuration" "cba" {
  method = "X509Certificate"
  state  = "enabled"
}`,
			ExpectError: regexp.MustCompile(`(?s)Policy.ReadWrite.AuthenticationMethod.*HTTP 403`),
		}},
	})
}
