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

const bypassAddr = "m365harden_mailbox_audit_bypass.svc"

func bypassConfig(tn *acctest.Tenant, body string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_audit_bypass" "svc" {
  identity = "svc-backup@contoso.com"
%s
}
`, body)
}

func tenantBypass(t *testing.T, tn *acctest.Tenant, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		o := tn.One(t, m365sim.EndpointExchange, "Get-MailboxAuditBypassAssociation", map[string]any{"Identity": "svc-backup@contoso.com"})
		if o["AuditBypassEnabled"] != want {
			return fmt.Errorf("AuditBypassEnabled = %v, want %v", o["AuditBypassEnabled"], want)
		}
		return nil
	}
}

func TestAccMailboxAuditBypass_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	svc := addMailbox(t, tn, m365sim.MailboxSpec{UPN: "svc-backup@contoso.com"})
	// A backup account that someone exempted from auditing.
	if err := m365sim.SetAuditBypass(tn.Sim, tn.ID, "svc-backup@contoso.com", true); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             tenantBypass(t, tn, false),
		Steps: []resource.TestStep{
			{ // create: bypass off (the default value)
				Config: bypassConfig(tn, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bypassAddr, tfjsonpath.New("audit_bypass_enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(bypassAddr, tfjsonpath.New("id"), knownvalue.StringExact(guidOf(t, svc))),
				},
				Check: tenantBypass(t, tn, false),
			},
			{ // update in place (an explicit exception)
				Config: bypassConfig(tn, "  audit_bypass_enabled = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bypassAddr, plancheck.ResourceActionUpdate),
				}},
				Check: tenantBypass(t, tn, true),
			},
			{ // import by GUID
				Config:            bypassConfig(tn, "  audit_bypass_enabled = true"),
				ResourceName:      bypassAddr,
				ImportState:       true,
				ImportStateId:     guidOf(t, svc),
				ImportStateVerify: true,
			},
			{ // drift
				PreConfig: func() {
					if err := m365sim.SetAuditBypass(tn.Sim, tn.ID, "svc-backup@contoso.com", false); err != nil {
						t.Fatal(err)
					}
				},
				Config:             bypassConfig(tn, "  audit_bypass_enabled = true"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // back to hardened
				Config: bypassConfig(tn, "  audit_bypass_enabled = false"),
				Check:  tenantBypass(t, tn, false),
			},
			{ // the account disappears: removed from state, planned again
				PreConfig: func() {
					if err := m365sim.RemoveMailbox(tn.Sim, tn.ID, "svc-backup@contoso.com"); err != nil {
						t.Fatal(err)
					}
				},
				Config:             bypassConfig(tn, "  audit_bypass_enabled = false"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // and is managed again once it exists
				PreConfig: func() { addMailbox(t, tn, m365sim.MailboxSpec{UPN: "svc-backup@contoso.com"}) },
				Config:    bypassConfig(tn, "  audit_bypass_enabled = false"),
				Check:     tenantBypass(t, tn, false),
			},
		},
	})
}

func TestAccMailboxAuditBypass_badInputAndLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "svc-backup@contoso.com"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      bypassConfig(tn, `  audit_bypass_enabled = "maybe"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Incorrect attribute value type|a bool is required`),
			},
			{
				PreConfig: func() {
					tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 2*time.Second)
					tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Set-MailboxAuditBypassAssociation", Status: 429, Retry: 1, Times: 1})
				},
				Config: bypassConfig(tn, "  audit_bypass_enabled = true"),
				Check:  tenantBypass(t, tn, true),
			},
		},
	})
}

func bypassFor(tn *acctest.Tenant, identity string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_mailbox_audit_bypass" "svc" {
  identity = %q
}
`, identity)
}

// Issue 9, item 15: a renamed account stays in state; writes follow the GUID.
func TestAccMailboxAuditBypass_renamedAccount(t *testing.T) {
	tn := acctest.NewTenant(t)
	addMailbox(t, tn, m365sim.MailboxSpec{UPN: "svc-backup@contoso.com"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: bypassConfig(tn, "")},
			{
				PreConfig: func() {
					if err := m365sim.RenameMailbox(tn.Sim, tn.ID, "svc-backup@contoso.com", "svc-archive@contoso.com"); err != nil {
						t.Fatal(err)
					}
				},
				Config: bypassConfig(tn, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{ // an attacker exempts the renamed account: apply turns it off again
				PreConfig: func() {
					if err := m365sim.SetAuditBypass(tn.Sim, tn.ID, "svc-archive@contoso.com", true); err != nil {
						t.Fatal(err)
					}
				},
				Config: bypassConfig(tn, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bypassAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					o := tn.One(t, m365sim.EndpointExchange, "Get-MailboxAuditBypassAssociation", map[string]any{"Identity": "svc-archive@contoso.com"})
					if o["AuditBypassEnabled"] != false {
						return fmt.Errorf("AuditBypassEnabled = %v after apply", o["AuditBypassEnabled"])
					}
					return nil
				},
			},
		},
	})
}

// Issue 9, item 19: other spellings of the same account plan nothing, also
// right after an import block.
func TestAccMailboxAuditBypass_identitySpellings(t *testing.T) {
	tn := acctest.NewTenant(t)
	svc := addMailbox(t, tn, m365sim.MailboxSpec{UPN: "svc-backup@contoso.com", PrimarySmtpAddress: "backup@contoso.com"})
	steps := []resource.TestStep{{
		Config:          bypassFor(tn, guidOf(t, svc)),
		ResourceName:    bypassAddr,
		ImportState:     true,
		ImportStateKind: resource.ImportBlockWithID,
		ImportStateId:   "svc-backup@contoso.com",
	}, {Config: bypassFor(tn, "svc-backup@contoso.com")}}
	for _, id := range []string{"SVC-Backup@Contoso.com", guidOf(t, svc), "backup@contoso.com", "svc-backup"} {
		steps = append(steps, resource.TestStep{
			Config:           bypassFor(tn, id),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
}

// Issue 9, item 23: an identity that cannot name an account is refused at
// plan time.
func TestAccMailboxAuditBypass_badIdentity(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      bypassFor(tn, "svc-*"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Not a mailbox identity`),
		}},
	})
}
