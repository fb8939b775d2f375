package audit_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

const baselineAddr = "m365harden_mailbox_audit_baseline.this"

// deviating counts the mailboxes of the types that break the rule (auditing
// off), through the emulator.
func deviating(tn *acctest.Tenant, want int) resource.TestCheckFunc {
	const filter = "AuditEnabled -eq $false"
	return func(*terraform.State) error {
		got, err := tn.Sim.Invoke(tn.ID, m365sim.EndpointExchange, "Get-Mailbox", map[string]any{"Filter": filter, "ResultSize": "Unlimited", "RecipientTypeDetails": []string{"UserMailbox", "SharedMailbox"}})
		if err != nil {
			return err
		}
		if len(got) != want {
			return fmt.Errorf("%d mailboxes match %q, want %d", len(got), filter, want)
		}
		return nil
	}
}

func TestAccMailboxAuditBaseline_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	// 30 mailboxes (user, shared, room); every 5th has auditing off, so 6
	// deviate, 2 of them rooms that the default types leave alone.
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: 30, Types: []string{"UserMailbox", "SharedMailbox", "RoomMailbox"}, AuditDisabledEvery: 5}); err != nil {
		t.Fatal(err)
	}
	cfg := func(extra string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_audit_baseline" "this" {
  excluded_mailboxes = ["user4@contoso.onmicrosoft.com"]
%s
}
`, extra)
	}
	f := false
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		// Destroy leaves the mailboxes as they are: the excluded one stays off.
		CheckDestroy: deviating(tn, 1),
		Steps: []resource.TestStep{
			{ // create fixes every deviating mailbox except the excluded one
				Config: cfg(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(baselineAddr, tfjsonpath.New("deviations"), knownvalue.MapSizeExact(0)),
					statecheck.ExpectKnownValue(baselineAddr, tfjsonpath.New("recipient_types"), knownvalue.SetSizeExact(2)),
				},
				Check: deviating(tn, 1),
			},
			{ // a mailbox created tomorrow with auditing off shows up by name
				PreConfig: func() {
					if _, err := m365sim.AddMailbox(tn.Sim, tn.ID, m365sim.MailboxSpec{UPN: "newhire@contoso.com", AuditEnabled: &f}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(baselineAddr, plancheck.ResourceActionUpdate),
				}},
				Check: deviating(tn, 1),
			},
			{ // drift on one mailbox is named in the plan
				PreConfig: func() {
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "user7@contoso.onmicrosoft.com", "AuditEnabled": false})
				},
				RefreshState: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(baselineAddr, "deviations.%", "1"),
					resource.TestCheckResourceAttr(baselineAddr, "deviations.user7@contoso.onmicrosoft.com", "AuditEnabled is false"),
				),
				ExpectNonEmptyPlan: true,
			},
			{ // stricter rules: age and owner actions, read without the OPATH shortcut
				Config: cfg(`  min_audit_log_age_limit_days = 180
  required_audit_owner         = ["MailboxLogin"]`),
				Check: resource.ComposeTestCheckFunc(
					deviating(tn, 1),
					func(*terraform.State) error {
						m := tn.One(t, m365sim.EndpointExchange, "Get-Mailbox", map[string]any{"Identity": "user0@contoso.onmicrosoft.com"})
						if m["AuditLogAgeLimit"] != "180.00:00:00" || fmt.Sprint(m["AuditOwner"]) == "" || !contains(strList(m["AuditOwner"]), "MailboxLogin") || !contains(strList(m["AuditOwner"]), "Update") {
							return fmt.Errorf("user0 after the stricter baseline: %v %v", m["AuditLogAgeLimit"], m["AuditOwner"])
						}
						room := tn.One(t, m365sim.EndpointExchange, "Get-Mailbox", map[string]any{"Identity": "user2@contoso.onmicrosoft.com"})
						if room["AuditLogAgeLimit"] != "90.00:00:00" {
							return fmt.Errorf("a room mailbox was changed: %v", room["AuditLogAgeLimit"])
						}
						return nil
					},
				),
			},
			{
				Config: cfg(`  min_audit_log_age_limit_days = 180
  required_audit_owner         = ["MailboxLogin"]`),
				ResourceName:      baselineAddr,
				ImportState:       true,
				ImportStateId:     m365sim.DemoTenantID,
				ImportStateVerify: true,
				// Import adopts the default rule: exclusions and stricter rules come from configuration.
				ImportStateVerifyIgnore: []string{"excluded_mailboxes", "min_audit_log_age_limit_days", "required_audit_owner", "deviations"},
			},
		},
	})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestAccMailboxAuditBaseline_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfig() + `
resource "m365harden_mailbox_audit_baseline" "this" {
  required_audit_delegate = ["MailboxLogin"]
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value Match`),
		}},
	})
}

// 429s and replication lag while fixing: apply retries and waits until a
// fresh listing is clean.
func TestAccMailboxAuditBaseline_throttledAndLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: 12, AuditDisabledEvery: 3}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Set-Mailbox", Status: 429, Retry: 1, Times: 2})
				tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 2*time.Second)
			},
			Config: tn.ProviderConfig() + `resource "m365harden_mailbox_audit_baseline" "this" {}`,
			Check: resource.ComposeTestCheckFunc(
				deviating(tn, 0),
				func(*terraform.State) error {
					if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 429); n != 2 {
						return fmt.Errorf("emulator answered %d 429s, want 2", n)
					}
					return nil
				},
			),
		}},
	})
}

// A 50,000-mailbox tenant: a plan of the baseline lists the tenant once, in
// at most ceil(50000/1000)+2 Get-Mailbox calls, and names the drifted mailbox.
func TestAccMailboxAuditBaseline_largeTenant(t *testing.T) {
	tn := acctest.NewTenant(t)
	const n = 50000
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: n, Types: []string{"UserMailbox", "SharedMailbox"}}); err != nil {
		t.Fatal(err)
	}
	cfg := tn.ProviderConfig() + `
resource "m365harden_mailbox_audit_baseline" "this" {
  min_audit_log_age_limit_days = 90
}
`
	var start time.Time
	var elapsed time.Duration
	var calls int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "user31337@contoso.onmicrosoft.com", "AuditEnabled": false})
					tn.Sim.Stats().Reset()
					start = time.Now()
				},
				RefreshState: true,
				Check: resource.ComposeTestCheckFunc(
					func(*terraform.State) error {
						elapsed = time.Since(start)
						calls = tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Get-Mailbox")
						return nil
					},
					resource.TestCheckResourceAttr(baselineAddr, "deviations.%", "1"),
					resource.TestCheckResourceAttr(baselineAddr, "deviations.user31337@contoso.onmicrosoft.com", "AuditEnabled is false"),
				),
				ExpectNonEmptyPlan: true,
			},
		},
	})
	t.Logf("baseline refresh on %d mailboxes: %d Get-Mailbox calls, %s", n, calls, elapsed)
	if limit := (n+999)/1000 + 2; calls > limit || calls == 0 {
		t.Fatalf("%d Get-Mailbox calls; at most %d allowed", calls, limit)
	}
}

// Issue 9, item 12: a mailbox with its own m365harden_mailbox_audit that a
// baseline also covers fails the plan (whichever of the two is planned
// second reports it, naming the fix); excluded from the baseline, the two
// converge and plan empty.
func TestAccMailboxAuditBaseline_conflictWithMailboxAudit(t *testing.T) {
	tn := acctest.NewTenant(t)
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com"})
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "room1@contoso.com", Type: "RoomMailbox"})
	cfg := func(identity, excluded string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_audit_baseline" "this" {
  excluded_mailboxes   = [%s]
  required_audit_owner = ["MailboxLogin"]
}

resource "m365harden_mailbox_audit" "ann" {
  identity = %q
  # no audit_owner: Microsoft's default owner list, which the baseline's
  # MailboxLogin would take the mailbox off
}
`, excluded, identity)
	}
	clash := regexp.MustCompile(`(?s)(Mailbox also enforced by a baseline|Mailboxes also managed by\s+m365harden_mailbox_audit).*excluded_mailboxes`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg("ann@contoso.com", ""), PlanOnly: true, ExpectError: clash},
			{Config: cfg("ann", ""), PlanOnly: true, ExpectError: clash}, // the alias names the same mailbox
			{Config: cfg("room1@contoso.com", "")},                       // rooms are not covered: no clash
			{
				Config: cfg("ann@contoso.com", `"ANN@contoso.com"`),
				Check:  tenantMailbox(t, tn, "90.00:00:00", allLogonTypes, nil),
			},
			{Config: cfg("ann@contoso.com", `"ANN@contoso.com"`), PlanOnly: true},
		},
	})
}

// Issue 9, items 14, 18 and 23: enum values in any letter case are
// accepted; an exclusion the baseline could never match, an empty required
// list and a case-only duplicate are refused at plan time.
func TestAccMailboxAuditBaseline_inputRules(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: 4, AuditDisabledEvery: 2}); err != nil {
		t.Fatal(err)
	}
	cfg := func(body string) string {
		return tn.ProviderConfig() + fmt.Sprintf("resource \"m365harden_mailbox_audit_baseline\" \"this\" {\n%s\n}\n", body)
	}
	steps := []resource.TestStep{}
	for _, c := range []struct{ body, want string }{
		{`excluded_mailboxes = ["user1"]`, "Not a mailbox address or GUID"},
		{`excluded_mailboxes = ["smtp:user1@contoso.onmicrosoft.com"]`, "Not a mailbox address or GUID"},
		{`required_audit_owner = []`, "at least 1"},
		{`recipient_types = []`, "at least 1"},
		{`recipient_types = ["UserMailbox", "usermailbox"]`, "Duplicate value"},
	} {
		steps = append(steps, resource.TestStep{Config: cfg(c.body), PlanOnly: true, ExpectError: regexp.MustCompile(c.want)})
	}
	steps = append(steps,
		resource.TestStep{
			Config: cfg(`recipient_types = ["usermailbox"]
  required_audit_owner = ["mailboxlogin"]`),
			Check: deviating(tn, 0),
		},
		resource.TestStep{
			Config: cfg(`recipient_types = ["usermailbox"]
  required_audit_owner = ["mailboxlogin"]`),
			PlanOnly: true,
		},
	)
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
}
