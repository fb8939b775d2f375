package audit_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Issue 10, item 6: two blocks for the tenant's one audit configuration
// fail the plan, before anything is changed; one block plans as before.
func TestAccAuditConfiguration_declaredTwice(t *testing.T) {
	tn := acctest.NewTenant(t)
	one := tn.ProviderConfig() + `
resource "m365harden_audit_configuration" "on" {
  mailbox_auditing_enabled = true
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: one + `
resource "m365harden_audit_configuration" "off" {
  mailbox_auditing_enabled = false
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Object declared twice: audit configuration.*Another\s+m365harden_audit_configuration\s+block.*keep one\s+m365harden_audit_configuration\s+block`),
			},
			{Config: one},
			{
				// A second block added next to one already applied.
				Config: one + `
resource "m365harden_audit_configuration" "again" {
  unified_audit_log_ingestion_enabled = true
}
`,
				ExpectError: regexp.MustCompile(`(?s)Object declared twice: audit configuration`),
			},
		},
	})
}

// Issue 10, item 6: one mailbox named by its user principal name in one
// m365harden_mailbox_audit and by its GUID (in upper case) in another fails
// the plan: both would set its audit settings on every apply.
func TestAccMailboxAudit_sameMailboxTwice(t *testing.T) {
	tn := acctest.NewTenant(t)
	guid := guidOf(t, addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com"}))
	cfg := func(second string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_audit" "by_upn" {
  identity = "ann@contoso.com"
}
resource "m365harden_mailbox_audit" "by_guid" {
  identity  = %q
  audit_log_age_limit_days = 120
}
`, second)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      cfg(strings.ToUpper(guid)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Object declared twice: mailbox.*Another\s+m365harden_mailbox_audit\s+block`),
			},
			{
				Config:      cfg("ANN@CONTOSO.COM"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Object declared twice: mailbox`),
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Set-Mailbox"); n != 0 {
		t.Fatalf("a plan-time error must not change the tenant; %d Set-Mailbox calls", n)
	}
}

// Issue 10, item 6: one account named by its user principal name and by
// its alias in two m365harden_mailbox_audit_bypass blocks fails the plan;
// two accounts apply and plan again empty.
func TestAccMailboxAuditBypass_declaredTwice(t *testing.T) {
	tn := acctest.NewTenant(t)
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com"})
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "bob@contoso.com"})
	cfg := func(a, b string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_audit_bypass" "a" {
  identity = %q
}
resource "m365harden_mailbox_audit_bypass" "b" {
  identity = %q
}
`, a, b)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      cfg("ann@contoso.com", "Ann"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Object declared twice: mailbox.*Another\s+m365harden_mailbox_audit_bypass\s+block.*names\s+it\s+as\s+mailbox`),
			},
			{Config: cfg("ann@contoso.com", "bob@contoso.com")},
			{Config: cfg("ann@contoso.com", "bob@contoso.com"), PlanOnly: true},
		},
	})
}
