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
	nlAddr = "m365harden_named_location.this"
	nlPath = "/identity/conditionalAccess/namedLocations"
)

func nlCountryConfig(tn *acctest.Tenant, name, countries, extra string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_named_location" "this" {
  display_name = %q
  country = {
    countries_and_regions = %s
    %s
  }
}
`, name, countries, extra)
}

func nlIPConfig(tn *acctest.Tenant, name, ranges string, trusted bool) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_named_location" "this" {
  display_name = %q
  ip = {
    ip_ranges  = %s
    is_trusted = %t
  }
}
`, name, ranges, trusted)
}

func nlID(s *terraform.State) string { return s.RootModule().Resources[nlAddr].Primary.ID }

func tenantLocation(t *testing.T, tn *acctest.Tenant, check func(l map[string]any) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		code, l := graphJSON(t, tn, "GET", nlPath+"/"+nlID(s), nil)
		if code != 200 {
			return fmt.Errorf("GET named location: %d %v", code, l)
		}
		return check(l)
	}
}

func nlDestroyed(tn *acctest.Tenant) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := len(tn.Sim.Tenant(tn.ID).Store.List("namedLocation")); n != 0 {
			return fmt.Errorf("%d named locations left after destroy", n)
		}
		return nil
	}
}

func TestAccNamedLocation_country(t *testing.T) {
	tn := acctest.NewTenant(t)
	var firstID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             nlDestroyed(tn),
		Steps: []resource.TestStep{
			{ // create with the defaults
				Config: nlCountryConfig(tn, "Allowed countries", `["DE", "FR"]`, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(nlAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
					statecheck.ExpectKnownValue(nlAddr, tfjsonpath.New("country").AtMapKey("country_lookup_method"), knownvalue.StringExact("clientIpAddress")),
					statecheck.ExpectKnownValue(nlAddr, tfjsonpath.New("country").AtMapKey("include_unknown_countries_and_regions"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(nlAddr, tfjsonpath.New("ip"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(
					tenantLocation(t, tn, func(l map[string]any) error {
						if l["@odata.type"] != "#microsoft.graph.countryNamedLocation" || !slices.Equal(strs(l["countriesAndRegions"]), []string{"DE", "FR"}) {
							return fmt.Errorf("tenant location %v", l)
						}
						return nil
					}),
					func(s *terraform.State) error { firstID = nlID(s); return nil },
				),
			},
			{ // update in place: another country, unknown countries, GPS lookup, new name
				Config: nlCountryConfig(tn, "Allowed sign-in countries", `["DE", "FR", "GB"]`, `include_unknown_countries_and_regions = true
    country_lookup_method = "authenticatorAppGps"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nlAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					tenantLocation(t, tn, func(l map[string]any) error {
						if l["displayName"] != "Allowed sign-in countries" || l["includeUnknownCountriesAndRegions"] != true ||
							l["countryLookupMethod"] != "authenticatorAppGps" || len(strs(l["countriesAndRegions"])) != 3 {
							return fmt.Errorf("tenant location %v", l)
						}
						return nil
					}),
					func(s *terraform.State) error {
						if nlID(s) != firstID {
							return fmt.Errorf("location was replaced: %s -> %s", firstID, nlID(s))
						}
						return nil
					},
				),
			},
			{ // clearing back to the defaults is an update too
				Config: nlCountryConfig(tn, "Allowed sign-in countries", `["DE", "FR", "GB"]`, ""),
				Check: tenantLocation(t, tn, func(l map[string]any) error {
					if l["includeUnknownCountriesAndRegions"] != false || l["countryLookupMethod"] != "clientIpAddress" {
						return fmt.Errorf("tenant location %v", l)
					}
					return nil
				}),
			},
			{ // import by id
				Config:       nlCountryConfig(tn, "Allowed sign-in countries", `["DE", "FR", "GB"]`, ""),
				ResourceName: nlAddr, ImportState: true, ImportStateVerify: true,
			},
			{ // import by display name
				Config:       nlCountryConfig(tn, "Allowed sign-in countries", `["DE", "FR", "GB"]`, ""),
				ResourceName: nlAddr, ImportState: true, ImportStateVerify: true,
				ImportStateId: "Allowed sign-in countries",
			},
			{ // an import block by name
				Config:       nlCountryConfig(tn, "Allowed sign-in countries", `["DE", "FR", "GB"]`, ""),
				ResourceName: nlAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateId: "Allowed sign-in countries",
			},
			{ // an unknown name is refused
				Config:       nlCountryConfig(tn, "Allowed sign-in countries", `["DE", "FR", "GB"]`, ""),
				ResourceName: nlAddr, ImportState: true, ImportStateId: "Nowhere",
				ExpectError: regexp.MustCompile(`No named location has the ID or display name "Nowhere"`),
			},
			{ // drift: another admin removes a country
				PreConfig: func() {
					id := tn.Sim.Tenant(tn.ID).Store.List("namedLocation")[0]["id"].(string)
					if code, out := graphJSON(t, tn, "PATCH", nlPath+"/"+id, map[string]any{
						"@odata.type": "#microsoft.graph.countryNamedLocation", "countriesAndRegions": []string{"DE"},
					}); code != 204 {
						t.Fatalf("out-of-band PATCH: %d %v", code, out)
					}
				},
				Config:             nlCountryConfig(tn, "Allowed sign-in countries", `["DE", "FR", "GB"]`, ""),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // and the next apply puts it back
				Config: nlCountryConfig(tn, "Allowed sign-in countries", `["DE", "FR", "GB"]`, ""),
				Check: tenantLocation(t, tn, func(l map[string]any) error {
					if !slices.Equal(strs(l["countriesAndRegions"]), []string{"DE", "FR", "GB"}) {
						return fmt.Errorf("tenant location %v", l)
					}
					return nil
				}),
			},
			{ // turning it into an IP location replaces it
				Config: nlIPConfig(tn, "Allowed sign-in countries", `["198.51.100.0/24"]`, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nlAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: tenantLocation(t, tn, func(l map[string]any) error {
					if l["@odata.type"] != "#microsoft.graph.ipNamedLocation" {
						return fmt.Errorf("tenant location %v", l)
					}
					return nil
				}),
			},
		},
	})
}

// A trusted IP location with IPv4 and IPv6 ranges; destroy clears isTrusted
// first, as Graph requires.
func TestAccNamedLocation_ip(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             nlDestroyed(tn),
		Steps: []resource.TestStep{
			{
				Config: nlIPConfig(tn, "Offices", `["203.0.113.0/24", "2001:db8:1234::/48"]`, true),
				Check: tenantLocation(t, tn, func(l map[string]any) error {
					types := map[string]string{}
					for _, r := range asList(l["ipRanges"]) {
						types[asString(asMap(r)["cidrAddress"])] = asString(asMap(r)["@odata.type"])
					}
					if l["isTrusted"] != true || types["203.0.113.0/24"] != "#microsoft.graph.iPv4CidrRange" || types["2001:db8:1234::/48"] != "#microsoft.graph.iPv6CidrRange" {
						return fmt.Errorf("tenant location %v", l)
					}
					return nil
				}),
			},
			{ // ranges are replaced as a whole
				Config: nlIPConfig(tn, "Offices", `["203.0.113.0/25"]`, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nlAddr, plancheck.ResourceActionUpdate),
				}},
				Check: tenantLocation(t, tn, func(l map[string]any) error {
					if len(asList(l["ipRanges"])) != 1 {
						return fmt.Errorf("tenant location %v", l)
					}
					return nil
				}),
			},
			{ // out-of-band delete: the next plan re-creates it
				PreConfig: func() {
					id := tn.Sim.Tenant(tn.ID).Store.List("namedLocation")[0]["id"].(string)
					if code, out := graphJSON(t, tn, "PATCH", nlPath+"/"+id, map[string]any{"@odata.type": "#microsoft.graph.ipNamedLocation", "isTrusted": false}); code != 204 {
						t.Fatalf("out-of-band PATCH: %d %v", code, out)
					}
					if code, out := graphJSON(t, tn, "DELETE", nlPath+"/"+id, nil); code != 204 {
						t.Fatalf("out-of-band DELETE: %d %v", code, out)
					}
				},
				Config: nlIPConfig(tn, "Offices", `["203.0.113.0/25"]`, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(nlAddr, plancheck.ResourceActionCreate),
				}},
				Check: tenantLocation(t, tn, func(l map[string]any) error {
					if l["isTrusted"] != true {
						return fmt.Errorf("tenant location %v", l)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccNamedLocation_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	cases := []struct{ cfg, want string }{
		{nlIPConfig(tn, "x", `["203.0.113.1/24"]`, false), `not written as its network address: use "203.0.113.0/24"`},
		{nlIPConfig(tn, "x", `["203.0.113.0/33"]`, false), `is not an IPv4 or IPv6 range in CIDR notation`},
		{nlIPConfig(tn, "x", `["2001:DB8::/32"]`, false), `not written as its network address: use "2001:db8::/32"`},
		{nlIPConfig(tn, "x", `[]`, false), `(?s)ip_ranges.*at least 1`},
		{nlCountryConfig(tn, "x", `["de"]`, ""), `(?s)two-letter.*upper-case ISO 3166 code`},
		{nlCountryConfig(tn, "x", `["DE"]`, `country_lookup_method = "gps"`), `(?s)country_lookup_method.*clientIpAddress`},
		{tn.ProviderConfig() + `resource "m365harden_named_location" "this" { display_name = "x" }`, `(?s)Exactly one of these attributes must be configured: \[country,ip\]`},
		{tn.ProviderConfig() + `resource "m365harden_named_location" "this" {
  display_name = "x"
  country = { countries_and_regions = ["DE"] }
  ip      = { ip_ranges = ["203.0.113.0/24"] }
}`, `(?s)Invalid Attribute Combination`},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: c.cfg, PlanOnly: true, ExpectError: regexp.MustCompile(c.want)})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointGraph, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Graph saw %d requests", n)
	}
}

// Graph refuses to delete a location a Conditional Access policy names; the
// error says what to do, and the location stays in state.
func TestAccNamedLocation_inUse(t *testing.T) {
	tn := acctest.NewTenant(t)
	var policyID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             nlDestroyed(tn),
		Steps: []resource.TestStep{
			{Config: nlCountryConfig(tn, "Allowed countries", `["DE"]`, "")},
			{ // another admin uses it in a policy; removing the resource fails
				PreConfig: func() {
					id := tn.Sim.Tenant(tn.ID).Store.List("namedLocation")[0]["id"].(string)
					code, out := graphJSON(t, tn, "POST", caPath, map[string]any{
						"displayName": "Block other countries", "state": "enabledForReportingButNotEnforced",
						"conditions": map[string]any{
							"clientAppTypes": []string{"all"},
							"users":          map[string]any{"includeUsers": []string{"All"}},
							"applications":   map[string]any{"includeApplications": []string{"All"}},
							"locations":      map[string]any{"includeLocations": []string{"All"}, "excludeLocations": []string{id}},
						},
						"grantControls": map[string]any{"operator": "OR", "builtInControls": []string{"block"}},
					})
					if code != 201 {
						t.Fatalf("out-of-band policy: %d %v", code, out)
					}
					policyID = out["id"].(string)
				},
				Config:      tn.ProviderConfig(),
				ExpectError: regexp.MustCompile(`(?s)Deleting named location .* failed.*Conditional Access policy still names it.*HTTP 400`),
			},
			{ // once the policy is gone, destroy works
				PreConfig: func() {
					if code, out := graphJSON(t, tn, "DELETE", caPath+"/"+policyID, nil); code != 204 {
						t.Fatalf("out-of-band DELETE policy: %d %v", code, out)
					}
				},
				Config: tn.ProviderConfig(),
			},
		},
	})
}

// Throttling and replication lag: the create retries 429, reads retry 503
// (a POST is never re-sent after a 503: the service may have applied it),
// and the create waits until reads show the location.
func TestAccNamedLocation_throttledAndLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             nlDestroyed(tn),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + nlPath, Status: 429, Retry: 1, Times: 2})
				tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0" + nlPath, Method: "GET", Status: 503, Retry: 1, Times: 1})
				tn.Sim.SetReplicationLag(m365sim.EndpointGraph, 2*time.Second)
			},
			Config: nlIPConfig(tn, "Offices", `["203.0.113.0/24"]`, false),
			Check: resource.ComposeTestCheckFunc(
				tenantLocation(t, tn, func(map[string]any) error { return nil }),
				func(*terraform.State) error {
					st := tn.Sim.Stats()
					if n := st.Statuses(m365sim.EndpointGraph, 429); n != 2 {
						return fmt.Errorf("emulator answered %d 429s, want 2", n)
					}
					if n := st.Statuses(m365sim.EndpointGraph, 503); n != 1 {
						return fmt.Errorf("emulator answered %d 503s, want 1", n)
					}
					if n := st.Statuses(m365sim.EndpointGraph, 404); n == 0 {
						return fmt.Errorf("no read hit the replication lag: the test did not exercise it")
					}
					return nil
				},
			),
		}},
	})
}

// A read-only app gets an error naming the permissions.
func TestAccNamedLocation_forbidden(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfigAs(m365sim.DemoReaderAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoReaderSecret)) + `
resource "m365harden_named_location" "this" {
  display_name = "Offices"
  ip = { ip_ranges = ["203.0.113.0/24"] }
}`,
			ExpectError: regexp.MustCompile(`(?s)Creating named location "Offices" failed.*Policy.ReadWrite.ConditionalAccess.*HTTP 403`),
		}},
	})
}

// The documented example (a country allow-list, a trusted office range and
// a report-only block policy) applies and plans empty afterwards.
func TestAccNamedLocation_example(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.Example(t, "resources/m365harden_named_location/resource.tf")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             resource.ComposeTestCheckFunc(nlDestroyed(tn), caDestroyed(tn)),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					st := tn.Sim.Tenant(tn.ID).Store
					if n := len(st.List("namedLocation")); n != 2 {
						return fmt.Errorf("%d named locations, want 2", n)
					}
					ps := st.List("conditionalAccessPolicy")
					if len(ps) != 1 || ps[0]["state"] != "enabledForReportingButNotEnforced" {
						return fmt.Errorf("policies %v", ps)
					}
					return nil
				},
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// Without Microsoft Entra ID P1 (or P2) Graph refuses named locations and
// conditional access policies; each error names the licence.
func TestAccNamedLocation_notLicensed(t *testing.T) {
	tn := acctest.NewTenant(t)
	lic := &tn.Sim.Tenant(tn.ID).Licences
	lic.EntraIDP1, lic.EntraIDP2 = false, false
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      nlCountryConfig(tn, "Allowed countries", `["DE"]`, ""),
				ExpectError: regexp.MustCompile(`(?s)Creating named location "Allowed countries" failed.*needs\s+Microsoft\s+Entra\s+ID\s+P1.*HTTP\s+403`),
			},
			{
				Config:      mfaConfig(tn, "enabledForReportingButNotEnforced", "[]"),
				ExpectError: regexp.MustCompile(`(?s)Creating conditional access policy "Require MFA for all users" failed.*needs\s+Microsoft\s+Entra\s+ID\s+P1.*HTTP\s+403`),
			},
		},
	})
	if n := len(tn.Sim.Tenant(tn.ID).Store.List("namedLocation")) + len(tn.Sim.Tenant(tn.ID).Store.List("conditionalAccessPolicy")); n != 0 {
		t.Fatalf("%d objects created in an unlicensed tenant", n)
	}
}
