package mailflow_test

import (
	"fmt"
	"regexp"
	"strings"
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

func exchangeObjectIs(tn *acctest.Tenant, cmdlet, identity string, want map[string]any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := tn.Sim.Invoke(tn.ID, m365sim.EndpointExchange, cmdlet, map[string]any{"Identity": identity})
		if want == nil {
			if err == nil {
				return fmt.Errorf("%s %s still exists", cmdlet, identity)
			}
			return nil
		}
		if err != nil {
			return err
		}
		for k, v := range want {
			if fmt.Sprint(out[0][k]) != fmt.Sprint(v) {
				return fmt.Errorf("%s %s: %s = %v, want %v", cmdlet, identity, k, out[0][k], v)
			}
		}
		return nil
	}
}

const defaultPolicyAddr = "m365harden_outbound_spam_filter_policy.default"

func defaultPolicyConfig(tn *acctest.Tenant, mode string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_outbound_spam_filter_policy" "default" {
  name                            = "Default"
  auto_forwarding_mode            = %q
  notify_outbound_spam            = true
  notify_outbound_spam_recipients = ["soc@contoso.com"]
}
`, mode)
}

func TestAccOutboundSpamFilterPolicy_default(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Default", map[string]any{"AutoForwardingMode": "Off", "IsDefault": true}),
		Steps: []resource.TestStep{
			{
				Config: defaultPolicyConfig(tn, "Off"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(defaultPolicyAddr, tfjsonpath.New("is_default"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(defaultPolicyAddr, tfjsonpath.New("auto_forwarding_mode"), knownvalue.StringExact("Off")),
					statecheck.ExpectKnownValue(defaultPolicyAddr, tfjsonpath.New("notify_outbound_spam_recipients"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("soc@contoso.com")})),
					statecheck.ExpectKnownValue(defaultPolicyAddr, tfjsonpath.New("action_when_threshold_reached"), knownvalue.StringExact("BlockUserForToday")),
				},
				Check: exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Default", map[string]any{"AutoForwardingMode": "Off", "NotifyOutboundSpam": true}),
			},
			{ // drift: forwarding switched back on, recipient case changed (not a diff)
				PreConfig: func() {
					tn.Exchange(t, "Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "AutoForwardingMode": "On", "NotifyOutboundSpamRecipients": []string{"SOC@contoso.com"}})
				},
				Config: defaultPolicyConfig(tn, "Off"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(defaultPolicyAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(defaultPolicyAddr, tfjsonpath.New("auto_forwarding_mode"), knownvalue.StringExact("Off")),
				}},
				Check: exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Default", map[string]any{"AutoForwardingMode": "Off"}),
			},
			{ // import: the tenant's "SOC@contoso.com" is the configured address
				Config:          defaultPolicyConfig(tn, "Off"),
				ResourceName:    defaultPolicyAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "Default",
			},
		},
	})
}

func forwardersConfig(tn *acctest.Tenant, ruleExtra string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_outbound_spam_filter_policy" "forwarders" {
  name                    = "Allowed forwarders"
  auto_forwarding_mode    = "On"
  recipient_limit_per_day = 500
}

resource "m365harden_outbound_spam_filter_rule" "forwarders" {
  name   = "Allowed forwarders"
  policy = m365harden_outbound_spam_filter_policy.forwarders.name
%s
}
`, ruleExtra)
}

const (
	forwardersPolicyAddr = "m365harden_outbound_spam_filter_policy.forwarders"
	forwardersRuleAddr   = "m365harden_outbound_spam_filter_rule.forwarders"
)

func TestAccOutboundSpamFilterRule_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedPeople(t, tn)
	// Another admin's rule already holds priority 0.
	tn.Exchange(t, "New-HostedOutboundSpamFilterPolicy", map[string]any{"Name": "Executives"})
	tn.Exchange(t, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "Executives", "HostedOutboundSpamFilterPolicy": "Executives", "SenderDomainIs": []string{"contoso.com"}})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterRule", "Allowed forwarders", nil),
			exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Allowed forwarders", nil),
			exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterRule", "Executives", map[string]any{"Priority": 0}),
		),
		Steps: []resource.TestStep{
			{ // create policy and rule; unset priority goes last
				Config: forwardersConfig(tn, `  from = ["adele@contoso.com"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(forwardersRuleAddr, tfjsonpath.New("priority"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(forwardersRuleAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(forwardersRuleAddr, tfjsonpath.New("sender_domain_is"), knownvalue.Null()),
					statecheck.ExpectKnownValue(forwardersPolicyAddr, tfjsonpath.New("is_default"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(forwardersPolicyAddr, tfjsonpath.New("recipient_limit_per_day"), knownvalue.Int64Exact(500)),
				},
				Check: resource.ComposeTestCheckFunc(
					exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Allowed forwarders", map[string]any{"AutoForwardingMode": "On", "RecipientLimitPerDay": 500}),
					exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterRule", "Allowed forwarders", map[string]any{"Priority": 1, "State": "Enabled", "From": []string{"adele@contoso.com"}}),
				),
			},
			{ // update in place: move to the top (shifting the other rule), disable, change senders
				Config: forwardersConfig(tn, `  from             = ["adele@contoso.com", "megan@contoso.com"]
  priority         = 0
  enabled          = false
  comments         = "Approved by the CISO"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(forwardersRuleAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterRule", "Allowed forwarders", map[string]any{"Priority": 0, "State": "Disabled", "Comments": "Approved by the CISO"}),
					exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterRule", "Executives", map[string]any{"Priority": 1}),
				),
			},
			{
				ResourceName:      forwardersRuleAddr,
				ImportState:       true,
				ImportStateId:     "Allowed forwarders",
				ImportStateVerify: true,
			},
			{
				ResourceName:      forwardersPolicyAddr,
				ImportState:       true,
				ImportStateId:     "Allowed forwarders",
				ImportStateVerify: true,
			},
			{ // drift: enabled out of band and moved back
				PreConfig: func() {
					tn.Exchange(t, "Enable-HostedOutboundSpamFilterRule", map[string]any{"Identity": "Allowed forwarders"})
					tn.Exchange(t, "Set-HostedOutboundSpamFilterRule", map[string]any{"Identity": "Executives", "Priority": 0})
				},
				Config: forwardersConfig(tn, `  from             = ["adele@contoso.com", "megan@contoso.com"]
  priority         = 0
  enabled          = false
  comments         = "Approved by the CISO"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(forwardersRuleAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(forwardersRuleAddr, tfjsonpath.New("priority"), knownvalue.Int64Exact(0)),
					plancheck.ExpectKnownValue(forwardersRuleAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				}},
				Check: exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterRule", "Allowed forwarders", map[string]any{"Priority": 0, "State": "Disabled"}),
			},
			{ // out-of-band deletion of the rule: re-created
				PreConfig: func() {
					tn.Exchange(t, "Remove-HostedOutboundSpamFilterRule", map[string]any{"Identity": "Allowed forwarders"})
				},
				Config: forwardersConfig(tn, `  from = ["adele@contoso.com"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(forwardersRuleAddr, plancheck.ResourceActionCreate),
				}},
				Check: exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterRule", "Allowed forwarders", map[string]any{"State": "Enabled"}),
			},
		},
	})
}

func TestAccOutboundSpamFilter_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	var steps []resource.TestStep
	for _, c := range []struct{ policy, rule, want string }{
		{`auto_forwarding_mode = "Maybe"`, `from = ["a@contoso.com"]`, `value must be one of`},
		{`auto_forwarding_mode = "off"`, `from = ["a@contoso.com"]`, `value must be one of`},
		{`recipient_limit_per_day = 10001`, `from = ["a@contoso.com"]`, `between 0 and 10000`},
		{`notify_outbound_spam_recipients = ["not an address"]`, `from = ["a@contoso.com"]`, `must be an SMTP address`},
		{`action_when_threshold_reached = "Panic"`, `from = ["a@contoso.com"]`, `value must be one of`},
		{``, `from = [" a@contoso.com"]`, `must not start or end with a space`},
		{``, `sender_domain_is = ["*.contoso.com"]`, `must be a domain`},
		{``, `from = []`, `at least 1`},
		{``, `except_if_from = ["a@contoso.com"]`, `needs at least one of from`},
		{``, "from = [\"a@contoso.com\"]\n  priority = -1", `at least 0`},
	} {
		cfg := tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_outbound_spam_filter_policy" "p" {
  name = "P"
  %s
}
resource "m365harden_outbound_spam_filter_rule" "r" {
  name   = "R"
  policy = "P"
  %s
}
`, c.policy, c.rule)
		steps = append(steps, resource.TestStep{Config: cfg, PlanOnly: true, ExpectError: regexp.MustCompile(strings.ReplaceAll(c.want, " ", `\s+`))})
	}
	steps = append(steps, resource.TestStep{
		Config: tn.ProviderConfig() + `
resource "m365harden_outbound_spam_filter_rule" "x" {
  name   = "x"
  policy = "Default"
  from   = ["a@contoso.com"]
}`,
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`value must be none of`),
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("plan-time errors must not reach the tenant; Exchange saw %d requests", n)
	}
}

// Exchange's rule constraints surface as clear apply errors: a second rule
// for the same policy, and a priority beyond the number of rules.
func TestAccOutboundSpamFilterRule_serviceRules(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedSenders(t, tn, "x@contoso.com", "a@contoso.com")
	tn.Exchange(t, "New-HostedOutboundSpamFilterPolicy", map[string]any{"Name": "Allowed forwarders"})
	tn.Exchange(t, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "Existing", "HostedOutboundSpamFilterPolicy": "Allowed forwarders", "From": []string{"x@contoso.com"}})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + `
resource "m365harden_outbound_spam_filter_rule" "x" {
  name   = "Second"
  policy = "Allowed forwarders"
  from   = ["a@contoso.com"]
}`,
				ExpectError: regexp.MustCompile(`(?s)Creating outbound spam filter rule "Second".*already\s+associated\s+with\s+rule`),
			},
			{
				Config: tn.ProviderConfig() + `
resource "m365harden_outbound_spam_filter_policy" "p" {
  name = "P2"
}
resource "m365harden_outbound_spam_filter_rule" "x" {
  name     = "Second"
  policy   = m365harden_outbound_spam_filter_policy.p.name
  from     = ["a@contoso.com"]
  priority = 5
}`,
				ExpectError: regexp.MustCompile(`(?s)Priority\s+is\s+5.\s+It\s+should\s+be\s+between\s+0\s+and\s+1`),
			},
		},
	})
}

// A custom policy removed out of band is created again; a custom policy's
// destroy removes it.
func TestAccOutboundSpamFilterPolicy_disappears(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.ProviderConfig() + `
resource "m365harden_outbound_spam_filter_policy" "p" {
  name                 = "Executives"
  auto_forwarding_mode = "Off"
  bcc_suspicious_outbound_mail                  = true
  bcc_suspicious_outbound_additional_recipients = ["soc@contoso.com", "ciso@contoso.com"]
}`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Executives", nil),
		Steps: []resource.TestStep{
			{Config: cfg, Check: exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Executives", map[string]any{"AutoForwardingMode": "Off", "BccSuspiciousOutboundMail": true})},
			{
				PreConfig: func() {
					tn.Exchange(t, "Remove-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Executives"})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("m365harden_outbound_spam_filter_policy.p", plancheck.ResourceActionCreate),
				}},
				Check: exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Executives", map[string]any{"BccSuspiciousOutboundMail": true}),
			},
		},
	})
}

// seedSenders adds mailboxes for rule conditions to name.
func seedSenders(t *testing.T, tn *acctest.Tenant, upns ...string) {
	t.Helper()
	var specs []m365sim.MailboxSpec
	for _, u := range upns {
		specs = append(specs, m365sim.MailboxSpec{UPN: u})
	}
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Mailboxes: specs}); err != nil {
		t.Fatal(err)
	}
}

// The rule's sender conditions are recipient references: Exchange resolves
// each and reports the recipient's primary SMTP address. Any spelling that
// names the same recipients (alias, UPN, address in another case, a group by
// name) applies without "inconsistent result", plans empty, and survives an
// import; a value naming nobody is refused at plan time.
func TestAccOutboundSpamFilterRule_recipientReferences(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Mailboxes: []m365sim.MailboxSpec{
		{UPN: "adele.vance@contoso.com", Alias: "adele", PrimarySmtpAddress: "adele@contoso.com"},
		{UPN: "megan@contoso.com"},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m365sim.AddGroup(tn.Sim, tn.ID, m365sim.GroupSpec{Name: "Executives", PrimarySmtpAddress: "execs@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	cfg := func(rule string) string {
		return tn.ProviderConfig() + `
resource "m365harden_outbound_spam_filter_policy" "forwarders" {
  name                 = "Allowed forwarders"
  auto_forwarding_mode = "On"
}

resource "m365harden_outbound_spam_filter_rule" "forwarders" {
  name   = "Allowed forwarders"
  policy = m365harden_outbound_spam_filter_policy.forwarders.name
` + rule + `
}
`
	}
	byAlias := cfg(`  from           = ["adele"]
  from_member_of = ["Executives"]
  except_if_from = ["Megan@Contoso.com"]`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterRule", "Allowed forwarders", nil),
		Steps: []resource.TestStep{
			{ // create by alias, group name and an address in another case
				Config: byAlias,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(forwardersRuleAddr, tfjsonpath.New("from"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("adele")})),
					statecheck.ExpectKnownValue(forwardersRuleAddr, tfjsonpath.New("from_member_of"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Executives")})),
				},
				Check: exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterRule", "Allowed forwarders", map[string]any{
					"From": []string{"adele@contoso.com"}, "FromMemberOf": []string{"execs@contoso.com"}, "ExceptIfFrom": []string{"megan@contoso.com"}}),
			},
			{ // the same recipients by UPN and address: nothing to change
				Config: cfg(`  from           = ["adele.vance@contoso.com"]
  from_member_of = ["execs@contoso.com"]
  except_if_from = ["megan@contoso.com"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{ // a different recipient is a real change
				Config: cfg(`  from           = ["adele", "megan"]
  from_member_of = ["Executives"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(forwardersRuleAddr, plancheck.ResourceActionUpdate),
				}},
				Check: exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterRule", "Allowed forwarders", map[string]any{
					"From": []string{"adele@contoso.com", "megan@contoso.com"}, "ExceptIfFrom": nil}),
			},
			{ // imported (the tenant reports addresses) into the alias configuration: no change
				Config: cfg(`  from           = ["adele", "megan"]
  from_member_of = ["Executives"]`),
				ResourceName:    forwardersRuleAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "Allowed forwarders",
			},
			{ // a sender that names nobody is refused before anything changes
				Config:      cfg(`  from = ["nobody@contoso.com"]`),
				ExpectError: regexp.MustCompile(`(?s)Recipient not found.*"nobody@contoso.com" does not name a recipient`),
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Set-HostedOutboundSpamFilterRule"); n != 1 {
		t.Fatalf("Set-HostedOutboundSpamFilterRule ran %d times, want 1 (only the real change)", n)
	}
}

// Case-only differences Exchange ignores (policy and domain names, the
// policy's notification addresses): the apply keeps the configured spelling,
// no "inconsistent result", and the tenant's own case changes plan nothing.
func TestAccOutboundSpamFilterRule_caseInsensitive(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.ProviderConfig() + `
resource "m365harden_outbound_spam_filter_policy" "forwarders" {
  name                            = "Allowed forwarders"
  auto_forwarding_mode            = "On"
  notify_outbound_spam_recipients = ["SOC@Contoso.com"]
}

resource "m365harden_outbound_spam_filter_rule" "forwarders" {
  name             = "Allowed forwarders"
  policy           = "allowed FORWARDERS"
  sender_domain_is = ["Contoso.COM"]
  depends_on       = [m365harden_outbound_spam_filter_policy.forwarders]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(forwardersRuleAddr, tfjsonpath.New("policy"), knownvalue.StringExact("allowed FORWARDERS")),
					statecheck.ExpectKnownValue(forwardersRuleAddr, tfjsonpath.New("sender_domain_is"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Contoso.COM")})),
					statecheck.ExpectKnownValue(forwardersPolicyAddr, tfjsonpath.New("notify_outbound_spam_recipients"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("SOC@Contoso.com")})),
				},
				Check: exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterRule", "Allowed forwarders", map[string]any{"HostedOutboundSpamFilterPolicy": "Allowed forwarders"}),
			},
			{ // the tenant's spelling changes case out of band: no diff
				PreConfig: func() {
					tn.Exchange(t, "Set-HostedOutboundSpamFilterRule", map[string]any{"Identity": "Allowed forwarders", "SenderDomainIs": []string{"contoso.com"}})
					tn.Exchange(t, "Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Allowed forwarders", "NotifyOutboundSpamRecipients": []string{"soc@contoso.com"}})
				},
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{ // imported into the same configuration: no change
				Config:          cfg,
				ResourceName:    forwardersPolicyAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "Allowed forwarders",
			},
			{
				Config:          cfg,
				ResourceName:    forwardersRuleAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "ALLOWED FORWARDERS",
			},
		},
	})
}

// The built-in Default policy adopted as "default": no error after apply,
// no diff, no replacement, and an import block by "Default" plans nothing.
func TestAccOutboundSpamFilterPolicy_defaultLowerCase(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.ProviderConfig() + `
resource "m365harden_outbound_spam_filter_policy" "default" {
  name                 = "default"
  auto_forwarding_mode = "Off"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Default", map[string]any{"AutoForwardingMode": "Off", "IsDefault": true}),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(defaultPolicyAddr, tfjsonpath.New("name"), knownvalue.StringExact("default")),
					statecheck.ExpectKnownValue(defaultPolicyAddr, tfjsonpath.New("is_default"), knownvalue.Bool(true)),
				},
				Check: exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Default", map[string]any{"AutoForwardingMode": "Off"}),
			},
			{Config: cfg, PlanOnly: true},
			{
				Config:          cfg,
				ResourceName:    defaultPolicyAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "Default",
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "New-HostedOutboundSpamFilterPolicy"); n != 0 {
		t.Fatalf("adopting the Default policy created %d policies", n)
	}
}
