package mailflow_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
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

// transportRuleIs checks a rule in the tenant; nil want means it must not
// exist. Values are compared as printed (numbers read back as float64 or int).
func transportRuleIs(tn *acctest.Tenant, name string, want map[string]any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := tn.Sim.Invoke(tn.ID, m365sim.EndpointExchange, "Get-TransportRule", map[string]any{"Identity": name})
		if want == nil {
			if err == nil {
				return fmt.Errorf("transport rule %s still exists: %v", name, out[0])
			}
			return nil
		}
		if err != nil {
			return err
		}
		for k, v := range want {
			got := out[0][k]
			if l, ok := v.([]string); ok {
				// Multi-valued properties are sets: compare sorted.
				v = sorted(l)
				got = sorted(strings.Fields(strings.Trim(fmt.Sprint(got), "[]")))
			}
			if fmt.Sprint(got) != fmt.Sprint(v) {
				return fmt.Errorf("transport rule %s: %s = %v, want %v", name, k, out[0][k], v)
			}
		}
		return nil
	}
}

func sorted(l []string) []string {
	out := append([]string(nil), l...)
	sort.Strings(out)
	return out
}

// words matches a phrase however Terraform wraps the diagnostic's lines.
func words(s string) string {
	return strings.Join(strings.Fields(regexp.QuoteMeta(s)), `\s+`)
}

// noTransportRules is a CheckDestroy: the tenant has no rules left.
func noTransportRules(t *testing.T, tn *acctest.Tenant) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if out := tn.Exchange(t, "Get-TransportRule", nil); len(out) != 0 {
			return fmt.Errorf("%d transport rules left after destroy", len(out))
		}
		return nil
	}
}

const encryptAddr = "m365harden_transport_rule.encrypt_partner"

func encryptRuleConfig(tn *acctest.Tenant, body string) string {
	return tn.ProviderConfig() + `
resource "m365harden_transport_rule" "encrypt_partner" {
` + body + `
}
`
}

// The control "encryption to selected domains" (m365harden_posture
// "encryption-rules"): encrypt mail to partner.example with the Encrypt
// template. Create, update in place, rename, import by name and GUID, drift,
// destroy.
func TestAccTransportRule_encryption(t *testing.T) {
	tn := acctest.NewTenant(t)
	var guid string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             noTransportRules(t, tn),
		Steps: []resource.TestStep{
			{
				Config: encryptRuleConfig(tn, `
  name                             = "Encrypt mail to partner.example"
  recipient_domain_is              = ["partner.example"]
  apply_rights_protection_template = "Encrypt"
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(encryptAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
					statecheck.ExpectKnownValue(encryptAddr, tfjsonpath.New("priority"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(encryptAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(encryptAddr, tfjsonpath.New("mode"), knownvalue.StringExact("Enforce")),
					statecheck.ExpectKnownValue(encryptAddr, tfjsonpath.New("recipient_domain_is"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("partner.example")})),
					statecheck.ExpectKnownValue(encryptAddr, tfjsonpath.New("apply_ome"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(encryptAddr, tfjsonpath.New("reject_message_reason_text"), knownvalue.Null()),
					statecheck.ExpectKnownValue(encryptAddr, tfjsonpath.New("comments"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(
					transportRuleIs(tn, "Encrypt mail to partner.example", map[string]any{
						"ApplyRightsProtectionTemplate": "Encrypt", "State": "Enabled", "Mode": "Enforce", "RecipientDomainIs": []string{"partner.example"}, "Priority": 0,
					}),
					func(s *terraform.State) error { guid = s.RootModule().Resources[encryptAddr].Primary.ID; return nil },
				),
			},
			{ // update in place: template, another domain, audit mode, disabled, comment
				Config: encryptRuleConfig(tn, `
  name                             = "Encrypt mail to partner.example"
  recipient_domain_is              = ["partner.example", "Supplier.Example"]
  apply_rights_protection_template = "do not forward"
  mode                             = "Audit"
  enabled                          = false
  comments                         = "Managed by Terraform: encryption to selected domains"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(encryptAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					// The user's spelling is kept where Exchange ignores case.
					statecheck.ExpectKnownValue(encryptAddr, tfjsonpath.New("apply_rights_protection_template"), knownvalue.StringExact("do not forward")),
					statecheck.ExpectKnownValue(encryptAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				},
				Check: transportRuleIs(tn, "Encrypt mail to partner.example", map[string]any{
					"ApplyRightsProtectionTemplate": "Do Not Forward", "State": "Disabled", "Mode": "Audit",
					"Comments": "Managed by Terraform: encryption to selected domains", "RecipientDomainIs": []string{"partner.example", "Supplier.Example"},
				}),
			},
			{ // rename in place: the GUID stays
				Config: encryptRuleConfig(tn, `
  name                             = "Encrypt partner mail"
  recipient_domain_is              = ["partner.example", "Supplier.Example"]
  apply_rights_protection_template = "do not forward"
  mode                             = "Audit"
  enabled                          = false
  comments                         = "Managed by Terraform: encryption to selected domains"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(encryptAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					transportRuleIs(tn, "Encrypt mail to partner.example", nil),
					transportRuleIs(tn, "Encrypt partner mail", map[string]any{"State": "Disabled"}),
					func(s *terraform.State) error {
						if id := s.RootModule().Resources[encryptAddr].Primary.ID; id != guid {
							return fmt.Errorf("rename changed the id from %s to %s", guid, id)
						}
						return nil
					},
				),
			},
			{ // import by name
				ResourceName:            encryptAddr,
				ImportState:             true,
				ImportStateId:           "Encrypt partner mail",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"apply_rights_protection_template"}, // imported with the service's spelling
			},
			{ // import by GUID
				ResourceName:            encryptAddr,
				ImportState:             true,
				ImportStateIdFunc:       func(*terraform.State) (string, error) { return guid, nil },
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"apply_rights_protection_template"},
			},
			{ // import of a missing rule says how to import
				ResourceName:  encryptAddr,
				ImportState:   true,
				ImportStateId: "No such rule",
				ExpectError:   regexp.MustCompile(`(?s)Importing transport rule "No such rule" failed.*name or GUID.*couldn't be found`),
			},
			{ // out-of-band drift: re-enabled, template and domains changed
				PreConfig: func() {
					tn.Exchange(t, "Enable-TransportRule", map[string]any{"Identity": "Encrypt partner mail"})
					tn.Exchange(t, "Set-TransportRule", map[string]any{"Identity": "Encrypt partner mail", "ApplyRightsProtectionTemplate": "Encrypt", "RecipientDomainIs": []string{"partner.example"}})
				},
				Config: encryptRuleConfig(tn, `
  name                             = "Encrypt partner mail"
  recipient_domain_is              = ["partner.example", "Supplier.Example"]
  apply_rights_protection_template = "do not forward"
  mode                             = "Audit"
  enabled                          = false
  comments                         = "Managed by Terraform: encryption to selected domains"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(encryptAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(encryptAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				}},
				Check: transportRuleIs(tn, "Encrypt partner mail", map[string]any{"State": "Disabled", "ApplyRightsProtectionTemplate": "Do Not Forward"}),
			},
			{ // drift seen by a plan alone: the comment was cleared
				PreConfig: func() {
					tn.Exchange(t, "Set-TransportRule", map[string]any{"Identity": "Encrypt partner mail", "Comments": nil})
				},
				Config: encryptRuleConfig(tn, `
  name                             = "Encrypt partner mail"
  recipient_domain_is              = ["partner.example", "Supplier.Example"]
  apply_rights_protection_template = "do not forward"
  mode                             = "Audit"
  enabled                          = false
  comments                         = "Managed by Terraform: encryption to selected domains"
`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // switch to ApplyOME: the template is cleared in the same call
				Config: encryptRuleConfig(tn, `
  name                = "Encrypt partner mail"
  recipient_domain_is = ["partner.example"]
  apply_ome           = true
`),
				Check: transportRuleIs(tn, "Encrypt partner mail", map[string]any{"ApplyOME": true, "ApplyRightsProtectionTemplate": nil, "Comments": "", "Mode": "Enforce", "State": "Enabled"}),
			},
		},
	})
}

const autoFwdAddr = "m365harden_transport_rule.block_auto_forward"

func autoForwardConfig(tn *acctest.Tenant, actions string) string {
	return tn.ProviderConfig() + `
resource "m365harden_transport_rule" "block_auto_forward" {
  name                 = "Block external auto-forwarding"
  message_type_matches = "AutoForward"
  sent_to_scope        = "NotInOrganization"
  from_scope           = "InOrganization"
` + actions + `
}
`
}

// The "block external auto-forwarding" rule, and the pairing of the two
// halves of the reject action.
func TestAccTransportRule_blockAutoForward(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             noTransportRules(t, tn),
		Steps: []resource.TestStep{
			{ // text only: Exchange pairs it with 5.7.1, the plan knows it
				Config: autoForwardConfig(tn, `
  reject_message_reason_text = "External auto-forwarding is not allowed."
  generate_incident_report   = "secops@contoso.com"
  stop_rule_processing       = true
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(autoFwdAddr, tfjsonpath.New("reject_message_enhanced_status_code"), knownvalue.StringExact("5.7.1")),
				}},
				Check: transportRuleIs(tn, "Block external auto-forwarding", map[string]any{
					"MessageTypeMatches": "AutoForward", "SentToScope": "NotInOrganization", "FromScope": "InOrganization",
					"RejectMessageReasonText": "External auto-forwarding is not allowed.", "RejectMessageEnhancedStatusCode": "5.7.1",
					"GenerateIncidentReport": "secops@contoso.com", "StopRuleProcessing": true,
				}),
			},
			{ // code only: the text becomes Exchange's default
				Config: autoForwardConfig(tn, `
  reject_message_enhanced_status_code = "5.7.950"
  stop_rule_processing                = true
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(autoFwdAddr, tfjsonpath.New("reject_message_reason_text"), knownvalue.StringExact("Delivery not authorized, message refused")),
					statecheck.ExpectKnownValue(autoFwdAddr, tfjsonpath.New("generate_incident_report"), knownvalue.Null()),
				},
				Check: transportRuleIs(tn, "Block external auto-forwarding", map[string]any{
					"RejectMessageEnhancedStatusCode": "5.7.950", "RejectMessageReasonText": "Delivery not authorized, message refused", "GenerateIncidentReport": nil,
				}),
			},
			{ // no reject any more: both halves are cleared, the SCL and prefix set
				Config: autoForwardConfig(tn, `
  set_scl         = 6
  prepend_subject = "[Auto-forward] "
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(autoFwdAddr, tfjsonpath.New("reject_message_reason_text"), knownvalue.Null()),
					statecheck.ExpectKnownValue(autoFwdAddr, tfjsonpath.New("reject_message_enhanced_status_code"), knownvalue.Null()),
					statecheck.ExpectKnownValue(autoFwdAddr, tfjsonpath.New("set_scl"), knownvalue.Int64Exact(6)),
				},
				Check: transportRuleIs(tn, "Block external auto-forwarding", map[string]any{
					"RejectMessageReasonText": nil, "RejectMessageEnhancedStatusCode": nil, "SetSCL": 6, "PrependSubject": "[Auto-forward] ", "StopRuleProcessing": false,
				}),
			},
			{ // SCL drift to -1 (a spam-filter bypass) is planned back
				PreConfig: func() {
					tn.Exchange(t, "Set-TransportRule", map[string]any{"Identity": "Block external auto-forwarding", "SetSCL": -1})
				},
				Config: autoForwardConfig(tn, `
  set_scl         = 6
  prepend_subject = "[Auto-forward] "
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(autoFwdAddr, plancheck.ResourceActionUpdate),
				}},
				Check: transportRuleIs(tn, "Block external auto-forwarding", map[string]any{"SetSCL": 6}),
			},
		},
	})
}

func twoRulesConfig(tn *acctest.Tenant, secondPriority string) string {
	return tn.ProviderConfig() + `
resource "m365harden_transport_rule" "first" {
  name                 = "First"
  stop_rule_processing = true
}

resource "m365harden_transport_rule" "second" {
  name            = "Second"
  prepend_subject = "[2] "
  ` + secondPriority + `
  depends_on      = [m365harden_transport_rule.first]
}
`
}

// Priorities shift when other rules come and go: unmanaged priorities
// follow without a diff, a managed priority shows drift and is restored.
func TestAccTransportRule_priorities(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             noTransportRules(t, tn),
		Steps: []resource.TestStep{
			{
				Config: twoRulesConfig(tn, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("m365harden_transport_rule.first", tfjsonpath.New("priority"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue("m365harden_transport_rule.second", tfjsonpath.New("priority"), knownvalue.Int64Exact(1)),
				},
			},
			{ // someone adds a rule at the top: both shift, nothing to change
				PreConfig: func() {
					tn.Exchange(t, "New-TransportRule", map[string]any{"Name": "Added by hand", "Priority": 0, "SetSCL": 5})
				},
				Config: twoRulesConfig(tn, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("m365harden_transport_rule.first", tfjsonpath.New("priority"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue("m365harden_transport_rule.second", tfjsonpath.New("priority"), knownvalue.Int64Exact(2)),
				},
			},
			{ // manage the second rule's position: move it to the top
				Config: twoRulesConfig(tn, "priority = 0"),
				Check: resource.ComposeTestCheckFunc(
					transportRuleIs(tn, "Second", map[string]any{"Priority": 0}),
					transportRuleIs(tn, "Added by hand", map[string]any{"Priority": 1}),
					transportRuleIs(tn, "First", map[string]any{"Priority": 2}),
				),
			},
			{ // the managed position drifts and is planned back
				PreConfig: func() {
					tn.Exchange(t, "Set-TransportRule", map[string]any{"Identity": "Second", "Priority": 2})
				},
				Config: twoRulesConfig(tn, "priority = 0"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("m365harden_transport_rule.second", plancheck.ResourceActionUpdate),
				}},
				Check: transportRuleIs(tn, "Second", map[string]any{"Priority": 0}),
			},
			{ // beyond the last position Exchange refuses, and says so
				Config:      twoRulesConfig(tn, "priority = 7"),
				ExpectError: regexp.MustCompile(`(?s)Updating transport rule "Second" failed.*` + words("Priority is 7. It should be between 0 and 2")),
			},
			{ // the refused apply left state matching the tenant
				PreConfig: func() { tn.Exchange(t, "Remove-TransportRule", map[string]any{"Identity": "Added by hand"}) },
				Config:    twoRulesConfig(tn, "priority = 1"),
				Check: resource.ComposeTestCheckFunc(
					transportRuleIs(tn, "First", map[string]any{"Priority": 0}),
					transportRuleIs(tn, "Second", map[string]any{"Priority": 1}),
				),
			},
		},
	})
}

// A rule whose position is not managed is updated after another rule was
// inserted above it in the same apply: the update must not move it back.
func TestAccTransportRule_unmanagedPriorityInSameApply(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := func(prefix string, withTop bool) string {
		top, dep := "", ""
		if withTop {
			top = `
resource "m365harden_transport_rule" "top" {
  name                 = "Top"
  priority             = 0
  stop_rule_processing = true
}
`
			dep = "depends_on = [m365harden_transport_rule.top]"
		}
		return tn.ProviderConfig() + top + `
resource "m365harden_transport_rule" "tagged" {
  name            = "Tagged"
  prepend_subject = "` + prefix + `"
  ` + dep + `
}
`
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             noTransportRules(t, tn),
		Steps: []resource.TestStep{
			{Config: cfg("[a] ", false), Check: transportRuleIs(tn, "Tagged", map[string]any{"Priority": 0})},
			{
				Config: cfg("[b] ", true),
				Check: resource.ComposeTestCheckFunc(
					transportRuleIs(tn, "Top", map[string]any{"Priority": 0}),
					transportRuleIs(tn, "Tagged", map[string]any{"Priority": 1, "PrependSubject": "[b] "}),
				),
			},
			{ // the shifted position shows after the refresh, without a diff
				Config:           cfg("[b] ", true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("m365harden_transport_rule.tagged", tfjsonpath.New("priority"), knownvalue.Int64Exact(1)),
				},
			},
		},
	})
}

// Updating a rule whose position is not managed plans the position as it
// is, not "known after apply": the update does not move the rule.
func TestAccTransportRule_updateKeepsPriorityKnown(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Exchange(t, "New-TransportRule", map[string]any{"Name": "Added by hand", "SetSCL": 5})
	cfg := func(prefix string) string {
		return tn.ProviderConfig() + `
resource "m365harden_transport_rule" "tagged" {
  name            = "Tagged"
  prepend_subject = "` + prefix + `"
}
`
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg("[a] "), Check: transportRuleIs(tn, "Tagged", map[string]any{"Priority": 1})},
			{
				Config: cfg("[b] "),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("m365harden_transport_rule.tagged", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("m365harden_transport_rule.tagged", tfjsonpath.New("priority"), knownvalue.Int64Exact(1)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("m365harden_transport_rule.tagged", tfjsonpath.New("priority"), knownvalue.Int64Exact(1)),
				},
				Check: transportRuleIs(tn, "Tagged", map[string]any{"Priority": 1, "PrependSubject": "[b] "}),
			},
		},
	})
}

// A rule made in the admin centre with its own spelling of domains, the
// template and the report address is imported into a configuration that
// spells them in another case: no update is planned.
func TestAccTransportRule_importEquivalentSpellings(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Exchange(t, "New-TransportRule", map[string]any{"Name": "Encrypt mail to partner.example",
		"RecipientDomainIs": []string{"Partner.Example", "PARTNER.example.org"}, "ApplyRightsProtectionTemplate": "Encrypt",
		"GenerateIncidentReport": "SecOps@Contoso.com"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: encryptRuleConfig(tn, `
  name                             = "Encrypt mail to partner.example"
  recipient_domain_is              = ["partner.example", "partner.example.org"]
  apply_rights_protection_template = "encrypt"
  generate_incident_report         = "secops@contoso.com"
`),
			ResourceName:    encryptAddr,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithID,
			ImportStateId:   "Encrypt mail to partner.example",
		}},
	})
}

// A rule deleted out of band is planned for creation and re-created.
func TestAccTransportRule_disappears(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := encryptRuleConfig(tn, `
  name                             = "Encrypt mail to partner.example"
  recipient_domain_is              = ["partner.example"]
  apply_rights_protection_template = "Encrypt"
`)
	var first string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             noTransportRules(t, tn),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  func(s *terraform.State) error { first = s.RootModule().Resources[encryptAddr].Primary.ID; return nil },
			},
			{
				PreConfig: func() {
					tn.Exchange(t, "Remove-TransportRule", map[string]any{"Identity": "Encrypt mail to partner.example"})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(encryptAddr, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					transportRuleIs(tn, "Encrypt mail to partner.example", map[string]any{"ApplyRightsProtectionTemplate": "Encrypt"}),
					func(s *terraform.State) error {
						if id := s.RootModule().Resources[encryptAddr].Primary.ID; id == first {
							return fmt.Errorf("re-created rule kept the old GUID %s", id)
						}
						return nil
					},
				),
			},
		},
	})
}

// Bad input fails at plan time, before any call to Exchange.
func TestAccTransportRule_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	cases := []struct{ body, want string }{
		{`name = "` + strings.Repeat("n", 65) + `"
  stop_rule_processing = true`, `string length must be between 1 and 64`},
		{`name = " padded"
  stop_rule_processing = true`, `must not start or end with blanks`},
		{`name = "x"
  set_scl = 10`, `must be between -1 and 9`},
		{`name = "x"
  reject_message_enhanced_status_code = "5.7.2"`, `5.7.1 or between 5.7.900 and 5.7.999`},
		{`name = "x"
  reject_message_reason_text = "` + strings.Repeat("r", 1025) + `"`, `string length must be between 1 and 1024`},
		{`name = "x"
  sent_to_scope = "ExternalPartner"
  stop_rule_processing = true`, `value must be one of`},
		{`name = "x"
  message_type_matches = "Forward"
  stop_rule_processing = true`, `value must be one of`},
		{`name = "x"
  mode = "Test"
  stop_rule_processing = true`, `value must be one of`},
		{`name = "x"
  recipient_domain_is = ["not a domain"]
  stop_rule_processing = true`, `must be a domain`},
		{`name = "x"
  generate_incident_report = "secops"`, `must be an SMTP address`},
		{`name = "x"
  recipient_domain_is = ["partner.example"]`, `Transport rule without an action`},
		{`name = "x"
  apply_rights_protection_template = "Encrypt"
  apply_ome = true`, `can use apply_rights_protection_template or apply_ome, not both`},
		{`name = "x"
  apply_ome = true
  remove_ome_v2 = true`, `can't both apply encryption`},
		{`name = "x"
  apply_rights_protection_template = "cf5cf348-a8d7-40d5-91ef-a600b88a395d"`, `Name the template`},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      encryptRuleConfig(tn, "  "+c.body),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(words(c.want)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "New-TransportRule"); n != 0 {
		t.Fatalf("plan-time errors must not reach the tenant; New-TransportRule ran %d times", n)
	}
}

// Errors only the tenant can know: a template that does not exist, IRM
// licensing switched off, a name that is taken.
func TestAccTransportRule_tenantErrors(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Exchange(t, "New-TransportRule", map[string]any{"Name": "Taken", "StopRuleProcessing": true})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: encryptRuleConfig(tn, `
  name                             = "Secret"
  apply_rights_protection_template = "Top Secret"`),
				ExpectError: regexp.MustCompile(`(?s)Creating transport rule "Secret" failed.*` + words("RMS template 'Top Secret' couldn't be found") + `.*Get-RMSTemplate`),
			},
			{
				Config: encryptRuleConfig(tn, `
  name                = "Taken"
  stop_rule_processing = true`),
				ExpectError: regexp.MustCompile(`(?s)already exists.*terraform import`),
			},
			{
				PreConfig: func() { tn.Exchange(t, "Set-IRMConfiguration", map[string]any{"AzureRMSLicensingEnabled": false}) },
				Config: encryptRuleConfig(tn, `
  name      = "Encrypt all external mail"
  apply_ome = true`),
				ExpectError: regexp.MustCompile(`(?s)` + words("IRM licensing is disabled") + `.*` + words("Set-IRMConfiguration -AzureRMSLicensingEnabled")),
			},
			{ // the IRM resource turns licensing on first
				Config: tn.ProviderConfig() + `
resource "m365harden_irm_configuration" "this" {
  azure_rms_licensing_enabled = true
}

resource "m365harden_transport_rule" "encrypt_partner" {
  name       = "Encrypt all external mail"
  apply_ome  = true
  depends_on = [m365harden_irm_configuration.this]
}
`,
				Check: transportRuleIs(tn, "Encrypt all external mail", map[string]any{"ApplyOME": true}),
			},
		},
	})
}

// Replication lag and throttling on the Exchange endpoint: New is followed
// by 404s until the rule replicates, Get is throttled with Retry-After;
// the apply waits and the plan after it is empty.
func TestAccTransportRule_lagAndThrottling(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := encryptRuleConfig(tn, `
  name                             = "Encrypt mail to partner.example"
  recipient_domain_is              = ["partner.example"]
  apply_rights_protection_template = "Encrypt"
  comments                         = "lag"
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             noTransportRules(t, tn),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 4*time.Second)
					tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-TransportRule", Status: 429, Retry: 1, Times: 1})
				},
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					transportRuleIs(tn, "Encrypt mail to partner.example", map[string]any{"Comments": "lag"}),
					func(*terraform.State) error {
						if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 429); n != 1 {
							return fmt.Errorf("emulator answered %d 429s, want 1", n)
						}
						if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 404); n == 0 {
							return fmt.Errorf("no 404 seen: the replication lag was not exercised")
						}
						return nil
					},
				),
			},
			{ // an update under lag also waits for the new value
				Config: strings.Replace(cfg, `comments                         = "lag"`, `comments                         = "still lagging"`, 1),
				Check:  transportRuleIs(tn, "Encrypt mail to partner.example", map[string]any{"Comments": "still lagging"}),
			},
		},
	})
}

// A read-only app can't create rules; the error names the role.
func TestAccTransportRule_readOnlyApp(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) + `
resource "m365harden_transport_rule" "x" {
  name                 = "x"
  stop_rule_processing = true
}
`,
			ExpectError: regexp.MustCompile(`(?s)New-TransportRule.*"Transport\s+Rules"`),
		}},
	})
}
