package exchange

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseMailboxNormalises(t *testing.T) {
	m, err := ParseMailbox(Object{
		"Guid": "g", "UserPrincipalName": "ann@contoso.com", "AuditEnabled": true, "AuditLogAgeLimit": "180.00:00:00",
		"AuditOwner": []any{"MailboxLogin", "Update"}, "DefaultAuditSet": []any{"Admin"},
		"ForwardingSmtpAddress": "smtp:x@fabrikam.com", "ForwardingAddress": nil, "DeliverToMailboxAndForward": "True",
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.AuditLogAgeLimit != 180*24*time.Hour || m.ForwardingSmtpAddress != "x@fabrikam.com" || m.ForwardingAddress != "" ||
		!m.DeliverToMailboxAndForward || len(m.AuditOwner) != 2 || len(m.AuditAdmin) != 0 {
		t.Fatalf("%+v", m)
	}
	if _, err := ParseMailbox(Object{"AuditLogAgeLimit": "ninety"}); err == nil {
		t.Fatal("bad time span accepted")
	}
	for in, want := range map[string]time.Duration{"90.00:00:00": 90 * 24 * time.Hour, "12:30:00": 12*time.Hour + 30*time.Minute, "1.02:03:04.5": 26*time.Hour + 3*time.Minute + 4500*time.Millisecond} {
		if got, err := ParseEnhancedTimeSpan(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	if QuoteOPATH("O'Neil") != "'O''Neil'" {
		t.Fatal(QuoteOPATH("O'Neil"))
	}
}

// ListMailboxes sends ResultSize Unlimited, the filter and $select, and
// streams every page.
func TestListMailboxesRequest(t *testing.T) {
	pages := 0
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			CmdletInput struct {
				CmdletName string         `json:"CmdletName"`
				Parameters map[string]any `json:"Parameters"`
			} `json:"CmdletInput"`
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		p := body.CmdletInput.Parameters
		if body.CmdletInput.CmdletName != "Get-Mailbox" || p["ResultSize"] != "Unlimited" || p["Filter"] != "AuditEnabled -eq $false" ||
			(pages == 0 && !strings.Contains(r.URL.Query().Get("$select"), "AuditEnabled")) || r.Header.Get("Prefer") != "odata.maxpagesize=1000" {
			t.Errorf("request: %s %s %v", r.URL, b, r.Header)
		}
		pages++
		if pages == 1 {
			writeValue(w, []map[string]any{{"UserPrincipalName": "a@contoso.com"}}, "https://"+r.Host+r.URL.Path+"?$skiptoken=1")
			return
		}
		writeValue(w, []map[string]any{{"UserPrincipalName": "b@contoso.com"}}, "")
	}, false)
	var got []string
	err := c.ListMailboxes(context.Background(), MailboxQuery{Filter: "AuditEnabled -eq $false", Fields: MailboxAuditFields}, func(m *Mailbox) error {
		got = append(got, m.UserPrincipalName)
		return nil
	})
	if err != nil || strings.Join(got, ",") != "a@contoso.com,b@contoso.com" {
		t.Fatalf("%v %v", got, err)
	}
}

// A listing remembers each mailbox's GUID for routing, unless the caller
// opts out with NoRouteCache (it addresses the mailboxes by UPN).
func TestListMailboxesRouteCache(t *testing.T) {
	for _, noCache := range []bool{false, true} {
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			writeValue(w, []map[string]any{
				{"UserPrincipalName": "a@contoso.com", "Guid": "11111111-1111-1111-1111-111111111111"},
				{"UserPrincipalName": "b@contoso.com", "Guid": "22222222-2222-2222-2222-222222222222"},
			}, "")
		}, false)
		n := 0
		if err := c.ListMailboxes(context.Background(), MailboxQuery{NoRouteCache: noCache}, func(*Mailbox) error { n++; return nil }); err != nil || n != 2 {
			t.Fatalf("%d mailboxes, %v", n, err)
		}
		got := c.mailboxes.lookup("22222222-2222-2222-2222-222222222222")
		if want := map[bool]string{false: "b@contoso.com", true: ""}[noCache]; got != want {
			t.Errorf("NoRouteCache=%t: the cache maps the GUID to %q, want %q", noCache, got, want)
		}
	}
}
