package mailsec_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func hcl(tn *acctest.Tenant, typ, body string) string {
	return tn.ProviderConfig() + fmt.Sprintf("\nresource %q \"this\" {\n%s\n}\n", typ, body)
}

// listIs checks a multi-valued property of the single object a Get cmdlet
// returns, ignoring order.
func listIs(t *testing.T, tn *acctest.Tenant, cmdlet string, params map[string]any, prop string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := tn.One(t, m365sim.EndpointExchange, cmdlet, params)[prop]
		var have []string
		switch l := got.(type) {
		case []string:
			have = l
		case []any:
			for _, x := range l {
				have = append(have, fmt.Sprint(x))
			}
		}
		if len(have) != len(want) {
			return fmt.Errorf("%s %s = %v, want %v", cmdlet, prop, have, want)
		}
		for _, w := range want {
			found := false
			for _, h := range have {
				found = found || h == w
			}
			if !found {
				return fmt.Errorf("%s %s = %v, want %v", cmdlet, prop, have, want)
			}
		}
		return nil
	}
}

const extAddr = "m365harden_external_sender_tagging.this"

func TestAccExternalSenderTagging_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	typ := "m365harden_external_sender_tagging"
	updated := hcl(tn, typ, `  enabled    = true
  allow_list = ["fabrikam.com", "*.partner.example", "ceo@tailspintoys.com"]`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             objectIs(t, tn, "Get-ExternalInOutlook", nil, map[string]any{"Enabled": true}),
		Steps: []resource.TestStep{
			{
				Config: hcl(tn, typ, `  enabled = true`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(extAddr, tfjsonpath.New("id"), knownvalue.StringExact(m365sim.DemoTenantID)),
					statecheck.ExpectKnownValue(extAddr, tfjsonpath.New("allow_list"), knownvalue.SetSizeExact(0)),
				},
				Check: objectIs(t, tn, "Get-ExternalInOutlook", nil, map[string]any{"Enabled": true}),
			},
			{
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(extAddr, plancheck.ResourceActionUpdate),
				}},
				Check: listIs(t, tn, "Get-ExternalInOutlook", nil, "AllowList", "fabrikam.com", "*.partner.example", "ceo@tailspintoys.com"),
			},
			{ResourceName: extAddr, ImportState: true, ImportStateId: m365sim.DemoTenantID, ImportStateVerify: true},
			{ // the import block form
				Config: updated, ResourceName: extAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateId: m365sim.DemoTenantID,
			},
			{ // drift: tagging switched off and an entry added out of band
				PreConfig: func() {
					tn.Exchange(t, "Set-ExternalInOutlook", map[string]any{"Enabled": false, "AllowList": map[string]any{"Add": []string{"evil.example"}}})
				},
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(extAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					objectIs(t, tn, "Get-ExternalInOutlook", nil, map[string]any{"Enabled": true}),
					listIs(t, tn, "Get-ExternalInOutlook", nil, "AllowList", "fabrikam.com", "*.partner.example", "ceo@tailspintoys.com"),
				),
			},
			{
				Config: hcl(tn, typ, `  enabled    = true
  allow_list = []`),
				Check: listIs(t, tn, "Get-ExternalInOutlook", nil, "AllowList"),
			},
		},
	})
}

func TestAccExternalSenderTagging_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	typ := "m365harden_external_sender_tagging"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: hcl(tn, typ, `  allow_list = ["not a domain"]`), PlanOnly: true, ExpectError: regexp.MustCompile(`must be a domain`)},
			{Config: hcl(tn, typ, `  allow_list = ["Fabrikam.com"]`), PlanOnly: true, ExpectError: regexp.MustCompile(`lower case`)},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Exchange saw %d requests", n)
	}
}

const sharingAddr = "m365harden_sharing_policy.this"

func TestAccSharingPolicy_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	typ := "m365harden_sharing_policy"
	hardened := hcl(tn, typ, `  name    = "Default Sharing Policy"
  domains = ["*:CalendarSharingFreeBusySimple", "fabrikam.com:ContactsSharing,CalendarSharingFreeBusyDetail"]`)
	id := map[string]any{"Identity": "Default Sharing Policy"}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             listIs(t, tn, "Get-SharingPolicy", id, "Domains", "*:CalendarSharingFreeBusySimple"),
		Steps: []resource.TestStep{
			{
				Config: hcl(tn, typ, `  name = "Default Sharing Policy"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sharingAddr, tfjsonpath.New("default"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(sharingAddr, tfjsonpath.New("domains"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("Anonymous:CalendarSharingFreeBusyReviewer"), knownvalue.StringExact("*:CalendarSharingFreeBusySimple")})),
				},
			},
			{ // anonymous sharing removed, a partner added; the configured spelling is kept
				Config: hardened,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(sharingAddr, plancheck.ResourceActionUpdate),
				}},
				Check: listIs(t, tn, "Get-SharingPolicy", id, "Domains", "*:CalendarSharingFreeBusySimple", "fabrikam.com:ContactsSharing, CalendarSharingFreeBusyDetail"),
			},
			{Config: hardened, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{ResourceName: sharingAddr, ImportState: true, ImportStateId: "Default Sharing Policy", ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"domains"}},
			{ // the import block form, by the name in another case
				Config: hardened, ResourceName: sharingAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateId: "default sharing policy",
			},
			{ // drift: anonymous publishing turned back on out of band
				PreConfig: func() {
					tn.Exchange(t, "Set-SharingPolicy", map[string]any{"Identity": "Default Sharing Policy",
						"Domains": []string{"Anonymous:CalendarSharingFreeBusyReviewer", "*:CalendarSharingFreeBusySimple"}})
				},
				Config: hardened,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(sharingAddr, plancheck.ResourceActionUpdate),
				}},
				Check: listIs(t, tn, "Get-SharingPolicy", id, "Domains", "*:CalendarSharingFreeBusySimple", "fabrikam.com:ContactsSharing, CalendarSharingFreeBusyDetail"),
			},
			{
				Config: hcl(tn, typ, `  name    = "Default Sharing Policy"
  domains = ["*:CalendarSharingFreeBusySimple"]`),
				Check: listIs(t, tn, "Get-SharingPolicy", id, "Domains", "*:CalendarSharingFreeBusySimple"),
			},
		},
	})
}

func TestAccSharingPolicy_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	typ := "m365harden_sharing_policy"
	bad := func(entry, msg string) resource.TestStep {
		return resource.TestStep{
			Config:      hcl(tn, typ, fmt.Sprintf("  name = \"Default Sharing Policy\"\n  domains = [%q]", entry)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(msg),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			bad("fabrikam.com", `must be "domain:Action`),
			bad("fabrikam.com:FullAccess", `not a sharing action`),
			bad("Anonymous:ContactsSharing", `contacts can't be shared`),
			bad("*:CalendarSharingFreeBusySimple,CalendarSharingFreeBusyDetail", `at most\s+one calendar action`),
			bad("*.fabrikam.com:ContactsSharing", `the domain must be`),
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Exchange saw %d requests", n)
	}
}

// A policy that does not exist is not created: the service's not-found
// error is shown.
func TestAccSharingPolicy_notFound(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      hcl(tn, "m365harden_sharing_policy", `  name = "Partners"`),
			ExpectError: regexp.MustCompile(`(?s)Get-SharingPolicy.*couldn't\s+be\s+found`),
		}},
	})
}

const cfAddr = "m365harden_connection_filter_policy.this"

func TestAccConnectionFilterPolicy_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	// Someone allowed a mail server's addresses and turned the safe list on.
	tn.Exchange(t, "Set-HostedConnectionFilterPolicy", map[string]any{"Identity": "Default", "IPAllowList": []string{"192.0.2.10", "198.51.100.0/24"}, "EnableSafeList": true})
	typ := "m365harden_connection_filter_policy"
	hardened := hcl(tn, typ, `  ip_allow_list    = []
  enable_safe_list = false`)
	id := map[string]any{"Identity": "Default"}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             listIs(t, tn, "Get-HostedConnectionFilterPolicy", id, "IPBlockList", "203.0.113.0/24", "203.0.113.200-203.0.113.210"),
		Steps: []resource.TestStep{
			{
				Config: hardened,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(cfAddr, tfjsonpath.New("id"), knownvalue.StringExact("Default")),
					statecheck.ExpectKnownValue(cfAddr, tfjsonpath.New("ip_block_list"), knownvalue.SetSizeExact(0)),
				},
				Check: resource.ComposeTestCheckFunc(
					listIs(t, tn, "Get-HostedConnectionFilterPolicy", id, "IPAllowList"),
					objectIs(t, tn, "Get-HostedConnectionFilterPolicy", id, map[string]any{"EnableSafeList": false}),
				),
			},
			{
				Config: hcl(tn, typ, `  ip_allow_list    = []
  ip_block_list    = ["203.0.113.0/24", "203.0.113.200-203.0.113.210"]
  enable_safe_list = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(cfAddr, plancheck.ResourceActionUpdate),
				}},
				Check: listIs(t, tn, "Get-HostedConnectionFilterPolicy", id, "IPBlockList", "203.0.113.0/24", "203.0.113.200-203.0.113.210"),
			},
			{ResourceName: cfAddr, ImportState: true, ImportStateId: "Default", ImportStateVerify: true},
			{ // the import block form
				Config: hcl(tn, typ, `  ip_allow_list    = []
  ip_block_list    = ["203.0.113.0/24", "203.0.113.200-203.0.113.210"]
  enable_safe_list = false`), ResourceName: cfAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: "Default",
			},
			{ResourceName: cfAddr, ImportState: true, ImportStateId: "Custom", ExpectError: regexp.MustCompile(`imported by the policy's name`)},
			{ // drift: an allowed IP added out of band is planned away
				PreConfig: func() {
					tn.Exchange(t, "Set-HostedConnectionFilterPolicy", map[string]any{"Identity": "Default", "IPAllowList": map[string]any{"Add": []string{"192.0.2.99"}}})
				},
				Config: hcl(tn, typ, `  ip_allow_list    = []
  ip_block_list    = ["203.0.113.0/24", "203.0.113.200-203.0.113.210"]
  enable_safe_list = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(cfAddr, plancheck.ResourceActionUpdate),
				}},
				Check: listIs(t, tn, "Get-HostedConnectionFilterPolicy", id, "IPAllowList"),
			},
		},
	})
}

func TestAccConnectionFilterPolicy_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	typ := "m365harden_connection_filter_policy"
	bad := func(entry, msg string) resource.TestStep {
		return resource.TestStep{Config: hcl(tn, typ, fmt.Sprintf("  ip_block_list = [%q]", entry)), PlanOnly: true, ExpectError: regexp.MustCompile(msg)}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			bad("2001:db8::1", `IPv6`),
			bad("10.0.0.0/16", `/24\s+through\s+/32`),
			bad("10.0.0.1-10.0.1.1", `at most 256`),
			bad("mail.fabrikam.com", `must be an IPv4 address`),
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Exchange saw %d requests", n)
	}
	// The emulator refuses the same values (the service's own check).
	if _, err := tn.Sim.Invoke(tn.ID, m365sim.EndpointExchange, "Set-HostedConnectionFilterPolicy", map[string]any{"Identity": "Default", "IPAllowList": []string{"10.0.0.0/16"}}); err == nil {
		t.Fatal("the emulator accepted a /16 CIDR range")
	}
}

// testForbidden applies body as the read-only auditor app (Global Reader:
// View-Only Configuration) and expects the service's refusal of the write
// cmdlet, naming the Exchange role that can run it.
func testForbidden(t *testing.T, body, cmdlet, role string) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) + body,
			ExpectError: regexp.MustCompile(`(?s)` + cmdlet + `.*"` + strings.ReplaceAll(role, " ", `\s+`) + `"`),
		}},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, cmdlet); n == 0 {
		t.Fatalf("the refused %s never reached the emulator", cmdlet)
	}
}

// A reader can read but not change these settings; the error names the
// role that can.
func TestAccConnectionFilterPolicy_forbidden(t *testing.T) {
	testForbidden(t, `resource "m365harden_connection_filter_policy" "this" { enable_safe_list = true }`,
		"Set-HostedConnectionFilterPolicy", "Security Admin")
}

func TestAccExternalSenderTagging_forbidden(t *testing.T) {
	testForbidden(t, `resource "m365harden_external_sender_tagging" "this" { enabled = true }`,
		"Set-ExternalInOutlook", "Organization Configuration")
}

func TestAccSharingPolicy_forbidden(t *testing.T) {
	testForbidden(t, `resource "m365harden_sharing_policy" "this" {
  name    = "Default Sharing Policy"
  domains = ["*:CalendarSharingFreeBusySimple"]
}`, "Set-SharingPolicy", "Federated Sharing")
}
