package audit_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/audit"
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
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		// Destroy leaves the mailbox as the last step set it.
		CheckDestroy: tenantMailbox(t, tn, "180.00:00:00", []string{"Admin", "Owner"}, m365sim.DefaultAuditActions("Owner", true)),
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
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             tenantMailbox(t, tn, "90.00:00:00", []string{"Admin", "Delegate"}, []string{"MailboxLogin"}),
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
	// The subtests are parallel and run after this function returns:
	// count the requests once they are all done.
	t.Cleanup(func() {
		if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
			t.Errorf("a plan-time error must not reach the tenant; Exchange saw %d requests", n)
		}
	})
	for name, body := range map[string]string{
		"owner-only action for delegates": `audit_delegate = ["MailboxLogin"]`,
		"unknown action":                  `audit_admin = ["Teleport"]`,
		"None is not an action":           `audit_owner = ["None"]`,
		"none in any case":                `audit_owner = ["none"]`,
		"Copy is admin-only":              `audit_owner = ["Copy"]`,
		"Exchange 2013-only owner action": `audit_owner = ["FolderBind"]`,
		"negative age":                    `audit_log_age_limit_days = -1`,
		"age beyond EnhancedTimeSpan":     `audit_log_age_limit_days = 24856`,
	} {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      mailboxAuditConfig(tn, body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value`),
				}},
			})
		})
	}
}

// A missing mailbox on create fails with the identity in the message.
func TestAccMailboxAudit_missingMailbox(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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

// ageOf reads a mailbox's AuditLogAgeLimit through the emulator.
func ageOf(t *testing.T, tn *acctest.Tenant, identity string) string {
	t.Helper()
	return fmt.Sprint(tn.One(t, m365sim.EndpointExchange, "Get-Mailbox", map[string]any{"Identity": identity})["AuditLogAgeLimit"])
}

func wantAge(t *testing.T, tn *acctest.Tenant, identity, want string) func(*terraform.State) error {
	return func(*terraform.State) error {
		if got := ageOf(t, tn, identity); got != want {
			return fmt.Errorf("mailbox %s: AuditLogAgeLimit %s, want %s", identity, got, want)
		}
		return nil
	}
}

func mailboxAuditFor(tn *acctest.Tenant, identity, body string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_audit" "ann" {
  identity = %q
%s
}
`, identity, body)
}

// Issue 9, item 9: destroy never lowers AuditLogAgeLimit (Exchange would
// delete the older audit records); it leaves the mailbox as it is.
func TestAccMailboxAudit_destroyKeepsAgeLimit(t *testing.T) {
	tn := acctest.NewTenant(t)
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			wantAge(t, tn, "ann@contoso.com", "365.00:00:00"),
			tenantMailbox(t, tn, "365.00:00:00", []string{"Admin", "Delegate"}, []string{"MailboxLogin"}),
		),
		Steps: []resource.TestStep{{
			Config: mailboxAuditConfig(tn, "  audit_log_age_limit_days = 365\n  audit_owner = [\"MailboxLogin\"]"),
			Check:  wantAge(t, tn, "ann@contoso.com", "365.00:00:00"),
		}},
	})
}

// Issue 9, item 9: replacing the resource (it now names another mailbox)
// leaves the first mailbox's age limit alone.
func TestAccMailboxAudit_replaceKeepsAgeLimit(t *testing.T) {
	tn := acctest.NewTenant(t)
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com"})
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "bob@contoso.com"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: mailboxAuditFor(tn, "ann@contoso.com", "  audit_log_age_limit_days = 365")},
			{
				Config: mailboxAuditFor(tn, "bob@contoso.com", "  audit_log_age_limit_days = 365"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(mailboxAuditAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					wantAge(t, tn, "ann@contoso.com", "365.00:00:00"),
					wantAge(t, tn, "bob@contoso.com", "365.00:00:00"),
				),
			},
		},
	})
}

// Issue 9, items 9 and 19: the same mailbox written another way (case, GUID,
// alias, primary or secondary SMTP address) is no change, let alone a
// replacement; another mailbox is.
func TestAccMailboxAudit_identitySpellings(t *testing.T) {
	tn := acctest.NewTenant(t)
	ann := addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com", EmailAddresses: []string{"ann.smith@contoso.com"}})
	body := "  audit_log_age_limit_days = 365"
	steps := []resource.TestStep{{Config: mailboxAuditFor(tn, "ann@contoso.com", body)}}
	for _, id := range []string{"ANN@Contoso.COM", guidOf(t, ann), strings.ToUpper(guidOf(t, ann)), "ann", "ann.smith@contoso.com"} {
		steps = append(steps, resource.TestStep{
			Config: mailboxAuditFor(tn, id, body),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
}

// Issue 9, item 19: an import block whose configuration names the mailbox by
// GUID, primary SMTP address or another letter case plans no change.
func TestAccMailboxAudit_importBlockSpellings(t *testing.T) {
	tn := acctest.NewTenant(t)
	ann := addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com", PrimarySmtpAddress: "ann.smith@contoso.com"})
	for name, c := range map[string]struct{ importID, identity string }{
		"GUID in config, UPN imported":          {"ann@contoso.com", guidOf(t, ann)},
		"primary SMTP in config, GUID imported": {guidOf(t, ann), "ann.smith@contoso.com"},
		"other case in config":                  {"ann@contoso.com", "Ann@CONTOSO.com"},
	} {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config:          mailboxAuditFor(tn, c.identity, ""),
					ResourceName:    mailboxAuditAddr,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithID,
					ImportStateId:   c.importID,
				}},
			})
		})
	}
}

// Issue 9, item 15: a user principal name renamed in the tenant does not
// drop the resource from state; reads and writes follow the GUID.
func TestAccMailboxAudit_renamedMailbox(t *testing.T) {
	tn := acctest.NewTenant(t)
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com"})
	cfg := mailboxAuditConfig(tn, `  audit_owner = ["MailboxLogin"]`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{ // renamed: still in state, nothing to do
				PreConfig: func() {
					if err := m365sim.RenameMailbox(tn.Sim, tn.ID, "ann@contoso.com", "ann.jones@contoso.com"); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("user_principal_name"), knownvalue.StringExact("ann.jones@contoso.com")),
				},
			},
			{ // drift on the renamed mailbox is fixed by apply
				PreConfig: func() {
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "ann.jones@contoso.com", "AuditOwner": []string{"Update"}})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(mailboxAuditAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					m := tn.One(t, m365sim.EndpointExchange, "Get-Mailbox", map[string]any{"Identity": "ann.jones@contoso.com"})
					if fmt.Sprint(strList(m["AuditOwner"])) != "[MailboxLogin]" {
						return fmt.Errorf("AuditOwner = %v after apply", m["AuditOwner"])
					}
					return nil
				},
			},
		},
	})
}

// Issue 9, item 18: action names in another letter case are accepted (as
// Exchange binds them), kept as written in state, and plan nothing more.
func TestAccMailboxAudit_actionCase(t *testing.T) {
	tn := acctest.NewTenant(t)
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com"})
	cfg := mailboxAuditConfig(tn, `  audit_owner = ["mailboxlogin", "HARDDELETE"]`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("audit_owner"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("mailboxlogin"), knownvalue.StringExact("HARDDELETE"),
					})),
				},
				Check: tenantMailbox(t, tn, "90.00:00:00", []string{"Admin", "Delegate"}, []string{"HardDelete", "MailboxLogin"}),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{ // a real change out of band still shows
				PreConfig: func() {
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "ann@contoso.com", "AuditOwner": []string{"MailboxLogin"}})
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// Issue 9, item 22: an age limit with a fractional day set out of band is
// drift, and apply sets the whole days configured.
func TestAccMailboxAudit_fractionalAgeLimit(t *testing.T) {
	tn := acctest.NewTenant(t)
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com"})
	cfg := mailboxAuditConfig(tn, "  audit_log_age_limit_days = 365")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("audit_log_age_limit"), knownvalue.StringExact("365.00:00:00")),
				},
			},
			{
				PreConfig: func() {
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "ann@contoso.com", "AuditLogAgeLimit": "365.12:00:00"})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(mailboxAuditAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("audit_log_age_limit"), knownvalue.StringExact("365.00:00:00")),
				}},
				Check: wantAge(t, tn, "ann@contoso.com", "365.00:00:00"),
			},
			{ // unmanaged, the exact value is read and kept
				PreConfig: func() {
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "ann@contoso.com", "AuditLogAgeLimit": "180.06:00:00"})
				},
				Config: mailboxAuditConfig(tn, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("audit_log_age_limit"), knownvalue.StringExact("180.06:00:00")),
					statecheck.ExpectKnownValue(mailboxAuditAddr, tfjsonpath.New("audit_log_age_limit_days"), knownvalue.Int64Exact(180)),
				},
				Check: wantAge(t, tn, "ann@contoso.com", "180.06:00:00"),
			},
		},
	})
}

// Issue 9, items 14 and 23: identities that cannot name a mailbox, and
// action sets Exchange would take as one value, are refused at plan time.
func TestAccMailboxAudit_badIdentityAndDuplicates(t *testing.T) {
	tn := acctest.NewTenant(t)
	// The subtests are parallel and run after this function returns:
	// count the requests once they are all done.
	t.Cleanup(func() {
		if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
			t.Errorf("a plan-time error must not reach the tenant; Exchange saw %d requests", n)
		}
	})
	for name, c := range map[string]struct{ identity, body, want string }{
		"address without a domain": {"ann@contoso", "", "Not a mailbox identity"},
		"wildcard":                 {"ann*", "", "Not a mailbox identity"},
		"padded":                   {" ann@contoso.com", "", "Not a mailbox identity"},
		"address prefix":           {"smtp:ann@contoso.com", "", "Not a mailbox identity"},
		"two mailboxes":            {"ann@contoso.com;bob@contoso.com", "", "Not a mailbox identity"},
		"case-only duplicate":      {"ann@contoso.com", `audit_owner = ["Update", "update"]`, "Duplicate value"},
	} {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      mailboxAuditFor(tn, c.identity, c.body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(c.want),
				}},
			})
		})
	}
}

// Issue 9, item 16: a handful of resources on a 50,000-mailbox tenant never
// list the tenant: a refresh costs at most one call per resource (batched
// reads cost fewer), where the old cache listed all 50 pages after ten reads.
func TestAccMailboxAudit_fewResourcesLargeTenant(t *testing.T) {
	tn := acctest.NewTenant(t)
	const tenantSize, n = 50000, 20
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: tenantSize, Prefix: "staff"}); err != nil {
		t.Fatal(err)
	}
	cfg := tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_audit" "few" {
  count    = %d
  identity = "staff${count.index * 997}@contoso.onmicrosoft.com"
}
`, n)
	var calls int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() { tn.Sim.Stats().Reset() },
				Config:    cfg,
				PlanOnly:  true,
			},
			{
				PreConfig: func() { calls = tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Get-Mailbox") },
				Config:    cfg,
				PlanOnly:  true,
			},
		},
	})
	t.Logf("plan of %d m365harden_mailbox_audit resources on %d mailboxes: %d Get-Mailbox calls", n, tenantSize, calls)
	// A plan-only step runs terraform plan (with refresh) once or twice.
	if calls == 0 || calls > 2*n {
		t.Fatalf("%d Get-Mailbox calls for %d resources; at most one per resource and refresh allowed (a listing would be %d pages)", calls, n, tenantSize/1000)
	}
}

// Issue 9, item 10: the schema says what Exchange does with AuditEnabled.
func TestMailboxAuditSchema_auditEnabledIsIgnoredByExchange(t *testing.T) {
	desc := mailboxAuditAttrDescription(t, "audit_enabled")
	for _, want := range []string{"ignores this flag", "AuditDisabled = $false", "m365harden_mailbox_audit_bypass", "https://learn.microsoft.com/purview/audit-mailboxes"} {
		if !strings.Contains(desc, want) {
			t.Errorf("audit_enabled description lacks %q:\n%s", want, desc)
		}
	}
}

func mailboxAuditAttrDescription(t *testing.T, name string) string {
	t.Helper()
	var resp fwresource.SchemaResponse
	audit.NewMailboxAuditResource().Schema(context.Background(), fwresource.SchemaRequest{}, &resp)
	a, ok := resp.Schema.Attributes[name]
	if !ok {
		t.Fatalf("no attribute %s", name)
	}
	return a.GetMarkdownDescription()
}
