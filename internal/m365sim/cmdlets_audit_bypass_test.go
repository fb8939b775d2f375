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

// Mailbox auditing on by default ignores a mailbox's AuditEnabled flag;
// Get-Mailbox keeps reporting the flag as set; the audit bypass is the
// per-account off switch (https://learn.microsoft.com/purview/audit-mailboxes).
func TestAuditedAccessModel(t *testing.T) {
	s := startTest(t)
	f := false
	for _, spec := range []MailboxSpec{{UPN: "ann@contoso.com", AuditEnabled: &f}, {UPN: "svc@contoso.com"}, {UPN: "room@contoso.com", Type: "RoomMailbox"}} {
		if _, err := AddMailbox(s, DemoTenantID, spec); err != nil {
			t.Fatal(err)
		}
	}
	audited := func(mailbox, actor string) bool {
		t.Helper()
		ok, why, err := AuditedAccess(s, DemoTenantID, mailbox, actor)
		if err != nil || why == "" {
			t.Fatalf("AuditedAccess(%s, %s): %v %q", mailbox, actor, err, why)
		}
		return ok
	}
	flag := func() any {
		got, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Identity": "ann@contoso.com"})
		if err != nil || len(got) != 1 {
			t.Fatalf("Get-Mailbox: %v %v", got, err)
		}
		return got[0]["AuditEnabled"]
	}
	if !audited("ann@contoso.com", "ann@contoso.com") {
		t.Error("AuditEnabled $false must not stop auditing while the organization audits by default")
	}
	// Turning organization auditing off and on again leaves the flag as set.
	for _, off := range []bool{true, false} {
		if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Set-OrganizationConfig", map[string]any{"AuditDisabled": off}); err != nil {
			t.Fatal(err)
		}
		if flag() != false {
			t.Fatalf("AuditDisabled=%t changed the mailbox's AuditEnabled to %v", off, flag())
		}
		if got := audited("svc@contoso.com", "svc@contoso.com"); got == off {
			t.Errorf("AuditDisabled=%t: audited=%t", off, got)
		}
	}
	if err := SetAuditBypass(s, DemoTenantID, "svc@contoso.com", true); err != nil {
		t.Fatal(err)
	}
	if audited("ann@contoso.com", "svc@contoso.com") {
		t.Error("an account with AuditBypassEnabled $true must not be audited in any mailbox")
	}
	if !audited("ann@contoso.com", "ann@contoso.com") {
		t.Error("the bypass of one account must not stop auditing others")
	}
	if audited("room@contoso.com", "ann@contoso.com") {
		t.Error("resource mailboxes are not covered by auditing on by default")
	}
}

func TestRenameMailbox(t *testing.T) {
	s := startTest(t)
	mb, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "ann@contoso.com", EmailAddresses: []string{"a.smith@contoso.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := RenameMailbox(s, DemoTenantID, "ann@contoso.com", "ann.jones@contoso.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Identity": "ann@contoso.com"}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("the old user principal name still resolves: %v", err)
	}
	got, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Identity": mb["Guid"]})
	if err != nil || len(got) != 1 || got[0]["UserPrincipalName"] != "ann.jones@contoso.com" || got[0]["PrimarySmtpAddress"] != "ann.jones@contoso.com" {
		t.Fatalf("by GUID after rename: %v %v", got, err)
	}
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-Mailbox", map[string]any{"Identity": "a.smith@contoso.com"}); err != nil {
		t.Fatalf("a secondary address is kept: %v", err)
	}
}
