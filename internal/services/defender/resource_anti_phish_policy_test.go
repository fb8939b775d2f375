package defender_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

const apDefault = "Office365 AntiPhish Default"

func antiPhishDefaultConfig(tn *acctest.Tenant, threshold int, action string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_anti_phish_policy" "default" {
  name                                   = "office365 antiphish default"
  enable_spoof_intelligence              = true
  enable_first_contact_safety_tips       = true
  phish_threshold_level                  = %d
  enable_targeted_user_protection        = true
  targeted_users_to_protect              = ["Megan Bowen;Megan@Contoso.com"]
  targeted_user_protection_action        = %q
  enable_organization_domains_protection = true
  enable_mailbox_intelligence_protection = true
  mailbox_intelligence_protection_action = "MoveToJmf"
}
`, threshold, action)
}

const apDefaultAddr = "m365harden_anti_phish_policy.default"

// The built-in policy adopted (any case), updated, drift planned back,
// imported, destroy leaves it.
func TestAccAntiPhishPolicy_default(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             exchangeObjectIs(tn, "Get-AntiPhishPolicy", apDefault, map[string]any{"IsDefault": true, "PhishThresholdLevel": 3, "TargetedUserProtectionAction": "Quarantine"}),
		Steps: []resource.TestStep{
			{
				Config: antiPhishDefaultConfig(tn, 2, "MoveToJmf"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(apDefaultAddr, tfjsonpath.New("name"), knownvalue.StringExact("office365 antiphish default")),
					statecheck.ExpectKnownValue(apDefaultAddr, tfjsonpath.New("is_default"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(apDefaultAddr, tfjsonpath.New("honor_dmarc_policy"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(apDefaultAddr, tfjsonpath.New("authentication_fail_action"), knownvalue.StringExact("MoveToJmf")),
					statecheck.ExpectKnownValue(apDefaultAddr, tfjsonpath.New("targeted_domains_to_protect"), knownvalue.SetSizeExact(0)),
				},
				Check: exchangeObjectIs(tn, "Get-AntiPhishPolicy", apDefault, map[string]any{"PhishThresholdLevel": 2, "EnableFirstContactSafetyTips": true,
					"TargetedUsersToProtect": []string{"Megan Bowen;Megan@Contoso.com"}, "TargetedUserProtectionAction": "MoveToJmf"}),
			},
			{ // update in place
				Config: antiPhishDefaultConfig(tn, 3, "Quarantine"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(apDefaultAddr, plancheck.ResourceActionUpdate),
				}},
				Check: exchangeObjectIs(tn, "Get-AntiPhishPolicy", apDefault, map[string]any{"PhishThresholdLevel": 3, "TargetedUserProtectionAction": "Quarantine"}),
			},
			{ // drift: impersonation protection off out of band; the address's case is no diff
				PreConfig: func() {
					tn.Exchange(t, "Set-AntiPhishPolicy", map[string]any{"Identity": apDefault, "EnableTargetedUserProtection": false,
						"TargetedUsersToProtect": []string{"Megan Bowen;megan@contoso.com"}})
				},
				Config: antiPhishDefaultConfig(tn, 3, "Quarantine"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(apDefaultAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(apDefaultAddr, tfjsonpath.New("enable_targeted_user_protection"), knownvalue.Bool(true)),
				}},
				Check: exchangeObjectIs(tn, "Get-AntiPhishPolicy", apDefault, map[string]any{"EnableTargetedUserProtection": true}),
			},
			{Config: antiPhishDefaultConfig(tn, 3, "Quarantine"), PlanOnly: true},
			{
				Config:          antiPhishDefaultConfig(tn, 3, "Quarantine"),
				ResourceName:    apDefaultAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   apDefault,
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "New-AntiPhishPolicy"); n != 0 {
		t.Fatalf("adopting the default policy created %d policies", n)
	}
}

// A tenant without Defender for Office 365: spoof settings work, the
// impersonation settings are refused with the licence explained.
func TestAccAntiPhishPolicy_noDefenderLicence(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Sim.Tenant(tn.ID).Licences.DefenderForOffice365 = false
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + `
resource "m365harden_anti_phish_policy" "p" {
  name                             = "EOP only"
  enable_first_contact_safety_tips = true
  authentication_fail_action       = "Quarantine"
}`,
				Check: exchangeObjectIs(tn, "Get-AntiPhishPolicy", "EOP only", map[string]any{"AuthenticationFailAction": "Quarantine"}),
			},
			{
				Config: tn.ProviderConfig() + `
resource "m365harden_anti_phish_policy" "p" {
  name                             = "EOP only"
  enable_first_contact_safety_tips = true
  authentication_fail_action       = "Quarantine"
  enable_targeted_user_protection  = true
}`,
				ExpectError: regexp.MustCompile(`(?s)Updating anti-phishing policy "EOP only" failed.*need\s+Microsoft\s+Defender\s+for\s+Office\s+365`),
			},
		},
	})
}

// A custom policy: created, import-verified, removed out of band and
// re-created, renamed (replaced), destroyed.
func TestAccAntiPhishPolicy_custom(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := func(name string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_anti_phish_policy" "p" {
  name                               = %q
  enable_targeted_domains_protection = true
  targeted_domains_to_protect        = ["Fabrikam.com", "tailspintoys.com"]
  targeted_domain_protection_action  = "Quarantine"
  dmarc_quarantine_action            = "MoveToJmf"
}`, name)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			exchangeObjectIs(tn, "Get-AntiPhishPolicy", "Executives", nil),
			exchangeObjectIs(tn, "Get-AntiPhishPolicy", "Board", nil),
		),
		Steps: []resource.TestStep{
			{
				Config: cfg("Executives"),
				Check: exchangeObjectIs(tn, "Get-AntiPhishPolicy", "Executives", map[string]any{
					"TargetedDomainsToProtect": []string{"Fabrikam.com", "tailspintoys.com"}, "DmarcQuarantineAction": "MoveToJmf", "IsDefault": false}),
			},
			{ResourceName: "m365harden_anti_phish_policy.p", ImportState: true, ImportStateId: "Executives", ImportStateVerify: true},
			{
				PreConfig: func() { tn.Exchange(t, "Remove-AntiPhishPolicy", map[string]any{"Identity": "Executives"}) },
				Config:    cfg("Executives"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("m365harden_anti_phish_policy.p", plancheck.ResourceActionCreate),
				}},
				Check: exchangeObjectIs(tn, "Get-AntiPhishPolicy", "Executives", map[string]any{"TargetedDomainProtectionAction": "Quarantine"}),
			},
			{
				Config: cfg("Board"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("m365harden_anti_phish_policy.p", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: exchangeObjectIs(tn, "Get-AntiPhishPolicy", "Executives", nil),
			},
		},
	})
}

func TestAccAntiPhishPolicy_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	var steps []resource.TestStep
	for _, c := range []struct{ attrs, want string }{
		{`phish_threshold_level = 5`, `between 1 and 4`},
		{`authentication_fail_action = "Reject"`, `value must be one of`},
		{`targeted_user_protection_action = "Redirect"`, `value must be one of`},
		{`mailbox_intelligence_protection_action = "quarantine"`, `value must be one of`},
		{`targeted_users_to_protect = ["megan@contoso.com"]`, `must be "Display name;address@domain"`},
		{`targeted_domains_to_protect = ["*.contoso.com"]`, `must be a domain`},
		{`admin_display_name = "` + strings.Repeat("x", 256) + `"`, `string length must be at most 255`},
	} {
		steps = append(steps, resource.TestStep{
			Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_anti_phish_policy" "p" {
  name = "P"
  %s
}`, c.attrs),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(c.want), " ", `\s+`)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("plan-time errors must not reach the tenant; Exchange saw %d requests", n)
	}
}
