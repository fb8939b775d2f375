package defender_test

import (
	"fmt"
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

// threatFamily is one of the Defender for Office 365 policy/rule pairs;
// the tests run the same steps against each.
type threatFamily struct {
	policyType, ruleType string // "safe_links_policy", "safe_links_rule"
	noun                 string // "SafeLinks" (Get-SafeLinksPolicy, Get-SafeLinksRule)
	policyParam          string // "SafeLinksPolicy"
	// settings: HCL for the policy (two versions), the service values they
	// set, and a setting changed out of band with the value it reverts to.
	settings   [2]string
	want       [2]map[string]any
	driftParam string
	driftValue any
	driftAttr  string
	driftBack  knownvalue.Check
}

var safeLinksFamily = threatFamily{
	policyType: "safe_links_policy", ruleType: "safe_links_rule", noun: "SafeLinks", policyParam: "SafeLinksPolicy",
	settings: [2]string{`
  enable_safe_links_for_teams = true
  allow_click_through         = false
  do_not_rewrite_urls         = ["https://intranet.contoso.com/*"]`, `
  enable_safe_links_for_teams = false
  allow_click_through         = false
  custom_notification_text    = "Ask the service desk"
  do_not_rewrite_urls         = []`},
	want: [2]map[string]any{
		{"EnableSafeLinksForTeams": true, "DoNotRewriteUrls": []string{"https://intranet.contoso.com/*"}, "ScanUrls": true, "TrackClicks": true},
		{"EnableSafeLinksForTeams": false, "DoNotRewriteUrls": nil, "CustomNotificationText": "Ask the service desk"},
	},
	driftParam: "AllowClickThrough", driftValue: true, driftAttr: "allow_click_through", driftBack: knownvalue.Bool(false),
}

var safeAttachmentFamily = threatFamily{
	policyType: "safe_attachment_policy", ruleType: "safe_attachment_rule", noun: "SafeAttachment", policyParam: "SafeAttachmentPolicy",
	settings: [2]string{`
  enable = true
  action = "Block"`, `
  enable           = true
  action           = "DynamicDelivery"
  redirect         = true
  redirect_address = "SOC@contoso.com"`},
	want: [2]map[string]any{
		{"Enable": true, "Action": "Block", "QuarantineTag": "AdminOnlyAccessPolicy", "Redirect": false},
		{"Action": "DynamicDelivery", "Redirect": true, "RedirectAddress": "SOC@contoso.com"},
	},
	driftParam: "Enable", driftValue: false, driftAttr: "enable", driftBack: knownvalue.Bool(true),
}

func (f threatFamily) policyConfig(tn *acctest.Tenant, name string, i int) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_%s" "p" {
  name = %q%s
}
`, f.policyType, name, f.settings[i])
}

// Policy: create, import block by another case, update in place, drift
// planned back, removed out of band and re-created, renamed (replaced),
// destroyed.
func testThreatPolicyBasic(t *testing.T, f threatFamily) {
	tn := acctest.NewTenant(t)
	addr := "m365harden_" + f.policyType + ".p"
	get := "Get-" + f.noun + "Policy"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			exchangeObjectIs(tn, get, "Finance", nil),
			exchangeObjectIs(tn, get, "Everyone", nil),
			exchangeObjectIs(tn, get, "Built-In Protection Policy", map[string]any{"IsBuiltInProtection": true}),
		),
		Steps: []resource.TestStep{
			{
				Config: f.policyConfig(tn, "Finance", 0),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("Finance")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New(f.driftAttr), f.driftBack),
				},
				Check: exchangeObjectIs(tn, get, "Finance", f.want[0]),
			},
			{
				Config:          f.policyConfig(tn, "Finance", 0),
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "FINANCE",
			},
			{
				Config: f.policyConfig(tn, "Finance", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: exchangeObjectIs(tn, get, "Finance", f.want[1]),
			},
			{ResourceName: addr, ImportState: true, ImportStateId: "Finance", ImportStateVerify: true},
			{ // drift
				PreConfig: func() {
					tn.Exchange(t, "Set-"+f.noun+"Policy", map[string]any{"Identity": "Finance", f.driftParam: f.driftValue})
				},
				Config: f.policyConfig(tn, "Finance", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New(f.driftAttr), f.driftBack),
				}},
				Check: exchangeObjectIs(tn, get, "Finance", f.want[1]),
			},
			{ // removed out of band: re-created
				PreConfig: func() { tn.Exchange(t, "Remove-"+f.noun+"Policy", map[string]any{"Identity": "Finance"}) },
				Config:    f.policyConfig(tn, "Finance", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				Check: exchangeObjectIs(tn, get, "Finance", f.want[1]),
			},
			{
				Config: f.policyConfig(tn, "Everyone", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: exchangeObjectIs(tn, get, "Finance", nil),
			},
		},
	})
}

func TestAccSafeLinksPolicy_basic(t *testing.T)      { testThreatPolicyBasic(t, safeLinksFamily) }
func TestAccSafeAttachmentPolicy_basic(t *testing.T) { testThreatPolicyBasic(t, safeAttachmentFamily) }

func (f threatFamily) ruleConfig(tn *acctest.Tenant, rule string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_%s" "p" {
  name = "Finance"%s
}

resource "m365harden_%s" "r" {
  name   = "Finance"
  policy = m365harden_%s.p.name
%s
}
`, f.policyType, f.settings[0], f.ruleType, f.policyType, rule)
}

// Rule: recipients by alias (reported as addresses), update in place,
// import block, drift, removed out of band and re-created, destroy; a
// recipient that names nobody is a plan-time error.
func testThreatRuleBasic(t *testing.T, f threatFamily) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Mailboxes: []m365sim.MailboxSpec{
		{UPN: "adele.vance@contoso.com", Alias: "adele", PrimarySmtpAddress: "adele@contoso.com"},
		{UPN: "megan@contoso.com"},
	}}); err != nil {
		t.Fatal(err)
	}
	addr := "m365harden_" + f.ruleType + ".r"
	get := "Get-" + f.noun + "Rule"
	updated := `  sent_to  = ["adele", "megan"]
  enabled  = false
  comments = "Finance team"`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			exchangeObjectIs(tn, get, "Finance", nil),
			exchangeObjectIs(tn, "Get-"+f.noun+"Policy", "Finance", nil),
		),
		Steps: []resource.TestStep{
			{
				Config: f.ruleConfig(tn, `  sent_to = ["adele"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("priority"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("sent_to"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("adele")})),
				},
				Check: exchangeObjectIs(tn, get, "Finance", map[string]any{"State": "Enabled", "SentTo": []string{"adele@contoso.com"}, f.policyParam: "Finance"}),
			},
			{
				Config: f.ruleConfig(tn, updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: exchangeObjectIs(tn, get, "Finance", map[string]any{"State": "Disabled", "Comments": "Finance team"}),
			},
			{
				Config:          f.ruleConfig(tn, updated),
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "finance",
			},
			{ // drift: enabled out of band
				PreConfig: func() { tn.Exchange(t, "Enable-"+f.noun+"Rule", map[string]any{"Identity": "Finance"}) },
				Config:    f.ruleConfig(tn, updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				}},
				Check: exchangeObjectIs(tn, get, "Finance", map[string]any{"State": "Disabled"}),
			},
			{ // removed out of band: re-created
				PreConfig: func() { tn.Exchange(t, "Remove-"+f.noun+"Rule", map[string]any{"Identity": "Finance"}) },
				Config:    f.ruleConfig(tn, updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				Check: exchangeObjectIs(tn, get, "Finance", map[string]any{"State": "Disabled", "SentTo": []string{"adele@contoso.com", "megan@contoso.com"}}),
			},
			{
				Config:      f.ruleConfig(tn, `  sent_to = ["nobody@contoso.com"]`),
				ExpectError: regexp.MustCompile(`(?s)Recipient not found.*"nobody@contoso.com" does not name a recipient`),
			},
		},
	})
}

func TestAccSafeLinksRule_basic(t *testing.T)      { testThreatRuleBasic(t, safeLinksFamily) }
func TestAccSafeAttachmentRule_basic(t *testing.T) { testThreatRuleBasic(t, safeAttachmentFamily) }

// Bad input of all four types is refused at plan time, before any call.
func TestAccSafeLinksPolicy_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	var steps []resource.TestStep
	for _, c := range []struct{ typ, attrs, want string }{
		{"safe_links_policy", `name = "Built-In Protection Policy"`, `value must be none of`},
		{"safe_links_policy", `name = "P"
  custom_notification_text = "` + strings.Repeat("x", 256) + `"`, `string length must be at most 255`},
		{"safe_links_policy", `name = "P"
  do_not_rewrite_urls = [" https://x.contoso.com"]`, `must not start or end with a space`},
		{"safe_attachment_policy", `name = "P"
  action = "Replace"`, `value must be one of`},
		{"safe_attachment_policy", `name = "P"
  redirect_address = "soc"`, `must be an SMTP address`},
		{"safe_links_rule", `name = "R"
  policy = "built-in protection policy"
  recipient_domain_is = ["contoso.com"]`, `value must be none of`},
		{"safe_attachment_rule", `name = "R"
  policy = "P"
  except_if_sent_to = ["a@contoso.com"]`, `needs at least one of sent_to`},
	} {
		steps = append(steps, resource.TestStep{
			Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_%s" "x" {
  %s
}`, c.typ, c.attrs),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(c.want), " ", `\s+`)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("plan-time errors must not reach the tenant; Exchange saw %d requests", n)
	}
}

// A tenant without Defender for Office 365: the cmdlets are not there and
// the error says which licence is missing.
func TestAccSafeLinksPolicy_noLicence(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Sim.Tenant(tn.ID).Licences.DefenderForOffice365 = false
	// The rules' cmdlets are missing too, whatever policy they name.
	var ruleSteps []resource.TestStep
	for _, r := range []struct{ typ, what string }{{"safe_links_rule", "Safe Links"}, {"safe_attachment_rule", "Safe Attachments"}} {
		ruleSteps = append(ruleSteps, resource.TestStep{
			Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_%s" "r" {
  name                = "Finance"
  policy              = "Finance"
  recipient_domain_is = ["contoso.com"]
}`, r.typ),
			ExpectError: regexp.MustCompile(`(?s)` + strings.ReplaceAll(r.what, " ", `\s+`) + `\s+rule.*need\s+Microsoft\s+Defender\s+for\s+Office\s+365`),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: append([]resource.TestStep{
			{
				Config:      safeLinksFamily.policyConfig(tn, "Finance", 0),
				ExpectError: regexp.MustCompile(`(?s)Creating Safe Links policy "Finance" failed.*need\s+Microsoft\s+Defender\s+for\s+Office\s+365`),
			},
			{
				Config:      safeAttachmentFamily.policyConfig(tn, "Finance", 0),
				ExpectError: regexp.MustCompile(`(?s)Creating Safe Attachments policy "Finance" failed.*need\s+Microsoft\s+Defender\s+for\s+Office\s+365`),
			},
		}, ruleSteps...),
	})
}

// The documented examples apply as written and plan nothing afterwards.
func TestAccSafeLinks_examples(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.AddGroup(tn.Sim, tn.ID, m365sim.GroupSpec{Name: "All staff", PrimarySmtpAddress: "allstaff@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	links := tn.Example(t, "resources/m365harden_safe_links_rule/resource.tf")
	attachments := tn.Example(t, "resources/m365harden_safe_attachment_rule/resource.tf")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: links, Check: exchangeObjectIs(tn, "Get-SafeLinksRule", "All staff", map[string]any{"RecipientDomainIs": []string{"contoso.com"}})},
			{Config: links, PlanOnly: true},
			{Config: attachments, Check: exchangeObjectIs(tn, "Get-SafeAttachmentRule", "All staff", map[string]any{"SentToMemberOf": []string{"allstaff@contoso.com"}})},
			{Config: attachments, PlanOnly: true},
		},
	})
}
