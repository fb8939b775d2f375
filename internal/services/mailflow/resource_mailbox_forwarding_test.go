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

// seedPeople adds the mailboxes the forwarding tests use; adele starts with
// an external forward, as after an account takeover.
func seedPeople(t *testing.T, tn *acctest.Tenant) {
	t.Helper()
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Mailboxes: []m365sim.MailboxSpec{
		{UPN: "adele@contoso.com", DisplayName: "Adele Vance", ForwardingSmtpAddress: "adele.vance@gmail.example"},
		{UPN: "megan@contoso.com", DisplayName: "Megan Bowen"},
		{UPN: "lee@contoso.com", DisplayName: "Lee Gu"},
	}}); err != nil {
		t.Fatal(err)
	}
}

func mailboxForwardingIs(t *testing.T, tn *acctest.Tenant, mailbox string, smtp, addr any, deliver bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		mb := tn.One(t, m365sim.EndpointExchange, "Get-Mailbox", map[string]any{"Identity": mailbox})
		if mb["ForwardingSmtpAddress"] != smtp || mb["ForwardingAddress"] != addr || mb["DeliverToMailboxAndForward"] != deliver {
			return fmt.Errorf("mailbox %s forwards to smtp=%v address=%v deliver=%v; want %v %v %v", mailbox,
				mb["ForwardingSmtpAddress"], mb["ForwardingAddress"], mb["DeliverToMailboxAndForward"], smtp, addr, deliver)
		}
		return nil
	}
}

const adeleFwdAddr = "m365harden_mailbox_forwarding.adele"

func adeleForwarding(tn *acctest.Tenant, body string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_forwarding" "adele" {
  mailbox = "adele@contoso.com"
%s
}
`, body)
}

func TestAccMailboxForwarding_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedPeople(t, tn)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		// Destroy leaves the mailbox's forwarding as the last step set it.
		CheckDestroy: mailboxForwardingIs(t, tn, "adele@contoso.com", nil, "megan", false),
		Steps: []resource.TestStep{
			{ // "no forwarding": the attacker's forward is cleared
				Config: adeleForwarding(tn, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(adeleFwdAddr, tfjsonpath.New("forwarding_smtp_address"), knownvalue.Null()),
					statecheck.ExpectKnownValue(adeleFwdAddr, tfjsonpath.New("deliver_to_mailbox_and_forward"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(adeleFwdAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
				},
				Check: mailboxForwardingIs(t, tn, "adele@contoso.com", nil, nil, false),
			},
			{ // an approved forward, written with the prefix and mixed case: no perpetual diff
				Config: adeleForwarding(tn, `  forwarding_smtp_address        = "SMTP:Alex@Partner.example"
  deliver_to_mailbox_and_forward = true`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(adeleFwdAddr, tfjsonpath.New("forwarding_smtp_address"), knownvalue.StringExact("SMTP:Alex@Partner.example")),
				},
				Check: mailboxForwardingIs(t, tn, "adele@contoso.com", "smtp:Alex@Partner.example", nil, true),
			},
			{ // import by UPN (the address reads back normalised)
				Config:                  adeleForwarding(tn, `  forwarding_smtp_address = "alex@partner.example"`),
				ResourceName:            adeleFwdAddr,
				ImportState:             true,
				ImportStateId:           "adele@contoso.com",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"forwarding_smtp_address"},
				ImportStateCheck: func(s []*terraform.InstanceState) error {
					if got := s[0].Attributes["forwarding_smtp_address"]; got != "alex@partner.example" {
						return fmt.Errorf("imported forwarding_smtp_address %q", got)
					}
					return nil
				},
			},
			{ // drift: the address changed out of band
				PreConfig: func() {
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "adele@contoso.com", "ForwardingSmtpAddress": "adele.vance@gmail.example"})
				},
				Config: adeleForwarding(tn, `  forwarding_smtp_address        = "SMTP:Alex@Partner.example"
  deliver_to_mailbox_and_forward = true`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(adeleFwdAddr, plancheck.ResourceActionUpdate),
				}},
				Check: mailboxForwardingIs(t, tn, "adele@contoso.com", "smtp:Alex@Partner.example", nil, true),
			},
			{ // an internal forward named by UPN; Exchange reports the recipient's name
				Config: adeleForwarding(tn, `  forwarding_address = "megan@contoso.com"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(adeleFwdAddr, tfjsonpath.New("forwarding_address"), knownvalue.StringExact("megan@contoso.com")),
					statecheck.ExpectKnownValue(adeleFwdAddr, tfjsonpath.New("forwarding_smtp_address"), knownvalue.Null()),
				},
				Check: mailboxForwardingIs(t, tn, "adele@contoso.com", nil, "megan", false),
			},
		},
	})
}

func TestAccMailboxForwarding_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: adeleForwarding(tn, `  forwarding_smtp_address = "not an address"`), PlanOnly: true, ExpectError: regexp.MustCompile(`must\s+be\s+an\s+SMTP\s+address`)},
			{Config: adeleForwarding(tn, `  forwarding_smtp_address = "x400:alex@partner.example"`), PlanOnly: true, ExpectError: regexp.MustCompile(`must\s+be\s+an\s+SMTP\s+address`)},
			{Config: adeleForwarding(tn, `  forwarding_address = ""`), PlanOnly: true, ExpectError: regexp.MustCompile(`length`)},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("plan-time errors must not reach the tenant; Exchange saw %d requests", n)
	}
}

// A missing mailbox is a clear error; a mailbox deleted later leaves state
// (and is planned for creation again).
func TestAccMailboxForwarding_disappears(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedPeople(t, tn)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      tn.ProviderConfig() + `resource "m365harden_mailbox_forwarding" "x" { mailbox = "nobody@contoso.com" }`,
				ExpectError: regexp.MustCompile(`(?s)Setting the forwarding of mailbox "nobody@contoso.com" failed.*couldn't\s+be\s+found`),
			},
			{
				Config: adeleForwarding(tn, ""),
			},
			{
				PreConfig: func() {
					if err := m365sim.RemoveMailbox(tn.Sim, tn.ID, "adele@contoso.com"); err != nil {
						t.Fatal(err)
					}
				},
				Config:             adeleForwarding(tn, ""),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// The resource follows the mailbox by the GUID in state: after the user is
// renamed (new UPN and address, the old one gone), a forward added out of
// band is still planned away as an update, and naming the mailbox by its
// new UPN is the same mailbox (no replacement).
func TestAccMailboxForwarding_upnRename(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedPeople(t, tn)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: adeleForwarding(tn, ""), Check: mailboxForwardingIs(t, tn, "adele@contoso.com", nil, nil, false)},
			{
				PreConfig: func() {
					if err := m365sim.RenameMailbox(tn.Sim, tn.ID, "adele@contoso.com", "adele.smith@contoso.com"); err != nil {
						t.Fatal(err)
					}
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "adele.smith@contoso.com", "ForwardingSmtpAddress": "drop@attacker.example"})
				},
				Config: adeleForwarding(tn, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(adeleFwdAddr, plancheck.ResourceActionUpdate),
				}},
				Check: mailboxForwardingIs(t, tn, "adele.smith@contoso.com", nil, nil, false),
			},
			{ // the configuration catches up with the rename: the same mailbox
				Config: tn.ProviderConfig() + `
resource "m365harden_mailbox_forwarding" "adele" {
  mailbox = "adele.smith@contoso.com"
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// Values equal in Exchange's eyes plan no update after an import: the
// forwarding target named by UPN, alias or address where Exchange reports
// the recipient's name, and an SMTP forward in another case or with the
// smtp: prefix.
func TestAccMailboxForwarding_importEquivalentSpellings(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedPeople(t, tn)
	tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "adele@contoso.com", "ForwardingSmtpAddress": nil, "ForwardingAddress": "megan@contoso.com", "DeliverToMailboxAndForward": true})
	tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "lee@contoso.com", "ForwardingSmtpAddress": "Alex@Partner.example"})
	cfg := func(adeleTarget, leeTarget string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_forwarding" "adele" {
  mailbox                        = "adele@contoso.com"
  forwarding_address             = %q
  deliver_to_mailbox_and_forward = true
}

resource "m365harden_mailbox_forwarding" "lee" {
  mailbox                 = "lee@contoso.com"
  forwarding_smtp_address = %q
}
`, adeleTarget, leeTarget)
	}
	tn.Sim.Stats().Reset()
	// Adopted as they are: nothing to write.
	steps := []resource.TestStep{{Config: cfg("megan@contoso.com", "alex@partner.example")}}
	for _, target := range []string{"megan@contoso.com", "megan", "MEGAN@contoso.com"} {
		steps = append(steps, resource.TestStep{
			Config:          cfg(target, "alex@partner.example"),
			ResourceName:    adeleFwdAddr,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithID,
			ImportStateId:   "adele@contoso.com",
		})
	}
	for _, target := range []string{"smtp:alex@partner.example", "ALEX@PARTNER.EXAMPLE"} {
		steps = append(steps, resource.TestStep{
			Config:          cfg("megan", target),
			ResourceName:    "m365harden_mailbox_forwarding.lee",
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithID,
			ImportStateId:   "lee@contoso.com",
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Set-Mailbox"); n != 0 {
		t.Fatalf("adopting and importing equal values changed the tenant: Set-Mailbox ran %d times", n)
	}
}

// What Set-Mailbox accepts but can only be a mistake is refused at plan
// time: keeping a copy without a forward, and a forward to the mailbox
// itself however it is spelled.
func TestAccMailboxForwarding_refusedAtPlan(t *testing.T) {
	tn := acctest.NewTenant(t)
	seedPeople(t, tn)
	var steps []resource.TestStep
	for _, c := range []struct{ body, want string }{
		{`  deliver_to_mailbox_and_forward = true`, `Copy kept without a forward`},
		{`  forwarding_smtp_address = "adele@contoso.com"`, `Mailbox forwards to itself`},
		{`  forwarding_smtp_address = "SMTP:Adele@Contoso.com"`, `Mailbox forwards to itself`},
		{`  forwarding_address = "adele"`, `Mailbox forwards to itself`},
		{`  forwarding_address = "Adele@contoso.com"`, `Mailbox forwards to itself`},
	} {
		steps = append(steps, resource.TestStep{Config: adeleForwarding(tn, c.body), PlanOnly: true, ExpectError: regexp.MustCompile(strings.ReplaceAll(c.want, " ", `\s+`))})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Set-Mailbox"); n != 0 {
		t.Fatalf("refused plans changed the tenant: Set-Mailbox ran %d times", n)
	}
}
