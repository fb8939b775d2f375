package common

import "testing"

func TestMailboxIdentityProblem(t *testing.T) {
	for _, ok := range []string{"ann@contoso.com", "ANN@Contoso.com", "ann", "Ann Smith", "Smith, Ann",
		"8e2c8f6a-4a6b-4f27-9d89-0a1b2c3d4e5f", "ann.smith+tag@contoso.co.uk"} {
		if why := MailboxIdentityProblem(ok); why != "" {
			t.Errorf("%q refused: %s", ok, why)
		}
	}
	for _, bad := range []string{"", " ann@contoso.com", "ann@contoso.com ", "ann*", "*", "ann@contoso",
		"@contoso.com", "ann@", "smtp:ann@contoso.com", "ann@contoso.com;bob@contoso.com", "Ann <ann@contoso.com>", "ann\tx"} {
		if MailboxIdentityProblem(bad) == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestUPNProblem(t *testing.T) {
	for _, ok := range []string{"ann@contoso.com", "a.b-c_d'e!f#g^h~i@contoso.onmicrosoft.com", "guest_fabrikam.com#EXT#@contoso.onmicrosoft.com"} {
		if why := UPNProblem(ok); why != "" {
			t.Errorf("%q refused: %s", ok, why)
		}
	}
	for _, bad := range []string{"ann", "ann@", "@contoso.com", "ann@contoso", "ann.@contoso.com", "ann smith@contoso.com",
		"ann+tag@contoso.com", "a@b@contoso.com", "ann&co@contoso.com", "Ann Smith", "S-1-5-21-1", "ann@-contoso.com"} {
		if UPNProblem(bad) == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}
