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

func retryClient(t *testing.T, retries int, wait time.Duration) (*graph.Client, *m365sim.Server) {
	t.Helper()
	fx := m365sim.DefaultFixture()
	fx.Tenants[0].Licences = fullLicences
	s, err := m365sim.Start(m365sim.Options{Fixture: fx, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	hc, err := auth.NewHTTPClient(s.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	cred, err := auth.NewCredential(auth.Config{TenantID: m365sim.DemoTenantID, ClientID: m365sim.DemoAdminAppID, ClientSecret: m365sim.DemoAdminSecret, LoginURL: s.URL() + "/", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	c, err := graph.New(graph.Config{BaseURL: s.URL(), Resource: m365sim.AudienceGraph, Credential: cred, Transport: hc.Transport, MaxRetries: retries, MaxWait: wait})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

// A create answered 503 after the service applied it is not sent again:
// exactly one policy exists and exactly one POST reached the service.
func TestCreateIsNeverResentAfterAppliedThenFailed(t *testing.T) {
	for _, status := range []int{503, 504} {
		c, s := retryClient(t, 5, time.Minute)
		s.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Method: "POST", Match: "/v1.0/identity/conditionalAccess/policies", Status: status, AfterApply: true, Times: 1})
		_, err := c.CreateConditionalAccessPolicy(context.Background(), mfaForAll())
		var ge *graph.Error
		if !errors.As(err, &ge) || ge.Status != status {
			t.Fatalf("%d: err = %v", status, err)
		}
		if n := len(s.Tenant(m365sim.DemoTenantID).Store.ListLatest("conditionalAccessPolicy")); n != 1 {
			t.Fatalf("%d: %d policies after one create, want 1", status, n)
		}
		if n := s.Stats().Requests(m365sim.EndpointGraph, "POST /v1.0/identity/conditionalAccess/policies"); n != 1 {
			t.Fatalf("%d: %d POSTs, want 1", status, n)
		}
	}
}

// A throttled POST was refused, not run: it is retried.
func TestThrottledCreateIsRetried(t *testing.T) {
	c, s := retryClient(t, 2, time.Minute)
	s.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Method: "POST", Match: "/v1.0/identity/conditionalAccess/policies", Status: 429, Retry: 1, Times: 1})
	if _, err := c.CreateConditionalAccessPolicy(context.Background(), mfaForAll()); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Tenant(m365sim.DemoTenantID).Store.ListLatest("conditionalAccessPolicy")); n != 1 {
		t.Fatalf("%d policies, want 1", n)
	}
}

// max_retries = 0 means no retry at all.
func TestMaxRetriesZeroIsHonoured(t *testing.T) {
	c, s := retryClient(t, 0, time.Minute)
	s.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0/organization", Status: 503, Retry: 1, Times: 2})
	_, err := c.InitialDomain(context.Background())
	var ge *graph.Error
	if !errors.As(err, &ge) || ge.Status != 503 {
		t.Fatalf("err = %v", err)
	}
	if n := s.Stats().Requests(m365sim.EndpointGraph, "GET /v1.0/organization"); n != 1 {
		t.Fatalf("%d requests with max_retries 0, want 1", n)
	}
}

// Exactly max_retries retries.
func TestMaxRetriesIsExact(t *testing.T) {
	c, s := retryClient(t, 2, time.Minute)
	s.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0/organization", Status: 429, Retry: 0})
	_, err := c.InitialDomain(context.Background())
	if !errors.Is(err, graph.ErrThrottled) {
		t.Fatalf("err = %v", err)
	}
	if n := s.Stats().Requests(m365sim.EndpointGraph, "GET /v1.0/organization"); n != 3 {
		t.Fatalf("%d requests with max_retries 2, want 3", n)
	}
}

// A Retry-After longer than max_retry_wait_seconds is not waited for.
func TestRetryWaitIsBounded(t *testing.T) {
	c, s := retryClient(t, 5, 2*time.Second)
	s.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/v1.0/organization", Status: 429, Retry: 200, Times: 1})
	start := time.Now()
	_, err := c.InitialDomain(context.Background())
	if !errors.Is(err, graph.ErrThrottled) {
		t.Fatalf("err = %v", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Fatalf("waited %s with a 2 s budget", el)
	}
}

// A token revoked before its expiry: the request is sent once more with a
// new token and succeeds.
func TestUnauthorizedIsRetriedOnceWithAFreshToken(t *testing.T) {
	c, s := retryClient(t, 0, time.Minute)
	if _, err := c.ListConditionalAccessPolicies(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.ExpireTokens()
	if _, err := c.ListConditionalAccessPolicies(context.Background()); err != nil {
		t.Fatalf("after the token was revoked: %v", err)
	}
	if n := s.Stats().Statuses(m365sim.EndpointGraph, 401); n != 1 {
		t.Fatalf("%d 401s, want 1", n)
	}
}
