package mailflow_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// The documented "block external forwarding except for partner.example"
// pattern, applied as written to a compromised tenant: afterwards the only
// findings are the allowed partner routes; a new inbox rule to a personal
// address is reported.
func TestAccForwardingExample_partnerOnly(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedForwardingScenario(t, tn)
	// The scenario's own inbox rules go; the example's mailboxes stay.
	cfg := tn.Example(t, "forwarding/main.tf")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					remoteDomainIs(tn, "Default", map[string]any{"AutoForwardEnabled": false}),
					remoteDomainIs(tn, "partner.example", map[string]any{"AutoForwardEnabled": true}),
					exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterPolicy", "Default", map[string]any{"AutoForwardingMode": "Off"}),
					exchangeObjectIs(tn, "Get-HostedOutboundSpamFilterRule", "Partner forwarding", map[string]any{"From": []string{"adele@contoso.com"}}),
					mailboxForwardingIs(t, tn, "adele@contoso.com", "smtp:adele@partner.example", nil, true),
					mailboxForwardingIs(t, tn, "megan@contoso.com", nil, nil, false),
				),
			},
			{ // the report read with the hardened tenant: only allowed findings and the existing inbox rules
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.m365harden_forwarding_report.this", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						findingCheck("inbox_rule_forward_as_attachment_to", "lee@contoso.com", "lee@fabrikam.example", "Old", false, false),
						findingCheck("inbox_rule_forward_to", "megan@contoso.com", "alex@partner.example", "Team", true, true),
						findingCheck("inbox_rule_redirect_to", "adele@contoso.com", "adele.personal@outlook.example", "Keep a copy", true, false),
						findingCheck("mailbox_forwarding_smtp_address", "adele@contoso.com", "adele@partner.example", "", true, true),
						findingCheck("outbound_spam_policy", "", "*", "Partner forwarding", true, true),
						findingCheck("remote_domain", "", "partner.example", "partner.example", true, true),
					})),
					statecheck.ExpectKnownValue("data.m365harden_forwarding_report.this", tfjsonpath.New("not_allowed_count"), knownvalue.Int64Exact(2)),
				},
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Get-InboxRule"); n == 0 {
		t.Fatal("the report never read inbox rules")
	}
}
