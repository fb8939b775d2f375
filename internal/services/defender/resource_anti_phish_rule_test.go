package defender_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

const apRuleAddr = "m365harden_anti_phish_rule.execs"

func apRuleConfig(tn *acctest.Tenant, rule string) string {
	return tn.ProviderConfig() + `
resource "m365harden_anti_phish_policy" "execs" {
  name                            = "Executives"
  enable_targeted_user_protection = true
  targeted_users_to_protect       = ["Adele Vance;adele@contoso.com"]
  targeted_user_protection_action = "Quarantine"
  phish_threshold_level           = 3
}

resource "m365harden_anti_phish_rule" "execs" {
  name   = "Executives"
  policy = m365harden_anti_phish_policy.execs.name
` + rule + `
}
`
}

// Create (recipients by alias, resolved by Exchange to addresses), update
// in place (priority shifts another admin's rule, disable), import, drift,
// out-of-band delete, destroy.
func TestAccAntiPhishRule_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Mailboxes: []m365sim.MailboxSpec{
		{UPN: "adele.vance@contoso.com", Alias: "adele", PrimarySmtpAddress: "adele@contoso.com"},
		{UPN: "megan@contoso.com"},
	}}); err != nil {
		t.Fatal(err)
	}
	tn.Exchange(t, "New-AntiPhishPolicy", map[string]any{"Name": "Finance"})
	tn.Exchange(t, "New-AntiPhishRule", map[string]any{"Name": "Finance", "AntiPhishPolicy": "Finance", "RecipientDomainIs": []string{"contoso.com"}})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			exchangeObjectIs(tn, "Get-AntiPhishRule", "Executives", nil),
			exchangeObjectIs(tn, "Get-AntiPhishPolicy", "Executives", nil),
			exchangeObjectIs(tn, "Get-AntiPhishRule", "Finance", map[string]any{"Priority": 0}),
		),
		Steps: []resource.TestStep{
			{
				Config: apRuleConfig(tn, `  sent_to = ["adele"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(apRuleAddr, tfjsonpath.New("priority"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(apRuleAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(apRuleAddr, tfjsonpath.New("sent_to"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("adele")})),
				},
				Check: exchangeObjectIs(tn, "Get-AntiPhishRule", "Executives", map[string]any{"Priority": 1, "State": "Enabled", "SentTo": []string{"adele@contoso.com"}, "AntiPhishPolicy": "Executives"}),
			},
			{ // the same recipient by address: nothing to change
				Config:           apRuleConfig(tn, `  sent_to = ["Adele@contoso.com"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{ // update in place
				Config: apRuleConfig(tn, `  sent_to  = ["adele", "megan"]
  priority = 0
  enabled  = false
  comments = "Board and assistants"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(apRuleAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					exchangeObjectIs(tn, "Get-AntiPhishRule", "Executives", map[string]any{"Priority": 0, "State": "Disabled", "Comments": "Board and assistants"}),
					exchangeObjectIs(tn, "Get-AntiPhishRule", "Finance", map[string]any{"Priority": 1}),
				),
			},
			{ // import block by another case: no change
				Config: apRuleConfig(tn, `  sent_to  = ["adele", "megan"]
  priority = 0
  enabled  = false
  comments = "Board and assistants"`),
				ResourceName:    apRuleAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "EXECUTIVES",
			},
			{ // drift: enabled and moved out of band
				PreConfig: func() {
					tn.Exchange(t, "Enable-AntiPhishRule", map[string]any{"Identity": "Executives"})
					tn.Exchange(t, "Set-AntiPhishRule", map[string]any{"Identity": "Finance", "Priority": 0})
				},
				Config: apRuleConfig(tn, `  sent_to  = ["adele", "megan"]
  priority = 0
  enabled  = false
  comments = "Board and assistants"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(apRuleAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(apRuleAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				}},
				Check: exchangeObjectIs(tn, "Get-AntiPhishRule", "Executives", map[string]any{"Priority": 0, "State": "Disabled"}),
			},
			{ // removed out of band: re-created
				PreConfig: func() { tn.Exchange(t, "Remove-AntiPhishRule", map[string]any{"Identity": "Executives"}) },
				Config:    apRuleConfig(tn, `  sent_to = ["adele"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(apRuleAddr, plancheck.ResourceActionCreate),
				}},
				Check: exchangeObjectIs(tn, "Get-AntiPhishRule", "Executives", map[string]any{"State": "Enabled"}),
			},
			{ // a recipient that names nobody is refused at plan time
				Config:      apRuleConfig(tn, `  sent_to = ["nobody@contoso.com"]`),
				ExpectError: regexp.MustCompile(`(?s)Recipient not found.*"nobody@contoso.com" does not name a recipient`),
			},
		},
	})
}

func TestAccAntiPhishRule_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	var steps []resource.TestStep
	for _, c := range []struct{ rule, want string }{
		{`policy = "Office365 AntiPhish Default"
  sent_to = ["a@contoso.com"]`, `value must be none of`},
		{`policy = "P"
  recipient_domain_is = ["*.contoso.com"]`, `must be a domain`},
		{`policy = "P"
  except_if_sent_to = ["a@contoso.com"]`, `needs at least one of sent_to`},
		{`policy = "P"
  sent_to = []`, `at least 1`},
		{`policy = "P"
  recipient_domain_is = ["contoso.com"]
  priority = -1`, `at least 0`},
	} {
		steps = append(steps, resource.TestStep{
			Config: tn.ProviderConfig() + `
resource "m365harden_anti_phish_rule" "r" {
  name = "R"
  ` + c.rule + `
}`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(strings.ReplaceAll(c.want, " ", `\s+`)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("plan-time errors must not reach the tenant; Exchange saw %d requests", n)
	}
}

// The documented examples apply as written and plan nothing afterwards.
func TestAccAntiPhish_examples(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Mailboxes: []m365sim.MailboxSpec{{UPN: "adele@contoso.com"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m365sim.AddGroup(tn.Sim, tn.ID, m365sim.GroupSpec{Name: "Executive assistants", PrimarySmtpAddress: "assistants@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	policy := tn.Example(t, "resources/m365harden_anti_phish_policy/resource.tf")
	rule := tn.Example(t, "resources/m365harden_anti_phish_rule/resource.tf")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: policy, Check: exchangeObjectIs(tn, "Get-AntiPhishPolicy", "Office365 AntiPhish Default", map[string]any{"PhishThresholdLevel": 3, "EnableFirstContactSafetyTips": true})},
			{Config: policy, PlanOnly: true},
			{Config: rule, Check: exchangeObjectIs(tn, "Get-AntiPhishRule", "Executives", map[string]any{"SentToMemberOf": []string{"assistants@contoso.com"}, "Priority": 0})},
			{Config: rule, PlanOnly: true},
		},
	})
}
