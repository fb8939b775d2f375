package m365sim

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func mustInvoke(t *testing.T, s *Server, cmdlet string, params map[string]any) []Object {
	t.Helper()
	out, err := s.Invoke(DemoTenantID, EndpointExchange, cmdlet, params)
	if err != nil {
		t.Fatalf("%s: %v", cmdlet, err)
	}
	return out
}

func invokeErr(t *testing.T, s *Server, cmdlet string, params map[string]any, want string) {
	t.Helper()
	_, err := s.Invoke(DemoTenantID, EndpointExchange, cmdlet, params)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("%s %v: error %v, want one containing %q", cmdlet, params, err, want)
	}
}

func TestRemoteDomains(t *testing.T) {
	s := startTest(t)
	def := mustInvoke(t, s, "Get-RemoteDomain", map[string]any{"Identity": "Default"})
	if def[0]["DomainName"] != "*" || def[0]["AutoForwardEnabled"] != true {
		t.Fatalf("Default remote domain: %v", def[0])
	}
	for _, bad := range []string{"", "contoso", "domain.*.contoso.com", "*contoso.com", "-x.com", "a..b"} {
		invokeErr(t, s, "New-RemoteDomain", map[string]any{"Name": "x", "DomainName": bad}, "400")
	}
	for _, good := range []string{"contoso.com", "*.fabrikam.com"} {
		mustInvoke(t, s, "New-RemoteDomain", map[string]any{"Name": good, "DomainName": good})
	}
	invokeErr(t, s, "New-RemoteDomain", map[string]any{"Name": "contoso.com", "DomainName": "other.com"}, "ManagementObjectAlreadyExistsException")
	invokeErr(t, s, "New-RemoteDomain", map[string]any{"Name": "again", "DomainName": "CONTOSO.com"}, "DuplicateRemoteDomain")
	invokeErr(t, s, "New-RemoteDomain", map[string]any{"Name": strings.Repeat("n", 65), "DomainName": "n.com"}, "too long")
	mustInvoke(t, s, "Set-RemoteDomain", map[string]any{"Identity": "Default", "AutoForwardEnabled": false, "AllowedOOFType": "none"})
	def = mustInvoke(t, s, "Get-RemoteDomain", map[string]any{"Identity": "default"})
	if def[0]["AutoForwardEnabled"] != false || def[0]["AllowedOOFType"] != "None" {
		t.Fatalf("after Set: %v", def[0])
	}
	invokeErr(t, s, "Set-RemoteDomain", map[string]any{"Identity": "Default", "AllowedOOFType": "Sometimes"}, "400")
	invokeErr(t, s, "Set-RemoteDomain", map[string]any{"Identity": "Default", "DomainName": "x.com"}, "Invalid cmdlet parameters specified")
	invokeErr(t, s, "Remove-RemoteDomain", map[string]any{"Identity": "Default"}, "can't be removed")
	mustInvoke(t, s, "Remove-RemoteDomain", map[string]any{"Identity": "contoso.com"})
	invokeErr(t, s, "Get-RemoteDomain", map[string]any{"Identity": "contoso.com"}, "404")
	if n := len(mustInvoke(t, s, "Get-RemoteDomain", nil)); n != 2 {
		t.Fatalf("%d remote domains, want 2", n)
	}
}

func rulePriorities(t *testing.T, s *Server) string {
	var parts []string
	for _, r := range mustInvoke(t, s, "Get-HostedOutboundSpamFilterRule", nil) {
		parts = append(parts, fmt.Sprint(r["Name"])+"="+strconv.Itoa(toInt(r["Priority"])))
	}
	return strings.Join(parts, ",")
}

func TestOutboundSpamPoliciesAndRules(t *testing.T) {
	s := startTest(t)
	if _, err := AddMailbox(s, DemoTenantID, MailboxSpec{UPN: "x@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	def := mustInvoke(t, s, "Get-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default"})
	if def[0]["AutoForwardingMode"] != "Automatic" || def[0]["IsDefault"] != true {
		t.Fatalf("Default policy: %v", def[0])
	}
	invokeErr(t, s, "Remove-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default"}, "can't be removed")
	invokeErr(t, s, "Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "AutoForwardingMode": "Maybe"}, "400")
	invokeErr(t, s, "Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "RecipientLimitPerDay": 10001}, "maximum allowed range")
	invokeErr(t, s, "Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "NotifyOutboundSpamRecipients": []string{"not-an-address"}}, "isn't correct")
	mustInvoke(t, s, "Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "AutoForwardingMode": "off", "NotifyOutboundSpamRecipients": []string{"soc@contoso.com"}})
	def = mustInvoke(t, s, "Get-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default"})
	if def[0]["AutoForwardingMode"] != "Off" {
		t.Fatalf("mode not normalised: %v", def[0]["AutoForwardingMode"])
	}
	for _, p := range []string{"A", "B", "C", "D"} {
		mustInvoke(t, s, "New-HostedOutboundSpamFilterPolicy", map[string]any{"Name": p, "AutoForwardingMode": "On"})
	}
	invokeErr(t, s, "New-HostedOutboundSpamFilterPolicy", map[string]any{"Name": "a"}, "already exists")
	invokeErr(t, s, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "r", "HostedOutboundSpamFilterPolicy": "Default"}, "default policy")
	invokeErr(t, s, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "r", "HostedOutboundSpamFilterPolicy": "nope"}, "404")
	mustInvoke(t, s, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "ra", "HostedOutboundSpamFilterPolicy": "A", "SenderDomainIs": []string{"contoso.com"}})
	mustInvoke(t, s, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "rb", "HostedOutboundSpamFilterPolicy": "B", "From": []string{"x@contoso.com"}})
	invokeErr(t, s, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "ra2", "HostedOutboundSpamFilterPolicy": "A"}, "already associated")
	invokeErr(t, s, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "rc", "HostedOutboundSpamFilterPolicy": "C", "Priority": 3}, "between 0 and 2")
	mustInvoke(t, s, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "rc", "HostedOutboundSpamFilterPolicy": "C", "Priority": 0})
	if got := rulePriorities(t, s); got != "rc=0,ra=1,rb=2" {
		t.Fatalf("priorities after insert: %s", got)
	}
	mustInvoke(t, s, "Set-HostedOutboundSpamFilterRule", map[string]any{"Identity": "rc", "Priority": 2})
	if got := rulePriorities(t, s); got != "ra=0,rb=1,rc=2" {
		t.Fatalf("priorities after move: %s", got)
	}
	invokeErr(t, s, "Set-HostedOutboundSpamFilterRule", map[string]any{"Identity": "rc", "Priority": 3}, "between 0 and 2")
	invokeErr(t, s, "Set-HostedOutboundSpamFilterRule", map[string]any{"Identity": "rc", "Enabled": false}, "Invalid cmdlet parameters specified")
	mustInvoke(t, s, "Disable-HostedOutboundSpamFilterRule", map[string]any{"Identity": "rb"})
	if r := mustInvoke(t, s, "Get-HostedOutboundSpamFilterRule", map[string]any{"Identity": "rb"}); r[0]["State"] != "Disabled" {
		t.Fatalf("State %v", r[0]["State"])
	}
	mustInvoke(t, s, "Remove-HostedOutboundSpamFilterRule", map[string]any{"Identity": "ra"})
	if got := rulePriorities(t, s); got != "rb=0,rc=1" {
		t.Fatalf("priorities after remove: %s", got)
	}
	// Removing a policy leaves its rule, as Exchange does.
	mustInvoke(t, s, "Remove-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "B"})
	mustInvoke(t, s, "Get-HostedOutboundSpamFilterRule", map[string]any{"Identity": "rb"})
}

func TestAcceptedDomains(t *testing.T) {
	s := startTest(t)
	out := mustInvoke(t, s, "Get-AcceptedDomain", nil)
	if len(out) != 2 {
		t.Fatalf("%d accepted domains: %v", len(out), out)
	}
	if out[0]["DomainName"] != DemoDomain || out[0]["InitialDomain"] != true || out[1]["DomainName"] != "contoso.com" || out[1]["Default"] != true {
		t.Fatalf("accepted domains: %v", out)
	}
}

func TestInboxRules(t *testing.T) {
	s := startTest(t)
	if _, err := SeedMailboxes(s, DemoTenantID, MailboxSeed{Mailboxes: []MailboxSpec{
		{UPN: "adele@contoso.com", DisplayName: "Adele Vance"},
		{UPN: "megan@contoso.com", DisplayName: "Megan Bowen"},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddInboxRule(DemoTenantID, "adele@contoso.com", InboxRuleSpec{Name: "fwd", RedirectTo: []string{"adele.personal@gmail.example"}, ForwardTo: []string{"megan@contoso.com"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddInboxRule(DemoTenantID, "adele@contoso.com", InboxRuleSpec{Name: "fwd"}); err == nil {
		t.Fatal("duplicate rule name accepted")
	}
	if err := s.AddInboxRule(DemoTenantID, "nobody@contoso.com", InboxRuleSpec{Name: "x"}); err == nil {
		t.Fatal("rule for a missing mailbox accepted")
	}
	out := mustInvoke(t, s, "Get-InboxRule", map[string]any{"Mailbox": "adele@contoso.com"})
	if len(out) != 1 {
		t.Fatalf("%d rules", len(out))
	}
	r := out[0]
	first := func(v any) string {
		if l, ok := v.([]any); ok && len(l) > 0 {
			return fmt.Sprint(l[0])
		}
		return ""
	}
	redirect, forward := first(r["RedirectTo"]), first(r["ForwardTo"])
	if redirect != `"adele.personal@gmail.example" [SMTP:adele.personal@gmail.example]` || !strings.HasPrefix(forward, `"Megan Bowen" [EX:/o=ExchangeLabs/`) || r["ForwardAsAttachmentTo"] != nil {
		t.Fatalf("rule rendered as %v", r)
	}
	if n := len(mustInvoke(t, s, "Get-InboxRule", map[string]any{"Mailbox": "megan@contoso.com"})); n != 0 {
		t.Fatalf("megan has %d rules", n)
	}
	invokeErr(t, s, "Get-InboxRule", map[string]any{"Mailbox": "nobody@contoso.com"}, "404")
	invokeErr(t, s, "Get-InboxRule", nil, "Mailbox parameter must be specified")
	// Global Reader can't run Get-InboxRule (documented on its page).
	res := invoke(t, s, s.Endpoints()[EndpointExchange]+"/adminapi/beta/"+DemoTenantID+"/InvokeCommand", token(t, s, DemoReaderAppID, AudienceExchange), "Get-InboxRule", map[string]any{"Mailbox": "adele@contoso.com"})
	if res.Status != 403 {
		t.Fatalf("Global Reader got %d", res.Status)
	}
}

func TestForwardingScenarioSeeder(t *testing.T) {
	s := startTest(t)
	out, err := s.Seed(DemoTenantID, "forwarding-scenario", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	sc, ok := out.(*ForwardingScenario)
	if !ok || sc.ExternalForward != "adele@contoso.com" {
		t.Fatalf("scenario %#v", out)
	}
	mb := mustInvoke(t, s, "Get-Mailbox", map[string]any{"Identity": sc.ExternalForward})
	if mb[0]["ForwardingSmtpAddress"] != "smtp:adele.vance@gmail.example" {
		t.Fatalf("external forward: %v", mb[0]["ForwardingSmtpAddress"])
	}
	if mb := mustInvoke(t, s, "Get-Mailbox", map[string]any{"Identity": sc.InternalForward}); mb[0]["ForwardingAddress"] != "lee" {
		t.Fatalf("internal forward: %v", mb[0]["ForwardingAddress"])
	}
	if r := mustInvoke(t, s, "Get-InboxRule", map[string]any{"Mailbox": sc.ExternalInboxRule}); len(r) != 1 || r[0]["Name"] != "Keep a copy" {
		t.Fatalf("inbox rules: %v", r)
	}
}
