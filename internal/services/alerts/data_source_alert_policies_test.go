package alerts_test

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

const alertsDS = "data.m365harden_alert_policies.all"

// policyAttr finds a policy by name in the data source's state and returns
// one of its attributes.
func policyAttr(s *terraform.State, name, attr string) (string, error) {
	rs := s.RootModule().Resources[alertsDS]
	if rs == nil {
		return "", fmt.Errorf("%s not in state", alertsDS)
	}
	n, _ := strconv.Atoi(rs.Primary.Attributes["policies.#"])
	for i := 0; i < n; i++ {
		if rs.Primary.Attributes[fmt.Sprintf("policies.%d.name", i)] == name {
			return rs.Primary.Attributes[fmt.Sprintf("policies.%d.%s", i, attr)], nil
		}
	}
	return "", fmt.Errorf("policy %q not listed (%d policies)", name, n)
}

func expectPolicy(name string, want map[string]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for attr, v := range want {
			got, err := policyAttr(s, name, attr)
			if err != nil {
				return err
			}
			if got != v {
				return fmt.Errorf("policy %q: %s = %q, want %q", name, attr, got, v)
			}
		}
		return nil
	}
}

func TestAccAlertPoliciesDataSource_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.ProviderConfig() + `
resource "m365harden_alert_policy" "forwarding" {
  name         = "Forwarding inbox rule created"
  category     = "ThreatManagement"
  severity     = "High"
  threat_type  = "Activity"
  operation    = "New-InboxRule"
  notify_users = ["secops@contoso.com"]
}

data "m365harden_alert_policies" "all" {
  depends_on = [m365harden_alert_policy.forwarding]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             alertDestroyed(t, tn, "Forwarding inbox rule created"),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(alertsDS, tfjsonpath.New("id"), knownvalue.StringExact(m365sim.DemoTenantID)),
					statecheck.ExpectKnownValue(alertsDS, tfjsonpath.New("disabled_names"), knownvalue.SetSizeExact(0)),
				},
				Check: resource.ComposeTestCheckFunc(
					expectPolicy("Suspicious email sending patterns detected", map[string]string{
						"is_system_rule": "true", "enabled": "true", "disabled": "false", "category": "ThreatManagement", "severity": "Medium",
						"notify_users.#": "1", "notify_users.0": "TenantAdmins"}),
					expectPolicy("Messages have been delayed", map[string]string{"is_system_rule": "true", "enabled": "true", "category": "MailFlow"}),
					expectPolicy("Suspicious Email Forwarding Activity", map[string]string{"enabled": "true"}),
					expectPolicy("Tenant restricted from sending email", map[string]string{"enabled": "true"}),
					expectPolicy("A potentially malicious URL click was detected", map[string]string{"enabled": "true"}),
					expectPolicy("Forwarding inbox rule created", map[string]string{
						"is_system_rule": "false", "enabled": "true", "severity": "High", "operation": "New-InboxRule",
						"aggregation_type": "None", "notify_users.0": "secops@contoso.com"}),
				),
			},
			{ // a default policy turned off in the portal is reported
				PreConfig: func() {
					if _, err := tn.Sim.Seed(tn.ID, "protection-alert-portal", map[string]any{"name": "Suspicious Email Forwarding Activity", "disabled": true}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(alertsDS, tfjsonpath.New("disabled_names"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("Suspicious Email Forwarding Activity")})),
				},
				Check: expectPolicy("Suspicious Email Forwarding Activity", map[string]string{"enabled": "false", "disabled": "true", "is_system_rule": "true"}),
			},
		},
	})
}

// Global Reader (View-Only Manage Alerts) may list the policies; an app
// without a Security & Compliance role gets an error naming the role.
func TestAccAlertPoliciesDataSource_permissions(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) + `data "m365harden_alert_policies" "all" {}`,
				Check:  expectPolicy("Suspicious connector activity", map[string]string{"enabled": "true", "is_system_rule": "true"}),
			},
			{
				Config:      tn.ProviderConfigAs(m365sim.DemoNoRoleAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoNoRoleSecret)) + `data "m365harden_alert_policies" "all" {}`,
				ExpectError: regexpMust(`(?s)Listing the tenant's alert policies failed.*"View-Only Manage Alerts"`),
			},
		},
	})
}

// Throttling on the list is retried.
func TestAccAlertPoliciesDataSource_throttled(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointCompliance, Match: "Get-ProtectionAlert", Status: 429, Retry: 1, Times: 2})
			},
			Config: tn.ProviderConfig() + `data "m365harden_alert_policies" "all" {}`,
			Check: resource.ComposeTestCheckFunc(
				expectPolicy("Suspicious connector activity", map[string]string{"enabled": "true"}),
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

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }
