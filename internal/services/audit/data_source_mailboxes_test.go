package audit_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

const mailboxesAddr = "data.m365harden_mailboxes.this"

func TestAccMailboxesDataSource_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	// 40 mailboxes: every 4th has auditing off, every 10th forwards out;
	// types alternate user/shared.
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: 40, Types: []string{"UserMailbox", "SharedMailbox"},
		AuditDisabledEvery: 4, ForwardingEvery: 10, ForwardingTo: "drop@fabrikam.example"}); err != nil {
		t.Fatal(err)
	}
	ds := func(args string) string {
		return tn.ProviderConfig() + fmt.Sprintf("data \"m365harden_mailboxes\" \"this\" {\n%s\n}\n", args)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      ds("  recipient_types = [\"Printer\"]"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value Match`),
			},
			{
				Config: ds(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes"), knownvalue.ListSizeExact(40)),
					statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes").AtSliceIndex(0).AtMapKey("user_principal_name"), knownvalue.StringExact("user0@contoso.onmicrosoft.com")),
					statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes").AtSliceIndex(0).AtMapKey("audit_log_age_limit_days"), knownvalue.Int64Exact(90)),
					statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes").AtSliceIndex(0).AtMapKey("audit_log_age_limit"), knownvalue.StringExact("90.00:00:00")),
					statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes").AtSliceIndex(0).AtMapKey("forwarding_smtp_address"), knownvalue.Null()),
					statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes").AtSliceIndex(0).AtMapKey("default_audit_set"), knownvalue.SetSizeExact(3)),
				},
			},
			{ // the filter goes to the service: only the 10 with auditing off
				PreConfig: func() { tn.Sim.Stats().Reset() },
				Config:    ds("  audit_enabled = false"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes"), knownvalue.ListSizeExact(10)),
					statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes").AtSliceIndex(0).AtMapKey("audit_enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("id"), knownvalue.StringExact("AuditEnabled -eq $false")),
				},
			},
			{
				Config: ds("  recipient_types = [\"SharedMailbox\"]\n  forwarding_configured = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes"), knownvalue.ListSizeExact(4)),
					statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes").AtSliceIndex(0).AtMapKey("forwarding_smtp_address"), knownvalue.StringExact("drop@fabrikam.example")),
					statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes").AtSliceIndex(0).AtMapKey("recipient_type_details"), knownvalue.StringExact("SharedMailbox")),
				},
			},
		},
	})
}

// A 429 on a later page is retried; the listing completes.
func TestAccMailboxesDataSource_throttledPaging(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: 2500}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-Mailbox", Status: 429, Retry: 1, Times: 1})
			},
			Config: tn.ProviderConfig() + `data "m365harden_mailboxes" "this" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes"), knownvalue.ListSizeExact(2500)),
			},
			Check: func(*terraform.State) error {
				if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 429); n != 1 {
					return fmt.Errorf("emulator answered %d 429s, want 1", n)
				}
				return nil
			},
		}},
	})
}

// A 50,000-mailbox tenant: `audit_enabled = false` reads only the matching
// mailboxes, 1000 per page, in at most ceil(50000/1000)+2 calls.
func TestAccMailboxesDataSource_largeTenant(t *testing.T) {
	tn := acctest.NewTenant(t)
	const n = 50000
	start := time.Now()
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: n, Types: []string{"UserMailbox", "SharedMailbox", "RoomMailbox"}, AuditDisabledEvery: 7}); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d mailboxes in %s", n, time.Since(start))
	var elapsed time.Duration
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.Stats().Reset()
				start = time.Now()
			},
			Config: tn.ProviderConfig() + `data "m365harden_mailboxes" "this" { audit_enabled = false }`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(mailboxesAddr, tfjsonpath.New("mailboxes"), knownvalue.ListSizeExact(n/7)),
			},
			Check: func(*terraform.State) error {
				elapsed = time.Since(start)
				// Apply reads the data source once (plan refresh included);
				// the framework's own follow-up plan reads it again.
				calls := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Get-Mailbox")
				t.Logf("m365harden_mailboxes audit_enabled=false on %d mailboxes: %d Get-Mailbox calls, %s", n, calls, elapsed)
				if limit := 2 * ((n+999)/1000 + 2); calls > limit {
					return fmt.Errorf("%d Get-Mailbox calls for two reads; at most %d allowed", calls, limit)
				}
				return nil
			},
		}},
	})
}
