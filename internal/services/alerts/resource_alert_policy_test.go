package alerts_test

import (
	"fmt"
	"os"
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

const alertAddr = "m365harden_alert_policy.forwarding"

// alertConfig is a policy watching forwarding inbox rules; body holds the
// attributes after name.
func alertConfig(tn *acctest.Tenant, body string) string {
	return tn.ProviderConfig() + `
resource "m365harden_alert_policy" "forwarding" {
  name = "Forwarding inbox rule created"
` + body + `
}
`
}

const alertBasic = `
  category     = "ThreatManagement"
  threat_type  = "Activity"
  operation    = "New-InboxRule"
  notify_users = ["secops@contoso.com"]
`

// tenantAlert reads the policy out of band (nil when it does not exist).
func tenantAlert(t *testing.T, tn *acctest.Tenant, name string) m365sim.Object {
	t.Helper()
	out, err := tn.Sim.Invoke(tn.ID, m365sim.EndpointCompliance, "Get-ProtectionAlert", map[string]any{"Identity": name})
	if err != nil {
		if strings.Contains(err.Error(), "status 404") {
			return nil
		}
		t.Fatalf("Get-ProtectionAlert: %v", err)
	}
	return out[0]
}

func checkTenantAlert(t *testing.T, tn *acctest.Tenant, name string, want map[string]any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		o := tenantAlert(t, tn, name)
		if o == nil {
			return fmt.Errorf("alert policy %q does not exist in the tenant", name)
		}
		for k, v := range want {
			if got := fmt.Sprint(o[k]); got != fmt.Sprint(v) {
				return fmt.Errorf("tenant's %s is %s, want %v", k, got, v)
			}
		}
		return nil
	}
}

func alertDestroyed(t *testing.T, tn *acctest.Tenant, names ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, n := range names {
			if tenantAlert(t, tn, n) != nil {
				return fmt.Errorf("alert policy %q still exists after destroy", n)
			}
		}
		return nil
	}
}

func TestAccAlertPolicy_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	name := "Forwarding inbox rule created"
	updated := `
  category             = "MailFlow"
  severity             = "High"
  threat_type          = "Activity"
  operation            = "Set-InboxRule"
  notify_users         = ["secops@contoso.com", "SOC@contoso.com"]
  notification_enabled = false
  aggregation_type     = "SimpleAggregation"
  threshold            = 5
  time_window_minutes  = 120
  comment              = "Rules that forward mail outside"
  filter               = "Activity.UserId -like '*@contoso.com'"
  notification_culture = "da-DK"
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             alertDestroyed(t, tn, name),
		Steps: []resource.TestStep{
			{ // create with the defaults
				Config: alertConfig(tn, alertBasic),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("guid"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("severity"), knownvalue.StringExact("Low")),
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("aggregation_type"), knownvalue.StringExact("None")),
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("notification_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("disabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("threshold"), knownvalue.Null()),
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("comment"), knownvalue.Null()),
				},
				Check: checkTenantAlert(t, tn, name, map[string]any{"Category": "ThreatManagement", "ThreatType": "Activity", "Operation": "[New-InboxRule]",
					"NotifyUser": "[secops@contoso.com]", "AggregationType": "None", "Severity": "Low", "IsSystemRule": false}),
			},
			{ // update in place, including a switch to an aggregated alert
				Config: alertConfig(tn, updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(alertAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("threshold"), knownvalue.Int64Exact(5)),
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("time_window_minutes"), knownvalue.Int64Exact(120)),
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("notify_users"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("secops@contoso.com"), knownvalue.StringExact("SOC@contoso.com")})),
				},
				Check: checkTenantAlert(t, tn, name, map[string]any{"Category": "MailFlow", "Severity": "High", "Operation": "[Set-InboxRule]",
					"AggregationType": "SimpleAggregation", "Threshold": 5, "TimeWindow": 120, "NotificationEnabled": false,
					"Comment": "Rules that forward mail outside", "Filter": "Activity.UserId -like '*@contoso.com'", "NotificationCulture": "da-DK"}),
			},
			{ // import by name
				Config:            alertConfig(tn, updated),
				ResourceName:      alertAddr,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
			},
			{ // back to single events: threshold, comment and filter are cleared
				Config: alertConfig(tn, alertBasic+`  disabled = true
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("threshold"), knownvalue.Null()),
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("filter"), knownvalue.Null()),
				},
				Check: checkTenantAlert(t, tn, name, map[string]any{"AggregationType": "None", "Threshold": nil, "Comment": nil, "Filter": nil, "NotificationCulture": nil, "Disabled": true}),
			},
			{ // threat_type can't change in place: replaced
				Config: alertConfig(tn, `
  category     = "ThreatManagement"
  threat_type  = "Malware"
  notify_users = ["secops@contoso.com"]
  filter       = "Mail:Direction -eq 'Inbound'"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(alertAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: checkTenantAlert(t, tn, name, map[string]any{"ThreatType": "Malware", "Operation": "[]"}),
			},
		},
	})
}

func TestAccAlertPolicy_importByGUID(t *testing.T) {
	tn := acctest.NewTenant(t)
	name := "Forwarding inbox rule created"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             alertDestroyed(t, tn, name),
		Steps: []resource.TestStep{
			{Config: alertConfig(tn, alertBasic)},
			{
				Config:       alertConfig(tn, alertBasic),
				ResourceName: alertAddr,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources[alertAddr].Primary.Attributes["guid"], nil
				},
				ImportStateVerify: true,
			},
		},
	})
}

// Out-of-band changes show up as a plan and are put back.
func TestAccAlertPolicy_drift(t *testing.T) {
	tn := acctest.NewTenant(t)
	name := "Forwarding inbox rule created"
	cfg := alertConfig(tn, alertBasic)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             alertDestroyed(t, tn, name),
		Steps: []resource.TestStep{
			{Config: cfg},
			{ // someone turns it off and adds an external recipient
				PreConfig: func() {
					tn.Compliance(t, "Set-ProtectionAlert", map[string]any{"Identity": name, "Disabled": true,
						"NotifyUser": []string{"secops@contoso.com", "attacker@fabrikam.example"}})
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(alertAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(alertAddr, tfjsonpath.New("disabled"), knownvalue.Bool(false)),
				}},
				Check: checkTenantAlert(t, tn, name, map[string]any{"Disabled": false, "NotifyUser": "[secops@contoso.com]"}),
			},
			{ // a recipient's case changed by the service is not drift
				PreConfig: func() {
					tn.Compliance(t, "Set-ProtectionAlert", map[string]any{"Identity": name, "NotifyUser": []string{"SecOps@Contoso.com"}})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// Deleted out of band: the plan re-creates it.
func TestAccAlertPolicy_disappears(t *testing.T) {
	tn := acctest.NewTenant(t)
	name := "Forwarding inbox rule created"
	cfg := alertConfig(tn, alertBasic)
	var firstGUID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             alertDestroyed(t, tn, name),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					firstGUID = fmt.Sprint(tenantAlert(t, tn, name)["Guid"])
					return nil
				},
			},
			{
				PreConfig: func() { tn.Compliance(t, "Remove-ProtectionAlert", map[string]any{"Identity": name}) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(alertAddr, plancheck.ResourceActionCreate),
				}},
				Check: func(*terraform.State) error {
					o := tenantAlert(t, tn, name)
					if o == nil || fmt.Sprint(o["Guid"]) == firstGUID {
						return fmt.Errorf("the policy was not re-created: %v", o)
					}
					return nil
				},
			},
		},
	})
}

// Bad input fails at plan time, before any call to the tenant.
func TestAccAlertPolicy_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	// The subtests are parallel and run after this function returns:
	// count the requests once they are all done.
	t.Cleanup(func() {
		if n := tn.Sim.Stats().Requests(m365sim.EndpointCompliance, ""); n != 0 {
			t.Errorf("plan-time errors must not reach the tenant; Security & Compliance saw %d requests", n)
		}
	})
	cases := []struct {
		name, body, want string
	}{
		{"category", strings.Replace(alertBasic, `"ThreatManagement"`, `"Permissions"`, 1), `value must be one of`},
		{"threat type", strings.Replace(alertBasic, `"Activity"`, `"Phish"`, 1), `value must be one of`},
		{"severity", alertBasic + `  severity = "Critical"`, `value must be one of`},
		{"severity only default policies have", alertBasic + `  severity = "Informational"`, `value must be one of`},
		{"address", strings.Replace(alertBasic, `"secops@contoso.com"`, `"secops"`, 1), `must be an SMTP address`},
		{"no recipients", strings.Replace(alertBasic, `["secops@contoso.com"]`, `[]`, 1), `set must contain at least 1`},
		{"threshold too low", alertBasic + `  aggregation_type = "SimpleAggregation"
  threshold = 2
  time_window_minutes = 120`, `value must be at least 3`},
		{"time window too short", alertBasic + `  aggregation_type = "SimpleAggregation"
  threshold = 5
  time_window_minutes = 60`, `value must be at least 61`},
		{"threshold without aggregation", alertBasic + `  threshold = 5`, `threshold needs SimpleAggregation`},
		{"aggregation without threshold", alertBasic + `  aggregation_type = "SimpleAggregation"`, `Missing threshold`},
		{"operation with malware", strings.Replace(alertBasic, `"Activity"`, `"Malware"`, 1), `operation needs threat_type Activity`},
		{"two operations", strings.Replace(alertBasic, `"New-InboxRule"`, `"New-InboxRule,Set-InboxRule"`, 1), `one audited activity`},
		{"filter syntax", alertBasic + `  filter = "UserId equals bob"`, `(?s)not an OPATH criterion`},
		{"filter property", alertBasic + `  filter = "Mail:Subject -like 'invoice*'"`, `(?s)not a filterable property for threat_type Activity`},
		{"empty comment", alertBasic + `  comment = ""`, `string length must be at least 1`},
		{"culture", alertBasic + `  notification_culture = "danish"`, `must be a culture name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      alertConfig(tn, c.body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(c.want),
				}},
			})
		})
	}
}

// A name another (custom) policy already uses is refused with the
// service's error and advice.
func TestAccAlertPolicy_nameClash(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Compliance(t, "New-ProtectionAlert", map[string]any{"Name": "Forwarding inbox rule created", "Category": "ThreatManagement",
		"ThreatType": "Activity", "Operation": []string{"New-InboxRule"}, "NotifyUser": []string{"other@contoso.com"}, "AggregationType": "None"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      alertConfig(tn, alertBasic),
			ExpectError: regexp.MustCompile(`(?s)Creating alert policy "Forwarding inbox rule created" failed.*already exists.*ManagementObjectAlreadyExistsException`),
		}},
	})
}

// A default (system) alert policy's name, in any case, is refused at plan
// time with an error that points to the m365harden_alert_policies data
// source; nothing reaches New-ProtectionAlert.
func TestAccAlertPolicy_builtInNameRefusedAtPlan(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	for _, name := range []string{"Suspicious connector activity", "suspicious CONNECTOR activity"} {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProviderFactories,
			Steps: []resource.TestStep{{
				Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_alert_policy" "clash" {
  name         = %q
  category     = "ThreatManagement"
  threat_type  = "Activity"
  operation    = "Set-InboundConnector"
  notify_users = ["secops@contoso.com"]
}
`, name),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Name of a default alert policy.*"Suspicious connector activity" is a default \(system\) alert policy.*read with the\s+m365harden_alert_policies\s+data\s+source`),
			}},
		})
	}
	if n := tn.Sim.Stats().Requests(m365sim.EndpointCompliance, "New-ProtectionAlert"); n != 0 {
		t.Fatalf("New-ProtectionAlert ran %d times", n)
	}
}

// Notification addresses the tenant holds in another case plan no update
// after an import.
func TestAccAlertPolicy_importAddressCase(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Compliance(t, "New-ProtectionAlert", map[string]any{"Name": "Forwarding inbox rule created", "Category": "ThreatManagement",
		"ThreatType": "Activity", "Operation": []string{"New-InboxRule"}, "NotifyUser": []string{"SecOps@Contoso.com"}, "AggregationType": "None"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:          alertConfig(tn, alertBasic),
			ResourceName:    alertAddr,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithID,
			ImportStateId:   "forwarding inbox rule created",
		}},
	})
}

// Default policies can't be managed: importing one is refused.
func TestAccAlertPolicy_importSystemRefused(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:        alertConfig(tn, alertBasic),
			ResourceName:  alertAddr,
			ImportState:   true,
			ImportStateId: "Suspicious Email Forwarding Activity",
			ExpectError:   regexp.MustCompile(`(?s)Default alert policies can't be imported.*read with the\s+m365harden_alert_policies\s+data\s+source`),
		}},
	})
}

// Without an E5-level subscription aggregated alerts are refused with the
// licence advice; single-event alerts still work.
func TestAccAlertPolicy_licence(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Sim.Tenant(tn.ID).Licences.AdvancedAlerts = false
	name := "Forwarding inbox rule created"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             alertDestroyed(t, tn, name),
		Steps: []resource.TestStep{
			{
				Config: alertConfig(tn, alertBasic+`  aggregation_type = "SimpleAggregation"
  threshold = 5
  time_window_minutes = 120`),
				ExpectError: regexp.MustCompile(`(?s)only allows single-event alert policies.*NotNewProtectionAggregatedAlertCapableException`),
			},
			{
				Config: alertConfig(tn, alertBasic),
				Check:  checkTenantAlert(t, tn, name, map[string]any{"AggregationType": "None"}),
			},
			{ // a refused update leaves the policy and the state as they were
				Config: alertConfig(tn, alertBasic+`  severity = "High"
  aggregation_type = "AnomalousAggregation"`),
				ExpectError: regexp.MustCompile(`(?s)Changing alert policy "Forwarding inbox rule created" failed.*only allows single-event`),
			},
			{
				Config: alertConfig(tn, alertBasic),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: checkTenantAlert(t, tn, name, map[string]any{"AggregationType": "None", "Severity": "Low"}),
			},
		},
	})
}

// Security & Compliance replicates (a Get right after New answers 404) and
// throttles; the apply waits and retries and the plan afterwards is empty.
func TestAccAlertPolicy_lagAndThrottling(t *testing.T) {
	tn := acctest.NewTenant(t)
	name := "Forwarding inbox rule created"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             alertDestroyed(t, tn, name),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					tn.Sim.SetReplicationLag(m365sim.EndpointCompliance, 2*time.Second)
					tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointCompliance, Match: "New-ProtectionAlert", Status: 429, Retry: 1, Times: 2})
				},
				Config: alertConfig(tn, alertBasic),
				Check: resource.ComposeTestCheckFunc(
					checkTenantAlert(t, tn, name, map[string]any{"Operation": "[New-InboxRule]"}),
					func(*terraform.State) error {
						st := tn.Sim.Stats()
						if n := st.Statuses(m365sim.EndpointCompliance, 429); n != 2 {
							return fmt.Errorf("emulator answered %d 429s, want 2", n)
						}
						if n := st.Requests(m365sim.EndpointCompliance, "New-ProtectionAlert"); n < 3 {
							return fmt.Errorf("New-ProtectionAlert was sent %d times, want the 2 throttled tries and a successful one", n)
						}
						if n := st.Statuses(m365sim.EndpointCompliance, 404); n == 0 {
							return fmt.Errorf("no Get-ProtectionAlert answered 404: the replication lag was not exercised")
						}
						return nil
					},
				),
			},
			{ // an update under lag and a 503 on Set
				PreConfig: func() {
					tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointCompliance, Match: "Set-ProtectionAlert", Status: 503, Retry: 1, Times: 1})
				},
				Config: alertConfig(tn, alertBasic+`  severity = "Medium"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(alertAddr, tfjsonpath.New("severity"), knownvalue.StringExact("Medium")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkTenantAlert(t, tn, name, map[string]any{"Severity": "Medium"}),
					func(*terraform.State) error {
						if n := tn.Sim.Stats().Statuses(m365sim.EndpointCompliance, 503); n != 1 {
							return fmt.Errorf("emulator answered %d 503s, want 1 (retried)", n)
						}
						return nil
					},
				),
			},
		},
	})
}

// A read-only app can't create alert policies; the error names the role.
func TestAccAlertPolicy_forbidden(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) + `
resource "m365harden_alert_policy" "forwarding" {
  name = "Forwarding inbox rule created"
` + alertBasic + `
}
`,
			ExpectError: regexp.MustCompile(`(?s)Permission problem.*"Manage Alerts".*New-ProtectionAlert`),
		}},
	})
}

// The documented examples apply as written against the emulator.
func TestAccAlertPolicy_examples(t *testing.T) {
	tn := acctest.NewTenant(t)
	read := func(f string) string {
		b, err := os.ReadFile("../../../examples/" + f)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	resources := tn.ProviderConfig() + read("resources/m365harden_alert_policy/resource.tf")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             alertDestroyed(t, tn, "Inbox rule created", "Mailbox permissions added in bulk"),
		Steps: []resource.TestStep{
			{
				Config: resources,
				Check: resource.ComposeTestCheckFunc(
					checkTenantAlert(t, tn, "Inbox rule created", map[string]any{"Operation": "[New-InboxRule]", "Comment": "Managed by Terraform"}),
					checkTenantAlert(t, tn, "Mailbox permissions added in bulk", map[string]any{"AggregationType": "SimpleAggregation", "Threshold": 10}),
				),
			},
			{
				Config: resources + read("data-sources/m365harden_alert_policies/data-source.tf"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("custom_alert_policies", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("Inbox rule created"), knownvalue.StringExact("Mailbox permissions added in bulk")})),
				},
			},
		},
	})
}
