package mailsec_test

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

const transportAddr = "m365harden_transport_config.this"

// objectIs checks the single object a Get cmdlet returns.
func objectIs(t *testing.T, tn *acctest.Tenant, cmdlet string, params map[string]any, want map[string]any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := tn.One(t, m365sim.EndpointExchange, cmdlet, params)
		for k, v := range want {
			if fmt.Sprint(got[k]) != fmt.Sprint(v) {
				return fmt.Errorf("%s: %s = %v, want %v", cmdlet, k, got[k], v)
			}
		}
		return nil
	}
}

func transportConfig(tn *acctest.Tenant, body string) string {
	return tn.ProviderConfig() + `
resource "m365harden_transport_config" "this" {
` + body + `
}
`
}

// The singleton is adopted, changed in place, imported by tenant ID, shows
// drift, and is left as it is on destroy.
func TestAccTransportConfig_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	// An older tenant where SMTP AUTH is still on.
	tn.Exchange(t, "Set-TransportConfig", map[string]any{"SmtpClientAuthenticationDisabled": false})
	hardened := transportConfig(tn, `  smtp_client_authentication_disabled = true`)
	updated := transportConfig(tn, `
  smtp_client_authentication_disabled          = true
  reply_all_storm_detection_minimum_recipients = 1000
  reply_all_storm_block_duration_hours         = 12
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: objectIs(t, tn, "Get-TransportConfig", nil, map[string]any{
			"SmtpClientAuthenticationDisabled": true, "ReplyAllStormDetectionMinimumRecipients": 1000}),
		Steps: []resource.TestStep{
			{
				Config: hardened,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(transportAddr, tfjsonpath.New("id"), knownvalue.StringExact(m365sim.DemoTenantID)),
					statecheck.ExpectKnownValue(transportAddr, tfjsonpath.New("smtp_client_authentication_disabled"), knownvalue.Bool(true)),
					// Unset settings are adopted from the tenant (its defaults).
					statecheck.ExpectKnownValue(transportAddr, tfjsonpath.New("reply_all_storm_protection_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(transportAddr, tfjsonpath.New("reply_all_storm_detection_minimum_recipients"), knownvalue.Int64Exact(2500)),
					statecheck.ExpectKnownValue(transportAddr, tfjsonpath.New("reply_all_storm_detection_minimum_replies"), knownvalue.Int64Exact(10)),
					statecheck.ExpectKnownValue(transportAddr, tfjsonpath.New("reply_all_storm_block_duration_hours"), knownvalue.Int64Exact(6)),
				},
				Check: objectIs(t, tn, "Get-TransportConfig", nil, map[string]any{"SmtpClientAuthenticationDisabled": true}),
			},
			{ // update in place
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(transportAddr, plancheck.ResourceActionUpdate),
				}},
				Check: objectIs(t, tn, "Get-TransportConfig", nil, map[string]any{
					"ReplyAllStormDetectionMinimumRecipients": 1000, "ReplyAllStormBlockDurationHours": 12}),
			},
			{
				ResourceName:      transportAddr,
				ImportState:       true,
				ImportStateId:     m365sim.DemoTenantID,
				ImportStateVerify: true,
			},
			{
				ResourceName:  transportAddr,
				ImportState:   true,
				ImportStateId: "contoso.com",
				ExpectError:   regexp.MustCompile(`imported by the tenant ID`),
			},
			{ // drift: SMTP AUTH switched back on out of band is planned off again
				PreConfig: func() {
					tn.Exchange(t, "Set-TransportConfig", map[string]any{"SmtpClientAuthenticationDisabled": false})
				},
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(transportAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(transportAddr, tfjsonpath.New("smtp_client_authentication_disabled"), knownvalue.Bool(true)),
				}},
				Check: objectIs(t, tn, "Get-TransportConfig", nil, map[string]any{"SmtpClientAuthenticationDisabled": true}),
			},
			{ // an unmanaged setting may change without a diff
				PreConfig: func() {
					tn.Exchange(t, "Set-TransportConfig", map[string]any{"ReplyAllStormDetectionMinimumReplies": 20})
				},
				Config:           updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(transportAddr, tfjsonpath.New("reply_all_storm_detection_minimum_replies"), knownvalue.Int64Exact(20)),
				},
			},
		},
	})
}

// The import block form works as well.
func TestAccTransportConfig_importBlock(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: transportConfig(tn, `  smtp_client_authentication_disabled = true`) + fmt.Sprintf(`
import {
  to = m365harden_transport_config.this
  id = %q
}
`, m365sim.DemoTenantID),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(transportAddr, plancheck.ResourceActionNoop),
			}},
		}},
	})
}

func TestAccTransportConfig_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      transportConfig(tn, `  reply_all_storm_detection_minimum_recipients = 500`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)between\s+1000\s+and\s+5000`),
			},
			{
				Config:      transportConfig(tn, `  reply_all_storm_block_duration_hours = 24`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)between\s+1\s+and\s+12`),
			},
			{
				Config:      transportConfig(tn, `  smtp_client_authentication_disabled = "sometimes"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Incorrect attribute value type|a bool is required`),
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Exchange saw %d requests", n)
	}
}

// 503 and 429 on the write and replication lag on the read-back: the apply
// retries and waits, and the plan after it is empty.
func TestAccTransportConfig_throttledAndLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Exchange(t, "Set-TransportConfig", map[string]any{"SmtpClientAuthenticationDisabled": false})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 2*time.Second)
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Set-TransportConfig", Status: 503, Retry: 1, Times: 1})
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-TransportConfig", Status: 429, Retry: 1, Times: 1})
			},
			Config: transportConfig(tn, `  smtp_client_authentication_disabled = true`),
			Check: resource.ComposeTestCheckFunc(
				objectIs(t, tn, "Get-TransportConfig", nil, map[string]any{"SmtpClientAuthenticationDisabled": true}),
				func(*terraform.State) error {
					if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 503); n != 1 {
						return fmt.Errorf("emulator answered %d 503s, want 1", n)
					}
					if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 429); n != 1 {
						return fmt.Errorf("emulator answered %d 429s, want 1", n)
					}
					return nil
				},
			),
		}},
	})
}

// An app without the Exchange role is told which role to assign, and the
// service's range check is the one the schema enforces.
func TestAccTransportConfig_forbidden(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) +
				`resource "m365harden_transport_config" "this" { smtp_client_authentication_disabled = false }`,
			ExpectError: regexp.MustCompile(`(?s)Set-TransportConfig.*"Organization\s+Transport\s+Settings"`),
		}},
	})
	if _, err := tn.Sim.Invoke(tn.ID, m365sim.EndpointExchange, "Set-TransportConfig", map[string]any{"ReplyAllStormDetectionMinimumReplies": 2}); err == nil {
		t.Fatal("the emulator accepted -ReplyAllStormDetectionMinimumReplies 2, below the documented 5")
	}
}
