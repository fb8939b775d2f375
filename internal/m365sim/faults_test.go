package m365sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func remoteDomainExists(t *testing.T, s *Server, name string) bool {
	t.Helper()
	_, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-RemoteDomain", map[string]any{"Identity": name})
	return err == nil
}

// An after-apply fault runs the request, then replaces the answer.
func TestFaultAfterApplyExchange(t *testing.T) {
	s := startTest(t)
	tok := token(t, s, DemoAdminAppID, AudienceExchange)
	s.InjectFault(Fault{Endpoint: EndpointExchange, Match: "New-RemoteDomain", Status: 503, AfterApply: true, Times: 1})
	r := invoke(t, s, exoURL(s), tok, "New-RemoteDomain", map[string]any{"Name": "Fabrikam", "DomainName": "fabrikam.com"})
	if r.Status != 503 || r.Error.Code != "ServiceUnavailable" {
		t.Fatalf("%d %+v", r.Status, r.Error)
	}
	if !remoteDomainExists(t, s, "Fabrikam") {
		t.Fatal("the failed New-RemoteDomain was not applied")
	}
	if s.Stats().AfterApply(EndpointExchange) != 1 {
		t.Fatalf("after-apply count %d", s.Stats().AfterApply(EndpointExchange))
	}
	// Used up; other cmdlets never matched.
	if r := invoke(t, s, exoURL(s), tok, "New-RemoteDomain", map[string]any{"Name": "Tailspin", "DomainName": "tailspin.com"}); r.Status != 200 {
		t.Fatalf("second New: %d", r.Status)
	}

	// A dropped connection: the client gets no answer, the change is made.
	s.InjectFault(Fault{Endpoint: EndpointExchange, Match: "New-RemoteDomain", Mode: FaultModeDrop, AfterApply: true, Times: 1})
	body, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": "New-RemoteDomain", "Parameters": map[string]any{"Name": "Woodgrove", "DomainName": "woodgrove.com"}}})
	req, _ := http.NewRequest("POST", exoURL(s), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := testClient(s).Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped connection answered %d", resp.StatusCode)
	}
	if !remoteDomainExists(t, s, "Woodgrove") {
		t.Fatal("the dropped New-RemoteDomain was not applied")
	}

	// A timeout: the connection hangs, then closes without an answer.
	s.InjectFault(Fault{Endpoint: EndpointExchange, Match: "Set-RemoteDomain", Mode: FaultModeTimeout, HoldFor: 300 * time.Millisecond, AfterApply: true, Times: 1})
	body, _ = json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": "Set-RemoteDomain", "Parameters": map[string]any{"Identity": "Woodgrove", "AutoForwardEnabled": false}}})
	req, _ = http.NewRequest("POST", exoURL(s), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	start := time.Now()
	if resp, err := testClient(s).Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("timed-out request answered %d", resp.StatusCode)
	}
	if time.Since(start) < 300*time.Millisecond {
		t.Fatalf("the connection closed after %s, before the hold", time.Since(start))
	}
	got, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-RemoteDomain", map[string]any{"Identity": "Woodgrove"})
	if err != nil || got[0]["AutoForwardEnabled"] != false {
		t.Fatalf("the timed-out Set was not applied: %v %v", got, err)
	}
}

func TestFaultAfterApplyGraphByMethod(t *testing.T) {
	s := startTest(t)
	tok := token(t, s, DemoAdminAppID, AudienceGraph)
	s.InjectFault(Fault{Endpoint: EndpointGraph, Method: "POST", Match: "/identity/conditionalAccess/policies", Status: 503, AfterApply: true})
	do := func(method, body string) int {
		req, _ := http.NewRequest(method, s.URL()+"/v1.0/identity/conditionalAccess/policies", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := testClient(s).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	policy := `{"displayName":"Require MFA","state":"disabled","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]},"clientAppTypes":["all"]},"grantControls":{"operator":"OR","builtInControls":["mfa"]}}`
	if got := do("POST", policy); got != 503 {
		t.Fatalf("POST: %d", got)
	}
	if got := do("GET", ""); got != 200 {
		t.Fatalf("GET is not matched by a POST fault: %d", got)
	}
	code, body, err := s.GraphRequest(DemoTenantID, "GET", "/identity/conditionalAccess/policies", nil)
	if err != nil || code != 200 || !strings.Contains(string(body), "Require MFA") {
		t.Fatalf("the failed POST was not applied: %d %s", code, body)
	}
}

func TestFaultProbability(t *testing.T) {
	s := startTest(t)
	s.SeedFaults(7)
	s.InjectFault(Fault{Endpoint: EndpointExchange, Match: "Get-OrganizationConfig", Status: 503, Probability: 0.3})
	tok := token(t, s, DemoAdminAppID, AudienceExchange)
	const n = 200
	failed := 0
	for i := 0; i < n; i++ {
		if r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil); r.Status == 503 {
			failed++
		}
	}
	// 0.3 of 200 is 60; a binomial with that mean stays within ±25.
	if failed < 35 || failed > 85 {
		t.Fatalf("%d of %d failed with probability 0.3", failed, n)
	}
	// Times bounds a probabilistic fault.
	s.ClearFaults()
	s.InjectFault(Fault{Endpoint: EndpointExchange, Status: 503, Probability: 0.5, Times: 3})
	failed = 0
	for i := 0; i < 60; i++ {
		if r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil); r.Status == 503 {
			failed++
		}
	}
	if failed != 3 {
		t.Fatalf("%d failures, want Times = 3", failed)
	}
}

func TestFaultWarning(t *testing.T) {
	s := startTest(t)
	s.InjectFault(Fault{Endpoint: EndpointExchange, Match: "New-RemoteDomain", Warning: "The remote domain was created but takes a while to apply.", Times: 1})
	r := invokeWarn(t, s, exoURL(s), token(t, s, DemoAdminAppID, AudienceExchange), "New-RemoteDomain", map[string]any{"Name": "Fabrikam", "DomainName": "fabrikam.com"})
	if len(r.Warnings) != 1 || r.Warnings[0] != "The remote domain was created but takes a while to apply." {
		t.Fatalf("warnings %v", r.Warnings)
	}
}

func TestTokenExpiryControls(t *testing.T) {
	s := startTest(t)
	exo := token(t, s, DemoAdminAppID, AudienceExchange)
	graphTok := token(t, s, DemoAdminAppID, AudienceGraph)
	graphGet := func(tok string) (int, string) {
		req, _ := http.NewRequest("GET", s.URL()+"/v1.0/organization", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := testClient(s).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	s.ExpireTokens()
	r := invoke(t, s, exoURL(s), exo, "Get-OrganizationConfig", nil)
	if r.Status != 401 || !strings.Contains(r.Header.Get("WWW-Authenticate"), `error="invalid_token"`) || !strings.Contains(r.Header.Get("WWW-Authenticate"), "expired") {
		t.Fatalf("exchange with an expired token: %d %q", r.Status, r.Header.Get("WWW-Authenticate"))
	}
	if code, body := graphGet(graphTok); code != 401 || !strings.Contains(body, "InvalidAuthenticationToken") || !strings.Contains(body, "the token is expired") {
		t.Fatalf("graph with an expired token: %d %s", code, body)
	}
	// A token issued afterwards works.
	if r := invoke(t, s, exoURL(s), token(t, s, DemoAdminAppID, AudienceExchange), "Get-OrganizationConfig", nil); r.Status != 200 {
		t.Fatalf("fresh token: %d", r.Status)
	}
	// The next token stops working at once; the one after is fine.
	s.ExpireNextTokens(1, 0)
	if r := invoke(t, s, exoURL(s), token(t, s, DemoAdminAppID, AudienceExchange), "Get-OrganizationConfig", nil); r.Status != 401 {
		t.Fatalf("shortened token: %d", r.Status)
	}
	if r := invoke(t, s, exoURL(s), token(t, s, DemoAdminAppID, AudienceExchange), "Get-OrganizationConfig", nil); r.Status != 200 {
		t.Fatalf("token after the shortened one: %d", r.Status)
	}
}

// Every control is reachable over /_sim with the admin key.
func TestControlSurfaceFaultsTokensRateLimitDehydration(t *testing.T) {
	s := startTest(t)
	ctl := func(method, path, body string) int {
		req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.AdminKey())
		resp, err := testClient(s).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tok := token(t, s, DemoAdminAppID, AudienceExchange)
	if c := ctl("POST", "/_sim/faults", `{"endpoint":"exchange","match":"Set-OrganizationConfig","status":503,"after_apply":true,"times":1}`); c != 204 {
		t.Fatalf("faults: %d", c)
	}
	if r := invoke(t, s, exoURL(s), tok, "Set-OrganizationConfig", map[string]any{"AuditDisabled": true}); r.Status != 503 {
		t.Fatalf("after-apply over /_sim: %d", r.Status)
	}
	if got, _ := s.Invoke(DemoTenantID, EndpointExchange, "Get-OrganizationConfig", nil); got[0]["AuditDisabled"] != true {
		t.Fatal("the Set was not applied")
	}
	if c := ctl("POST", "/_sim/faults", `{"endpoint":"exchange","bogus":1}`); c != 400 {
		t.Fatalf("unknown fault field: %d", c)
	}
	if c := ctl("POST", "/_sim/ratelimit", `{"limit":1,"window_seconds":60}`); c != 204 {
		t.Fatalf("ratelimit: %d", c)
	}
	invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil)
	if r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil); r.Status != 429 {
		t.Fatalf("rate limit over /_sim: %d", r.Status)
	}
	if c := ctl("POST", "/_sim/ratelimit", `{"limit":0}`); c != 204 {
		t.Fatalf("ratelimit reset: %d", c)
	}
	if c := ctl("POST", "/_sim/tokens", `{"expire_issued":true}`); c != 204 {
		t.Fatalf("tokens: %d", c)
	}
	if r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil); r.Status != 401 {
		t.Fatalf("token expiry over /_sim: %d", r.Status)
	}
	if c := ctl("POST", "/_sim/tenants/"+DemoDomain+"/dehydrated", `{"dehydrated":true,"hydration_delay_seconds":-1}`); c != 204 {
		t.Fatalf("dehydrated: %d", c)
	}
	tok = token(t, s, DemoAdminAppID, AudienceExchange)
	if r := invoke(t, s, exoURL(s), tok, "Set-OrganizationConfig", map[string]any{"AuditDisabled": false}); r.Status != 400 {
		t.Fatalf("dehydrated over /_sim: %d", r.Status)
	}
	// A negative delay: Enable-OrganizationCustomization takes effect at once.
	if r := invoke(t, s, exoURL(s), tok, "Enable-OrganizationCustomization", nil); r.Status != 200 {
		t.Fatalf("enable: %d", r.Status)
	}
	if r := invoke(t, s, exoURL(s), tok, "Set-OrganizationConfig", map[string]any{"AuditDisabled": false}); r.Status != 200 {
		t.Fatalf("after hydration: %d %+v", r.Status, r.Error)
	}
}
