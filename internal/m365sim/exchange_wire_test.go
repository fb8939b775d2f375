package m365sim

import (
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawClient does not decompress: it sees the bytes the server sent.
func rawClient(s *Server) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CAPEM())
	return &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// rawAnswer is a response read to the end.
type rawAnswer struct {
	StatusCode int
	Header     http.Header
}

func rawInvoke(t *testing.T, s *Server, url, tok, anchor, cmdlet string, params map[string]any, hdr map[string]string) (rawAnswer, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if anchor != "" {
		req.Header.Set("X-AnchorMailbox", anchor)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := rawClient(s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawAnswer{StatusCode: resp.StatusCode, Header: resp.Header}, b
}

func orgAnchor() string     { return "UPN:" + orgSystemMailbox + "@" + DemoDomain }
func genericAnchor() string { return "APP:" + genericSystemMailbox + "@" + DemoTenantID }

// Exchange's 403 for an unknown cmdlet or one the role does not grant is a
// run of NUL bytes labelled gzip; Security & Compliance answers JSON naming
// the cmdlet.
func TestExchangeForbiddenBody(t *testing.T) {
	s := startTest(t)
	cases := []struct{ name, app, cmdlet string }{
		{"unknown cmdlet", DemoAdminAppID, "Get-Nothing"},
		{"role does not grant it", DemoReaderAppID, "Set-OrganizationConfig"},
		{"no Exchange role at all", DemoNoRoleAppID, "Get-OrganizationConfig"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, b := rawInvoke(t, s, exoURL(s), token(t, s, c.app, AudienceExchange), orgAnchor(), c.cmdlet, map[string]any{"AuditDisabled": false}, nil)
			if resp.StatusCode != 403 || resp.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("status %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
			}
			if len(b) == 0 || len(bytes.Trim(b, "\x00")) != 0 {
				t.Fatalf("body %q is not a run of NUL bytes", b)
			}
			if _, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
				t.Fatal("the body is readable gzip")
			}
		})
	}
	// Go's own transport decompresses and fails on it: the status is all a
	// client has.
	r := invoke(t, s, exoURL(s), token(t, s, DemoAdminAppID, AudienceExchange), "Get-Nothing", nil)
	if r.Status != 403 || !r.Unreadable {
		t.Fatalf("default transport: %d unreadable=%v", r.Status, r.Unreadable)
	}
	// Security & Compliance: JSON naming the cmdlet.
	resp, b := rawInvoke(t, s, sccRegionalURL(s), token(t, s, DemoAdminAppID, AudienceCompliance), "", "Get-Nothing", nil, nil)
	var eb struct {
		Error struct {
			Code    string `json:"code"`
			Details []struct {
				Message string `json:"message"`
			} `json:"details"`
		} `json:"error"`
	}
	if resp.StatusCode != 403 || resp.Header.Get("Content-Encoding") != "" || json.Unmarshal(b, &eb) != nil || eb.Error.Code != "Forbidden" ||
		len(eb.Error.Details) == 0 || !strings.Contains(eb.Error.Details[0].Message, "'Get-Nothing'") {
		t.Fatalf("compliance 403: %d %s", resp.StatusCode, b)
	}
}

func TestInvokeSuccessEnvelope(t *testing.T) {
	s := startTest(t)
	tok := token(t, s, DemoAdminAppID, AudienceExchange)
	// The tenant as sent (a domain here) qualifies @odata.context.
	url := s.URL() + "/exo/adminapi/beta/" + DemoDomain + "/InvokeCommand"
	resp, b := rawInvoke(t, s, url, tok, orgAnchor(), "Get-OrganizationConfig", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if got := out["@odata.context"]; got != "https://outlook.office.com/adminapi/beta/"+DemoDomain+"/$metadata#Collection(Exchange.GenericHashTable)" {
		t.Errorf("@odata.context %v", got)
	}
	if out["adminapi.warnings@odata.type"] != "#Collection(String)" {
		t.Errorf("warnings annotation %v", out["adminapi.warnings@odata.type"])
	}
	if w, ok := out["@adminapi.warnings"].([]any); !ok || len(w) != 0 {
		t.Errorf("@adminapi.warnings %v", out["@adminapi.warnings"])
	}
	values, _ := out["value"].([]any)
	if len(values) != 1 {
		t.Fatalf("value %v", out["value"])
	}
	org, _ := values[0].(map[string]any)
	if org["WhenCreated@data.type"] != "System.DateTime" || org["DLPWaitOnSendTimeout@odata.type"] != "#Int16" {
		t.Errorf("scalar annotations: %v %v", org["WhenCreated@data.type"], org["DLPWaitOnSendTimeout@odata.type"])
	}
	if _, ok := org["AuditDisabled@odata.type"]; ok {
		t.Error("a Boolean is annotated")
	}
	h := resp.Header
	if h.Get("Odata-Version") != "4.0" || h.Get("Preference-Applied") != `odata.include-annotations="*"` || h.Get("Rate-Limit-Limit") != "30000" {
		t.Errorf("headers %v", h)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(h.Get("Rate-Limit-Reset")) {
		t.Errorf("Rate-Limit-Reset %q has no milliseconds", h.Get("Rate-Limit-Reset"))
	}
	first, _ := strconv.Atoi(h.Get("Rate-Limit-Remaining"))
	resp, _ = rawInvoke(t, s, url, tok, orgAnchor(), "Get-OrganizationConfig", nil, nil)
	if n, _ := strconv.Atoi(resp.Header.Get("Rate-Limit-Remaining")); n != first-1 {
		t.Errorf("Rate-Limit-Remaining %d after %d: it does not count down", n, first)
	}
	// Collections are annotated; gzip when the client accepts it.
	if _, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "ann@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	resp, b = rawInvoke(t, s, exoURL(s), tok, "UPN:ann@contoso.com", "Get-Mailbox", map[string]any{"Identity": "ann@contoso.com"}, map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("not compressed: %v", resp.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !strings.Contains(string(plain), `"AuditAdmin@odata.type":"#Collection(String)"`) || !strings.Contains(string(plain), `"WhenCreated@data.type":"System.DateTime"`) {
		t.Fatalf("mailbox annotations missing: %s", plain)
	}
}

func TestInvokeRateLimit(t *testing.T) {
	s := startTest(t)
	s.SetExchangeRateLimit(3, 400*time.Millisecond)
	tok := token(t, s, DemoAdminAppID, AudienceExchange)
	for want := 2; want >= 0; want-- {
		r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil)
		if r.Status != 200 || r.Header.Get("Rate-Limit-Remaining") != strconv.Itoa(want) || r.Header.Get("Rate-Limit-Limit") != "3" {
			t.Fatalf("status %d remaining %q, want %d", r.Status, r.Header.Get("Rate-Limit-Remaining"), want)
		}
	}
	r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil)
	if r.Status != 429 || r.Header.Get("Retry-After") == "" || r.Header.Get("Rate-Limit-Reason") == "" || r.Error.Code != "TooManyRequests" {
		t.Fatalf("at 0: %d %v %+v", r.Status, r.Header, r.Error)
	}
	// The budget is per app: another app is not throttled.
	if r := invoke(t, s, exoURL(s), token(t, s, DemoReaderAppID, AudienceExchange), "Get-OrganizationConfig", nil); r.Status != 200 || r.Header.Get("Rate-Limit-Remaining") != "2" {
		t.Fatalf("reader: %d %q", r.Status, r.Header.Get("Rate-Limit-Remaining"))
	}
	time.Sleep(450 * time.Millisecond)
	if r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil); r.Status != 200 || r.Header.Get("Rate-Limit-Remaining") != "2" {
		t.Fatalf("new window: %d %q", r.Status, r.Header.Get("Rate-Limit-Remaining"))
	}
}

func TestAnchorRouting(t *testing.T) {
	s := startTest(t)
	tok := token(t, s, DemoAdminAppID, AudienceExchange)
	ann, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "ann@contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "bob@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	guid := asString(ann["Guid"])
	enable := map[string]any{"UnifiedAuditLogIngestionEnabled": true}
	disable := map[string]any{"UnifiedAuditLogIngestionEnabled": false}
	cases := []struct {
		name, anchor, cmdlet string
		params               map[string]any
		proxy                bool // CmdletProxyNotAvailableException
	}{
		{"disabling ingestion, generic anchor", genericAnchor(), "Set-AdminAuditLogConfig", disable, false},
		{"enabling ingestion, generic anchor", genericAnchor(), "Set-AdminAuditLogConfig", enable, true},
		{"enabling ingestion, no anchor", "", "Set-AdminAuditLogConfig", enable, true},
		{"enabling ingestion, a user's anchor", "UPN:ann@contoso.com", "Set-AdminAuditLogConfig", enable, true},
		{"enabling ingestion, org mailbox on another domain", "UPN:" + orgSystemMailbox + "@contoso.com", "Set-AdminAuditLogConfig", enable, true},
		{"enabling ingestion, org mailbox by UPN", orgAnchor(), "Set-AdminAuditLogConfig", enable, false},
		{"enabling ingestion, org mailbox by app", "APP:" + orgSystemMailbox + "@" + DemoTenantID, "Set-AdminAuditLogConfig", enable, false},
		{"org config, org anchor", orgAnchor(), "Get-OrganizationConfig", nil, false},
		{"org config, generic anchor", genericAnchor(), "Set-OrganizationConfig", map[string]any{"AuditDisabled": false}, false},
		{"inbox rules, the mailbox's UPN", "UPN:ann@contoso.com", "Get-InboxRule", map[string]any{"Mailbox": "ann@contoso.com"}, false},
		{"inbox rules by GUID, the mailbox's UPN", "UPN:ann@contoso.com", "Get-InboxRule", map[string]any{"Mailbox": guid}, false},
		{"inbox rules, generic anchor", genericAnchor(), "Get-InboxRule", map[string]any{"Mailbox": "ann@contoso.com"}, true},
		{"inbox rules, the GUID as anchor", "UPN:" + guid, "Get-InboxRule", map[string]any{"Mailbox": guid}, true},
		{"one mailbox, its UPN (case aside)", "UPN:ANN@contoso.com", "Get-Mailbox", map[string]any{"Identity": guid}, false},
		{"one mailbox, another mailbox's UPN", "UPN:bob@contoso.com", "Set-Mailbox", map[string]any{"Identity": "ann", "AuditEnabled": true}, true},
		{"one mailbox, org anchor", orgAnchor(), "Get-Mailbox", map[string]any{"Identity": "ann@contoso.com"}, true},
		{"all mailboxes, generic anchor", genericAnchor(), "Get-Mailbox", map[string]any{"ResultSize": "Unlimited"}, false},
		{"a missing mailbox: the cmdlet's own 404", genericAnchor(), "Get-Mailbox", map[string]any{"Identity": "ghost@contoso.com"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := invokeAnchored(t, s, exoURL(s), tok, c.anchor, c.cmdlet, c.params)
			isProxy := r.Status == 400 && len(r.Error.Details) > 0 && strings.HasPrefix(r.Error.Details[0].Message, "|Microsoft.Exchange.Configuration.Tasks.CmdletProxyNotAvailableException|Cmdlet needs proxy. Current Server FQDN : ")
			if isProxy != c.proxy {
				t.Fatalf("status %d %+v, want proxy error %v", r.Status, r.Error, c.proxy)
			}
			if c.proxy && (!strings.HasPrefix(r.Error.Message, "Cmdlet needs proxy.") || !regexp.MustCompile(`Required Server FQDN : [A-Z]{2}\dP\d{3}MB\d{4}\.EURP\d{3}\.PROD\.OUTLOOK\.COM$`).MatchString(r.Error.Message)) {
				t.Fatalf("message %q", r.Error.Message)
			}
			if !c.proxy && r.Status >= 400 && r.Status != 404 {
				t.Fatalf("status %d %+v", r.Status, r.Error)
			}
		})
	}
}

func TestDehydratedTenant(t *testing.T) {
	s := startTest(t)
	if err := s.SetDehydrated(DemoTenantID, true, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if _, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "ann@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	tok := token(t, s, DemoAdminAppID, AudienceExchange)
	refused := func(cmdlet string, params map[string]any) {
		t.Helper()
		r := invoke(t, s, exoURL(s), tok, cmdlet, params)
		if r.Status != 400 || len(r.Error.Details) == 0 || !strings.Contains(r.Error.Details[0].Message, "InvalidOperationInDehydratedContextException") ||
			!strings.Contains(r.Error.Details[0].Message, "you first need to run the command: Enable-OrganizationCustomization") {
			t.Fatalf("%s on a dehydrated tenant: %d %+v", cmdlet, r.Status, r.Error)
		}
	}
	if r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil); r.Value[0]["IsDehydrated"] != true {
		t.Fatalf("IsDehydrated %v", r.Value[0]["IsDehydrated"])
	}
	refused("Set-OrganizationConfig", map[string]any{"AuditDisabled": true})
	refused("Set-AdminAuditLogConfig", map[string]any{"UnifiedAuditLogIngestionEnabled": true})
	refused("New-RemoteDomain", map[string]any{"Name": "Fabrikam", "DomainName": "fabrikam.com"})
	// Per-mailbox writes are not organization-level.
	if r := invoke(t, s, exoURL(s), tok, "Set-Mailbox", map[string]any{"Identity": "ann@contoso.com", "AuditEnabled": true}); r.Status != 200 {
		t.Fatalf("Set-Mailbox: %d %+v", r.Status, r.Error)
	}
	if r := invoke(t, s, exoURL(s), tok, "Enable-OrganizationCustomization", nil); r.Status != 200 {
		t.Fatalf("Enable-OrganizationCustomization: %d %+v", r.Status, r.Error)
	}
	notRequired := func() {
		t.Helper()
		r := invoke(t, s, exoURL(s), tok, "Enable-OrganizationCustomization", nil)
		if r.Status != 400 || !strings.Contains(r.Error.Details[0].Message, "InvalidOperationException|This operation is not required. Organization is already enabled for customization.") {
			t.Fatalf("second run: %d %+v", r.Status, r.Error)
		}
	}
	notRequired()
	// It takes a while to take effect.
	refused("Set-OrganizationConfig", map[string]any{"AuditDisabled": true})
	time.Sleep(350 * time.Millisecond)
	if r := invoke(t, s, exoURL(s), tok, "Get-OrganizationConfig", nil); r.Value[0]["IsDehydrated"] != false {
		t.Fatalf("IsDehydrated after hydration %v", r.Value[0]["IsDehydrated"])
	}
	if r := invoke(t, s, exoURL(s), tok, "Set-OrganizationConfig", map[string]any{"AuditDisabled": true}); r.Status != 200 {
		t.Fatalf("write after hydration: %d %+v", r.Status, r.Error)
	}
	notRequired()
}

// The regional Security & Compliance host is another origin; the global
// paths do not serve it.
func TestComplianceRegionalOrigin(t *testing.T) {
	s := startTest(t)
	tok := token(t, s, DemoAdminAppID, AudienceCompliance)
	if s.RegionalURL() == s.URL() || !strings.HasPrefix(s.RegionalURL(), "https://127.0.0.1:") {
		t.Fatalf("regional %s, global %s", s.RegionalURL(), s.URL())
	}
	r := invoke(t, s, s.URL()+"/scc/adminapi/beta/"+DemoTenantID+"/InvokeCommand?$select=Name", tok, "Get-ProtectionAlert", nil)
	if r.Status != 302 || r.Location != s.RegionalURL()+"/adminapi/beta/"+DemoTenantID+"/InvokeCommand?$select=Name" {
		t.Fatalf("%d %q", r.Status, r.Location)
	}
	if r := invoke(t, s, r.Location, tok, "Get-ProtectionAlert", nil); r.Status != 200 || len(r.Value) == 0 {
		t.Fatalf("regional: %d", r.Status)
	}
	// The regional origin serves nothing else.
	resp, err := testClient(s).Get(s.RegionalURL() + "/v1.0/organization")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("Graph on the regional origin: %d", resp.StatusCode)
	}
}
