package m365sim

import (
	"fmt"
	"testing"
)

// Outbound spam rule senders are recipient references: any spelling of a
// recipient is stored as the recipient and reported by its primary SMTP
// address; a value naming nobody, or the wrong kind of recipient, is refused.
func TestOutboundSpamRuleRecipients(t *testing.T) {
	s := startTest(t)
	if _, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "adele.vance@contoso.com", Alias: "adele", PrimarySmtpAddress: "Adele@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "megan@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	grp, err := AddGroup(s, DemoTenantID, GroupSpec{Name: "Executives", PrimarySmtpAddress: "execs@contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	mustInvoke(t, s, "New-HostedOutboundSpamFilterPolicy", map[string]any{"Name": "P"})
	// Alias, UPN and GUID spellings; the group by name.
	mustInvoke(t, s, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "R", "HostedOutboundSpamFilterPolicy": "P",
		"From": []string{"adele", "MEGAN@contoso.com", "adele.vance@contoso.com"}, "FromMemberOf": []string{"Executives"}})
	r := mustInvoke(t, s, "Get-HostedOutboundSpamFilterRule", map[string]any{"Identity": "R"})[0]
	if got := fmt.Sprint(r["From"]); got != "[Adele@contoso.com megan@contoso.com]" {
		t.Fatalf("From = %s, want the primary SMTP addresses once each", got)
	}
	if got := fmt.Sprint(r["FromMemberOf"]); got != "[execs@contoso.com]" {
		t.Fatalf("FromMemberOf = %s", got)
	}
	// Set with an Add/Remove edit resolves both lists.
	mustInvoke(t, s, "Set-HostedOutboundSpamFilterRule", map[string]any{"Identity": "R",
		"From": map[string]any{"Remove": []any{"adele.vance@contoso.com"}}, "ExceptIfFromMemberOf": []string{fmt.Sprint(grp["Guid"])}})
	r = mustInvoke(t, s, "Get-HostedOutboundSpamFilterRule", map[string]any{"Identity": "R"})[0]
	if got := fmt.Sprint(r["From"], r["ExceptIfFromMemberOf"]); got != "[megan@contoso.com] [execs@contoso.com]" {
		t.Fatalf("after Set: %s", got)
	}
	invokeErr(t, s, "Set-HostedOutboundSpamFilterRule", map[string]any{"Identity": "R", "From": []string{"nobody@contoso.com"}}, `Couldn't find object "nobody@contoso.com"`)
	invokeErr(t, s, "Set-HostedOutboundSpamFilterRule", map[string]any{"Identity": "R", "From": []string{"Executives"}}, "use FromMemberOf")
	invokeErr(t, s, "Set-HostedOutboundSpamFilterRule", map[string]any{"Identity": "R", "FromMemberOf": []string{"megan"}}, "not a distribution group")
	// A refused Set changed nothing.
	r = mustInvoke(t, s, "Get-HostedOutboundSpamFilterRule", map[string]any{"Identity": "R"})[0]
	if got := fmt.Sprint(r["From"]); got != "[megan@contoso.com]" {
		t.Fatalf("From after refused Sets = %s", got)
	}

	// Get-Recipient finds mailboxes and groups by any identity.
	for id, want := range map[string]string{"adele": "Adele@contoso.com", "execs@contoso.com": "execs@contoso.com", "Executives": "execs@contoso.com"} {
		out := mustInvoke(t, s, "Get-Recipient", map[string]any{"Identity": id})
		if out[0]["PrimarySmtpAddress"] != want {
			t.Fatalf("Get-Recipient %s: %v", id, out[0])
		}
	}
	invokeErr(t, s, "Get-Recipient", map[string]any{"Identity": "nobody"}, "404")
	if out := mustInvoke(t, s, "Get-Recipient", map[string]any{"RecipientTypeDetails": []string{"MailUniversalDistributionGroup"}}); len(out) != 1 {
		t.Fatalf("groups: %v", out)
	}
}
