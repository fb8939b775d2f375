package posture

import (
	"context"
	"strings"
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// privilegedRolesPolicy includes every highly privileged role instead of
// All users.
func privilegedRolesPolicy(mut func(p *caPolicy)) *caPolicy {
	return base("admins", func(p *caPolicy) {
		p.IncludeUsers = nil
		for _, r := range highlyPrivilegedRoles {
			p.IncludeRoles = append(p.IncludeRoles, r.id)
		}
		p.AuthenticationStrengthID = phishingResistantStrengthID
		mut(p)
	})
}

// MS.AAD.3.6v1: a policy for every highly privileged role passes like one
// for all users; one role missing, a weaker strength, an OR with another
// control or an excluded role fails, naming it.
func TestPhishingResistantAdmins(t *testing.T) {
	if r := caEval(t, evalPhishingResistantAdmins, defaultOpt(), privilegedRolesPolicy(func(*caPolicy) {})); r.Status != statusPass {
		t.Fatalf("every privileged role: %s %s %+v", r.Status, r.Summary, r.Objects)
	}
	for _, tc := range []struct {
		name, want string
		mut        func(p *caPolicy)
	}{
		{"one role missing", "missing Cloud Application Administrator", func(p *caPolicy) { p.IncludeRoles = p.IncludeRoles[:len(p.IncludeRoles)-1] }},
		{"mfa strength", "not the built-in Phishing-resistant MFA", func(p *caPolicy) { p.AuthenticationStrengthID = "00000000-0000-0000-0000-000000000002" }},
		{"ORed", "ORed with other controls", func(p *caPolicy) { p.BuiltInControls = []string{"compliantDevice"} }},
		{"role excluded", "excludes directory roles", func(p *caPolicy) { p.ExcludeRoles = []string{"fe930be7-5e62-47db-91af-98c3a49a38b1"} }},
		{"report-only", "state is enabledForReportingButNotEnforced", func(p *caPolicy) { p.State = "enabledForReportingButNotEnforced" }},
	} {
		r := caEval(t, evalPhishingResistantAdmins, defaultOpt(), privilegedRolesPolicy(tc.mut))
		if r.Status != statusFail || len(r.Objects) != 1 || !strings.Contains(r.Objects[0].Detail, tc.want) {
			t.Errorf("%s: %s %+v, want fail naming %q", tc.name, r.Status, r.Objects, tc.want)
		}
	}
	// The all-users phishing-resistant policy (MS.AAD.3.1v1) covers the roles.
	if r := caEval(t, evalPhishingResistantAdmins, defaultOpt(), base("all", caCases[1].good)); r.Status != statusPass {
		t.Errorf("all users: %s %+v", r.Status, r.Objects)
	}
}

// MS.AAD.3.7v1: only a grant that cannot be met without a managed device.
func TestManagedDevices(t *testing.T) {
	for _, tc := range []struct {
		name     string
		controls []string
		op       string
		strength string
		status   string
	}{
		{"compliant", []string{"compliantDevice"}, "OR", "", statusPass},
		{"hybrid joined", []string{"domainJoinedDevice"}, "OR", "", statusPass},
		{"either", []string{"compliantDevice", "domainJoinedDevice"}, "OR", "", statusPass},
		{"compliant and mfa", []string{"compliantDevice", "mfa"}, "AND", "", statusPass},
		{"compliant or mfa", []string{"compliantDevice", "mfa"}, "OR", "", statusFail},
		{"compliant or a strength", []string{"compliantDevice"}, "OR", phishingResistantStrengthID, statusFail},
		{"mfa only", []string{"mfa"}, "OR", "", statusFail},
	} {
		p := base(tc.name, func(p *caPolicy) {
			p.BuiltInControls, p.GrantOperator, p.AuthenticationStrengthID = tc.controls, tc.op, tc.strength
		})
		if r := caEval(t, evalManagedDevices, defaultOpt(), p); r.Status != tc.status {
			t.Errorf("%s: %s %+v, want %s", tc.name, r.Status, r.Objects, tc.status)
		}
	}
}

// CIS 5.2.3.6 against the emulator's beta view: a new tenant ("default")
// fails; enabled for all users passes; an exclusion fails again.
func TestSystemPreferredMFA(t *testing.T) {
	sim, set := newSet(t, 0)
	ctx := context.Background()
	only := defaultOptions()
	only.Controls = map[string]bool{ctlSystemPreferredMFA: true}
	status := func() result {
		for _, r := range evaluate(ctx, set, only) {
			return r.result
		}
		t.Fatal("no result")
		return result{}
	}
	if r := status(); r.Status != statusFail || !strings.Contains(r.Objects[0].Detail, "state=default") {
		t.Fatalf("new tenant: %+v", r)
	}
	const beta = "/beta/policies/authenticationMethodsPolicy"
	simPatch(t, sim, beta, map[string]any{"systemCredentialPreferences": map[string]any{"state": "enabled"}}, 200)
	if r := status(); r.Status != statusPass {
		t.Fatalf("enabled: %+v", r)
	}
	simPatch(t, sim, beta, map[string]any{"systemCredentialPreferences": map[string]any{"excludeTargets": []any{map[string]any{"id": groupID, "targetType": "group"}}}}, 200)
	if r := status(); r.Status != statusFail || !strings.Contains(r.Objects[0].Detail, "excludes group "+groupID) {
		t.Fatalf("a group excluded: %+v", r)
	}
	if n := sim.Stats().Requests(m365sim.EndpointGraph, "GET "+beta); n != 3 {
		t.Errorf("beta reads: %d, want 3 (one per evaluation)", n)
	}
}
