package audit_test

import (
	"fmt"
	"regexp"
	"sort"
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

const mailboxAuditAddr = "m365harden_mailbox_audit.ann"

func addMailbox(t *testing.T, tn *acctest.Tenant, spec m365sim.MailboxSpec) m365sim.Object {
	t.Helper()
	o, err := m365sim.AddMailbox(tn.Sim, tn.ID, spec)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func mailboxAuditConfig(tn *acctest.Tenant, body string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_audit" "ann" {
  identity = "ann@contoso.com"
%s
}
`, body)
}

func strList(v any) []string {
	var out []string
	switch t := v.(type) {
	case []string:
		out = append(out, t...)
	case []any:
		for _, x := range t {
			out = append(out, fmt.Sprint(x))
		}
	}
	sort.Strings(out)
	return out
}

// guidOf returns an emulator mailbox's GUID.
func guidOf(t *testing.T, o m365sim.Object) string {
	t.Helper()
	g, ok := o["Guid"].(string)
	if !ok {
		t.Fatalf("mailbox without a Guid string: %v", o)
	}
	return g
}

// tenantMailbox checks ann@contoso.com's audit settings through the emulator;
// auditing must be on.
func tenantMailbox(t *testing.T, tn *acctest.Tenant, age string, defaultSet []string, owner []string) resource.TestCheckFunc {
	const id, enabled = "ann@contoso.com", true
	return func(*terraform.State) error {
		m := tn.One(t, m365sim.EndpointExchange, "Get-Mailbox", map[string]any{"Identity": id})
		sort.Strings(defaultSet)
		if m["AuditEnabled"] != enabled || m["AuditLogAgeLimit"] != age || fmt.Sprint(strList(m["DefaultAuditSet"])) != fmt.Sprint(defaultSet) {
			return fmt.Errorf("mailbox %s: AuditEnabled=%v AuditLogAgeLimit=%v DefaultAuditSet=%v; want %v %v %v", id, m["AuditEnabled"], m["AuditLogAgeLimit"], m["DefaultAuditSet"], enabled, age, defaultSet)
		}
		if owner != nil {
			sort.Strings(owner)
			if fmt.Sprint(strList(m["AuditOwner"])) != fmt.Sprint(owner) {
				return fmt.Errorf("mailbox %s: AuditOwner=%v, want %v", id, m["AuditOwner"], owner)
			}
		}
		return nil
	}
}

var allLogonTypes = []string{"Admin", "Delegate", "Owner"}

func TestAccMailboxAudit_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	f := false
	ann := addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com", DisplayName: "Ann", AuditEnabled: &f, EmailAddresses: []string{"ann.smith@contoso.com"}})
	custom := `
  audit_log_age_limit_days = 180
  audit_owner              = ["MailboxLogin", "HardDelete", "Update"]
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		// Destroy restores Microsoft's defaults.
		CheckDestroy: tenantMailbox(t, tn, "90.00:00:00", allLogonTypes, m365sim.DefaultAuditActions("Owner", true)),
		Steps: []resource.TestStep{
			{ // create: auditing on, a custom owner list and a longer age
				Config: mailboxAuditConfig(tn, custom),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("id"), knownvalue.StringExact(guidOf(t, ann))),
					statecheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("audit_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("audit_log_age_limit_days"), knownvalue.Int64Exact(180)),
					statecheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("default_audit_set"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Admin"), knownvalue.StringExact("Delegate")})),
					statecheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("audit_owner"), knownvalue.SetSizeExact(3)),
				},
				Check: tenantMailbox(t, tn, "180.00:00:00", []string{"Admin", "Delegate"}, []string{"MailboxLogin", "HardDelete", "Update"}),
			},
			{ // update in place: the owner list goes back to Microsoft's defaults
				Config: mailboxAuditConfig(tn, "  audit_log_age_limit_days = 180"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(mailboxAuditAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("default_audit_set"), knownvalue.SetSizeExact(3)),
					plancheck.ExpectUnknownValue(mailboxAuditAddr, tfjsonpath.New("audit_owner")),
				}},
				Check: tenantMailbox(t, tn, "180.00:00:00", allLogonTypes, m365sim.DefaultAuditActions("Owner", true)),
			},
			{ // import by GUID
				Config:            mailboxAuditConfig(tn, "  audit_log_age_limit_days = 180"),
				ResourceName:      mailboxAuditAddr,
				ImportState:       true,
				ImportStateId:     guidOf(t, ann),
				ImportStateVerify: true,
			},
			{ // import by a secondary SMTP address
				Config:            mailboxAuditConfig(tn, "  audit_log_age_limit_days = 180"),
				ResourceName:      mailboxAuditAddr,
				ImportState:       true,
				ImportStateId:     "ann.smith@contoso.com",
				ImportStateVerify: true,
			},
			{ // drift: auditing switched off out of band
				PreConfig: func() {
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "ann", "AuditEnabled": false})
				},
				Config:             mailboxAuditConfig(tn, "  audit_log_age_limit_days = 180"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // drift: an admin action list customised out of band is put back on the defaults
				PreConfig: func() {
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "ann", "AuditAdmin": []string{"Update"}})
				},
				Config: mailboxAuditConfig(tn, "  audit_log_age_limit_days = 180"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(mailboxAuditAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("audit_enabled"), knownvalue.Bool(true)),
					plancheck.ExpectUnknownValue(mailboxAuditAddr, tfjsonpath.New("audit_admin")),
				}},
				Check: tenantMailbox(t, tn, "180.00:00:00", allLogonTypes, nil),
			},
			{ // an empty set logs nothing for that logon type, without a perpetual diff
				Config: mailboxAuditConfig(tn, "  audit_delegate = []"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("audit_delegate"), knownvalue.SetSizeExact(0)),
					statecheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("audit_log_age_limit_days"), knownvalue.Int64Exact(180)),
				},
			},
		},
	})
}

// The mailbox disappears out of band: Read drops it from state, the plan
// creates it again, and apply succeeds once the mailbox is back.
func TestAccMailboxAudit_disappears(t *testing.T) {
	tn := acctest.NewTenant(t)
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com"})
	cfg := mailboxAuditConfig(tn, `  audit_owner = ["MailboxLogin"]`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             tenantMailbox(t, tn, "90.00:00:00", allLogonTypes, nil),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					if err := m365sim.RemoveMailbox(tn.Sim, tn.ID, "ann@contoso.com"); err != nil {
						t.Fatal(err)
					}
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() { addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com"}) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(mailboxAuditAddr, plancheck.ResourceActionCreate),
				}},
				Check: tenantMailbox(t, tn, "90.00:00:00", []string{"Admin", "Delegate"}, []string{"MailboxLogin"}),
			},
		},
	})
}

func TestAccMailboxAudit_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	for name, body := range map[string]string{
		"owner-only action for delegates": `audit_delegate = ["MailboxLogin"]`,
		"unknown action":                  `audit_admin = ["Teleport"]`,
		"None is not an action":           `audit_owner = ["None"]`,
		"negative age":                    `audit_log_age_limit_days = -1`,
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      mailboxAuditConfig(tn, body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value`),
				}},
			})
		})
	}
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Exchange saw %d requests", n)
	}
}

// A missing mailbox on create fails with the identity in the message.
func TestAccMailboxAudit_missingMailbox(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      mailboxAuditConfig(tn, ""),
			ExpectError: regexp.MustCompile(`(?s)mailbox "ann@contoso.com" failed.*couldn't be\s+found`),
		}},
	})
}

// 429s and 503s on Get-Mailbox and Set-Mailbox are retried; replication lag
// after Set-Mailbox is waited out.
func TestAccMailboxAudit_throttledAndLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	f := false
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com", AuditEnabled: &f})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-Mailbox", Status: 429, Retry: 1, Times: 2})
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Set-Mailbox", Status: 503, Retry: 1, Times: 1})
				tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 2*time.Second)
			},
			Config: mailboxAuditConfig(tn, ""),
			Check: resource.ComposeTestCheckFunc(
				tenantMailbox(t, tn, "90.00:00:00", allLogonTypes, nil),
				func(*terraform.State) error {
					if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 429); n != 2 {
						return fmt.Errorf("emulator answered %d 429s, want 2", n)
					}
					if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 503); n != 1 {
						return fmt.Errorf("emulator answered %d 503s, want 1", n)
					}
					return nil
				},
			),
		}},
	})
}

// A read-only app reads mailboxes but its write fails naming the roles.
func TestAccMailboxAudit_readOnlyApp(t *testing.T) {
	tn := acctest.NewTenant(t)
	f := false
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com", AuditEnabled: &f})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) +
				`resource "m365harden_mailbox_audit" "ann" { identity = "ann@contoso.com" }`,
			ExpectError: regexp.MustCompile(`(?s)Set-Mailbox.*"Mail\s+Recipients"`),
		}},
	})
}

// 500 m365harden_mailbox_audit resources: the reads of a plan share one
// paged listing after the first few, instead of one Get-Mailbox each.
func TestAccMailboxAudit_manyResourcesShareReads(t *testing.T) {
	tn := acctest.NewTenant(t)
	const n = 500
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: n, Prefix: "staff"}); err != nil {
		t.Fatal(err)
	}
	cfg := tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_audit" "all" {
  count    = %d
  identity = "staff${count.index}@contoso.onmicrosoft.com"
}
`, n)
	var planCalls int
	var planTime time.Duration
	var start time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					tn.Sim.Stats().Reset()
					start = time.Now()
				},
				Config:   cfg,
				PlanOnly: true,
			},
			{
				PreConfig: func() {
					planTime = time.Since(start)
					planCalls = tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Get-Mailbox")
				},
				Config:   cfg,
				PlanOnly: true,
			},
		},
	})
	t.Logf("plan of %d m365harden_mailbox_audit resources: %d Get-Mailbox calls, %s (terraform plan, refresh included)", n, planCalls, planTime)
	// A plan-only step runs terraform plan (refresh) once or twice; each
	// refresh makes at most bulkAfter direct reads plus one page of 500.
	if planCalls > 2*(10+1) {
		t.Fatalf("plan made %d Get-Mailbox calls for %d resources; reads should share one listing", planCalls, n)
	}
}
