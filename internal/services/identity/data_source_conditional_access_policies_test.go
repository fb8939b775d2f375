package identity_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func caListConfig(tn *acctest.Tenant, filter string) string {
	return mfaConfig(tn, "enabledForReportingButNotEnforced", "[]") + `
resource "m365harden_conditional_access_policy" "legacy" {
  display_name = "Block legacy authentication"
  state        = "disabled"
  conditions = {
    users            = { include_users = ["All"] }
    applications     = { include_applications = ["All"] }
    client_app_types = ["exchangeActiveSync", "other"]
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["block"]
  }
}

data "m365harden_conditional_access_policies" "this" {
` + filter + `
  depends_on = [m365harden_conditional_access_policy.mfa, m365harden_conditional_access_policy.legacy]
}
`
}

func caEntry(name, state string) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"display_name": knownvalue.StringExact(name), "state": knownvalue.StringExact(state),
		"id": knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`)),
	})
}

func TestAccConditionalAccessPoliciesDataSource_basic(t *testing.T) {
	tn := newTenantWithoutSecurityDefaults(t)
	ds := "data.m365harden_conditional_access_policies.this"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: caListConfig(tn, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("policies"), knownvalue.ListExact([]knownvalue.Check{
						caEntry("Block legacy authentication", "disabled"),
						caEntry("Require MFA for all users", "enabledForReportingButNotEnforced"),
					})),
				},
			},
			{
				Config: caListConfig(tn, `state = "disabled"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("policies"), knownvalue.ListExact([]knownvalue.Check{caEntry("Block legacy authentication", "disabled")})),
				},
			},
			{
				Config: caListConfig(tn, `display_name_prefix = "require mfa"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("policies"), knownvalue.ListExact([]knownvalue.Check{caEntry("Require MFA for all users", "enabledForReportingButNotEnforced")})),
				},
			},
			{
				Config: caListConfig(tn, `display_name_prefix = "Nothing"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("policies"), knownvalue.ListSizeExact(0)),
				},
			},
		},
	})
}

func TestAccConditionalAccessPoliciesDataSource_badInputAndFaults(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := func(filter string) string {
		return tn.ProviderConfig() + "data \"m365harden_conditional_access_policies\" \"this\" {\n" + filter + "\n}\n"
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(`state = "on"`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)state.*enabledForReportingButNotEnforced`)},
			{
				PreConfig: func() {
					tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + caPath, Status: 429, Retry: 1, Times: 1})
				},
				Config: cfg(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.m365harden_conditional_access_policies.this", tfjsonpath.New("policies"), knownvalue.ListSizeExact(0)),
				},
				Check: func(*terraform.State) error {
					if tn.Sim.Stats().Statuses(m365sim.EndpointGraph, 429) != 1 {
						return fmt.Errorf("throttling not exercised")
					}
					return nil
				},
			},
			{
				Config:      tn.ProviderConfigAs(m365sim.DemoNoManageAsAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoNoManageAsAppSecret)) + "data \"m365harden_conditional_access_policies\" \"this\" {}\n",
				ExpectError: regexp.MustCompile(`(?s)Listing conditional access policies failed.*403`),
			},
		},
	})
}
