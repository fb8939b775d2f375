package identity_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

const (
	acAddr = "m365harden_admin_consent_request_policy.this"
	acPath = "/policies/adminConsentRequestPolicy"
)

func acConfig(tn *acctest.Tenant, body string) string {
	return tn.ProviderConfig() + "resource \"m365harden_admin_consent_request_policy\" \"this\" {\n" + body + "\n}\n"
}

func tenantConsentPolicy(t *testing.T, tn *acctest.Tenant, check func(p map[string]any) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		code, p := graphJSON(t, tn, "GET", acPath, nil)
		if code != 200 {
			return fmt.Errorf("GET: %d %v", code, p)
		}
		return check(p)
	}
}

func TestAccAdminConsentRequestPolicy_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	on := `enabled = true
  reviewer_user_ids = ["6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"]
  reviewer_role_ids = ["158c047a-c907-4556-b7ef-446551a6b5f7"]`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		// Destroy leaves the policy as the last apply set it (off, no reviewers).
		CheckDestroy: tenantConsentPolicy(t, tn, func(p map[string]any) error {
			if p["isEnabled"] != false || len(asList(p["reviewers"])) != 0 || p["requestDurationInDays"] != float64(30) {
				return fmt.Errorf("destroy changed the policy: %v", p)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: acConfig(tn, on),
				Check: tenantConsentPolicy(t, tn, func(p map[string]any) error {
					if p["isEnabled"] != true || p["requestDurationInDays"] != float64(30) || len(asList(p["reviewers"])) != 2 || p["version"] != float64(1) {
						return fmt.Errorf("tenant policy %v", p)
					}
					return nil
				}),
			},
			{ // in place: a shorter duration, one reviewer removed, reminders off
				Config: acConfig(tn, `enabled = true
  request_duration_in_days = 7
  reminders_enabled = false
  reviewer_role_ids = ["158c047a-c907-4556-b7ef-446551a6b5f7"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(acAddr, plancheck.ResourceActionUpdate)}},
				Check: tenantConsentPolicy(t, tn, func(p map[string]any) error {
					if p["requestDurationInDays"] != float64(7) || p["remindersEnabled"] != false || len(asList(p["reviewers"])) != 1 {
						return fmt.Errorf("tenant policy %v", p)
					}
					return nil
				}),
			},
			{Config: acConfig(tn, on), ResourceName: acAddr, ImportState: true, ImportStateVerify: true, ImportStateId: m365sim.DemoTenantID},
			{ // drift: another admin turns the workflow off
				PreConfig: func() {
					if code, out := graphJSON(t, tn, "PUT", acPath, map[string]any{"isEnabled": false, "notifyReviewers": false, "remindersEnabled": false, "requestDurationInDays": 0, "reviewers": []any{}}); code != 204 {
						t.Fatalf("out-of-band PUT: %d %v", code, out)
					}
				},
				Config: acConfig(tn, on), PlanOnly: true, ExpectNonEmptyPlan: true,
			},
			{Config: acConfig(tn, on), Check: tenantConsentPolicy(t, tn, func(p map[string]any) error {
				if p["isEnabled"] != true || len(asList(p["reviewers"])) != 2 {
					return fmt.Errorf("tenant policy %v", p)
				}
				return nil
			})},
			{Config: acConfig(tn, on), ResourceName: acAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: m365sim.DemoTenantID},
			{ // clearing: the workflow off and every reviewer removed, in place
				Config:           acConfig(tn, `enabled = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(acAddr, plancheck.ResourceActionUpdate)}},
				Check: tenantConsentPolicy(t, tn, func(p map[string]any) error {
					if p["isEnabled"] != false || len(asList(p["reviewers"])) != 0 {
						return fmt.Errorf("tenant policy %v", p)
					}
					return nil
				}),
			},
			{Config: acConfig(tn, `enabled = false`), PlanOnly: true},
		},
	})
}

func TestAccAdminConsentRequestPolicy_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: acConfig(tn, `enabled = true`), PlanOnly: true, ExpectError: regexp.MustCompile(`needs at least one reviewer`)},
			{Config: acConfig(tn, `enabled = false
  request_duration_in_days = 31`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)request_duration_in_days.*between\s+0\s+and\s+30`)},
			{Config: acConfig(tn, `enabled = true
  reviewer_role_ids = ["158c047a-c907-4556-b7ef-446551a6b5f7"]
  request_duration_in_days = 0`), PlanOnly: true, ExpectError: regexp.MustCompile(`enabled\s+admin\s+consent\s+workflow\s+needs\s+request_duration_in_days\s+between\s+1\s+and\s+30`)},
			{Config: acConfig(tn, `enabled = true
  reviewer_user_ids = ["admin@contoso.com"]`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)lower-case\s+object ID`)},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Graph saw %d requests", n)
	}
}

func TestAccAdminConsentRequestPolicy_throttledAndForbidden(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) +
					`resource "m365harden_admin_consent_request_policy" "this" {
  enabled           = true
  reviewer_role_ids = ["158c047a-c907-4556-b7ef-446551a6b5f7"]
}`,
				ExpectError: regexp.MustCompile(`(?s)Policy.ReadWrite.ConsentRequest.*HTTP 403`),
			},
			{
				PreConfig: func() {
					tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + acPath, Status: 503, Retry: 1, Times: 1})
					tn.Sim.SetReplicationLag(m365sim.EndpointGraph, time.Second)
				},
				Config: tn.Example(t, "resources/m365harden_admin_consent_request_policy/resource.tf"),
				Check: tenantConsentPolicy(t, tn, func(p map[string]any) error {
					if p["isEnabled"] != true || p["requestDurationInDays"] != float64(14) || tn.Sim.Stats().Statuses(m365sim.EndpointGraph, 503) != 1 {
						return fmt.Errorf("tenant policy %v", p)
					}
					return nil
				}),
			},
			{Config: tn.Example(t, "resources/m365harden_admin_consent_request_policy/resource.tf"), PlanOnly: true},
		},
	})
}
