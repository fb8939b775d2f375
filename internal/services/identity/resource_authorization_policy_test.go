package identity_test

import (
	"fmt"
	"regexp"
	"slices"
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

const (
	apAddr = "m365harden_authorization_policy.this"
	apPath = "/policies/authorizationPolicy"
)

func apConfig(tn *acctest.Tenant, body string) string {
	return tn.ProviderConfig() + "resource \"m365harden_authorization_policy\" \"this\" {\n" + body + "\n}\n"
}

func tenantAuthorization(t *testing.T, tn *acctest.Tenant, check func(p, d map[string]any) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		code, p := graphJSON(t, tn, "GET", apPath, nil)
		if code != 200 {
			return fmt.Errorf("GET authorization policy: %d %v", code, p)
		}
		return check(p, asMap(p["defaultUserRolePermissions"]))
	}
}

func TestAccAuthorizationPolicy_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	hardened := `
  user_consent           = "verified_publishers"
  allowed_to_create_apps = false
  guest_user_access      = "restricted"
  allow_invites_from     = "adminsAndGuestInviters"
`
	off := `
  user_consent              = "disabled"
  allowed_to_create_apps    = false
  allowed_to_create_tenants = false
  guest_user_access         = "restricted"
  allow_invites_from        = "adminsAndGuestInviters"
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		// Destroy leaves the policy as it is.
		CheckDestroy: tenantAuthorization(t, tn, func(p, d map[string]any) error {
			if d["allowedToCreateApps"] != false || p["allowInvitesFrom"] != "adminsAndGuestInviters" {
				return fmt.Errorf("destroy changed the policy: %v", p)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{ // adopt and harden; unset attributes are read, not changed
				Config: apConfig(tn, hardened),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(apAddr, tfjsonpath.New("id"), knownvalue.StringExact("authorizationPolicy")),
					statecheck.ExpectKnownValue(apAddr, tfjsonpath.New("allowed_to_create_tenants"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(apAddr, tfjsonpath.New("owner_consent_policies"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team")})),
				},
				Check: tenantAuthorization(t, tn, func(p, d map[string]any) error {
					want := []string{"ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team", "ManagePermissionGrantsForSelf.microsoft-user-default-low"}
					if d["allowedToCreateApps"] != false || d["allowedToCreateTenants"] != true || !slices.Equal(strs(d["permissionGrantPoliciesAssigned"]), want) ||
						p["guestUserRoleId"] != m365sim.GuestRoleRestricted || p["allowInvitesFrom"] != "adminsAndGuestInviters" {
						return fmt.Errorf("tenant policy %v", p)
					}
					return nil
				}),
			},
			{ // update in place: consent off, tenants too
				Config: apConfig(tn, hardened+`  allowed_to_create_tenants = false`+"\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(apAddr, plancheck.ResourceActionUpdate),
				}},
				Check: tenantAuthorization(t, tn, func(p, d map[string]any) error {
					if d["allowedToCreateTenants"] != false || d["allowedToCreateApps"] != false {
						return fmt.Errorf("tenant policy %v", p)
					}
					return nil
				}),
			},
			{
				Config: apConfig(tn, off),
				Check: tenantAuthorization(t, tn, func(p, d map[string]any) error {
					if g := strs(d["permissionGrantPoliciesAssigned"]); len(g) != 1 || g[0] != "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team" {
						return fmt.Errorf("user consent not off, or owner consent lost: %v", g)
					}
					return nil
				}),
			},
			{ // import by tenant id and by policy id
				Config: apConfig(tn, off), ResourceName: apAddr, ImportState: true, ImportStateVerify: true,
				ImportStateId: m365sim.DemoTenantID,
			},
			{
				Config: apConfig(tn, off), ResourceName: apAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateId: "authorizationPolicy",
			},
			{
				Config: apConfig(tn, off), ResourceName: apAddr, ImportState: true, ImportStateId: "contoso.onmicrosoft.com",
				ExpectError: regexp.MustCompile(`imported by the tenant ID`),
			},
			{ // drift: another admin lets users register apps again
				PreConfig: func() {
					if code, out := graphJSON(t, tn, "PATCH", apPath, map[string]any{"defaultUserRolePermissions": map[string]any{"allowedToCreateApps": true}}); code != 204 {
						t.Fatalf("out-of-band PATCH: %d %v", code, out)
					}
				},
				Config: apConfig(tn, off), PlanOnly: true, ExpectNonEmptyPlan: true,
			},
			{
				Config: apConfig(tn, off),
				Check: tenantAuthorization(t, tn, func(p, d map[string]any) error {
					if d["allowedToCreateApps"] != false || d["allowedToCreateTenants"] != false {
						return fmt.Errorf("tenant policy %v", p)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccAuthorizationPolicy_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: apConfig(tn, `user_consent = "some"`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)user_consent.*disabled`)},
			{Config: apConfig(tn, `guest_user_access = "10dae51f-b6af-4016-8d66-8c2a99b929b3"`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)guest_user_access.*same_as_members`)},
			{Config: apConfig(tn, `allow_invites_from = "admins"`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)allow_invites_from.*adminsAndGuestInviters`)},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Graph saw %d requests", n)
	}
}

// Throttled and lagging: the PATCH is retried and the apply waits until
// reads show it.
func TestAccAuthorizationPolicy_throttledAndLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + apPath, Status: 429, Retry: 1, Times: 1})
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + apPath, Status: 503, Retry: 1, Times: 1})
				tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 2*time.Second)
			},
			Config: apConfig(tn, `allowed_to_create_apps = false`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(apAddr, tfjsonpath.New("allowed_to_create_apps"), knownvalue.Bool(false)),
			},
			Check: func(*terraform.State) error {
				st := tn.Sim.Stats()
				if st.Statuses(m365sim.EndpointGraph, 429) != 1 || st.Statuses(m365sim.EndpointGraph, 503) != 1 {
					return fmt.Errorf("faults not exercised")
				}
				return nil
			},
		}},
	})
}

func TestAccAuthorizationPolicy_readOnlyApp(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) +
				`resource "m365harden_authorization_policy" "this" { allowed_to_create_apps = false }`,
			ExpectError: regexp.MustCompile(`(?s)Changing the tenant's authorization policy failed.*Policy.ReadWrite.Authorization.*HTTP 403`),
		}},
	})
}

func TestAccAuthorizationPolicy_example(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.Example(t, "resources/m365harden_authorization_policy/resource.tf")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: tenantAuthorization(t, tn, func(p, d map[string]any) error {
				if p["allowEmailVerifiedUsersToJoinOrganization"] != false || p["guestUserRoleId"] != m365sim.GuestRoleRestricted {
					return fmt.Errorf("tenant policy %v", p)
				}
				return nil
			})},
			{Config: cfg, PlanOnly: true},
		},
	})
}
