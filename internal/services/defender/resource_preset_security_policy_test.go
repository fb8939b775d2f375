package defender_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

const presetAddr = "m365harden_preset_security_policy.p"

func presetConfig(tn *acctest.Tenant, level, body string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_preset_security_policy" "p" {
  level = %q
%s
}
`, level, body)
}

// presetTenant has two mailboxes and a group; the levels given were turned
// on once in the portal and then off again.
func presetTenant(t *testing.T, defender bool, levels ...string) *acctest.Tenant {
	tn := acctest.NewTenant(t)
	tn.Sim.Tenant(tn.ID).Licences.DefenderForOffice365 = defender
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Mailboxes: []m365sim.MailboxSpec{
		{UPN: "adele.vance@contoso.com", Alias: "adele", PrimarySmtpAddress: "adele@contoso.com"},
		{UPN: "megan@contoso.com"},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m365sim.AddGroup(tn.Sim, tn.ID, m365sim.GroupSpec{Name: "Executives", PrimarySmtpAddress: "executives@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	for _, l := range levels {
		if err := m365sim.TurnOnPresetInPortal(tn.Sim, tn.ID, l); err != nil {
			t.Fatal(err)
		}
		tn.Exchange(t, "Disable-EOPProtectionPolicyRule", map[string]any{"Identity": l + " Preset Security Policy"})
		if defender {
			tn.Exchange(t, "Disable-ATPProtectionPolicyRule", map[string]any{"Identity": l + " Preset Security Policy"})
		}
	}
	return tn
}

const (
	presetStrictCreate = `  eop_protection      = { sent_to_member_of = ["Executives"] }
  defender_protection = { sent_to_member_of = ["Executives"] }`
	presetStrictUpdated = `  eop_protection = {
    sent_to_member_of = ["executives@contoso.com"]
    except_if_sent_to = ["adele@contoso.com"]
  }
  defender_protection = {
    sent_to_member_of   = ["executives@contoso.com"]
    recipient_domain_is = ["contoso.com"]
  }`
)

// Adopted and turned on with recipients, import (block, other case),
// updated in place, drift (turned off in the portal, recipients changed)
// planned back; destroy turns the preset off and leaves the rules.
func TestAccPresetSecurityPolicy_basic(t *testing.T) {
	tn := presetTenant(t, true, "Strict")
	rule := "Strict Preset Security Policy"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", rule, map[string]any{"State": "Disabled", "SentToMemberOf": []string{"executives@contoso.com"}, "Priority": 0}),
			exchangeObjectIs(tn, "Get-ATPProtectionPolicyRule", rule, map[string]any{"State": "Disabled", "RecipientDomainIs": []string{"contoso.com"}}),
		),
		Steps: []resource.TestStep{
			{
				Config: presetConfig(tn, "Strict", presetStrictCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(presetAddr, tfjsonpath.New("id"), knownvalue.StringExact("Strict")),
					statecheck.ExpectKnownValue(presetAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(presetAddr, tfjsonpath.New("eop_protection").AtMapKey("sent_to_member_of"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Executives")})),
				},
				Check: resource.ComposeTestCheckFunc(
					exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", rule, map[string]any{"State": "Enabled", "SentToMemberOf": []string{"executives@contoso.com"}}),
					exchangeObjectIs(tn, "Get-ATPProtectionPolicyRule", rule, map[string]any{"State": "Enabled", "SentToMemberOf": []string{"executives@contoso.com"}}),
				),
			},
			{
				Config: presetConfig(tn, "Strict", presetStrictCreate), ResourceName: presetAddr,
				ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: "strict",
			},
			{
				Config: presetConfig(tn, "Strict", presetStrictUpdated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(presetAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", rule, map[string]any{"ExceptIfSentTo": []string{"adele@contoso.com"}}),
					exchangeObjectIs(tn, "Get-ATPProtectionPolicyRule", rule, map[string]any{"RecipientDomainIs": []string{"contoso.com"}, "ExceptIfSentTo": nil}),
				),
			},
			{ // the state keeps the group's configured name; an import reads its address
				ResourceName: presetAddr, ImportState: true, ImportStateId: "Strict", ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"eop_protection.sent_to_member_of", "defender_protection.sent_to_member_of"},
			},
			{ // drift: turned off in the portal (one rule) and recipients changed
				PreConfig: func() {
					tn.Exchange(t, "Disable-ATPProtectionPolicyRule", map[string]any{"Identity": rule})
					tn.Exchange(t, "Set-EOPProtectionPolicyRule", map[string]any{"Identity": rule, "SentTo": []string{"megan@contoso.com"}})
				},
				Config: presetConfig(tn, "Strict", presetStrictUpdated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(presetAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(presetAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
				}},
				Check: resource.ComposeTestCheckFunc(
					exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", rule, map[string]any{"State": "Enabled", "SentTo": nil}),
					exchangeObjectIs(tn, "Get-ATPProtectionPolicyRule", rule, map[string]any{"State": "Enabled"}),
				),
			},
			{ // turned off by configuration
				Config: presetConfig(tn, "Strict", presetStrictUpdated+"\n  enabled = false"),
				Check: resource.ComposeTestCheckFunc(
					exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", rule, map[string]any{"State": "Disabled"}),
					exchangeObjectIs(tn, "Get-ATPProtectionPolicyRule", rule, map[string]any{"State": "Disabled"}),
				),
			},
			{Config: presetConfig(tn, "Strict", presetStrictUpdated)},
		},
	})
}

// A preset that was never turned on has no rules: create says to turn it
// on once in the portal; afterwards the same configuration applies
// (no condition: all recipients).
func TestAccPresetSecurityPolicy_neverTurnedOn(t *testing.T) {
	tn := presetTenant(t, true)
	cfg := presetConfig(tn, "Standard", "  eop_protection = {}\n  defender_protection = {}")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)The Standard preset security policy has no EOP protections rule.*turn\s+it\s+on\s+there\s+once`),
			},
			{
				PreConfig: func() {
					if err := m365sim.TurnOnPresetInPortal(tn.Sim, tn.ID, "Standard"); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", "Standard Preset Security Policy", map[string]any{"State": "Enabled", "SentTo": nil, "Priority": 1}),
					exchangeObjectIs(tn, "Get-ATPProtectionPolicyRule", "Standard Preset Security Policy", map[string]any{"State": "Enabled"}),
				),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// Without Defender for Office 365 only the EOP rule exists: managing the
// Defender rule fails with the licence explained; the EOP rule alone works
// and imports without defender_protection.
func TestAccPresetSecurityPolicy_noLicence(t *testing.T) {
	tn := presetTenant(t, false, "Standard")
	eopOnly := presetConfig(tn, "Standard", `  eop_protection = { except_if_sent_to = ["megan@contoso.com"] }`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      presetConfig(tn, "Standard", "  eop_protection = {}\n  defender_protection = {}"),
				ExpectError: regexp.MustCompile(`(?s)Adopting the Standard preset security policy failed.*need\s+Microsoft\s+Defender\s+for\s+Office\s+365`),
			},
			{
				Config: eopOnly,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(presetAddr, tfjsonpath.New("defender_protection"), knownvalue.Null()),
				},
				Check: exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", "Standard Preset Security Policy", map[string]any{"State": "Enabled", "ExceptIfSentTo": []string{"megan@contoso.com"}}),
			},
			{ResourceName: presetAddr, ImportState: true, ImportStateId: "STANDARD", ImportStateVerify: true},
		},
	})
}

// Bad input is refused at plan time, before any call.
func TestAccPresetSecurityPolicy_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	var steps []resource.TestStep
	for _, c := range []struct{ body, want string }{
		{`level = "Medium"
  eop_protection = {}`, `value must be one of`},
		{`level = "Strict"`, `argument "eop_protection" is required`},
		{`level = "Strict"
  eop_protection = { recipient_domain_is = ["contoso"] }`, `must be a domain such as contoso.com`},
		{`level = "Strict"
  eop_protection = { sent_to = [] }`, `set must contain at least 1 elements`},
	} {
		steps = append(steps, resource.TestStep{
			Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_preset_security_policy" "x" {
  %s
}`, c.body),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?i)` + strings.ReplaceAll(regexp.QuoteMeta(c.want), " ", `\s+`)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("plan-time errors must not reach the tenant; Exchange saw %d requests", n)
	}
}

// Throttling (429), an unavailable service (503) and replication lag on
// the preset rules' cmdlets.
func TestAccPresetSecurityPolicy_throttledAndLag(t *testing.T) {
	tn := presetTenant(t, true, "Standard")
	rule := "Standard Preset Security Policy"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 2*time.Second)
					tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-ATPProtectionPolicyRule", Status: 429, Retry: 1, Times: 2})
					tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Set-EOPProtectionPolicyRule", Status: 503, Retry: 1, Times: 1})
				},
				Config: presetConfig(tn, "Standard", `  eop_protection      = { recipient_domain_is = ["contoso.com"] }
  defender_protection = { recipient_domain_is = ["contoso.com"] }`),
				Check: resource.ComposeTestCheckFunc(
					exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", rule, map[string]any{"State": "Enabled", "RecipientDomainIs": []string{"contoso.com"}}),
					exchangeObjectIs(tn, "Get-ATPProtectionPolicyRule", rule, map[string]any{"State": "Enabled", "RecipientDomainIs": []string{"contoso.com"}}),
				),
			},
		},
	})
}

// The list data source returns the levels that have rules, by state.
func TestAccPresetSecurityPolicy_listDataSource(t *testing.T) {
	tn := presetTenant(t, true, "Strict", "Standard")
	tn.Exchange(t, "Enable-EOPProtectionPolicyRule", map[string]any{"Identity": "Strict Preset Security Policy"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfig() + `
data "m365harden_preset_security_policies" "all" {}
data "m365harden_preset_security_policies" "on" {
  state = "Enabled"
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.m365harden_preset_security_policies.all", tfjsonpath.New("ids"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Standard"), knownvalue.StringExact("Strict")})),
				statecheck.ExpectKnownValue("data.m365harden_preset_security_policies.on", tfjsonpath.New("ids"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("Strict")})),
			},
		}},
	})
}

// Issue 10, item 4: timeouts bound the waits for Exchange Online to show
// the change. A create that runs out of time stores nothing (a tainted
// preset would be turned off and on again): once reads catch up the next
// apply adopts it with nothing left to send. A refresh keeps the
// configured timeouts; an update that runs out shows at the next refresh
// (empty plan); an import plans a change of timeouts alone, which sends
// nothing; a destroy that runs out leaves the resource in state and the
// next destroy has nothing left to send.
func TestAccPresetSecurityPolicy_timeouts(t *testing.T) {
	tn := presetTenant(t, true, "Standard")
	rule := "Standard Preset Security Policy"
	const lag = 8 * time.Second
	lagging := func() { tn.Sim.SetReplicationLag(m365sim.EndpointExchange, lag) }
	var writes int
	caughtUp := func() {
		tn.Sim.ClearFaults()
		time.Sleep(lag)
		writes = acctest.Writes(tn.Sim, m365sim.EndpointExchange)
	}
	const tmo = `{ create = "2s", update = "2s", delete = "2s" }`
	create := acctest.WithTimeouts(presetConfig(tn, "Standard", presetStrictCreate), tmo)
	update := acctest.WithTimeouts(presetConfig(tn, "Standard", presetStrictUpdated), tmo)
	failed := func(verb string) string {
		return verb + `\s+the\s+Standard\s+preset\s+security\s+policy\s+failed`
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", rule, map[string]any{"State": "Disabled", "ExceptIfSentTo": []string{"adele@contoso.com"}}),
			exchangeObjectIs(tn, "Get-ATPProtectionPolicyRule", rule, map[string]any{"State": "Disabled", "RecipientDomainIs": []string{"contoso.com"}}),
		),
		Steps: []resource.TestStep{
			{PreConfig: lagging, Config: create, ExpectError: acctest.TimeoutError(failed("Configuring"), "create")},
			{
				PreConfig: caughtUp,
				Config:    create,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(presetAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(presetAddr, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("2s")),
				},
				Check: resource.ComposeTestCheckFunc(
					acctest.NoWrites(tn.Sim, m365sim.EndpointExchange, &writes),
					exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", rule, map[string]any{"State": "Enabled", "SentToMemberOf": []string{"executives@contoso.com"}}),
					exchangeObjectIs(tn, "Get-ATPProtectionPolicyRule", rule, map[string]any{"State": "Enabled", "SentToMemberOf": []string{"executives@contoso.com"}}),
				),
			},
			{Config: create, PlanOnly: true},
			{PreConfig: lagging, Config: update, ExpectError: acctest.TimeoutError(failed("Updating"), "update")},
			{
				PreConfig: caughtUp,
				Config:    update,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeTestCheckFunc(
					exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", rule, map[string]any{"ExceptIfSentTo": []string{"adele@contoso.com"}}),
					exchangeObjectIs(tn, "Get-ATPProtectionPolicyRule", rule, map[string]any{"RecipientDomainIs": []string{"contoso.com"}}),
				),
			},
			{
				PreConfig: func() { writes = acctest.Writes(tn.Sim, m365sim.EndpointExchange) },
				Config:    update, ResourceName: presetAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:      "Standard",
				ExpectNonEmptyPlan: true,
				ImportPlanChecks:   resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{acctest.OnlyTimeoutsChange(presetAddr)}},
				Check:              acctest.NoWrites(tn.Sim, m365sim.EndpointExchange, &writes),
			},
			{
				PreConfig:   lagging,
				Config:      tn.ProviderConfig(),
				ExpectError: acctest.TimeoutError(`Turning\s+off\s+the\s+Standard\s+preset\s+security\s+policy\s+failed`, "delete"),
			},
			{
				PreConfig: caughtUp,
				Config:    tn.ProviderConfig(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(presetAddr, plancheck.ResourceActionDestroy),
				}},
				Check: acctest.NoWrites(tn.Sim, m365sim.EndpointExchange, &writes),
			},
		},
	})
}

// Issue 10, item 6: two blocks for one level manage the same two rules and
// fail the plan, before any write; Standard and Strict apply and plan
// again empty.
func TestAccPresetSecurityPolicy_declaredTwice(t *testing.T) {
	tn := presetTenant(t, true, "Standard", "Strict")
	block := func(label, level, recipients string) string {
		return fmt.Sprintf(`
resource "m365harden_preset_security_policy" %q {
  level          = %q
  eop_protection = { sent_to = [%q] }
}
`, label, level, recipients)
	}
	good := tn.ProviderConfig() + block("standard", "Standard", "megan@contoso.com") + block("strict", "Strict", "adele@contoso.com")
	seeded := acctest.Writes(tn.Sim, m365sim.EndpointExchange) // presetTenant's portal switches
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      tn.ProviderConfig() + block("a", "Standard", "megan@contoso.com") + block("b", "Standard", "adele@contoso.com"),
				PlanOnly:    true,
				ExpectError: acctest.DeclaredTwice(`preset security policy "Standard"`, "Another m365harden_preset_security_policy block", "attribute level"),
			},
			{
				PreConfig: func() {
					if n := acctest.Writes(tn.Sim, m365sim.EndpointExchange) - seeded; n != 0 {
						t.Fatalf("the refused plan sent %d Exchange writes, want 0", n)
					}
				},
				Config: good,
				Check: resource.ComposeTestCheckFunc(
					exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", "Standard Preset Security Policy", map[string]any{"State": "Enabled", "SentTo": []string{"megan@contoso.com"}}),
					exchangeObjectIs(tn, "Get-EOPProtectionPolicyRule", "Strict Preset Security Policy", map[string]any{"State": "Enabled", "SentTo": []string{"adele@contoso.com"}}),
				),
			},
			{Config: good, PlanOnly: true},
		},
	})
}
