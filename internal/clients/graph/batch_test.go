package graph_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// batchClient: a Graph client with a retry budget (retryClient) against a
// tenant of 25 mailboxes, the first with an external forward; the
// permission is granted before the first token is fetched.
func batchClient(t *testing.T, retries int, wait time.Duration, grant bool) (*graph.Client, *m365sim.Server, []string) {
	t.Helper()
	c, s := retryClient(t, retries, wait)
	objs, err := m365sim.SeedMailboxes(s, m365sim.DemoTenantID, m365sim.MailboxSeed{Count: 25, Domain: "contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	var users []string
	for _, o := range objs {
		users = append(users, fmt.Sprint(o["ExternalDirectoryObjectId"]))
	}
	if err := s.AddInboxRule(m365sim.DemoTenantID, users[0], m365sim.InboxRuleSpec{Name: "out", ForwardTo: []string{"x@mail.example"}}); err != nil {
		t.Fatal(err)
	}
	if grant {
		if err := s.GrantAppPermission(m365sim.DemoTenantID, m365sim.DemoAdminAppID, "MailboxSettings.Read"); err != nil {
			t.Fatal(err)
		}
	}
	return c, s, users
}

// Only the throttled requests of a batch are sent again, after their
// Retry-After; the answers are complete and the 429s counted.
func TestInboxRulesBatchResendsOnlyThrottled(t *testing.T) {
	c, s, users := batchClient(t, 3, time.Minute, true)
	s.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/users", Method: "GET", Status: 429, Retry: 1, Times: 3})
	start := time.Now()
	res, throttled, err := c.InboxRulesBatch(context.Background(), users[:20])
	if err != nil {
		t.Fatal(err)
	}
	if throttled != 3 {
		t.Errorf("%d 429s, want 3", throttled)
	}
	if time.Since(start) < time.Second {
		t.Errorf("Retry-After: 1 not honoured (%s)", time.Since(start))
	}
	for i, r := range res {
		if r.Err != nil {
			t.Errorf("%s: %v", r.User, r.Err)
		}
		if want := 0; i == 0 {
			want = 1
			if len(r.Rules) != want || len(r.Rules[0].ForwardTo) != 1 || r.Rules[0].ForwardTo[0].Address != "x@mail.example" || !r.Rules[0].IsEnabled {
				t.Errorf("first mailbox: %+v", r.Rules)
			}
		} else if len(r.Rules) != want {
			t.Errorf("%s: %d rules", r.User, len(r.Rules))
		}
	}
	st := s.Stats()
	if b, n := st.Requests(m365sim.EndpointGraph, "POST /v1.0/$batch"), st.Requests(m365sim.EndpointGraph, "GET /v1.0/users/{id}/mailFolders/inbox/messageRules"); b != 2 || n != 23 {
		t.Errorf("%d batches, %d requests: want 2 batches (20, then the 3 throttled)", b, n)
	}
	if _, _, err := c.InboxRulesBatch(context.Background(), users); err == nil {
		t.Error("21+ users in one batch accepted by the client")
	}
}

// The retry budget bounds re-sends: with max_retries = 1 a request
// throttled twice keeps its 429 as ErrThrottled.
func TestInboxRulesBatchRetryBudget(t *testing.T) {
	c, s, users := batchClient(t, 1, time.Minute, true)
	s.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/users", Method: "GET", Status: 429, Retry: 1, Times: 2})
	res, throttled, err := c.InboxRulesBatch(context.Background(), users[:1])
	if err != nil {
		t.Fatal(err)
	}
	if throttled != 2 || !errors.Is(res[0].Err, graph.ErrThrottled) {
		t.Errorf("%d 429s, err %v: want 2 and ErrThrottled", throttled, res[0].Err)
	}
	// A wait beyond max_retry_wait_seconds is not started.
	c2, s2, users2 := batchClient(t, 5, 2*time.Second, true)
	s2.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/users", Method: "GET", Status: 429, Retry: 30, Times: 1})
	start := time.Now()
	res, _, err = c2.InboxRulesBatch(context.Background(), users2[:2])
	// The batch's requests run in parallel: either may be the throttled one.
	if err != nil || !errors.Is(res[0].Err, graph.ErrThrottled) == !errors.Is(res[1].Err, graph.ErrThrottled) || (res[0].Err != nil && res[1].Err != nil) || time.Since(start) > 10*time.Second {
		t.Errorf("Retry-After beyond the budget: %v %+v after %s", err, res, time.Since(start))
	}
}

// Without MailboxSettings.Read every request is refused with Outlook's
// code, which IsPermissionDenied recognises; an unknown user is not found.
func TestInboxRulesBatchPermissionAndNotFound(t *testing.T) {
	c, _, users := batchClient(t, 0, time.Minute, false)
	res, _, err := c.InboxRulesBatch(context.Background(), users[:2])
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !graph.IsPermissionDenied(r.Err) || !errors.Is(r.Err, graph.ErrForbidden) {
			t.Errorf("%s: %v, want a permission 403", r.User, r.Err)
		}
	}
	c2, _, _ := batchClient(t, 0, time.Minute, true)
	res, _, err = c2.InboxRulesBatch(context.Background(), []string{"nobody@contoso.com"})
	if err != nil || !graph.IsNotFound(res[0].Err) || graph.IsPermissionDenied(res[0].Err) {
		t.Errorf("unknown user: %v %v", err, res[0].Err)
	}
}

// opaqueCtx is a context the context package does not know: a child
// derived from it is watched by a goroutine until the child is cancelled.
type opaqueCtx struct{ done chan struct{} }

func (opaqueCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c opaqueCtx) Done() <-chan struct{}     { return c.done }
func (opaqueCtx) Err() error                  { return nil }
func (opaqueCtx) Value(any) any               { return nil }

// Each batch cancels the request context it sends with: a tenant-wide scan
// under one context leaves nothing behind per batch (kiota would otherwise
// derive a 5-minute timeout per request and drop its cancel function, so
// each batch's context stayed registered on the caller's until then).
func TestInboxRulesBatchReleasesItsContext(t *testing.T) {
	c, _, users := batchClient(t, 3, time.Minute, true)
	ctx := opaqueCtx{done: make(chan struct{})}
	defer close(ctx.done)
	if _, _, err := c.InboxRulesBatch(ctx, users[:20]); err != nil { // connections and token first
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()
	for i := 0; i < 30; i++ {
		if _, _, err := c.InboxRulesBatch(ctx, users[:20]); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+5 {
		t.Errorf("%d goroutines after 30 batches, %d before: the batches' contexts outlive them", after, before)
	}
}
