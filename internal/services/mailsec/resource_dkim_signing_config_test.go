package mailsec_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

const dkimAddr = "m365harden_dkim_signing_config.this"

func dkimConfig(tn *acctest.Tenant, body string) string {
	return tn.ProviderConfig() + `
resource "m365harden_dkim_signing_config" "this" {
` + body + `
}
`
}

// publishDKIM publishes (or, with remove, withdraws) a domain's two selector
// CNAME records in the emulator's DNS, as the domain owner would.
func publishDKIM(t *testing.T, tn *acctest.Tenant, domain string, remove bool) {
	t.Helper()
	var recs []map[string]any
	for i := 1; i <= 2; i++ {
		recs = append(recs, map[string]any{"name": fmt.Sprintf("selector%d._domainkey.%s", i, domain), "type": "CNAME",
			"value": m365sim.DKIMSelectorCNAME(m365sim.DemoDomain, domain, i)})
	}
	if _, err := tn.Sim.Seed(tn.ID, "dns-records", map[string]any{"records": recs, "remove": remove}); err != nil {
		t.Fatal(err)
	}
}

// A custom domain: created disabled with its CNAMEs exposed, enabled once
// they are published, imported, drift planned back, keys rotated by the
// trigger and by a key size change, and left in place on destroy.
func TestAccDkimSigningConfig_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := func(body string) string { return dkimConfig(tn, "  domain_name = \"contoso.com\"\n"+body) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: objectIs(t, tn, "Get-DkimSigningConfig", map[string]any{"Identity": "contoso.com"}, map[string]any{
			"Enabled": true, "HeaderCanonicalization": "Simple"}),
		Steps: []resource.TestStep{
			{
				Config: cfg(`  enabled = false`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(dkimAddr, tfjsonpath.New("id"), knownvalue.StringExact("contoso.com")),
					statecheck.ExpectKnownValue(dkimAddr, tfjsonpath.New("key_size"), knownvalue.Int64Exact(2048)),
					statecheck.ExpectKnownValue(dkimAddr, tfjsonpath.New("selector1_host"), knownvalue.StringExact("selector1._domainkey.contoso.com")),
					statecheck.ExpectKnownValue(dkimAddr, tfjsonpath.New("selector1_cname"), knownvalue.StringExact(m365sim.DKIMSelectorCNAME(m365sim.DemoDomain, "contoso.com", 1))),
					statecheck.ExpectKnownValue(dkimAddr, tfjsonpath.New("selector2_cname"), knownvalue.StringExact(m365sim.DKIMSelectorCNAME(m365sim.DemoDomain, "contoso.com", 2))),
					statecheck.ExpectKnownValue(dkimAddr, tfjsonpath.New("status"), knownvalue.StringExact("CnameMissing")),
					statecheck.ExpectKnownValue(dkimAddr, tfjsonpath.New("body_canonicalization"), knownvalue.StringExact("Relaxed")),
				},
				Check: objectIs(t, tn, "Get-DkimSigningConfig", map[string]any{"Identity": "contoso.com"}, map[string]any{
					"Enabled": false, "Selector1KeySize": 2048}),
			},
			{ // the owner publishes the records; enabling is an in-place update
				PreConfig: func() { publishDKIM(t, tn, "contoso.com", false) },
				Config:    cfg(`  enabled = true`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(dkimAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(dkimAddr, tfjsonpath.New("status"), knownvalue.StringExact("Valid")),
				},
				Check: objectIs(t, tn, "Get-DkimSigningConfig", map[string]any{"Identity": "contoso.com"}, map[string]any{"Enabled": true}),
			},
			{
				ResourceName:            dkimAddr,
				ImportState:             true,
				ImportStateId:           "contoso.com",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"rotation_trigger"},
			},
			{ // drift: signing switched off out of band is planned back on
				PreConfig: func() {
					tn.Exchange(t, "Set-DkimSigningConfig", map[string]any{"Identity": "contoso.com", "Enabled": false})
				},
				Config: cfg(`  enabled = true`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(dkimAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(dkimAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
				}},
				Check: objectIs(t, tn, "Get-DkimSigningConfig", map[string]any{"Identity": "contoso.com"}, map[string]any{"Enabled": true}),
			},
			{ // rotation by the explicit trigger, with a canonicalization change
				Config: cfg(`
  enabled                 = true
  rotation_trigger        = "2026-12"
  header_canonicalization = "Simple"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(dkimAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(dkimAddr, tfjsonpath.New("newest_selector"), knownvalue.StringExact("selector2")),
				},
				Check: objectIs(t, tn, "Get-DkimSigningConfig", map[string]any{"Identity": "contoso.com"}, map[string]any{
					"SelectorAfterRotateOnDate": "selector2", "SelectorBeforeRotateOnDate": "selector1", "HeaderCanonicalization": "Simple"}),
			},
			{ // the same trigger again: nothing to do
				Config: cfg(`
  enabled                 = true
  rotation_trigger        = "2026-12"
  header_canonicalization = "Simple"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{ // a second rotation while one is pending: the service's refusal is shown
				Config: cfg(`
  enabled                 = true
  rotation_trigger        = "2027-01"
  header_canonicalization = "Simple"
`),
				ExpectError: regexp.MustCompile(`(?s)Rotate-DkimSigningConfig.*already pending`),
			},
		},
	})
}

// Enabling before the CNAMEs are published fails with the service's
// CnameMissing error naming the records; once published, apply succeeds.
func TestAccDkimSigningConfig_cnameMissing(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := dkimConfig(tn, `
  domain_name = "contoso.com"
  enabled     = true
  key_size    = 1024
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)CNAME\s+record\s+does\s+not\s+exist\s+for\s+this\s+config.*selector1-contoso-com`),
			},
			{
				PreConfig: func() {
					// The failed apply left the configuration, disabled.
					o := tn.One(t, m365sim.EndpointExchange, "Get-DkimSigningConfig", map[string]any{"Identity": "contoso.com"})
					if o["Enabled"] != false || fmt.Sprint(o["Selector1KeySize"]) != "1024" {
						t.Fatalf("after the failed enable: %v", o)
					}
					publishDKIM(t, tn, "contoso.com", false)
				},
				Config: cfg,
				Check:  objectIs(t, tn, "Get-DkimSigningConfig", map[string]any{"Identity": "contoso.com"}, map[string]any{"Enabled": true, "Status": "Valid"}),
			},
		},
	})
}

// The initial domain's configuration exists from the start: it is adopted
// (no New-DkimSigningConfig), found by an import block, and a key size
// change rotates its keys.
func TestAccDkimSigningConfig_adoptInitialDomain(t *testing.T) {
	tn := acctest.NewTenant(t)
	d := m365sim.DemoDomain
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: dkimConfig(tn, fmt.Sprintf("  domain_name = %q\n  enabled = true\n", d)) + fmt.Sprintf(`
import {
  to = m365harden_dkim_signing_config.this
  id = %q
}
`, d),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(dkimAddr, plancheck.ResourceActionNoop),
				}},
			},
			{
				Config: dkimConfig(tn, fmt.Sprintf("  domain_name = %q\n  enabled = true\n  key_size = 1024\n", d)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(dkimAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					objectIs(t, tn, "Get-DkimSigningConfig", map[string]any{"Identity": d}, map[string]any{
						"SelectorAfterRotateOnDate": "selector2", "Selector2KeySize": 1024, "Selector1KeySize": 2048}),
					func(*terraform.State) error {
						if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "New-DkimSigningConfig"); n != 0 {
							return fmt.Errorf("the initial domain's config must be adopted; New-DkimSigningConfig ran %d times", n)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccDkimSigningConfig_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      dkimConfig(tn, "  domain_name = \"Contoso.com\"\n  enabled = true\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`must be in lower case`),
			},
			{
				Config:      dkimConfig(tn, "  domain_name = \"contoso\"\n  enabled = true\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`must be a domain`),
			},
			{
				Config:      dkimConfig(tn, "  domain_name = \"contoso.com\"\n  enabled = true\n  key_size = 4096\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)value must be one of`),
			},
			{
				Config:      dkimConfig(tn, "  domain_name = \"contoso.com\"\n  enabled = true\n  body_canonicalization = \"Loose\"\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)value must be one of`),
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Exchange saw %d requests", n)
	}
}

// A domain the organization does not accept is refused by the service, and
// an app without the role is told which role to assign.
func TestAccDkimSigningConfig_refused(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      dkimConfig(tn, "  domain_name = \"fabrikam.com\"\n  enabled = false\n"),
				ExpectError: regexp.MustCompile(`(?s)New-DkimSigningConfig.*isn't\s+an\s+accepted\s+domain`),
			},
			{
				Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) +
					`resource "m365harden_dkim_signing_config" "this" {
  domain_name = "contoso.com"
  enabled     = false
}`,
				ExpectError: regexp.MustCompile(`(?s)New-DkimSigningConfig.*"Security\s+Admin"`),
			},
		},
	})
}

// Changing the domain replaces the resource: the new domain's config is
// created (or, for the initial domain, adopted) and the old one is left
// as it is, since Exchange Online has no cmdlet to remove a DKIM config.
func TestAccDkimSigningConfig_replace(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			objectIs(t, tn, "Get-DkimSigningConfig", map[string]any{"Identity": "contoso.com"}, map[string]any{"Enabled": false}),
			objectIs(t, tn, "Get-DkimSigningConfig", map[string]any{"Identity": m365sim.DemoDomain}, map[string]any{"Enabled": true}),
		),
		Steps: []resource.TestStep{
			{
				Config: dkimConfig(tn, "  domain_name = \"contoso.com\"\n  enabled = false\n"),
				Check:  objectIs(t, tn, "Get-DkimSigningConfig", map[string]any{"Identity": "contoso.com"}, map[string]any{"Enabled": false}),
			},
			{
				Config: dkimConfig(tn, fmt.Sprintf("  domain_name = %q\n  enabled = true\n", m365sim.DemoDomain)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(dkimAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(dkimAddr, tfjsonpath.New("id"), knownvalue.StringExact(m365sim.DemoDomain)),
					statecheck.ExpectKnownValue(dkimAddr, tfjsonpath.New("status"), knownvalue.StringExact("Valid")),
				},
				Check: resource.ComposeTestCheckFunc(
					// The old domain's config is still there, unchanged.
					objectIs(t, tn, "Get-DkimSigningConfig", map[string]any{"Identity": "contoso.com"}, map[string]any{"Enabled": false}),
					func(*terraform.State) error {
						if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "New-DkimSigningConfig"); n != 1 {
							return fmt.Errorf("New-DkimSigningConfig ran %d times, want 1 (contoso.com only; the initial domain is adopted)", n)
						}
						return nil
					},
				),
			},
		},
	})
}
