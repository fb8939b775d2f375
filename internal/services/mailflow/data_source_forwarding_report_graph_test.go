package mailflow_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

const messageRulesOp = "GET /v1.0/users/{id}/mailFolders/inbox/messageRules"

// scenarioFindings are the findings of seedForwardingScenario with
// allowed_targets = ["partner.example"], whichever path read the rules.
var scenarioFindings = knownvalue.ListExact([]knownvalue.Check{
	findingCheck("inbox_rule_forward_as_attachment_to", "lee@contoso.com", "lee@fabrikam.example", "Old", false, false),
	findingCheck("inbox_rule_forward_to", "megan@contoso.com", "alex@partner.example", "Team", true, true),
	findingCheck("inbox_rule_redirect_to", "adele@contoso.com", "adele.personal@outlook.example", "Keep a copy", true, false),
	findingCheck("mailbox_forwarding_smtp_address", "adele@contoso.com", "adele.vance@gmail.example", "", true, false),
	findingCheck("outbound_spam_policy", "", "*", "Default", true, false),
	findingCheck("remote_domain", "", "*", "Default", true, false),
})

// With MailboxSettings.Read the report reads inbox rules through Graph
// batches and never calls Get-InboxRule; the findings are the Exchange
// path's (TestAccForwardingReport_basic).
func TestAccForwardingReport_graphPath(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedForwardingScenario(t, tn)
	if err := tn.Sim.GrantAppPermission(tn.ID, m365sim.DemoAdminAppID, "MailboxSettings.Read"); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: reportConfig(tn, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("inbox_rules_source"), knownvalue.StringExact("graph")),
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("mailboxes_scanned"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("findings"), scenarioFindings),
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("not_allowed_count"), knownvalue.Int64Exact(5)),
			},
			Check: func(*terraform.State) error {
				st := tn.Sim.Stats()
				if n := st.Requests(m365sim.EndpointExchange, "Get-InboxRule"); n != 0 {
					return fmt.Errorf("Get-InboxRule called %d times on the Graph path", n)
				}
				// 3 mailboxes: one batch per read of the report.
				batches, inner := st.Requests(m365sim.EndpointGraph, "POST /v1.0/$batch"), st.Requests(m365sim.EndpointGraph, messageRulesOp)
				if batches == 0 || inner != 3*batches {
					return fmt.Errorf("%d batches with %d messageRules requests, want 3 per batch", batches, inner)
				}
				return nil
			},
		}},
	})
}

// Without MailboxSettings.Read Graph refuses the first batch's requests
// (403 ErrorAccessDenied): the report falls back to Get-InboxRule for every
// mailbox and finds the same.
func TestAccForwardingReport_exchangeFallback(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedForwardingScenario(t, tn)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: reportConfig(tn, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("inbox_rules_source"), knownvalue.StringExact("exchange")),
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("findings"), scenarioFindings),
			},
			Check: func(*terraform.State) error {
				st := tn.Sim.Stats()
				batches := st.Requests(m365sim.EndpointGraph, "POST /v1.0/$batch")
				if n := st.Requests(m365sim.EndpointExchange, "Get-InboxRule"); batches == 0 || n != 3*batches {
					return fmt.Errorf("%d refused batches, %d Get-InboxRule calls: want one batch and 3 calls per read", batches, n)
				}
				if n := st.Statuses(m365sim.EndpointGraph, 403); n != 3*batches {
					return fmt.Errorf("%d Graph 403s, want the 3 requests of each batch", n)
				}
				return nil
			},
		}},
	})
}

// scan_inbox_rules = false reads no rules on either API.
func TestAccForwardingReport_noRuleScan(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedForwardingScenario(t, tn)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: reportConfig(tn, "  scan_inbox_rules = false"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("inbox_rules_source"), knownvalue.StringExact("none")),
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("not_allowed_count"), knownvalue.Int64Exact(3)),
			},
			Check: func(*terraform.State) error {
				if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, "POST /v1.0/$batch") + tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Get-InboxRule"); n != 0 {
					return fmt.Errorf("%d inbox rule requests with scan_inbox_rules = false", n)
				}
				return nil
			},
		}},
	})
}

// Requests throttled inside a batch (429 with Retry-After) are sent again
// alone, after the Retry-After; the report completes with every mailbox.
func TestAccForwardingReport_batchThrottled(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: 45, Domain: "contoso.com"}); err != nil {
		t.Fatal(err)
	}
	if err := tn.Sim.AddInboxRule(tn.ID, "user7@contoso.com", m365sim.InboxRuleSpec{Name: "out", ForwardTo: []string{"x@mail.example"}}); err != nil {
		t.Fatal(err)
	}
	if err := tn.Sim.GrantAppPermission(tn.ID, m365sim.DemoAdminAppID, "MailboxSettings.Read"); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.Stats().Reset()
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/users", Method: "GET", Status: 429, Retry: 1, Times: 5})
			},
			Config: reportConfig(tn, "  graph_batch_concurrency = 1"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("inbox_rules_source"), knownvalue.StringExact("graph")),
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("mailboxes_scanned"), knownvalue.Int64Exact(45)),
				statecheck.ExpectKnownValue(reportAddr, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
					findingCheck("inbox_rule_forward_to", "user7@contoso.com", "x@mail.example", "out", true, false),
					findingCheck("outbound_spam_policy", "", "*", "Default", true, false),
					findingCheck("remote_domain", "", "*", "Default", true, false),
				})),
			},
			Check: func(*terraform.State) error {
				st := tn.Sim.Stats()
				if n := st.Statuses(m365sim.EndpointGraph, 429); n != 5 {
					return fmt.Errorf("emulator answered %d 429s inside batches, want 5", n)
				}
				// Each read: 3 batches of 20/20/5, plus one re-send of the
				// 5 throttled requests (all in the first batch) in the first read.
				batches, inner := st.Requests(m365sim.EndpointGraph, "POST /v1.0/$batch"), st.Requests(m365sim.EndpointGraph, messageRulesOp)
				reads := (inner - 5) / 45
				if (inner-5)%45 != 0 || batches != 3*reads+1 {
					return fmt.Errorf("%d batches, %d messageRules requests: want 45 per read plus the 5 throttled once more in one extra batch", batches, inner)
				}
				return nil
			},
		}},
	})
}
