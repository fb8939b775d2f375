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
