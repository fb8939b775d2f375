package acctest_test

import (
	"context"
	"fmt"
	"sort"
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

// configureByHand gives the tenant several instances of every type the
// list data sources cover, as administrators would have made them in the
// portals and in PowerShell.
func configureByHand(t *testing.T, tn *acctest.Tenant) {
	t.Helper()
	for _, d := range []string{"partner.example", "fabrikam.example"} {
		name := strings.TrimSuffix(d, ".example")
		tn.Exchange(t, "New-RemoteDomain", map[string]any{"Name": name, "DomainName": d})
	}
	tn.Exchange(t, "Set-RemoteDomain", map[string]any{"Identity": "fabrikam", "AutoForwardEnabled": false})
	tn.Exchange(t, "New-TransportRule", map[string]any{"Name": "Tag vendor mail", "SenderDomainIs": []string{"vendor.example"}, "PrependSubject": "[Vendor] "})
	tn.Exchange(t, "New-TransportRule", map[string]any{"Name": "Spam from the old CRM", "SenderDomainIs": []string{"crm.example"}, "SetSCL": 9, "Enabled": false})
	tn.Exchange(t, "New-HostedOutboundSpamFilterPolicy", map[string]any{"Name": "Allowed forwarders", "AutoForwardingMode": "On"})
	tn.Exchange(t, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "Allowed forwarders", "HostedOutboundSpamFilterPolicy": "Allowed forwarders", "SenderDomainIs": []string{"contoso.com"}})
	tn.Exchange(t, "New-AntiPhishPolicy", map[string]any{"Name": "Finance"})
	tn.Exchange(t, "New-AntiPhishRule", map[string]any{"Name": "Finance", "AntiPhishPolicy": "Finance", "RecipientDomainIs": []string{"contoso.com"}})
	tn.Exchange(t, "New-MalwareFilterPolicy", map[string]any{"Name": "Executives", "FileTypes": []string{"exe", "docm"}})
	tn.Exchange(t, "New-DkimSigningConfig", map[string]any{"DomainName": "contoso.com", "Enabled": false})
	tn.Compliance(t, "New-UnifiedAuditLogRetentionPolicy", map[string]any{"Name": "Exchange one year", "RecordTypes": []string{"ExchangeItem"}, "RetentionDuration": "TwelveMonths", "Priority": 10})
	tn.Compliance(t, "New-ProtectionAlert", map[string]any{"Name": "Forwarding inbox rule created", "Category": "ThreatManagement", "ThreatType": "Activity",
		"NotifyUser": []string{"secops@contoso.com"}, "Operation": "New-InboxRule", "AggregationType": "None", "Severity": "High"})
	for _, n := range []string{"Head office", "Branch office"} {
		graphCreate(t, tn, "/identity/conditionalAccess/namedLocations", map[string]any{
			"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": n, "isTrusted": n == "Head office",
			"ipRanges": []map[string]any{{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": map[string]string{"Head office": "198.51.100.0/24", "Branch office": "203.0.113.0/24"}[n]}},
		})
	}
	graphCreate(t, tn, "/policies/authenticationStrengthPolicies", map[string]any{"displayName": "Passkeys only", "allowedCombinations": []string{"fido2", "windowsHelloForBusiness"}})
	graphCreate(t, tn, "/identity/conditionalAccess/policies", map[string]any{
		"displayName": "Block legacy authentication", "state": "enabledForReportingButNotEnforced",
		"conditions": map[string]any{
			"users":          map[string]any{"includeUsers": []string{"All"}},
			"applications":   map[string]any{"includeApplications": []string{"All"}},
			"clientAppTypes": []string{"exchangeActiveSync", "other"},
		},
		"grantControls": map[string]any{"operator": "OR", "builtInControls": []string{"block"}},
	})
	tn.Exchange(t, "New-SafeLinksPolicy", map[string]any{"Name": "Finance links", "TrackClicks": true})
	tn.Exchange(t, "New-SafeLinksRule", map[string]any{"Name": "Finance links", "SafeLinksPolicy": "Finance links", "RecipientDomainIs": []string{"contoso.com"}})
	tn.Exchange(t, "New-SafeAttachmentPolicy", map[string]any{"Name": "Finance attachments", "Action": "Block"})
	tn.Exchange(t, "New-SafeAttachmentRule", map[string]any{"Name": "Finance attachments", "SafeAttachmentPolicy": "Finance attachments", "RecipientDomainIs": []string{"contoso.com"}})
	tn.Exchange(t, "Disable-SafeAttachmentRule", map[string]any{"Identity": "Finance attachments"})
	// A preset turned on in the portal: its rules exist, and its policies
	// must not be listed as custom ones.
	if err := m365sim.TurnOnPresetInPortal(tn.Sim, tn.ID, "Standard"); err != nil {
		t.Fatal(err)
	}
	tn.Exchange(t, "Set-TransportConfig", map[string]any{"ReplyAllStormDetectionMinimumReplies": 20})
}

// The list data sources return the import IDs, sorted, and filter rules by
// state on the service side.
func TestAccImportIDsDataSources_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	configureByHand(t, tn)
	cfg := tn.ProviderConfig() + `
data "m365harden_remote_domains" "all" {}
data "m365harden_transport_rules" "all" {}
data "m365harden_transport_rules" "disabled" {
  state = "disabled"
}
data "m365harden_outbound_spam_filter_rules" "enabled" {
  state = "Enabled"
}
data "m365harden_outbound_spam_filter_policies" "all" {}
data "m365harden_anti_phish_rules" "all" {}
data "m365harden_malware_filter_policies" "all" {}
data "m365harden_audit_log_retention_policies" "all" {}
data "m365harden_named_locations" "all" {}
data "m365harden_authentication_strength_policies" "all" {}
data "m365harden_safe_links_policies" "all" {}
data "m365harden_safe_links_rules" "all" {}
data "m365harden_safe_attachment_policies" "all" {}
data "m365harden_safe_attachment_rules" "enabled" {
  state = "enabled"
}
data "m365harden_safe_attachment_rules" "disabled" {
  state = "Disabled"
}
data "m365harden_sharing_policies" "all" {}
data "m365harden_preset_security_policies" "all" {}
`
	ids := func(addr string, want ...string) statecheck.StateCheck {
		checks := make([]knownvalue.Check, 0, len(want))
		for _, w := range want {
			checks = append(checks, knownvalue.StringExact(w))
		}
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("ids"), knownvalue.ListExact(checks))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.m365harden_remote_domains.all", tfjsonpath.New("id"), knownvalue.StringExact(m365sim.DemoTenantID)),
				ids("data.m365harden_remote_domains.all", "Default", "fabrikam", "partner"),
				statecheck.ExpectKnownValue("data.m365harden_remote_domains.all", tfjsonpath.New("items").AtSliceIndex(1).AtMapKey("name"), knownvalue.StringExact("fabrikam.example")),
				ids("data.m365harden_transport_rules.all", "Spam from the old CRM", "Tag vendor mail"),
				ids("data.m365harden_transport_rules.disabled", "Spam from the old CRM"),
				ids("data.m365harden_outbound_spam_filter_rules.enabled", "Allowed forwarders"),
				ids("data.m365harden_outbound_spam_filter_policies.all", "Allowed forwarders", "Default"),
				ids("data.m365harden_anti_phish_rules.all", "Finance"),
				ids("data.m365harden_malware_filter_policies.all", "Default", "Executives"),
				ids("data.m365harden_audit_log_retention_policies.all", "Exchange one year"),
				// Not the read-only Built-In Protection Policy.
				ids("data.m365harden_safe_links_policies.all", "Finance links"),
				ids("data.m365harden_safe_links_rules.all", "Finance links"),
				ids("data.m365harden_safe_attachment_policies.all", "Finance attachments"),
				ids("data.m365harden_safe_attachment_rules.enabled"),
				ids("data.m365harden_safe_attachment_rules.disabled", "Finance attachments"),
				ids("data.m365harden_sharing_policies.all", "Default Sharing Policy"),
				ids("data.m365harden_preset_security_policies.all", "Standard"),
				statecheck.ExpectKnownValue("data.m365harden_named_locations.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("data.m365harden_authentication_strength_policies.all", tfjsonpath.New("items"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("Passkeys only")})})),
			},
		}},
	})
}

// everyImportNoOp fails unless every managed resource in the plan is
// imported with no change, and there are want of them.
type everyImportNoOp struct{ want *int }

func (c everyImportNoOp) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	n := 0
	var bad []string
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Mode != "managed" {
			continue
		}
		n++
		if rc.Change == nil || rc.Change.Importing == nil || !rc.Change.Actions.NoOp() {
			bad = append(bad, fmt.Sprintf("%s: %v", rc.Address, rc.Change.Actions))
		}
	}
	sort.Strings(bad)
	switch {
	case len(bad) > 0:
		resp.Error = fmt.Errorf("the generated configuration does not plan clean:\n%s", strings.Join(bad, "\n"))
	case n != *c.want:
		resp.Error = fmt.Errorf("the plan imports %d resources; the example listed %d", n, *c.want)
	}
}

// examples/adopt against a tenant configured by hand: the example renders
// an import block for every instance, Terraform generates the resource
// blocks, and the plan imports them all with no change.
func TestAccAdoptExample_wholeTenant(t *testing.T) {
	tn := acctest.NewTenant(t)
	configureByHand(t, tn)
	example := tn.Example(t, "adopt/main.tf")
	var imports string
	var count int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: example,
			Check: func(s *terraform.State) error {
				out := s.RootModule().Outputs
				imports, _ = out["imports_tf"].Value.(string)
				_, err := fmt.Sscan(fmt.Sprint(out["import_count"].Value), &count)
				if err != nil || !strings.Contains(imports, `to = m365harden_remote_domain.fabrikam`) ||
					!strings.Contains(imports, `to = m365harden_transport_config.tenant`) {
					return fmt.Errorf("imports_tf (%d imports) lacks expected blocks:\n%s", count, imports)
				}
				return nil
			},
		}},
	})
	if t.Failed() {
		return
	}
	// 3 remote domains (Default too), 2 transport rules, 2 outbound spam
	// policies and 1 rule, 2 anti-phish policies (the default too) and 1
	// rule, 2 malware policies, 1 DKIM config (+ the initial domain's),
	// 1 retention policy, 1 custom alert policy, 2 named locations,
	// 1 authentication strength, 1 conditional access policy, the
	// Standard preset, 1 Safe Links and 1 Safe Attachments policy and
	// rule each, the Default Sharing Policy, 8 authentication method
	// configurations and 9 tenant-wide settings.
	if count < 43 {
		t.Fatalf("the example lists %d instances, want at least 43:\n%s", count, imports)
	}
	// The first import block is the step's resource; the plan check covers
	// every other one.
	first := strings.TrimSpace(strings.SplitN(strings.SplitN(imports, "to = ", 2)[1], "\n", 2)[0])
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:                 example + "\n" + imports,
			ResourceName:           first,
			ImportState:            true,
			ImportStateKind:        resource.ImportBlockWithID,
			ImportStateConfigExact: true,
			// The import blocks are the configuration's own (ConfigExact);
			// the harness only needs an ID to skip reading one from state.
			ImportStateId:  "from-config",
			GenerateConfig: true,
			ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
				everyImportNoOp{want: &count},
			}},
		}},
	})
}
