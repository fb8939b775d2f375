package graph_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

const noGraphAppID = "55555555-6666-4777-8888-999999999999"

func newClient(t *testing.T, appID, secret string) (*graph.Client, *m365sim.Server) {
	t.Helper()
	fx := m365sim.DefaultFixture()
	fx.Tenants[0].Apps = append(fx.Tenants[0].Apps, m365sim.AppSpec{ClientID: noGraphAppID, DisplayName: "no Graph permission", ClientSecret: "s3cret-no-graph"})
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

func TestInitialDomainIsFetchedOnce(t *testing.T) {
	c, s := newClient(t, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	for i := 0; i < 3; i++ {
		d, err := c.InitialDomain(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if d != m365sim.DemoDomain {
			t.Fatalf("initial domain %q", d)
		}
	}
	if n := s.Stats().Requests(m365sim.EndpointGraph, "GET /v1.0/organization"); n != 1 {
		t.Fatalf("%d requests to /organization, want 1", n)
	}
}

func TestThrottlingIsRetriedHonouringRetryAfter(t *testing.T) {
	c, s := newClient(t, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	s.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0/organization", Status: 429, Retry: 1, Times: 2})
	start := time.Now()
	if _, err := c.InitialDomain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 2*time.Second {
		t.Fatalf("finished in %s: Retry-After (1s, twice) was not honoured", el)
	}
	if n := s.Stats().Statuses(m365sim.EndpointGraph, 429); n != 2 {
		t.Fatalf("%d 429s, want 2", n)
	}
}

func TestUnavailableBeyondRetriesIsReported(t *testing.T) {
	c, s := newClient(t, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	s.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Status: 503, Retry: 1})
	_, err := c.InitialDomain(context.Background())
	var ge *graph.Error
	if !errors.As(err, &ge) || ge.Status != 503 || ge.Code != "ServiceUnavailable" {
		t.Fatalf("err = %v", err)
	}
	// The first try and three retries.
	if n := s.Stats().Statuses(m365sim.EndpointGraph, 503); n != 4 {
		t.Fatalf("%d 503s, want 4", n)
	}
}

func TestMissingPermissionIsForbidden(t *testing.T) {
	c, _ := newClient(t, noGraphAppID, "s3cret-no-graph")
	_, err := c.InitialDomain(context.Background())
	if !errors.Is(err, graph.ErrForbidden) {
		t.Fatalf("err = %v", err)
	}
	var ge *graph.Error
	if !errors.As(err, &ge) || ge.Code != "Authorization_RequestDenied" || ge.RequestID == "" {
		t.Fatalf("err = %#v", err)
	}
}

func TestPlainHTTPIsRefused(t *testing.T) {
	if _, err := graph.New(graph.Config{BaseURL: "http://graph.example", Resource: m365sim.AudienceGraph}); err == nil {
		t.Fatal("an http endpoint was accepted")
	}
}
