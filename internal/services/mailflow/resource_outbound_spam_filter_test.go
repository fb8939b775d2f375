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
	resource.Test(t, resource.TestCase{
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
			{
				ResourceName:      defaultPolicyAddr,
				ImportState:       true,
				ImportStateId:     "Default",
				ImportStateVerify: true,
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
	// Another admin's rule already holds priority 0.
	tn.Exchange(t, "New-HostedOutboundSpamFilterPolicy", map[string]any{"Name": "Executives"})
	tn.Exchange(t, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "Executives", "HostedOutboundSpamFilterPolicy": "Executives", "SenderDomainIs": []string{"contoso.com"}})
	resource.Test(t, resource.TestCase{
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
		{``, `from = ["A@contoso.com"]`, `must be in lower case`},
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
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("plan-time errors must not reach the tenant; Exchange saw %d requests", n)
	}
}

// Exchange's rule constraints surface as clear apply errors: a second rule
// for the same policy, and a priority beyond the number of rules.
func TestAccOutboundSpamFilterRule_serviceRules(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Exchange(t, "New-HostedOutboundSpamFilterPolicy", map[string]any{"Name": "Allowed forwarders"})
	tn.Exchange(t, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "Existing", "HostedOutboundSpamFilterPolicy": "Allowed forwarders", "From": []string{"x@contoso.com"}})
	resource.Test(t, resource.TestCase{
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
	resource.Test(t, resource.TestCase{
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
