package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// The CLI drives the control surface of a running emulator: faults after
// apply, by method and path, by probability; token expiry; the rate limit;
// a dehydrated tenant.
func TestControlCommands(t *testing.T) {
	dir := t.TempDir()
	s, err := m365sim.Start(m365sim.Options{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	tok, _, err := s.IssueAccessToken(m365sim.DemoTenantID, m365sim.DemoAdminAppID, m365sim.AudienceExchange)
	if err != nil {
		t.Fatal(err)
	}
	preToken = tok
	run := func(cmd string, args ...string) error {
		return control(cmd, append([]string{"--state-dir", dir}, args...))
	}
	for _, args := range [][]string{
		{"--endpoint", "exchange", "--cmdlet", "New-TransportRule", "--status", "503", "--times", "1", "--after-apply"},
		{"--endpoint", "graph", "--method", "POST", "--path", "/identity/conditionalAccess/policies", "--status", "503", "--after-apply"},
		{"--endpoint", "exchange", "--cmdlet", "Get-AcceptedDomain", "--status", "429", "--retry-after", "2", "--probability", "0.3"},
		{"--endpoint", "graph", "--path", "/organization", "--mode", "drop", "--after-apply", "--times", "1"},
		{"--endpoint", "exchange", "--cmdlet", "New-RemoteDomain", "--warning", "takes an hour"},
	} {
		if err := run("fault", args...); err != nil {
			t.Fatalf("fault %v: %v", args, err)
		}
	}
	for _, bad := range [][]string{
		{"--endpoint", "graph", "--cmdlet", "New-TransportRule", "--status", "503"},
		{"--endpoint", "exchange", "--path", "/organization", "--status", "503"},
		{"--endpoint", "exchange", "--status", "503", "--probability", "1.5"},
		{"--endpoint", "exchange", "--mode", "slow"},
		{"--endpoint", "exchange"},
	} {
		if err := run("fault", bad...); err == nil {
			t.Fatalf("fault %v accepted", bad)
		}
	}
	if err := run("ratelimit", "--limit", "100", "--window", "1m"); err != nil {
		t.Fatal(err)
	}
	if err := run("dehydrate", "--hydration-delay", "1s"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Invoke(m365sim.DemoTenantID, m365sim.EndpointExchange, "Get-OrganizationConfig", nil)
	if err != nil || got[0]["IsDehydrated"] != true {
		t.Fatalf("dehydrate: %v %v", got, err)
	}
	// The after-apply fault is in place: New-TransportRule is applied and
	// answered 503.
	if err := run("dehydrate", "--dehydrated=false"); err != nil {
		t.Fatal(err)
	}
	status := invoke(t, s, "New-TransportRule", map[string]any{"Name": "Block auto-forward", "MessageTypeMatches": "AutoForward", "RejectMessageReasonText": "No."})
	if status != 503 {
		t.Fatalf("New-TransportRule answered %d, want the after-apply 503", status)
	}
	if _, err := s.Invoke(m365sim.DemoTenantID, m365sim.EndpointExchange, "Get-TransportRule", map[string]any{"Identity": "Block auto-forward"}); err != nil {
		t.Fatalf("the rule was not applied: %v", err)
	}
	if err := run("tokens", "--expire-next", "1", "--valid-for", "2s"); err != nil {
		t.Fatal(err)
	}
	if err := run("tokens", "--expire-issued"); err != nil {
		t.Fatal(err)
	}
	if err := run("tokens"); err == nil {
		t.Fatal("tokens without an action accepted")
	}
	if err := run("clear"); err != nil {
		t.Fatal(err)
	}
	if status := invoke(t, s, "Get-OrganizationConfig", nil); status != 401 {
		t.Fatalf("tokens --expire-issued: a token issued before answered %d", status)
	}
}

var preToken string

// invoke posts one InvokeCommand with a token issued when the test began.
func invoke(t *testing.T, s *m365sim.Server, cmdlet string, params map[string]any) int {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CAPEM())
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	body, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	req, _ := http.NewRequest("POST", s.Endpoints()[m365sim.EndpointExchange]+"/adminapi/beta/"+m365sim.DemoTenantID+"/InvokeCommand", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+preToken)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The latency command turns the per-endpoint latency model on and off; the
// outlook-throttle command sets Outlook's per-app, per-mailbox limits and
// restores Microsoft's with no flags.
func TestLatencyAndOutlookThrottleCommands(t *testing.T) {
	dir := t.TempDir()
	s, err := m365sim.Start(m365sim.Options{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	objs, err := m365sim.SeedMailboxes(s, m365sim.DemoTenantID, m365sim.MailboxSeed{Count: 1, Domain: "contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.GrantAppPermission(m365sim.DemoTenantID, m365sim.DemoAdminAppID, "MailboxSettings.Read"); err != nil {
		t.Fatal(err)
	}
	if preToken, _, err = s.IssueAccessToken(m365sim.DemoTenantID, m365sim.DemoAdminAppID, m365sim.AudienceExchange); err != nil {
		t.Fatal(err)
	}
	graphToken, _, err := s.IssueAccessToken(m365sim.DemoTenantID, m365sim.DemoAdminAppID, m365sim.AudienceGraph)
	if err != nil {
		t.Fatal(err)
	}
	run := func(cmd string, args ...string) error {
		return control(cmd, append([]string{"--state-dir", dir}, args...))
	}
	for _, bad := range [][]string{{"--dist", "exchange"}, {"--dist", "exchange=fast"}, {"--dist", "exchange=300ms,100ms"}, {"--dist", "=300ms"}, {"--scale", "0"}} {
		if err := run("latency", bad...); err == nil {
			t.Errorf("latency %v accepted", bad)
		}
	}
	// A constant 400 ms on Exchange (no 95th percentile: no spread).
	if err := run("latency", "--dist", "exchange=400ms"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if status := invoke(t, s, "Get-OrganizationConfig", nil); status != 200 {
		t.Fatalf("Get-OrganizationConfig: %d", status)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("with 400 ms of Exchange latency the call took %s", d)
	}
	if err := run("latency", "--realistic", "--scale", "0.01", "--seed", "7", "--dist", "graph /v1.0/$batch=1ms,2ms"); err != nil {
		t.Fatal(err)
	}
	if err := run("latency"); err != nil {
		t.Fatal(err)
	}

	rules := func() int {
		t.Helper()
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(s.CAPEM())
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
		req, _ := http.NewRequest("GET", s.Endpoints()[m365sim.EndpointGraph]+"/v1.0/users/"+objs[0]["UserPrincipalName"].(string)+"/mailFolders/inbox/messageRules", nil)
		req.Header.Set("Authorization", "Bearer "+graphToken)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if err := run("outlook-throttle", "--requests", "1", "--window", "1h"); err != nil {
		t.Fatal(err)
	}
	if first, second := rules(), rules(); first != 200 || second != 429 {
		t.Errorf("one request per hour per mailbox: %d then %d, want 200 then 429", first, second)
	}
	if err := run("outlook-throttle", "--concurrent", "-1"); err == nil {
		t.Error("a negative limit accepted")
	}
	// No flags: Microsoft's limits again, with a new window.
	if err := run("outlook-throttle"); err != nil {
		t.Fatal(err)
	}
	if code := rules(); code != 200 {
		t.Errorf("after restoring the limits: %d", code)
	}
}
