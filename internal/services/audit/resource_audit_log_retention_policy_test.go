package audit_test

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

const retentionAddr = "m365harden_audit_log_retention_policy.exo"

func retentionConfig(tn *acctest.Tenant, duration string, priority int, extra string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_audit_log_retention_policy" "exo" {
  name               = "Exchange mailbox access"
  description        = "Keep mailbox access records"
  record_types       = ["ExchangeItem"]
  retention_duration = %q
  priority           = %d
%s
}
`, duration, priority, extra)
}

// retentionPolicy finds a policy by name the way an administrator must:
// Get-UnifiedAuditLogRetentionPolicy has no -Identity, so list and match.
func retentionPolicy(t *testing.T, tn *acctest.Tenant, name string) m365sim.Object {
	t.Helper()
	for _, o := range tn.Compliance(t, "Get-UnifiedAuditLogRetentionPolicy", nil) {
		if o["Name"] == name {
			return o
		}
	}
	return nil
}

func tenantRetention(t *testing.T, tn *acctest.Tenant, duration string, priority int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		o := retentionPolicy(t, tn, "Exchange mailbox access")
		if o == nil {
			return fmt.Errorf("no policy named Exchange mailbox access")
		}
		if o["RetentionDuration"] != duration || fmt.Sprint(o["Priority"]) != fmt.Sprint(priority) {
			return fmt.Errorf("policy has %v priority %v, want %s %d", o["RetentionDuration"], o["Priority"], duration, priority)
		}
		return nil
	}
}

func retentionGone(tn *acctest.Tenant, t *testing.T) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if retentionPolicy(t, tn, "Exchange mailbox access") != nil {
			return fmt.Errorf("the policy still exists after destroy")
		}
		return nil
	}
}

func TestAccAuditLogRetentionPolicy_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             retentionGone(tn, t),
		Steps: []resource.TestStep{
			{
				Config: retentionConfig(tn, "TwelveMonths", 100, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(retentionAddr, tfjsonpath.New("retention_duration"), knownvalue.StringExact("TwelveMonths")),
					statecheck.ExpectKnownValue(retentionAddr, tfjsonpath.New("user_ids"), knownvalue.Null()),
					statecheck.ExpectKnownValue(retentionAddr, tfjsonpath.New("id"), knownvalue.NotNull()),
				},
				Check: tenantRetention(t, tn, "TwelveMonths", 100),
			},
			{ // update in place: longer, lower priority, one operation
				Config: retentionConfig(tn, "TenYears", 200, `  operations = ["MailItemsAccessed"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(retentionAddr, plancheck.ResourceActionUpdate),
				}},
				Check: tenantRetention(t, tn, "TenYears", 200),
			},
			{ // import by name
				Config:            retentionConfig(tn, "TenYears", 200, `  operations = ["MailItemsAccessed"]`),
				ResourceName:      retentionAddr,
				ImportState:       true,
				ImportStateId:     "Exchange mailbox access",
				ImportStateVerify: true,
			},
			{ // drift: shortened out of band
				PreConfig: func() {
					tn.Compliance(t, "Set-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "Exchange mailbox access", "RetentionDuration": "ThreeMonths", "Priority": 200})
				},
				Config:             retentionConfig(tn, "TenYears", 200, `  operations = ["MailItemsAccessed"]`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // deleted out of band: created again
				PreConfig: func() {
					tn.Compliance(t, "Remove-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "Exchange mailbox access"})
				},
				Config: retentionConfig(tn, "TenYears", 200, `  operations = ["MailItemsAccessed"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(retentionAddr, plancheck.ResourceActionCreate),
				}},
				Check: tenantRetention(t, tn, "TenYears", 200),
			},
		},
	})
}

func TestAccAuditLogRetentionPolicy_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	// The subtests are parallel and run after this function returns:
	// count the requests once they are all done.
	t.Cleanup(func() {
		if n := tn.Sim.Stats().Requests(m365sim.EndpointCompliance, ""); n != 0 {
			t.Errorf("a plan-time error must not reach the tenant; Security & Compliance saw %d requests", n)
		}
	})
	for name, c := range map[string]struct{ cfg, err string }{
		"duration": {retentionConfig(tn, "Forever", 1, ""), `value must be one of`},
		// Microsoft365DSC lists it; the cmdlet reference does not.
		"duration not in the cmdlet reference": {retentionConfig(tn, "SevenDays", 1, ""), `value must be one of`},
		"priority too low":                     {retentionConfig(tn, "TwelveMonths", 0, ""), `between 1 and 10000`},
		"description over 256 characters": {tn.ProviderConfig() + `
resource "m365harden_audit_log_retention_policy" "exo" {
  name               = "x"
  description        = "` + strings.Repeat("d", 257) + `"
  record_types       = ["ExchangeItem"]
  retention_duration = "TwelveMonths"
  priority           = 5
}`, `string length must be at most 256`},
		"operations without one type": {tn.ProviderConfig() + `
resource "m365harden_audit_log_retention_policy" "exo" {
  name               = "x"
  record_types       = ["ExchangeItem", "SharePoint"]
  operations         = ["FileAccessed"]
  retention_duration = "TwelveMonths"
  priority           = 5
}`, `exactly one record type`},
		"matches nothing": {tn.ProviderConfig() + `
resource "m365harden_audit_log_retention_policy" "exo" {
  name               = "x"
  retention_duration = "TwelveMonths"
  priority           = 5
}`, `at least one of record_types`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps:                    []resource.TestStep{{Config: c.cfg, PlanOnly: true, ExpectError: regexp.MustCompile("(?s)" + c.err)}},
			})
		})
	}
}

// Two policies may not share a priority: the service's error reaches the user.
func TestAccAuditLogRetentionPolicy_duplicatePriority(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Compliance(t, "New-UnifiedAuditLogRetentionPolicy", map[string]any{"Name": "Existing", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "SixMonths", "Priority": 100})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      retentionConfig(tn, "TwelveMonths", 100, ""),
			ExpectError: regexp.MustCompile(`(?s)Creating audit log retention policy.*priority 100 is already used`),
		}},
	})
}

// The Security & Compliance endpoint throttles and replicates too.
func TestAccAuditLogRetentionPolicy_throttledAndLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             retentionGone(tn, t),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.SetReplicationLag(m365sim.EndpointCompliance, 2*time.Second)
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointCompliance, Match: "Get-UnifiedAuditLogRetentionPolicy", Status: 429, Retry: 1, Times: 2})
			},
			Config: retentionConfig(tn, "TwelveMonths", 100, ""),
			Check: resource.ComposeTestCheckFunc(
				tenantRetention(t, tn, "TwelveMonths", 100),
				func(*terraform.State) error {
					if n := tn.Sim.Stats().Statuses(m365sim.EndpointCompliance, 429); n != 2 {
						return fmt.Errorf("emulator answered %d 429s, want 2", n)
					}
					return nil
				},
			),
		}},
	})
}

// Changing only the description still sends Priority and RetentionDuration:
// Set-UnifiedAuditLogRetentionPolicy requires both on every call.
func TestAccAuditLogRetentionPolicy_updateDescriptionOnly(t *testing.T) {
	tn := acctest.NewTenant(t)
	withDescription := func(d string) string {
		return strings.Replace(retentionConfig(tn, "TwelveMonths", 100, ""), "Keep mailbox access records", d, 1)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             retentionGone(tn, t),
		Steps: []resource.TestStep{
			{Config: withDescription("first")},
			{
				Config: withDescription("second"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(retentionAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					if o := retentionPolicy(t, tn, "Exchange mailbox access"); o == nil || o["Description"] != "second" {
						return fmt.Errorf("description not updated: %v", o)
					}
					return nil
				},
			},
		},
	})
}

// Priority 1 is the highest: a policy that must win over another takes the
// lower number, and both numbers are kept as written.
func TestAccAuditLogRetentionPolicy_priorityOneIsHighest(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Compliance(t, "New-UnifiedAuditLogRetentionPolicy", map[string]any{"Name": "All Exchange, six months", "RecordTypes": []string{"ExchangeItem"}, "RetentionDuration": "SixMonths", "Priority": 10000})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             retentionGone(tn, t),
		Steps: []resource.TestStep{{
			Config: retentionConfig(tn, "TenYears", 1, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(retentionAddr, tfjsonpath.New("priority"), knownvalue.Int64Exact(1)),
			},
			Check: tenantRetention(t, tn, "TenYears", 1),
		}},
	})
}
