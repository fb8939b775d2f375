package mailflow

import "testing"

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
