package m365sim

import (
	"strings"
	"testing"
)

func TestMailboxAuditBypass(t *testing.T) {
	s := startTest(t)
	if _, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "svc@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	get := func() Object {
		got, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-MailboxAuditBypassAssociation", map[string]any{"Identity": "svc@contoso.com"})
		if err != nil || len(got) != 1 {
			t.Fatalf("get: %v %v", got, err)
		}
		return got[0]
	}
	if get()["AuditBypassEnabled"] != false {
		t.Fatal("bypass is on by default")
	}
	if err := SetAuditBypass(s, DemoTenantID, "svc", true); err != nil {
		t.Fatal(err)
	}
	if get()["AuditBypassEnabled"] != true {
		t.Fatal("bypass not set")
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Set-MailboxAuditBypassAssociation", map[string]any{"Identity": "svc"}); err == nil {
		t.Fatal("AuditBypassEnabled is mandatory")
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Set-MailboxAuditBypassAssociation", map[string]any{"Identity": "ghost", "AuditBypassEnabled": true}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("unknown account: %v", err)
	}
	all, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-MailboxAuditBypassAssociation", map[string]any{"ResultSize": "Unlimited"})
	if err != nil || len(all) != 1 {
		t.Fatalf("list: %v %v", all, err)
	}
	// Global Reader may read but not write.
	rt := token(t, s, DemoReaderAppID, AudienceExchange)
	if r := invoke(t, s, exoURL(s), rt, "Set-MailboxAuditBypassAssociation", map[string]any{"Identity": "svc", "AuditBypassEnabled": false}); r.Status != 403 {
		t.Fatalf("reader set: %d", r.Status)
	}
}
