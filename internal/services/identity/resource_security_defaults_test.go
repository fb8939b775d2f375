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
	sdAddr = "m365harden_security_defaults.this"
	sdPath = "/policies/identitySecurityDefaultsEnforcementPolicy"
)

func sdConfig(tn *acctest.Tenant, enabled bool) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_security_defaults" "this" {
  enabled = %t
}
`, enabled)
}

func tenantSecurityDefaults(t *testing.T, tn *acctest.Tenant, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		code, p := graphJSON(t, tn, "GET", sdPath, nil)
		if code != 200 || p["isEnabled"] != want {
			return fmt.Errorf("tenant security defaults: %d %v, want isEnabled %t", code, p, want)
		}
		return nil
	}
}

func TestAccSecurityDefaults_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		// Destroy leaves the tenant's setting as it is.
		CheckDestroy: tenantSecurityDefaults(t, tn, true),
		Steps: []resource.TestStep{
			{ // adopt the singleton (on in a new tenant) and turn it off for Conditional Access
				Config: sdConfig(tn, false),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sdAddr, tfjsonpath.New("id"), knownvalue.StringExact(m365sim.SecurityDefaultsPolicyID)),
					statecheck.ExpectKnownValue(sdAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(sdAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Security Defaults")),
				},
				Check: tenantSecurityDefaults(t, tn, false),
			},
			{ // update in place
				Config: sdConfig(tn, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(sdAddr, plancheck.ResourceActionUpdate),
				}},
				Check: tenantSecurityDefaults(t, tn, true),
			},
			{ // import by tenant id
				Config:            sdConfig(tn, true),
				ResourceName:      sdAddr,
				ImportState:       true,
				ImportStateId:     m365sim.DemoTenantID,
				ImportStateVerify: true,
			},
			{ // import by the policy id
				Config:            sdConfig(tn, true),
				ResourceName:      sdAddr,
				ImportState:       true,
				ImportStateId:     m365sim.SecurityDefaultsPolicyID,
				ImportStateVerify: true,
			},
			{ // anything else is refused
				Config:        sdConfig(tn, true),
				ResourceName:  sdAddr,
				ImportState:   true,
				ImportStateId: "contoso.onmicrosoft.com",
				ExpectError:   regexp.MustCompile(`imported by the tenant ID`),
			},
			{ // drift: another admin turns it off
				PreConfig: func() {
					if code, out := graphJSON(t, tn, "PATCH", sdPath, map[string]any{"isEnabled": false}); code != 204 {
						t.Fatalf("out-of-band PATCH: %d %v", code, out)
					}
				},
				Config:             sdConfig(tn, true),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // and the next apply turns it back on
				Config: sdConfig(tn, true),
				Check:  tenantSecurityDefaults(t, tn, true),
			},
		},
	})
}

func TestAccSecurityDefaults_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      tn.ProviderConfig() + `resource "m365harden_security_defaults" "this" { enabled = "sometimes" }`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Incorrect attribute value type|a bool is required`),
			},
			{
				Config:      tn.ProviderConfig() + `resource "m365harden_security_defaults" "this" {}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Missing required argument`),
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Graph saw %d requests", n)
	}
}

// The PATCH replicates: the apply waits until reads show it.
func TestAccSecurityDefaults_replicationLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() { tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 2*time.Second) },
			Config:    sdConfig(tn, false),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(sdAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
			},
			Check: tenantSecurityDefaults(t, tn, false),
		}},
	})
}

// A read-only app gets an error naming the permission.
func TestAccSecurityDefaults_readOnlyApp(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) +
				`resource "m365harden_security_defaults" "this" { enabled = false }`,
			ExpectError: regexp.MustCompile(`(?s)Setting security defaults to enabled = false failed.*Policy.ReadWrite.SecurityDefaults`),
		}},
	})
}
