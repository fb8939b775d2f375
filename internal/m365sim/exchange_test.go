package m365sim

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func startTest(t *testing.T) *Server {
	t.Helper()
	s, err := Start(Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func testClient(s *Server) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CAPEM())
	return &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func token(t *testing.T, s *Server, appID, audience string) string {
	t.Helper()
	tn := s.Tenant(DemoTenantID)
	tok, _, err := s.issueToken(tn, tn.App(appID), audience)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type invokeResult struct {
	Status   int
	Value    []map[string]any `json:"value"`
	NextLink string           `json:"@odata.nextLink"`
	Error    struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Message string `json:"message"`
		} `json:"details"`
	} `json:"error"`
	Location string
	Header   http.Header
	// Unreadable is set when the body could not be read or decoded (the
	// Exchange 403: NUL bytes labelled gzip).
	Unreadable bool
}

// invoke calls InvokeCommand as a well-behaved client: mailbox-content
// cmdlets are anchored on the mailbox's UPN, the others on the
// organization system mailbox.
func invoke(t *testing.T, s *Server, url, tok, cmdlet string, params map[string]any) invokeResult {
	t.Helper()
	return invokeAnchored(t, s, url, tok, wellRoutedAnchor(s, cmdlet, params), cmdlet, params)
}

func wellRoutedAnchor(s *Server, cmdlet string, params map[string]any) string {
	tn := s.Tenant(DemoTenantID)
	if p, ok := mailboxContentCmdlets[strings.ToLower(cmdlet)]; ok {
		if id, _ := params[p].(string); id != "" {
			if mb := lookupMailbox(tn, id, true); mb != nil {
				return "UPN:" + asString(mb["UserPrincipalName"])
			}
		}
	}
	return "UPN:" + orgSystemMailbox + "@" + tn.InitialDomain
}

// invokeAnchored calls InvokeCommand with an X-AnchorMailbox ("" = none).
func invokeAnchored(t *testing.T, s *Server, url, tok, anchor, cmdlet string, params map[string]any) invokeResult {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if anchor != "" {
		req.Header.Set("X-AnchorMailbox", anchor)
	}
	resp, err := testClient(s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out invokeResult
	if resp.StatusCode != http.StatusFound {
		b, rerr := io.ReadAll(resp.Body)
		if rerr != nil || json.Unmarshal(b, &out) != nil {
			if resp.StatusCode == 200 {
				t.Fatalf("%s: unreadable 200: %v %q", cmdlet, rerr, b)
			}
			out.Unreadable = true
		}
	}
	out.Status = resp.StatusCode
	out.Location = resp.Header.Get("Location")
	out.Header = resp.Header
	return out
}

func exoURL(s *Server) string {
	return s.URL() + "/exo/adminapi/beta/" + DemoTenantID + "/InvokeCommand"
}

func TestInvokeBindingAndErrors(t *testing.T) {
	s := startTest(t)
	tok := token(t, s, DemoAdminAppID, AudienceExchange)
	cases := []struct {
		name   string
		cmdlet string
		params map[string]any
		status int
		exc    string
	}{
		{"ok", "Get-OrganizationConfig", nil, 200, ""},
		// Bad values (no details) are tested with the full body in
		// binding_test.go.
		{"unknown parameter", "Set-OrganizationConfig", map[string]any{"NoSuchThing": true}, 400, "AmbiguousParameterSetException"},
		// Exchange's 403 has no readable body (TestExchangeForbiddenBody).
		{"unknown cmdlet", "Get-Nothing", nil, 403, ""},
		{"cmdlet on the other endpoint", "Get-ProtectionAlertX", nil, 403, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := invoke(t, s, exoURL(s), tok, c.cmdlet, c.params)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %+v", r.Status, c.status, r.Error)
			}
			if c.exc != "" && (len(r.Error.Details) == 0 || !strings.Contains(r.Error.Details[0].Message, c.exc)) {
				t.Fatalf("details %+v, want exception %s", r.Error.Details, c.exc)
			}
			if c.status != 200 && c.status != 403 && r.Error.Message == "" {
				t.Fatal("error without message")
			}
		})
	}
}

func TestInvokeRBAC(t *testing.T) {
	s := startTest(t)
	// No Exchange role at all.
	r := invoke(t, s, exoURL(s), token(t, s, DemoNoRoleAppID, AudienceExchange), "Get-OrganizationConfig", nil)
	if r.Status != 403 || !r.Unreadable {
		t.Fatalf("no role: %d %+v", r.Status, r.Error)
	}
	// Global Reader can read but not write.
	rt := token(t, s, DemoReaderAppID, AudienceExchange)
	if r := invoke(t, s, exoURL(s), rt, "Get-OrganizationConfig", nil); r.Status != 200 {
		t.Fatalf("reader get: %d", r.Status)
	}
	if r := invoke(t, s, exoURL(s), rt, "Set-OrganizationConfig", map[string]any{"AuditDisabled": true}); r.Status != 403 {
		t.Fatalf("reader set: %d", r.Status)
	}
	// A Graph token is refused by Exchange.
	if r := invoke(t, s, exoURL(s), token(t, s, DemoAdminAppID, AudienceGraph), "Get-OrganizationConfig", nil); r.Status != 401 {
		t.Fatalf("graph token on exchange: %d", r.Status)
	}
}

func TestInvokeComplianceRedirectAndIngestionQuirk(t *testing.T) {
	s := startTest(t)
	tok := token(t, s, DemoAdminAppID, AudienceCompliance)
	r := invoke(t, s, s.URL()+"/scc/adminapi/beta/"+DemoTenantID+"/InvokeCommand", tok, "Get-AdminAuditLogConfig", nil)
	if r.Status != 302 || !strings.HasPrefix(r.Location, s.RegionalURL()+"/adminapi/beta/") || strings.HasPrefix(r.Location, s.URL()) {
		t.Fatalf("want 302 to the regional origin, got %d %q", r.Status, r.Location)
	}
	r = invoke(t, s, r.Location, tok, "Get-AdminAuditLogConfig", nil)
	if r.Status != 200 || r.Value[0]["UnifiedAuditLogIngestionEnabled"] != false {
		t.Fatalf("compliance read: %d %+v", r.Status, r.Value)
	}
	r = invoke(t, s, exoURL(s), token(t, s, DemoAdminAppID, AudienceExchange), "Get-AdminAuditLogConfig", nil)
	if r.Value[0]["UnifiedAuditLogIngestionEnabled"] != true {
		t.Fatalf("exchange read: %+v", r.Value)
	}
}

func TestInvokeFaultsAndLag(t *testing.T) {
	s := startTest(t)
	tok := token(t, s, DemoAdminAppID, AudienceExchange)
	s.InjectFault(Fault{Endpoint: EndpointExchange, Match: "Get-OrganizationConfig", Status: 429, Retry: 2, Times: 1})
	r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil)
	if r.Status != 429 || r.Header.Get("Retry-After") != "2" {
		t.Fatalf("want 429 with Retry-After 2, got %d %q", r.Status, r.Header.Get("Retry-After"))
	}
	if r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil); r.Status != 200 {
		t.Fatalf("fault should be used up: %d", r.Status)
	}
	s.SetReplicationLag(EndpointExchange, 300*time.Millisecond)
	if r := invoke(t, s, exoURL(s), tok, "Set-OrganizationConfig", map[string]any{"AuditDisabled": true}); r.Status != 200 {
		t.Fatalf("set: %d %+v", r.Status, r.Error)
	}
	if r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil); r.Value[0]["AuditDisabled"] != false {
		t.Fatalf("read during lag should see the old value: %+v", r.Value[0]["AuditDisabled"])
	}
	time.Sleep(350 * time.Millisecond)
	if r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil); r.Value[0]["AuditDisabled"] != true {
		t.Fatalf("read after lag should see the new value: %+v", r.Value[0]["AuditDisabled"])
	}
	if got := s.Stats().Statuses(EndpointExchange, 429); got != 1 {
		t.Fatalf("429 count %d", got)
	}
}

func TestOutOfBandInvokeAndSnapshot(t *testing.T) {
	dir := t.TempDir()
	snap := dir + "/state.json"
	s, err := Start(Options{StateDir: dir, SnapshotPath: snap})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Set-OrganizationConfig", map[string]any{"AuditDisabled": true}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Start(Options{StateDir: t.TempDir(), SnapshotPath: snap})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	out, err := s2.Invoke(DemoTenantID, EndpointExchange, "Get-OrganizationConfig", nil)
	if err != nil || out[0]["AuditDisabled"] != true {
		t.Fatalf("state not restored from snapshot: %v %+v", err, out)
	}
}
