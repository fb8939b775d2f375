package mailflow_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Issue 10, item 6: one mailbox named by its user principal name in one
// m365harden_mailbox_forwarding and by its alias or its GUID in another
// fails the plan; two mailboxes plan, apply and plan again empty; a block
// added later for a mailbox already in state (by GUID) fails too.
func TestAccMailboxForwarding_declaredTwice(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedPeople(t, tn)
	megan := tn.One(t, m365sim.EndpointExchange, "Get-Mailbox", map[string]any{"Identity": "megan@contoso.com"})["Guid"].(string)
	two := func(a, b string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_forwarding" "a" {
  mailbox = %q
}
resource "m365harden_mailbox_forwarding" "b" {
  mailbox                 = %q
  forwarding_smtp_address = "alex@partner.example"
}
`, a, b)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      two("adele@contoso.com", "ADELE"),
				PlanOnly:    true,
				ExpectError: acctest.DeclaredTwice(`mailbox "`, "Another m365harden_mailbox_forwarding block", "attribute mailbox", "names it as mailbox", "Keep one m365harden_mailbox_forwarding block"),
			},
			{
				Config:      two("megan@contoso.com", strings.ToUpper(megan)),
				PlanOnly:    true,
				ExpectError: acctest.DeclaredTwice(`mailbox "`),
			},
			{Config: two("adele@contoso.com", "megan@contoso.com")}, // no false positive; the framework plans again after the apply
			// Refresh and plan once more: the blocks do not trip over their
			// own claims, and the plan is empty.
			{Config: two("adele@contoso.com", "megan@contoso.com"), PlanOnly: true},
			{
				Config: two("adele@contoso.com", "megan@contoso.com") + fmt.Sprintf(`
resource "m365harden_mailbox_forwarding" "c" {
  mailbox = %q
}
`, megan),
				ExpectError: acctest.DeclaredTwice(`mailbox "`),
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Set-Mailbox"); n != 2 {
		t.Fatalf("only the one apply should change mailboxes (adele's forward cleared, megan's set): %d Set-Mailbox calls", n)
	}
}

// Issue 10, item 6: remote domains are unique by name (in any letter case)
// and by domain; two different ones apply and plan again empty.
func TestAccRemoteDomain_declaredTwice(t *testing.T) {
	tn := acctest.NewTenant(t)
	rd := func(label, name, domain string) string {
		return fmt.Sprintf(`
resource "m365harden_remote_domain" %q {
  name                 = %q
  domain_name          = %q
  auto_forward_enabled = false
}
`, label, name, domain)
	}
	good := tn.ProviderConfig() + rd("a", "Partner", "partner.example") + rd("b", "Supplier", "supplier.example")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      tn.ProviderConfig() + rd("a", "Partner", "partner.example") + rd("b", "PARTNER", "other.example"),
				PlanOnly:    true,
				ExpectError: acctest.DeclaredTwice(`remote domain "`, "Another m365harden_remote_domain block", "attribute name", "Give each block its own name"),
			},
			{
				Config:      tn.ProviderConfig() + rd("a", "Partner", "partner.example") + rd("b", "Partner 2", "Partner.Example"),
				PlanOnly:    true,
				ExpectError: acctest.DeclaredTwice(`remote domain for domain "`, "attribute domain_name"),
			},
			{Config: good},
			{Config: good, PlanOnly: true},
			{
				// The same name again next to the applied block.
				Config:      good + rd("c", "supplier", "third.example"),
				ExpectError: acctest.DeclaredTwice(`remote domain "`),
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "New-RemoteDomain"); n != 2 {
		t.Fatalf("want the 2 different remote domains created and nothing else; %d New-RemoteDomain calls", n)
	}
}
