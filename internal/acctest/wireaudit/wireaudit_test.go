package wireaudit

import (
	"strings"
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func TestCheck(t *testing.T) {
	exo, scc := m365sim.EndpointExchange, m365sim.EndpointCompliance
	for _, tc := range []struct {
		call m365sim.WireCall
		want string // "" = documented
	}{
		{m365sim.WireCall{Endpoint: scc, Cmdlet: "Get-UnifiedAuditLogRetentionPolicy"}, ""},
		{m365sim.WireCall{Endpoint: scc, Cmdlet: "Get-UnifiedAuditLogRetentionPolicy", Params: []string{"Identity"}}, "-Identity: not a documented parameter"},
		{m365sim.WireCall{Endpoint: exo, Cmdlet: "Get-UnifiedAuditLogRetentionPolicy"}, "not available in Exchange Online"},
		{m365sim.WireCall{Endpoint: scc, Cmdlet: "Set-UnifiedAuditLogRetentionPolicy", Params: []string{"Description", "Identity"}}, "fit no documented parameter set"},
		{m365sim.WireCall{Endpoint: scc, Cmdlet: "Set-UnifiedAuditLogRetentionPolicy", Params: []string{"Identity", "Priority", "RetentionDuration"},
			Values: map[string][]string{"RetentionDuration": {"SevenDays"}}}, `"SevenDays": not one of the documented values`},
		{m365sim.WireCall{Endpoint: scc, Cmdlet: "Set-UnifiedAuditLogRetentionPolicy", Params: []string{"Identity", "Priority", "RetentionDuration"},
			Values: map[string][]string{"RetentionDuration": {"tenyears"}}}, ""},
		// Two parameter sets of Get-Mailbox mixed.
		{m365sim.WireCall{Endpoint: exo, Cmdlet: "Get-Mailbox", Params: []string{"Anr", "Identity"}}, "fit no documented parameter set"},
		// A deviation (Audit (Premium) actions) is part of the list.
		{m365sim.WireCall{Endpoint: exo, Cmdlet: "Set-Mailbox", Params: []string{"AuditOwner", "Identity"},
			Values: map[string][]string{"AuditOwner": {"MailItemsAccessed", "MailboxLogin"}}}, ""},
		// A deviation (Example 1 lists every policy without -Identity).
		{m365sim.WireCall{Endpoint: exo, Cmdlet: "Get-HostedOutboundSpamFilterPolicy"}, ""},
		{m365sim.WireCall{Endpoint: exo, Cmdlet: "Get-Nothing"}, "not a cmdlet of the reference"},
	} {
		got := strings.Join(Check(tc.call), "; ")
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: problems %q, want %q", tc.call.Key(), got, tc.want)
		}
	}
}

func TestRecordAndLoad(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	a := m365sim.WireCall{Endpoint: "exchange", Cmdlet: "Get-Mailbox", Params: []string{"Identity"}}
	b := m365sim.WireCall{Endpoint: "exchange", Cmdlet: "Get-RemoteDomain"}
	if n, err := Record("internal/services/x", []m365sim.WireCall{a}); err != nil || n < 1 {
		t.Fatal(n, err)
	}
	if _, err := Record("internal/services/x", []m365sim.WireCall{a, b}); err != nil {
		t.Fatal(err)
	}
	calls, pkgs, err := Load(Dir())
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, c := range calls {
		keys[c.Key()] = true
	}
	if !keys[a.Key()] || !keys[b.Key()] || len(pkgs) != 1 || pkgs[0] != "internal/services/x" {
		t.Fatalf("calls %v, packages %v", keys, pkgs)
	}
}
