package m365sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func seedTest(t *testing.T, s *Server, spec MailboxSeed) []Object {
	t.Helper()
	objs, err := SeedMailboxes(s, DemoTenantID, spec)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestOPATHParser(t *testing.T) {
	mb := Object{"AuditEnabled": false, "RecipientTypeDetails": "SharedMailbox", "UserPrincipalName": "Ann@contoso.com",
		"EmailAddresses": []any{"SMTP:ann@contoso.com", "smtp:a@contoso.com"}, "ForwardingSmtpAddress": nil, "DisplayName": "Ann O'Neil"}
	cases := []struct {
		filter string
		want   bool
	}{
		{"AuditEnabled -eq $false", true},
		{"{AuditEnabled -eq $False}", true},
		{"auditenabled -eq 'False'", true},
		{"AuditEnabled -ne $false", false},
		{"RecipientTypeDetails -eq 'SharedMailbox' -and AuditEnabled -eq $false", true},
		{"RecipientTypeDetails -eq 'UserMailbox' -or AuditEnabled -eq $false", true},
		{"-not (AuditEnabled -eq $false)", false},
		{"-not(RecipientTypeDetails -eq 'UserMailbox') -and (UserPrincipalName -like 'ann@*')", true},
		{"EmailAddresses -eq 'smtp:a@contoso.com'", true},
		{"EmailAddresses -like '*@contoso.com'", true},
		{"ForwardingSmtpAddress -eq $null", true},
		{"ForwardingSmtpAddress -ne $null", false},
		{"DisplayName -eq 'Ann O''Neil'", true},
		{`DisplayName -eq "Ann O'Neil"`, true},
		{"UserPrincipalName -like '*@fabrikam.com'", false},
		{"(AuditEnabled -eq $true -or RecipientTypeDetails -eq 'SharedMailbox') -and -not (DisplayName -like 'Bob*')", true},
	}
	for _, c := range cases {
		e, err := parseOPATH(c.filter, mailboxFilterable)
		if err != nil {
			t.Fatalf("%s: %v", c.filter, err)
		}
		if got := e.eval(mb); got != c.want {
			t.Errorf("%s = %v, want %v", c.filter, got, c.want)
		}
	}
	for _, bad := range []string{"", "AuditEnabled", "AuditEnabled -eq", "NoSuchProp -eq 1", "AuditEnabled -eq $false -and", "(AuditEnabled -eq $false",
		"AuditEnabled -gt 1", "AuditEnabled -eq 'maybe'", "DisplayName -eq 'open", "AuditEnabled -like $true", "DisplayName -eq $x"} {
		if _, err := parseOPATH(bad, mailboxFilterable); err == nil || err.Status != 400 || !strings.Contains(err.Message, "Filter") {
			t.Errorf("%q: want a 400 binding error, got %v", bad, err)
		}
	}
}

func TestGetMailboxIdentityFilterAndPaging(t *testing.T) {
	s := startTest(t)
	seedTest(t, s, MailboxSeed{Count: 2500, Types: []string{"UserMailbox", "SharedMailbox", "RoomMailbox", "UserMailbox"}, AuditDisabledEvery: 10, ForwardingEvery: 100})
	bob, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "bob@contoso.com", DisplayName: "Bob", EmailAddresses: []string{"robert@contoso.com"}})
	if err != nil {
		t.Fatal(err)
	}
	bobGUID, ok1 := bob["Guid"].(string)
	bobOID, ok2 := bob["ExternalDirectoryObjectId"].(string)
	if !ok1 || !ok2 {
		t.Fatalf("AddMailbox: Guid %v ExternalDirectoryObjectId %v", bob["Guid"], bob["ExternalDirectoryObjectId"])
	}
	for _, id := range []string{"bob@contoso.com", "BOB", bobGUID, bobOID, "robert@contoso.com", "smtp:robert@contoso.com"} {
		got, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Identity": id})
		if err != nil || len(got) != 1 || got[0]["UserPrincipalName"] != "bob@contoso.com" {
			t.Fatalf("identity %s: %v %v", id, got, err)
		}
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Identity": "nobody@contoso.com"}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("missing mailbox: %v", err)
	}
	got, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Filter": "AuditEnabled -eq $false", "ResultSize": "Unlimited"})
	if err != nil || len(got) != 250 {
		t.Fatalf("filter: %d %v", len(got), err)
	}
	got, err = s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"RecipientTypeDetails": []string{"SharedMailbox", "RoomMailbox"}, "ResultSize": "Unlimited"})
	if err != nil || len(got) != 1250 {
		t.Fatalf("types: %d %v", len(got), err)
	}
	got, err = s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Filter": "ForwardingSmtpAddress -ne $null", "ResultSize": 10})
	if err != nil || len(got) != 10 || got[0]["ForwardingSmtpAddress"] != "smtp:archive@fabrikam.example" {
		t.Fatalf("forwarding: %d %v %v", len(got), got, err)
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Filter": "Department -eq 'x'"}); err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("unknown property: %v", err)
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"RecipientTypeDetails": "Printer"}); err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("bad type: %v", err)
	}

	// Over HTTP: the default ResultSize of 1000 cuts the listing with
	// Exchange's warning; pages are 1000 at most; $select trims the objects.
	tok := token(t, s, DemoAdminAppID, AudienceExchange)
	r := invokeWarn(t, s, exoURL(s)+"?$select=UserPrincipalName,AuditEnabled", tok, "Get-Mailbox", map[string]any{})
	if len(r.Value) != 1000 || r.NextLink != "" || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "only the first 1000") {
		t.Fatalf("default result size: %d items, next %q, warnings %v", len(r.Value), r.NextLink, r.Warnings)
	}
	if _, ok := r.Value[0]["Guid"]; ok || r.Value[0]["UserPrincipalName"] == nil {
		t.Fatalf("$select: %v", r.Value[0])
	}
	r = invokeWarn(t, s, exoURL(s), tok, "Get-Mailbox", map[string]any{"ResultSize": "Unlimited"})
	if len(r.Value) != 1000 || r.NextLink == "" || len(r.Warnings) != 0 {
		t.Fatalf("unlimited first page: %d, next %q, warnings %v", len(r.Value), r.NextLink, r.Warnings)
	}
}

type warnResult struct {
	Value    []map[string]any `json:"value"`
	NextLink string           `json:"@odata.nextLink"`
	Warnings []string         `json:"@adminapi.warnings"`
}

func invokeWarn(t *testing.T, s *Server, url, tok, cmdlet string, params map[string]any) warnResult {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Prefer", "odata.maxpagesize=1000")
	resp, err := testClient(s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", cmdlet, resp.StatusCode, b)
	}
	var out warnResult
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func getMailbox(t *testing.T, s *Server, id string) Object {
	t.Helper()
	got, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Identity": id})
	if err != nil || len(got) != 1 {
		t.Fatalf("Get-Mailbox %s: %v", id, err)
	}
	return got[0]
}

func strs(v any) []string { return stringList(v) }

func TestSetMailboxAudit(t *testing.T) {
	s := startTest(t)
	if _, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "ann@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	m := getMailbox(t, s, "ann@contoso.com")
	if m["AuditEnabled"] != true || m["AuditLogAgeLimit"] != "90.00:00:00" || !reflect.DeepEqual(strs(m["DefaultAuditSet"]), []string{"Admin", "Delegate", "Owner"}) {
		t.Fatalf("defaults: %v", m)
	}
	if !containsFold(strs(m["AuditOwner"]), "MailItemsAccessed") { // the demo tenant has Audit (Premium)
		t.Fatalf("owner defaults: %v", m["AuditOwner"])
	}
	set := func(p map[string]any) error {
		p["Identity"] = "ann@contoso.com"
		_, err := s.Invoke(DemoTenantID, EndpointExchange, "Set-Mailbox", p)
		return err
	}
	if err := set(map[string]any{"AuditOwner": []string{"mailboxlogin", "HardDelete"}, "AuditLogAgeLimit": "180.00:00:00", "AuditEnabled": false}); err != nil {
		t.Fatal(err)
	}
	m = getMailbox(t, s, "ann@contoso.com")
	if !reflect.DeepEqual(strs(m["AuditOwner"]), []string{"HardDelete", "MailboxLogin"}) || !reflect.DeepEqual(strs(m["DefaultAuditSet"]), []string{"Admin", "Delegate"}) ||
		m["AuditLogAgeLimit"] != "180.00:00:00" || m["AuditEnabled"] != false {
		t.Fatalf("after customising owner: %v", m)
	}
	// Add/Remove hashtable edits the current list.
	if err := set(map[string]any{"AuditAdmin": map[string]any{"@odata.type": "#Exchange.GenericHashTable", "Remove": []string{"Create"}}}); err != nil {
		t.Fatal(err)
	}
	m = getMailbox(t, s, "ann@contoso.com")
	if containsFold(strs(m["AuditAdmin"]), "Create") || !containsFold(strs(m["AuditAdmin"]), "SendAs") || !reflect.DeepEqual(strs(m["DefaultAuditSet"]), []string{"Delegate"}) {
		t.Fatalf("after removing Create: %v", m)
	}
	// DefaultAuditSet restores Microsoft's lists.
	if err := set(map[string]any{"DefaultAuditSet": []string{"Admin", "Owner"}}); err != nil {
		t.Fatal(err)
	}
	m = getMailbox(t, s, "ann@contoso.com")
	if !reflect.DeepEqual(strs(m["DefaultAuditSet"]), []string{"Admin", "Delegate", "Owner"}) || !reflect.DeepEqual(strs(m["AuditOwner"]), DefaultAuditActions("Owner", true)) {
		t.Fatalf("after DefaultAuditSet: %v", m)
	}
	for name, p := range map[string]map[string]any{
		"owner-only action for delegate": {"AuditDelegate": []string{"MailboxLogin"}},
		"unknown action":                 {"AuditAdmin": []string{"Teleport"}},
		"None with others":               {"AuditOwner": []string{"None", "Update"}},
		"negative age":                   {"AuditLogAgeLimit": "-1.00:00:00"},
		"string bool":                    {"AuditEnabled": "yes"},
		"custom and default together":    {"AuditOwner": []string{"Update"}, "DefaultAuditSet": []string{"Owner"}},
		"bad forwarding address":         {"ForwardingSmtpAddress": "not an address"},
		"x500 forwarding address":        {"ForwardingSmtpAddress": "x500:/o=x"},
		"unknown recipient":              {"ForwardingAddress": "ghost@contoso.com"},
	} {
		if err := set(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Set-Mailbox", map[string]any{"Identity": "ghost@contoso.com", "AuditEnabled": true}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("missing mailbox: %v", err)
	}
}

func TestSetMailboxForwarding(t *testing.T) {
	s := startTest(t)
	for _, upn := range []string{"ann@contoso.com", "bob@contoso.com"} {
		if _, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: upn}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Set-Mailbox", map[string]any{"Identity": "ann", "ForwardingSmtpAddress": "SMTP:x@fabrikam.com", "ForwardingAddress": "bob@contoso.com", "DeliverToMailboxAndForward": true}); err != nil {
		t.Fatal(err)
	}
	m := getMailbox(t, s, "ann")
	if m["ForwardingSmtpAddress"] != "smtp:x@fabrikam.com" || m["ForwardingAddress"] != "bob" || m["DeliverToMailboxAndForward"] != true {
		t.Fatalf("forwarding: %v", m)
	}
	got, _ := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Filter": "ForwardingSmtpAddress -ne $null -or ForwardingAddress -ne $null"})
	if len(got) != 1 {
		t.Fatalf("filter forwarding: %v", got)
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Set-Mailbox", map[string]any{"Identity": "ann", "ForwardingSmtpAddress": nil, "ForwardingAddress": nil}); err != nil {
		t.Fatal(err)
	}
	m = getMailbox(t, s, "ann")
	if m["ForwardingSmtpAddress"] != nil || m["ForwardingAddress"] != nil {
		t.Fatalf("cleared: %v", m)
	}
	if err := RemoveMailbox(s, DemoTenantID, "bob@contoso.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Identity": "bob"}); err == nil {
		t.Fatal("removed mailbox still found")
	}
	if _, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "ann@contoso.com"}); err == nil {
		t.Fatal("duplicate UPN accepted")
	}
}

func TestSetMailboxRBAC(t *testing.T) {
	s := startTest(t)
	if _, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "ann@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	// Global Reader reads mailboxes but can't change them.
	rt := token(t, s, DemoReaderAppID, AudienceExchange)
	if r := invoke(t, s, exoURL(s), rt, "Get-Mailbox", map[string]any{"Identity": "ann"}); r.Status != 200 || len(r.Value) != 1 {
		t.Fatalf("reader get: %d", r.Status)
	}
	if r := invoke(t, s, exoURL(s), rt, "Set-Mailbox", map[string]any{"Identity": "ann", "AuditEnabled": false}); r.Status != 403 {
		t.Fatalf("reader set: %d", r.Status)
	}
}

func TestSetMailboxLag(t *testing.T) {
	s := startTest(t)
	if _, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "ann@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	s.SetReplicationLag(EndpointExchange, 300*time.Millisecond)
	tok := token(t, s, DemoAdminAppID, AudienceExchange)
	if r := invoke(t, s, exoURL(s), tok, "Set-Mailbox", map[string]any{"Identity": "ann", "AuditEnabled": false}); r.Status != 200 {
		t.Fatalf("set: %d %+v", r.Status, r.Error)
	}
	if r := invoke(t, s, exoURL(s), tok, "Get-Mailbox", map[string]any{"Identity": "ann"}); r.Value[0]["AuditEnabled"] != true {
		t.Fatal("the write is visible before replication")
	}
	time.Sleep(350 * time.Millisecond)
	if r := invoke(t, s, exoURL(s), tok, "Get-Mailbox", map[string]any{"Identity": "ann"}); r.Value[0]["AuditEnabled"] != false {
		t.Fatal("the write is not visible after replication")
	}
}

func TestMailboxSeedControlRoute(t *testing.T) {
	s := startTest(t)
	out, err := s.Seed(DemoTenantID, "mailboxes", MailboxSeed{Count: 5, Prefix: "room", Types: []string{"RoomMailbox"},
		Mailboxes: []MailboxSpec{{UPN: "fwd@contoso.com", ForwardingAddress: "room0"}}})
	if err != nil {
		t.Fatal(err)
	}
	if summary, ok := out.(map[string]any); !ok || fmt.Sprint(summary["created"]) != "6" {
		t.Fatalf("seed summary: %v", out)
	}
	if m := getMailbox(t, s, "fwd@contoso.com"); m["ForwardingAddress"] != "room0" {
		t.Fatalf("forwarding to a recipient: %v", m)
	}
}

func BenchmarkSeedAndFilter50k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		s, err := Start(Options{StateDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := SeedMailboxes(s, DemoTenantID, MailboxSeed{Count: 50000, Types: []string{"UserMailbox", "SharedMailbox"}, AuditDisabledEvery: 7}); err != nil {
			b.Fatal(err)
		}
		got, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Filter": "AuditEnabled -eq $false", "ResultSize": "Unlimited"})
		if err != nil || len(got) != 50000/7 {
			b.Fatalf("%d %v", len(got), err)
		}
		_ = s.Close()
	}
}
