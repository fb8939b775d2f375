package audit_test

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

const auditConfigAddr = "m365harden_audit_configuration.this"

func auditConfig(tn *acctest.Tenant, mailbox, ingestion bool) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_audit_configuration" "this" {
  mailbox_auditing_enabled            = %t
  unified_audit_log_ingestion_enabled = %t
}
`, mailbox, ingestion)
}

// tenantAudit checks the tenant's settings through the emulator.
func tenantAudit(t *testing.T, tn *acctest.Tenant, auditDisabled, ingestion bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		org := tn.One(t, m365sim.EndpointExchange, "Get-OrganizationConfig", nil)
		aal := tn.One(t, m365sim.EndpointExchange, "Get-AdminAuditLogConfig", nil)
		if org["AuditDisabled"] != auditDisabled || aal["UnifiedAuditLogIngestionEnabled"] != ingestion {
			return fmt.Errorf("tenant has AuditDisabled=%v UnifiedAuditLogIngestionEnabled=%v, want %v %v", org["AuditDisabled"], aal["UnifiedAuditLogIngestionEnabled"], auditDisabled, ingestion)
		}
		return nil
	}
}

func TestAccAuditConfiguration_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	// Start from a tenant an attacker has weakened.
	tn.Exchange(t, "Set-AdminAuditLogConfig", map[string]any{"UnifiedAuditLogIngestionEnabled": false})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		// Destroy leaves the tenant as it is.
		CheckDestroy: tenantAudit(t, tn, false, true),
		Steps: []resource.TestStep{
			{ // create: adopt the singleton and harden it
				Config: auditConfig(tn, true, true),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(auditConfigAddr, tfjsonpath.New("id"), knownvalue.StringExact(m365sim.DemoTenantID)),
					statecheck.ExpectKnownValue(auditConfigAddr, tfjsonpath.New("mailbox_auditing_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(auditConfigAddr, tfjsonpath.New("unified_audit_log_ingestion_enabled"), knownvalue.Bool(true)),
				},
				Check: tenantAudit(t, tn, false, true),
			},
			{ // update in place
				Config: auditConfig(tn, false, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(auditConfigAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(auditConfigAddr, tfjsonpath.New("mailbox_auditing_enabled"), knownvalue.Bool(false)),
				},
				Check: tenantAudit(t, tn, true, true),
			},
			{ // import by tenant id
				Config:            auditConfig(tn, false, true),
				ResourceName:      auditConfigAddr,
				ImportState:       true,
				ImportStateId:     m365sim.DemoTenantID,
				ImportStateVerify: true,
			},
			{ // import by anything else is refused
				Config:        auditConfig(tn, false, true),
				ResourceName:  auditConfigAddr,
				ImportState:   true,
				ImportStateId: "contoso.onmicrosoft.com",
				ExpectError:   regexp.MustCompile(`imported by the tenant ID`),
			},
			{ // out-of-band drift: auditing switched off again is planned back
				PreConfig: func() {
					tn.Exchange(t, "Set-OrganizationConfig", map[string]any{"AuditDisabled": false})
					tn.Exchange(t, "Set-AdminAuditLogConfig", map[string]any{"UnifiedAuditLogIngestionEnabled": false})
				},
				Config: auditConfig(tn, false, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(auditConfigAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(auditConfigAddr, tfjsonpath.New("unified_audit_log_ingestion_enabled"), knownvalue.Bool(true)),
				}},
				Check: tenantAudit(t, tn, true, true),
			},
			{ // drift seen by a plan alone
				PreConfig: func() {
					tn.Exchange(t, "Set-OrganizationConfig", map[string]any{"AuditDisabled": false})
				},
				Config:             auditConfig(tn, false, true),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // and fixed by the next apply
				Config: auditConfig(tn, true, true),
				Check:  tenantAudit(t, tn, false, true),
			},
		},
	})
}

func TestAccAuditConfiguration_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{ // bad input fails at plan time
				Config: tn.ProviderConfig() + `
resource "m365harden_audit_configuration" "this" {
  mailbox_auditing_enabled = "sometimes"
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Incorrect attribute value type|a bool is required`),
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Exchange saw %d requests", n)
	}
}

// Unset attributes are read but not managed: the tenant's value is adopted
// and a change to it is not planned away.
func TestAccAuditConfiguration_adoptUnmanaged(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.ProviderConfig() + `
resource "m365harden_audit_configuration" "this" {
  unified_audit_log_ingestion_enabled = true
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(auditConfigAddr, tfjsonpath.New("mailbox_auditing_enabled"), knownvalue.Bool(true)),
				},
			},
			{
				PreConfig: func() { tn.Exchange(t, "Set-OrganizationConfig", map[string]any{"AuditDisabled": true}) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(auditConfigAddr, tfjsonpath.New("mailbox_auditing_enabled"), knownvalue.Bool(false)),
				},
			},
		},
	})
}

// A 429 storm with Retry-After on the Exchange endpoint: the apply still
// succeeds and the retries are observed in the emulator's counters.
func TestAccAuditConfiguration_throttled(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-OrganizationConfig", Status: 429, Retry: 1, Times: 3})
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Set-OrganizationConfig", Status: 503, Retry: 1, Times: 1})
			},
			Config: auditConfig(tn, false, true),
			Check: resource.ComposeTestCheckFunc(
				tenantAudit(t, tn, true, true),
				func(*terraform.State) error {
					if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 429); n != 3 {
						return fmt.Errorf("emulator answered %d 429s, want 3", n)
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

// When throttling outlasts the retry budget the error says so.
func TestAccAuditConfiguration_throttledGivesUp(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Status: 429, Retry: 1})
			},
			Config:      tn.ProviderConfigAs(m365sim.DemoAdminAppID, fmt.Sprintf("client_secret = %q\n  max_retries = 2", m365sim.DemoAdminSecret)) + `resource "m365harden_audit_configuration" "this" {}`,
			ExpectError: regexp.MustCompile(`(?s)throttling.*HTTP 429.*gave up after 2 retries`),
		}},
	})
}

// Writes replicate: reads right after Set return the old value for a while.
// The apply waits until the tenant shows the change, so the plan after apply
// is empty (the framework checks that after every step).
func TestAccAuditConfiguration_replicationLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() { tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 2*time.Second) },
			Config:    auditConfig(tn, false, false),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(auditConfigAddr, tfjsonpath.New("mailbox_auditing_enabled"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(auditConfigAddr, tfjsonpath.New("unified_audit_log_ingestion_enabled"), knownvalue.Bool(false)),
			},
			Check: tenantAudit(t, tn, true, false),
		}},
	})
}

// An app without an Exchange role gets an error that names the role to assign.
func TestAccAuditConfiguration_forbidden(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoNoRoleAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoNoRoleSecret)) +
				`resource "m365harden_audit_configuration" "this" { mailbox_auditing_enabled = true }`,
			ExpectError: regexp.MustCompile(`(?s)Permission problem.*"Organization Configuration".*Exchange Administrator`),
		}},
	})
}

// A read-only app may read but not write: the write fails naming the role.
func TestAccAuditConfiguration_readOnlyApp(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) +
				`resource "m365harden_audit_configuration" "this" { mailbox_auditing_enabled = false }`,
			ExpectError: regexp.MustCompile(`(?s)Set-OrganizationConfig.*"Organization\s+Configuration"`),
		}},
	})
}
