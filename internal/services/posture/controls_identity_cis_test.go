package posture

import (
	"strings"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// adminSessionPolicy includes every role CIS 5.2.2.4 lists, requires MFA,
// re-authenticates every 4 hours and never keeps the browser session.
func adminSessionPolicy(mut func(p *caPolicy)) *caPolicy {
	return base("admin sessions", func(p *caPolicy) {
		p.IncludeUsers = nil
		for _, r := range cisAdminRoles {
			p.IncludeRoles = append(p.IncludeRoles, r.id)
		}
		p.BuiltInControls = []string{"mfa"}
		p.SignInFrequency, p.SignInFrequencyValue, p.SignInFrequencyType = "timeBased", 4, "hours"
		p.PersistentBrowser = "never"
		mut(p)
	})
}

// CIS 5.2.2.4: the compliant policy passes (for the roles or for all
// users); each missing part fails naming it, and so does every narrowing
// condition the other conditional access controls refuse.
func TestAdminSessionControls(t *testing.T) {
	if r := caEval(t, evalAdminSessionControls, defaultOpt(), adminSessionPolicy(func(*caPolicy) {})); r.Status != statusPass {
		t.Fatalf("every CIS role: %s %s %+v", r.Status, r.Summary, r.Objects)
	}
	allUsers := adminSessionPolicy(func(p *caPolicy) { p.IncludeRoles, p.IncludeUsers = nil, []string{"All"} })
	if r := caEval(t, evalAdminSessionControls, defaultOpt(), allUsers); r.Status != statusPass {
		t.Fatalf("all users: %s %+v", r.Status, r.Objects)
	}
	if r := caEval(t, evalAdminSessionControls, defaultOpt(), adminSessionPolicy(func(p *caPolicy) { p.SignInFrequencyValue = 1 })); r.Status != statusPass {
		t.Fatalf("1 hour: %s %+v", r.Status, r.Objects)
	}
	for _, tc := range []struct {
		name, want string
		mut        func(p *caPolicy)
	}{
		{"Global Reader missing", "missing Global Reader", func(p *caPolicy) {
			p.IncludeRoles = slicesWithout(p.IncludeRoles, "f2ef992c-3afb-46b9-b7cf-a126ee74c451")
		}},
		{"5 hours", "sign-in frequency is 5 hours, more than 4 hours", func(p *caPolicy) { p.SignInFrequencyValue = 5 }},
		{"1 day", "sign-in frequency is 1 days, more than 4 hours", func(p *caPolicy) { p.SignInFrequencyValue, p.SignInFrequencyType = 1, "days" }},
		{"every time", "sign-in frequency is everyTime, not periodic", func(p *caPolicy) {
			p.SignInFrequency, p.SignInFrequencyValue, p.SignInFrequencyType = "everyTime", 0, ""
		}},
		{"no frequency", "session: no sign-in frequency", func(p *caPolicy) { p.SignInFrequency = "" }},
		{"browser always", "persistent browser is always, not never", func(p *caPolicy) { p.PersistentBrowser = "always" }},
		{"browser unset", "persistent browser is not set, not never", func(p *caPolicy) { p.PersistentBrowser = "" }},
		{"no mfa", "grant: does not require mfa", func(p *caPolicy) { p.BuiltInControls = []string{"compliantDevice"} }},
		{"mfa ORed", "grant: does not require mfa", func(p *caPolicy) { p.BuiltInControls = []string{"mfa", "compliantDevice"} }},
		{"risk only", "risk: limited to user or sign-in risk levels", func(p *caPolicy) { p.SignInRiskLevels = []string{"high"} }},
	} {
		r := caEval(t, evalAdminSessionControls, defaultOpt(), adminSessionPolicy(tc.mut))
		if r.Status != statusFail || len(r.Objects) != 1 || !strings.Contains(r.Objects[0].Detail, tc.want) {
			t.Errorf("%s: %s %+v, want fail naming %q", tc.name, r.Status, r.Objects, tc.want)
		}
	}
	for _, g := range gaps {
		if g.name == "not all users" {
			continue // the roles stand in for All users here
		}
		r := caEval(t, evalAdminSessionControls, defaultOpt(), adminSessionPolicy(g.mut))
		if r.Status != statusFail || len(r.Objects) != 1 || !strings.Contains(r.Objects[0].Detail, g.want) {
			t.Errorf("%s: %s %+v, want fail naming %q", g.name, r.Status, r.Objects, g.want)
		}
	}
	// An MFA policy without session controls is not evidence.
	if r := caEval(t, evalAdminSessionControls, defaultOpt(), base("mfa", caCases[0].good)); r.Status != statusFail || len(r.Objects) != 0 {
		t.Errorf("plain MFA policy: %s %+v", r.Status, r.Objects)
	}
}

func slicesWithout(in []string, drop string) []string {
	var out []string
	for _, s := range in {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// caFrom reads the session controls' interval, type and browser mode as
// msgraph-sdk-go models them; a disabled control counts as absent.
func TestCAFromSessionControls(t *testing.T) {
	m := models.NewConditionalAccessPolicy()
	sc := models.NewConditionalAccessSessionControls()
	f := models.NewSignInFrequencySessionControl()
	on, off := true, false
	interval, typ, v := models.TIMEBASED_SIGNINFREQUENCYINTERVAL, models.HOURS_SIGNINFREQUENCYTYPE, int32(4)
	f.SetIsEnabled(&on)
	f.SetFrequencyInterval(&interval)
	f.SetTypeEscaped(&typ)
	f.SetValue(&v)
	b := models.NewPersistentBrowserSessionControl()
	mode := models.NEVER_PERSISTENTBROWSERSESSIONMODE
	b.SetIsEnabled(&on)
	b.SetMode(&mode)
	sc.SetSignInFrequency(f)
	sc.SetPersistentBrowser(b)
	m.SetSessionControls(sc)
	p := caFrom(m)
	if p.SignInFrequency != "timeBased" || p.SignInFrequencyValue != 4 || p.SignInFrequencyType != "hours" || p.PersistentBrowser != "never" {
		t.Fatalf("read %+v", p)
	}
	b.SetIsEnabled(&off)
	if p := caFrom(m); p.PersistentBrowser != "" {
		t.Fatalf("disabled persistent browser read as %q", p.PersistentBrowser)
	}
}
