package m365sim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// ObserveWrites sees client writes (Exchange cmdlets that change something,
// Graph writes) before they run, not reads and not control-surface calls; a
// write held by the observer runs even when the client has hung up.
func TestObserveWrites(t *testing.T) {
	s := startTest(t)
	var mu sync.Mutex
	var seen []WriteEvent
	s.ObserveWrites(func(e WriteEvent) {
		mu.Lock()
		seen = append(seen, e)
		mu.Unlock()
	})
	tok := token(t, s, DemoAdminAppID, AudienceExchange)
	if r := invoke(t, s, exoURL(s), tok, "Get-RemoteDomain", nil); r.Status != 200 {
		t.Fatalf("Get-RemoteDomain: %d", r.Status)
	}
	if r := invoke(t, s, exoURL(s), tok, "New-RemoteDomain", map[string]any{"Name": "Fabrikam", "DomainName": "fabrikam.com"}); r.Status != 200 {
		t.Fatalf("New-RemoteDomain: %d", r.Status)
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Set-RemoteDomain", map[string]any{"Identity": "Fabrikam", "AutoForwardEnabled": false}); err != nil {
		t.Fatal(err)
	}
	gtok := token(t, s, DemoAdminAppID, AudienceGraph)
	policy := `{"displayName":"Require MFA","state":"disabled","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]},"clientAppTypes":["all"]},"grantControls":{"operator":"OR","builtInControls":["mfa"]}}`
	for _, m := range []string{"GET", "POST"} {
		body := ""
		if m == "POST" {
			body = policy
		}
		req, _ := http.NewRequest(m, s.URL()+"/v1.0/identity/conditionalAccess/policies", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+gtok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := testClient(s).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	mu.Lock()
	got := append([]WriteEvent(nil), seen...)
	mu.Unlock()
	want := []WriteEvent{
		{Tenant: DemoTenantID, Endpoint: EndpointExchange, Op: "New-RemoteDomain"},
		{Tenant: DemoTenantID, Endpoint: EndpointGraph, Op: "POST /v1.0/identity/conditionalAccess/policies"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("observed %+v, want %+v", got, want)
	}

	// Held by the observer while the client gives up: the write still runs.
	hold := make(chan struct{})
	s.ObserveWrites(func(WriteEvent) { <-hold })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	b, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": "New-RemoteDomain", "Parameters": map[string]any{"Name": "Woodgrove", "DomainName": "woodgrove.com"}}})
	req, _ := http.NewRequestWithContext(ctx, "POST", exoURL(s), bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := testClient(s).Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the held request answered %d before the client gave up", resp.StatusCode)
	}
	s.ObserveWrites(nil)
	close(hold)
	deadline := time.Now().Add(5 * time.Second)
	for !remoteDomainExists(t, s, "Woodgrove") {
		if time.Now().After(deadline) {
			t.Fatal("the write the client hung up on did not run")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
