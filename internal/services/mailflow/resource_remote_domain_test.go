package mailflow_test

import (
	"fmt"
	"regexp"
	"strings"
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

// remoteDomainIs checks a remote domain's settings in the tenant; nil want
// means it must not exist.
func remoteDomainIs(tn *acctest.Tenant, name string, want map[string]any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := tn.Sim.Invoke(tn.ID, m365sim.EndpointExchange, "Get-RemoteDomain", map[string]any{"Identity": name})
		if want == nil {
			if err == nil {
				return fmt.Errorf("remote domain %s still exists: %v", name, out)
			}
			return nil
		}
		if err != nil {
			return err
		}
		for k, v := range want {
			if out[0][k] != v {
				return fmt.Errorf("remote domain %s: %s = %v, want %v", name, k, out[0][k], v)
			}
		}
		return nil
	}
}

const defaultDomainAddr = "m365harden_remote_domain.default"

// defaultDomainConfig hardens the built-in Default remote domain: automatic
// forwarding off.
func defaultDomainConfig(tn *acctest.Tenant) string {
	return tn.ProviderConfig() + `
resource "m365harden_remote_domain" "default" {
  name                 = "Default"
  domain_name          = "*"
  auto_forward_enabled = false
}
`
}

// The built-in Default remote domain is adopted, hardened, drifts back when
// m365sim turns AutoForwardEnabled on again, and is left in place on destroy.
func TestAccRemoteDomain_default(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		// Destroy leaves the Default domain and its (hardened) settings.
		CheckDestroy: remoteDomainIs(tn, "Default", map[string]any{"DomainName": "*", "AutoForwardEnabled": false}),
		Steps: []resource.TestStep{
			{
				Config: defaultDomainConfig(tn),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(defaultDomainAddr, tfjsonpath.New("id"), knownvalue.StringExact("Default")),
					statecheck.ExpectKnownValue(defaultDomainAddr, tfjsonpath.New("auto_forward_enabled"), knownvalue.Bool(false)),
					// Unset settings are adopted from the tenant.
					statecheck.ExpectKnownValue(defaultDomainAddr, tfjsonpath.New("auto_reply_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(defaultDomainAddr, tfjsonpath.New("allowed_oof_type"), knownvalue.StringExact("External")),
				},
				Check: remoteDomainIs(tn, "Default", map[string]any{"AutoForwardEnabled": false, "AutoReplyEnabled": true}),
			},
			{ // drift: someone turns auto-forwarding to * back on
				PreConfig: func() {
					tn.Exchange(t, "Set-RemoteDomain", map[string]any{"Identity": "Default", "AutoForwardEnabled": true})
				},
				Config:             defaultDomainConfig(tn),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // the plan shows exactly that attribute going back to false
				Config: defaultDomainConfig(tn),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(defaultDomainAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(defaultDomainAddr, tfjsonpath.New("auto_forward_enabled"), knownvalue.Bool(false)),
				}},
				Check: remoteDomainIs(tn, "Default", map[string]any{"AutoForwardEnabled": false}),
			},
			{ // import by name
				Config:            defaultDomainConfig(tn),
				ResourceName:      defaultDomainAddr,
				ImportState:       true,
				ImportStateId:     "Default",
				ImportStateVerify: true,
			},
		},
	})
}

func partnerConfig(tn *acctest.Tenant, name, domain, extra string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_remote_domain" "partner" {
  name        = %q
  domain_name = %q
%s
}
`, name, domain, extra)
}

const partnerAddr = "m365harden_remote_domain.partner"

func TestAccRemoteDomain_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			remoteDomainIs(tn, "Partner", nil),
			remoteDomainIs(tn, "Partner EU", nil),
			remoteDomainIs(tn, "Default", map[string]any{"AutoForwardEnabled": true}),
		),
		Steps: []resource.TestStep{
			{ // create with settings
				Config: partnerConfig(tn, "Partner", "partner.example", `  auto_forward_enabled = true
  allowed_oof_type     = "None"
  ndr_enabled          = false`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("id"), knownvalue.StringExact("Partner")),
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("allowed_oof_type"), knownvalue.StringExact("None")),
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("delivery_report_enabled"), knownvalue.Bool(true)),
				},
				Check: remoteDomainIs(tn, "Partner", map[string]any{"DomainName": "partner.example", "AutoForwardEnabled": true, "AllowedOOFType": "None", "NDREnabled": false}),
			},
			{ // update in place
				Config: partnerConfig(tn, "Partner", "partner.example", `  auto_forward_enabled = false
  allowed_oof_type     = "External"
  ndr_enabled          = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionUpdate),
				}},
				Check: remoteDomainIs(tn, "Partner", map[string]any{"AutoForwardEnabled": false, "AllowedOOFType": "External"}),
			},
			{ // import by name
				ResourceName:      partnerAddr,
				ImportState:       true,
				ImportStateId:     "Partner",
				ImportStateVerify: true,
			},
			{ // out-of-band deletion: re-created
				PreConfig: func() { tn.Exchange(t, "Remove-RemoteDomain", map[string]any{"Identity": "Partner"}) },
				Config: partnerConfig(tn, "Partner", "partner.example", `  auto_forward_enabled = false
  ndr_enabled          = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionCreate),
				}},
				Check: remoteDomainIs(tn, "Partner", map[string]any{"AutoForwardEnabled": false, "NDREnabled": false}),
			},
			{ // a new domain name (and name) replaces the remote domain
				Config: partnerConfig(tn, "Partner EU", "*.partner.example", `  auto_forward_enabled = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(partnerAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					remoteDomainIs(tn, "Partner", nil),
					remoteDomainIs(tn, "Partner EU", map[string]any{"DomainName": "*.partner.example", "AutoForwardEnabled": false}),
				),
			},
		},
	})
}

func TestAccRemoteDomain_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	steps := []resource.TestStep{}
	for _, c := range []struct{ name, domain, extra, want string }{
		{"x", "domain.*.contoso.com", "", `must be an SMTP domain`},
		{"x", "contoso", "", `must be an SMTP domain`},
		{"x", "*", "", `named "Default" and has domain_name "\*"`},
		{"Default", "contoso.com", "", `named "Default"`},
		{"x", "contoso.com", `allowed_oof_type = "Sometimes"`, `value must be one of`},
		{"x", "contoso.com", `allowed_oof_type = "none"`, `value must be one of`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      partnerConfig(tn, c.name, c.domain, c.extra),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(strings.ReplaceAll(c.want, " ", `\s+`)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("plan-time errors must not reach the tenant; Exchange saw %d requests", n)
	}
}

// The built-in Default remote domain adopted as "default" (Exchange names
// are case-insensitive): the apply keeps the configured spelling, plans stay
// empty, and importing it by "Default" into that configuration plans
// nothing (no replacement).
func TestAccRemoteDomain_defaultLowerCase(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.ProviderConfig() + `
resource "m365harden_remote_domain" "default" {
  name                 = "default"
  domain_name          = "*"
  auto_forward_enabled = false
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             remoteDomainIs(tn, "Default", map[string]any{"AutoForwardEnabled": false}),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(defaultDomainAddr, tfjsonpath.New("name"), knownvalue.StringExact("default")),
					statecheck.ExpectKnownValue(defaultDomainAddr, tfjsonpath.New("id"), knownvalue.StringExact("Default")),
				},
				Check: remoteDomainIs(tn, "Default", map[string]any{"AutoForwardEnabled": false}),
			},
			{Config: cfg, PlanOnly: true},
			{ // an import block naming it as Exchange spells it plans no change
				Config:          cfg,
				ResourceName:    defaultDomainAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "Default",
			},
		},
	})
}

// Names and domain names differ from the tenant's only in case: no error
// after apply, no diff, no replacement, and the user's spelling stays.
func TestAccRemoteDomain_caseInsensitive(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             remoteDomainIs(tn, "Partner", nil),
		Steps: []resource.TestStep{
			{
				Config: partnerConfig(tn, "Partner", "Partner.Example", `  auto_forward_enabled = false`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("domain_name"), knownvalue.StringExact("Partner.Example")),
				},
				// Exchange stores the domain in lower case.
				Check: remoteDomainIs(tn, "Partner", map[string]any{"DomainName": "partner.example"}),
			},
			{ // the user respells both in another case: nothing to do
				Config: partnerConfig(tn, "PARTNER", "partner.EXAMPLE", `  auto_forward_enabled = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{ // imported (Exchange's spelling) into a configuration with another case
				Config:          partnerConfig(tn, "partner", "PARTNER.example", `  auto_forward_enabled = false`),
				ResourceName:    partnerAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "partner",
			},
		},
	})
}

// A name clash is reported with what to do about it.
func TestAccRemoteDomain_conflict(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Exchange(t, "New-RemoteDomain", map[string]any{"Name": "Partner", "DomainName": "partner.example"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      partnerConfig(tn, "Partner", "other.example", ""),
			ExpectError: regexp.MustCompile(`(?s)Creating remote domain "Partner".*already exists; import it`),
		}},
	})
}

// Throttling (429 then 503 on reads) and replication lag after New: the
// apply still succeeds and reads back what it wrote.
func TestAccRemoteDomain_throttledAndLagging(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             remoteDomainIs(tn, "Partner", nil),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 2*time.Second)
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-RemoteDomain", Status: 429, Retry: 1, Times: 2})
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Set-RemoteDomain", Status: 503, Retry: 1, Times: 1})
			},
			Config: partnerConfig(tn, "Partner", "partner.example", `  auto_forward_enabled = false`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(partnerAddr, tfjsonpath.New("auto_forward_enabled"), knownvalue.Bool(false)),
			},
			Check: resource.ComposeTestCheckFunc(
				remoteDomainIs(tn, "Partner", map[string]any{"AutoForwardEnabled": false}),
				func(*terraform.State) error {
					if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 429); n != 2 {
						return fmt.Errorf("emulator answered %d 429s, want 2", n)
					}
					if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 503); n != 1 {
						return fmt.Errorf("emulator answered %d 503s, want 1", n)
					}
					return nil
				},
			),
		}},
	})
}

// Global Reader may read remote domains but not change them; the error names
// the role.
func TestAccRemoteDomain_readOnlyApp(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) + `
resource "m365harden_remote_domain" "default" {
  name                 = "Default"
  domain_name          = "*"
  auto_forward_enabled = false
}`,
			ExpectError: regexp.MustCompile(`(?s)Set-RemoteDomain.*"Remote\s+and\s+Accepted\s+Domains"`),
		}},
	})
}
