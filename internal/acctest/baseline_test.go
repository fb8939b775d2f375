package acctest_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// The shipped baseline applies as written to a weak tenant, hardens it, and
// out-of-band weakening shows as drift that the next apply undoes.
func TestAccBaseline_example(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: 20, AuditDisabledEvery: 4}); err != nil {
		t.Fatal(err)
	}
	cfg := tn.Example(t, "baseline/main.tf")
	status := func(id, want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.m365harden_posture.this", tfjsonpath.New("statuses").AtMapKey(id), knownvalue.StringExact(want))
	}
	tenantIs := func(cmdlet, identity, prop string, want any) resource.TestCheckFunc {
		return func(*terraform.State) error {
			var params map[string]any
			if identity != "" {
				params = map[string]any{"Identity": identity}
			}
			o := tn.One(t, m365sim.EndpointExchange, cmdlet, params)
			if fmt.Sprint(o[prop]) != fmt.Sprint(want) {
				return fmt.Errorf("%s %s: %s = %v, want %v", cmdlet, identity, prop, o[prop], want)
			}
			return nil
		}
	}
	// The tenant's security defaults and the state of every baseline policy
	// (the transitions below must order the two: Graph refuses an enabled
	// policy while security defaults are on, and security defaults on while
	// a policy is enabled).
	identityIs := func(securityDefaults bool, policyState string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			code, out, err := tn.Sim.GraphRequest(tn.ID, "GET", "/policies/identitySecurityDefaultsEnforcementPolicy", nil)
			if err != nil || code != 200 {
				return fmt.Errorf("security defaults: %d %s %v", code, out, err)
			}
			var sd struct {
				IsEnabled bool `json:"isEnabled"`
			}
			if err := json.Unmarshal(out, &sd); err != nil {
				return err
			}
			if sd.IsEnabled != securityDefaults {
				return fmt.Errorf("security defaults isEnabled = %t, want %t", sd.IsEnabled, securityDefaults)
			}
			code, out, err = tn.Sim.GraphRequest(tn.ID, "GET", "/identity/conditionalAccess/policies", nil)
			if err != nil || code != 200 {
				return fmt.Errorf("policies: %d %s %v", code, out, err)
			}
			var list struct {
				Value []struct {
					DisplayName string `json:"displayName"`
					State       string `json:"state"`
				} `json:"value"`
			}
			if err := json.Unmarshal(out, &list); err != nil {
				return err
			}
			if len(list.Value) != 3 {
				return fmt.Errorf("%d conditional access policies, want the baseline's 3", len(list.Value))
			}
			for _, p := range list.Value {
				if p.State != policyState {
					return fmt.Errorf("policy %q state = %s, want %s", p.DisplayName, p.State, policyState)
				}
			}
			return nil
		}
	}
	enforce := func(on bool) config.Variables {
		return config.Variables{"enforce_conditional_access": config.BoolVariable(on)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					tenantIs("Get-RemoteDomain", "Default", "AutoForwardEnabled", false),
					tenantIs("Get-HostedOutboundSpamFilterPolicy", "Default", "AutoForwardingMode", "Off"),
					tenantIs("Get-Mailbox", "user4@"+m365sim.DemoDomain, "AuditEnabled", true),
				),
			},
			{ // read again: the posture now sees the hardened tenant
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					status("mailbox-auditing-default", "pass"),
					status("remote-domain-auto-forwarding", "pass"),
					status("outbound-spam-auto-forwarding", "pass"),
				},
			},
			{ // an attacker re-opens forwarding and turns auditing off
				PreConfig: func() {
					tn.Exchange(t, "Set-RemoteDomain", map[string]any{"Identity": "Default", "AutoForwardEnabled": true})
					tn.Exchange(t, "Set-OrganizationConfig", map[string]any{"AuditDisabled": true})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("m365harden_remote_domain.default", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("m365harden_audit_configuration.this", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					tenantIs("Get-RemoteDomain", "Default", "AutoForwardEnabled", false),
					tenantIs("Get-OrganizationConfig", "", "AuditDisabled", false),
					identityIs(true, "enabledForReportingButNotEnforced"),
				),
			},
			{ // enforce the policies: security defaults go off first
				Config:          cfg,
				ConfigVariables: enforce(true),
				Check:           identityIs(false, "enabled"),
			},
			{ // and back: the policies leave enforcement, then security defaults return
				Config:          cfg,
				ConfigVariables: enforce(false),
				Check:           identityIs(true, "enabledForReportingButNotEnforced"),
			},
		},
	})
}
