package mailflow

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func TestParseRuleRecipient(t *testing.T) {
	for _, c := range []struct {
		in        string
		addr      string
		directory bool
	}{
		{`"Adele" [SMTP:adele@gmail.example]`, "adele@gmail.example", false},
		{`"x@y.example" [smtp:x@y.example]`, "x@y.example", false},
		{`"Megan Bowen" [EX:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=abc-megan]`, "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=abc-megan", true},
		{`plain@partner.example`, "plain@partner.example", false},
		{`"Name, With [brackets]" [SMTP:a@b.example]`, "a@b.example", false},
	} {
		addr, dir := parseRuleRecipient(c.in)
		if addr != c.addr || dir != c.directory {
			t.Errorf("parseRuleRecipient(%q) = %q, %t; want %q, %t", c.in, addr, dir, c.addr, c.directory)
		}
	}
}

func TestAllowListAndDomains(t *testing.T) {
	a := newAllowList([]string{"partner.example", "*.group.example", "alex@other.example"})
	for in, want := range map[string]bool{
		"x@partner.example": true, "x@sub.partner.example": false, "x@group.example": true, "x@eu.group.example": true,
		"alex@other.example": true, "ALEX@Other.example": true, "bob@other.example": false, "x@gmail.example": false,
	} {
		if got := a.matchAddress(in); got != want {
			t.Errorf("matchAddress(%q) = %t", in, got)
		}
	}
	for in, want := range map[string]bool{"partner.example": true, "*.group.example": true, "*": false, "*.partner.example": false} {
		if got := a.matchDomain(in); got != want {
			t.Errorf("matchDomain(%q) = %t", in, got)
		}
	}
	d := domainSet{exact: map[string]bool{"contoso.com": true}, subs: []string{"fabrikam.com"}}
	for in, want := range map[string]bool{"contoso.com": true, "CONTOSO.com": true, "eu.contoso.com": false, "eu.fabrikam.com": true, "gmail.example": false} {
		if got := d.has(in); got != want {
			t.Errorf("has(%q) = %t", in, got)
		}
	}
}

// TestForwardingReportPathsAgree: on a seeded tenant (external and internal
// recipients in every rule action, disabled rules, allow-listed targets,
// mailbox forwards) the Graph and Exchange paths give identical findings.
func TestForwardingReportPathsAgree(t *testing.T) {
	sim, err := m365sim.Start(m365sim.Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	objs, err := m365sim.SeedMailboxes(sim, m365sim.DemoTenantID, m365sim.MailboxSeed{Count: 57, Domain: "contoso.com", ForwardingEvery: 9, ForwardingTo: "keep@fabrikam.example"})
	if err != nil {
		t.Fatal(err)
	}
	off := false
	for i, o := range objs {
		upn := fmt.Sprint(o["UserPrincipalName"])
		colleague := fmt.Sprint(objs[(i+1)%len(objs)]["UserPrincipalName"])
		var spec m365sim.InboxRuleSpec
		switch i % 5 {
		case 0:
			spec = m365sim.InboxRuleSpec{Name: "fwd", ForwardTo: []string{colleague, fmt.Sprintf("u%d@gmail.example", i)}}
		case 1:
			spec = m365sim.InboxRuleSpec{Name: "redir", RedirectTo: []string{fmt.Sprintf("U%d@Partner.example", i)}}
		case 2:
			spec = m365sim.InboxRuleSpec{Name: "att", Enabled: &off, ForwardAsAttachmentTo: []string{colleague, "x@sub.partner.example"}}
		case 3:
			spec = m365sim.InboxRuleSpec{Name: "internal only", ForwardTo: []string{colleague}, RedirectTo: []string{"someone@contoso.com"}}
		default:
			continue
		}
		if err := sim.AddInboxRule(m365sim.DemoTenantID, upn, spec); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			if err := sim.AddInboxRule(m365sim.DemoTenantID, upn, m365sim.InboxRuleSpec{Name: "second", RedirectTo: []string{"late@outlook.example"}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := sim.GrantAppPermission(m365sim.DemoTenantID, m365sim.DemoAdminAppID, "MailboxSettings.Read"); err != nil {
		t.Fatal(err)
	}
	set := simClients(t, sim)
	opt := reportOptions{Allow: newAllowList([]string{"partner.example"}), AllowPolicies: map[string]bool{}, ScanInboxRules: true, Concurrency: 3}
	viaGraph, err := runForwardingReport(context.Background(), set.Exchange, set.Graph, opt)
	if err != nil {
		t.Fatal(err)
	}
	viaExchange, err := runForwardingReport(context.Background(), set.Exchange, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	if viaGraph.RulesSource != "graph" || viaExchange.RulesSource != "exchange" {
		t.Fatalf("sources %s, %s", viaGraph.RulesSource, viaExchange.RulesSource)
	}
	rules := 0
	for _, f := range viaGraph.Findings {
		if strings.HasPrefix(f.Route.ValueString(), "inbox_rule_") {
			rules++
		}
	}
	// 12 x (gmail) + 12 x (partner, allowed) + 11 x (sub.partner, not allowed) + 6 x second.
	if rules != 41 {
		t.Errorf("%d inbox rule findings on the Graph path, want 41", rules)
	}
	if !reflect.DeepEqual(viaGraph.Findings, viaExchange.Findings) {
		t.Errorf("the paths disagree:\ngraph:    %v\nexchange: %v", viaGraph.Findings, viaExchange.Findings)
	}
}

// TestForwardingAddressResolution: a ForwardingAddress naming a mailbox
// listed after the forwarding one is resolved as the listing passes (no
// call), one naming a mailbox listed before it costs one Get-Mailbox
// -Filter after the listing, and neither is a finding; a target no mailbox
// has (a mail user or contact) is.
func TestForwardingAddressResolution(t *testing.T) {
	sim, err := m365sim.Start(m365sim.Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	if _, err := m365sim.SeedMailboxes(sim, m365sim.DemoTenantID, m365sim.MailboxSeed{Mailboxes: []m365sim.MailboxSpec{
		{UPN: "ann@contoso.com", ForwardingAddress: "cal@contoso.com"},
		{UPN: "bob@contoso.com"},
		{UPN: "cal@contoso.com", ForwardingAddress: "ann@contoso.com"},
	}}); err != nil {
		t.Fatal(err)
	}
	set := simClients(t, sim)
	ctx := context.Background()
	if _, err := set.Exchange.ListAcceptedDomains(ctx); err != nil { // sign in first
		t.Fatal(err)
	}
	var order []string
	if err := set.Exchange.ListMailboxes(ctx, exchange.MailboxQuery{NoRouteCache: true, Fields: []string{"UserPrincipalName"}}, func(mb *exchange.Mailbox) error {
		order = append(order, mb.UserPrincipalName)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sim.Stats().Reset()
	res, err := runForwardingReport(ctx, set.Exchange, nil, reportOptions{Allow: newAllowList(nil), AllowPolicies: map[string]bool{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if f.Route.ValueString() == routeForwardingAddress {
			t.Errorf("internal forward reported: %v", f)
		}
	}
	// One of ann and cal is listed before the other: its forwarder is
	// resolved after the listing with one look-up.
	if n := sim.Stats().Requests(m365sim.EndpointExchange, "Get-Mailbox"); n != 2 {
		t.Errorf("%d Get-Mailbox calls (listing order %v), want the page and one look-up", n, order)
	}
	f := newFinding(routeForwardingAddress, "bob@contoso.com", "Partner Contact", "", "", true, false)
	out, err := resolveForwardingAddresses(ctx, set.Exchange, map[uint64][]finding{
		nameKey("Partner Contact"): {f},
		nameKey("bob"):             {newFinding(routeForwardingAddress, "ann@contoso.com", "bob", "", "", true, false)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, []finding{f}) {
		t.Errorf("resolved %v, want only the contact", out)
	}
}

// simClients: the provider's clients for the emulator's demo tenant.
func simClients(t *testing.T, sim *m365sim.Server) *clients.Set {
	t.Helper()
	e := sim.Endpoints()
	set, err := clients.New(clients.Config{
		Auth:     auth.Config{TenantID: m365sim.DemoTenantID, ClientID: m365sim.DemoAdminAppID, ClientSecret: m365sim.DemoAdminSecret},
		LoginURL: e[m365sim.EndpointLogin], GraphURL: e[m365sim.EndpointGraph], ExchangeURL: e[m365sim.EndpointExchange], ComplianceURL: e[m365sim.EndpointCompliance],
		CAFile: sim.CAFile(), ComplianceRegionalHosts: []string{sim.RegionalHost()}, MaxRetries: 3, MaxRetryWait: 30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return set
}
