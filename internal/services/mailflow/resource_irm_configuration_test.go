package mailflow_test

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

const irmAddr = "m365harden_irm_configuration.this"

// irmIs checks the tenant's IRM configuration.
func irmIs(t *testing.T, tn *acctest.Tenant, want map[string]any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := tn.One(t, m365sim.EndpointExchange, "Get-IRMConfiguration", nil)
		for k, v := range want {
			if got[k] != v {
				return fmt.Errorf("IRM configuration: %s = %v, want %v", k, got[k], v)
			}
		}
		return nil
	}
}

func irmConfig(tn *acctest.Tenant, body string) string {
	return tn.ProviderConfig() + `
resource "m365harden_irm_configuration" "this" {
` + body + `
}
`
}

// The singleton is adopted, changed in place, imported by tenant ID, shows
// drift, and is left as it is on destroy.
func TestAccIRMConfiguration_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	// Start from a tenant where someone switched licensing off.
	tn.Exchange(t, "Set-IRMConfiguration", map[string]any{"AzureRMSLicensingEnabled": false})
	hardened := irmConfig(tn, `
  azure_rms_licensing_enabled      = true
  simplified_client_access_enabled = true
  enable_pdf_encryption            = true
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             irmIs(t, tn, map[string]any{"AzureRMSLicensingEnabled": true, "TransportDecryptionSetting": "Optional"}),
		Steps: []resource.TestStep{
			{
				Config: hardened,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(irmAddr, tfjsonpath.New("id"), knownvalue.StringExact(m365sim.DemoTenantID)),
					statecheck.ExpectKnownValue(irmAddr, tfjsonpath.New("azure_rms_licensing_enabled"), knownvalue.Bool(true)),
					// Unset settings are adopted from the tenant.
					statecheck.ExpectKnownValue(irmAddr, tfjsonpath.New("internal_licensing_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(irmAddr, tfjsonpath.New("decrypt_attachment_for_encrypt_only"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(irmAddr, tfjsonpath.New("transport_decryption_setting"), knownvalue.StringExact("Mandatory")),
				},
				Check: irmIs(t, tn, map[string]any{"AzureRMSLicensingEnabled": true, "SimplifiedClientAccessEnabled": true, "EnablePdfEncryption": true}),
			},
			{ // update in place
				Config: irmConfig(tn, `
  azure_rms_licensing_enabled      = true
  simplified_client_access_enabled = true
  enable_pdf_encryption            = true
  transport_decryption_setting     = "Optional"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(irmAddr, plancheck.ResourceActionUpdate),
				}},
				Check: irmIs(t, tn, map[string]any{"TransportDecryptionSetting": "Optional"}),
			},
			{
				ResourceName:      irmAddr,
				ImportState:       true,
				ImportStateId:     m365sim.DemoTenantID,
				ImportStateVerify: true,
			},
			{
				ResourceName:  irmAddr,
				ImportState:   true,
				ImportStateId: "contoso.com",
				ExpectError:   regexp.MustCompile(`imported by the tenant ID`),
			},
			{ // drift: licensing switched off out of band is planned back on
				PreConfig: func() {
					tn.Exchange(t, "Set-IRMConfiguration", map[string]any{"AzureRMSLicensingEnabled": false})
				},
				Config: irmConfig(tn, `
  azure_rms_licensing_enabled      = true
  simplified_client_access_enabled = true
  enable_pdf_encryption            = true
  transport_decryption_setting     = "Optional"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(irmAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(irmAddr, tfjsonpath.New("azure_rms_licensing_enabled"), knownvalue.Bool(true)),
				}},
				Check: irmIs(t, tn, map[string]any{"AzureRMSLicensingEnabled": true}),
			},
			{ // an unmanaged setting may change without a diff
				PreConfig: func() {
					tn.Exchange(t, "Set-IRMConfiguration", map[string]any{"DecryptAttachmentForEncryptOnly": true})
				},
				Config: irmConfig(tn, `
  azure_rms_licensing_enabled      = true
  simplified_client_access_enabled = true
  enable_pdf_encryption            = true
  transport_decryption_setting     = "Optional"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(irmAddr, tfjsonpath.New("decrypt_attachment_for_encrypt_only"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

func TestAccIRMConfiguration_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      irmConfig(tn, `  transport_decryption_setting = "Always"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`value must be one of`),
			},
			{
				Config:      irmConfig(tn, `  enable_pdf_encryption = "sometimes"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Incorrect attribute value type|a bool is required`),
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Exchange saw %d requests", n)
	}
}

// 503 on the write and replication lag on the read-back: the apply retries
// and waits, and the plan after it is empty.
func TestAccIRMConfiguration_unavailableAndLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 2*time.Second)
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Set-IRMConfiguration", Status: 503, Retry: 1, Times: 1})
			},
			Config: irmConfig(tn, `  enable_pdf_encryption = true`),
			Check: resource.ComposeTestCheckFunc(
				irmIs(t, tn, map[string]any{"EnablePdfEncryption": true}),
				func(*terraform.State) error {
					if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 503); n != 1 {
						return fmt.Errorf("emulator answered %d 503s, want 1", n)
					}
					return nil
				},
			),
		}},
	})
}

// An app without an Exchange role is told which role to assign.
func TestAccIRMConfiguration_forbidden(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) +
				`resource "m365harden_irm_configuration" "this" { azure_rms_licensing_enabled = false }`,
			ExpectError: regexp.MustCompile(`(?s)Set-IRMConfiguration.*"Information\s+Rights\s+Management"`),
		}},
	})
}
