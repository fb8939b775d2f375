package graph_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// caClient starts an emulator whose tenant has the given licences and signs
// in as appID.
func caClient(t *testing.T, lic m365sim.Licences, appID, secret string) (*graph.Client, *m365sim.Server) {
	t.Helper()
	fx := m365sim.DefaultFixture()
	fx.Tenants[0].Licences = lic
	s, err := m365sim.Start(m365sim.Options{Fixture: fx, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	hc, err := auth.NewHTTPClient(s.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	cred, err := auth.NewCredential(auth.Config{TenantID: m365sim.DemoTenantID, ClientID: appID, ClientSecret: secret, LoginURL: s.URL() + "/", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	c, err := graph.New(graph.Config{BaseURL: s.URL(), Resource: m365sim.AudienceGraph, Credential: cred, Transport: hc.Transport, MaxRetries: 3, MaxWait: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

var fullLicences = m365sim.Licences{EntraIDP1: true, EntraIDP2: true}

func mfaForAll() *graph.ConditionalAccessPolicy {
	return &graph.ConditionalAccessPolicy{
		DisplayName: "Require MFA for all users",
		State:       "enabledForReportingButNotEnforced",
		Conditions: graph.ConditionalAccessConditions{
			IncludeUsers:        []string{"All"},
			ExcludeUsers:        []string{"6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"},
			IncludeApplications: []string{"All"},
			ClientAppTypes:      []string{"all"},
		},
		GrantControls: &graph.ConditionalAccessGrantControls{Operator: "OR", BuiltInControls: []string{"mfa"}},
	}
}

func TestConditionalAccessPolicyRoundTrip(t *testing.T) {
	ctx := context.Background()
	c, _ := caClient(t, fullLicences, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	created, err := c.CreateConditionalAccessPolicy(ctx, mfaForAll())
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.CreatedDateTime == nil || created.State != "enabledForReportingButNotEnforced" {
		t.Fatalf("created %+v", created)
	}
	got, err := c.GetConditionalAccessPolicy(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Conditions.ExcludeUsers, []string{"6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"}) || got.Conditions.IncludeGroups == nil || len(got.Conditions.IncludeGroups) != 0 ||
		got.Conditions.Locations != nil || got.GrantControls == nil || !slices.Equal(got.GrantControls.BuiltInControls, []string{"mfa"}) {
		t.Fatalf("read back %+v %+v", got.Conditions, got.GrantControls)
	}

	// Update: legacy-auth block with a location condition and an
	// authentication strength; removals (the excluded user) apply.
	if err := c.SetSecurityDefaults(ctx, false); err != nil { // Graph refuses enabled policies while they are on
		t.Fatal(err)
	}
	upd := mfaForAll()
	upd.State = "enabled"
	upd.Conditions.ExcludeUsers = nil
	upd.Conditions.ClientAppTypes = []string{"exchangeActiveSync", "other"}
	upd.Conditions.Locations = &graph.ConditionalAccessLocations{IncludeLocations: []string{"All"}, ExcludeLocations: []string{"AllTrusted"}}
	upd.GrantControls = &graph.ConditionalAccessGrantControls{Operator: "OR", BuiltInControls: []string{"block"}}
	if err := c.UpdateConditionalAccessPolicy(ctx, created.ID, upd); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetConditionalAccessPolicy(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "enabled" || len(got.Conditions.ExcludeUsers) != 0 || !slices.Equal(got.Conditions.ClientAppTypes, []string{"exchangeActiveSync", "other"}) ||
		got.Conditions.Locations == nil || !slices.Equal(got.Conditions.Locations.ExcludeLocations, []string{"AllTrusted"}) ||
		!slices.Equal(got.GrantControls.BuiltInControls, []string{"block"}) || got.ModifiedDateTime == nil {
		t.Fatalf("after update %+v %+v", got, got.Conditions)
	}
	upd.GrantControls = &graph.ConditionalAccessGrantControls{Operator: "OR", AuthenticationStrengthID: "00000000-0000-0000-0000-000000000004"}
	if err := c.UpdateConditionalAccessPolicy(ctx, created.ID, upd); err != nil {
		t.Fatal(err)
	}
	if got, err = c.GetConditionalAccessPolicy(ctx, created.ID); err != nil || got.GrantControls.AuthenticationStrengthID != "00000000-0000-0000-0000-000000000004" || len(got.GrantControls.BuiltInControls) != 0 {
		t.Fatalf("authentication strength: %v %+v", err, got)
	}

	all, err := c.ListConditionalAccessPolicies(ctx)
	if err != nil || len(all) != 1 || all[0].ID != created.ID {
		t.Fatalf("list: %v %v", err, all)
	}
	if err := c.DeleteConditionalAccessPolicy(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetConditionalAccessPolicy(ctx, created.ID); !graph.IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := c.DeleteConditionalAccessPolicy(ctx, created.ID); !graph.IsNotFound(err) {
		t.Fatalf("delete twice: %v", err)
	}
}

func TestConditionalAccessErrorsAreTyped(t *testing.T) {
	ctx := context.Background()
	c, _ := caClient(t, m365sim.Licences{EntraIDP1: true}, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	risky := mfaForAll()
	risky.Conditions.SignInRiskLevels = []string{"high"}
	if _, err := c.CreateConditionalAccessPolicy(ctx, risky); !errors.Is(err, graph.ErrLicence) {
		t.Fatalf("risk policy without P2: %v", err)
	}
	bad := mfaForAll()
	bad.GrantControls = &graph.ConditionalAccessGrantControls{Operator: "OR", BuiltInControls: []string{"mfa", "passwordChange"}}
	if _, err := c.CreateConditionalAccessPolicy(ctx, bad); !errors.Is(err, graph.ErrInvalidPolicy) {
		t.Fatalf("passwordChange with OR: %v", err)
	}

	c, _ = caClient(t, m365sim.Licences{}, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	if _, err := c.ListConditionalAccessPolicies(ctx); !errors.Is(err, graph.ErrLicence) {
		t.Fatalf("list without P1: %v", err)
	}

	c, _ = caClient(t, fullLicences, m365sim.DemoReaderAppID, m365sim.DemoReaderSecret)
	if _, err := c.ListConditionalAccessPolicies(ctx); err != nil {
		t.Fatalf("the reader app may list: %v", err)
	}
	_, err := c.CreateConditionalAccessPolicy(ctx, mfaForAll())
	var ge *graph.Error
	if !errors.Is(err, graph.ErrForbidden) || !errors.As(err, &ge) || ge.Code != "AccessDenied" {
		t.Fatalf("create without Policy.ReadWrite.ConditionalAccess: %v", err)
	}
}

// Throttling and replication lag on the Conditional Access path.
func TestConditionalAccessThrottlingAndLag(t *testing.T) {
	ctx := context.Background()
	c, s := caClient(t, fullLicences, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	s.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0/identity/conditionalAccess/policies", Status: 429, Retry: 1, Times: 1})
	// 503 only on reads: a POST answered 503 is never re-sent (it may have
	// been applied; see retry_test.go).
	s.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Method: "GET", Match: "/v1.0/identity/conditionalAccess/policies", Status: 503, Retry: 1, Times: 1})
	s.SetReplicationLag(m365sim.EndpointGraph, 2*time.Second)
	created, err := c.CreateConditionalAccessPolicy(ctx, mfaForAll())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetConditionalAccessPolicy(ctx, created.ID); !graph.IsNotFound(err) {
		t.Fatalf("a read right after the create should not see the policy yet: %v", err)
	}
	if n429, n503 := s.Stats().Statuses(m365sim.EndpointGraph, 429), s.Stats().Statuses(m365sim.EndpointGraph, 503); n429 != 1 || n503 != 1 {
		t.Fatalf("429s %d, 503s %d; want 1 each", n429, n503)
	}
	time.Sleep(2100 * time.Millisecond)
	if _, err := c.GetConditionalAccessPolicy(ctx, created.ID); err != nil {
		t.Fatalf("after the lag: %v", err)
	}
}

func TestSecurityDefaultsClient(t *testing.T) {
	ctx := context.Background()
	c, _ := caClient(t, m365sim.Licences{}, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	sd, err := c.GetSecurityDefaults(ctx)
	if err != nil || sd.ID != m365sim.SecurityDefaultsPolicyID || !sd.IsEnabled || sd.DisplayName != "Security Defaults" {
		t.Fatalf("get: %v %+v", err, sd)
	}
	if err := c.SetSecurityDefaults(ctx, false); err != nil {
		t.Fatal(err)
	}
	if sd, err = c.GetSecurityDefaults(ctx); err != nil || sd.IsEnabled {
		t.Fatalf("after disabling: %v %+v", err, sd)
	}
	r, _ := caClient(t, m365sim.Licences{}, m365sim.DemoReaderAppID, m365sim.DemoReaderSecret)
	if _, err := r.GetSecurityDefaults(ctx); err != nil {
		t.Fatalf("reader get: %v", err)
	}
	if err := r.SetSecurityDefaults(ctx, false); !errors.Is(err, graph.ErrForbidden) {
		t.Fatalf("reader set: %v", err)
	}
}
