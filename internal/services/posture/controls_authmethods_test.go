package posture

import (
	"context"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func authMethodsOnly() options {
	o := defaultOptions()
	o.Controls = map[string]bool{ctlAuthMethodsMigration: true, ctlWeakMethodsDisabled: true, ctlAuthenticatorContext: true}
	return o
}

func simPatch(t *testing.T, sim *m365sim.Server, path string, body map[string]any, want int) {
	t.Helper()
	code, b, err := sim.GraphRequest(m365sim.DemoTenantID, "PATCH", path, body)
	if err != nil || code != want {
		t.Fatalf("PATCH %s: %d %s %v", path, code, b, err)
	}
}

// A new tenant fails the migration and weak-method controls and passes the
// Authenticator one (the method is off); hardened, all pass; Authenticator
// on without context fails.
func TestAuthMethodsControls(t *testing.T) {
	sim, set := newSet(t, 0)
	ctx := context.Background()
	got := statusOf(evaluate(ctx, set, authMethodsOnly()))
	want := map[string]string{ctlAuthMethodsMigration: statusFail, ctlWeakMethodsDisabled: statusFail, ctlAuthenticatorContext: statusPass}
	for id, s := range want {
		if got[id] != s {
			t.Errorf("new tenant: %s = %s, want %s", id, got[id], s)
		}
	}

	const cfgs = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/"
	simPatch(t, sim, "/policies/authenticationMethodsPolicy", map[string]any{"policyMigrationState": "migrationComplete"}, 200)
	for id, typ := range map[string]string{"Sms": "sms", "Voice": "voice", "Email": "email"} {
		simPatch(t, sim, cfgs+id, map[string]any{"@odata.type": "#microsoft.graph." + typ + "AuthenticationMethodConfiguration", "state": "disabled"}, 204)
	}
	auth := "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration"
	simPatch(t, sim, cfgs+"MicrosoftAuthenticator", map[string]any{"@odata.type": auth, "state": "enabled"}, 204)
	got = statusOf(evaluate(ctx, set, authMethodsOnly()))
	if got[ctlAuthMethodsMigration] != statusPass || got[ctlWeakMethodsDisabled] != statusPass || got[ctlAuthenticatorContext] != statusFail {
		t.Errorf("hardened except Authenticator context: %v", got)
	}
	feature := map[string]any{"state": "enabled"}
	simPatch(t, sim, cfgs+"MicrosoftAuthenticator", map[string]any{"@odata.type": auth, "featureSettings": map[string]any{
		"displayAppInformationRequiredState": feature, "displayLocationInformationRequiredState": feature}}, 204)
	if got = statusOf(evaluate(ctx, set, authMethodsOnly())); got[ctlAuthenticatorContext] != statusPass {
		t.Errorf("Authenticator with context: %v", got)
	}
	// A group excluded from the location display fails again.
	simPatch(t, sim, cfgs+"MicrosoftAuthenticator", map[string]any{"@odata.type": auth, "featureSettings": map[string]any{
		"displayLocationInformationRequiredState": map[string]any{"excludeTarget": map[string]any{"id": "5bd63a5a-4f6a-4b9d-9c5e-2f0e8f7c1a01", "targetType": "group"}}}}, 204)
	rs := evaluate(ctx, set, authMethodsOnly())
	for _, r := range rs {
		if r.ID == ctlAuthenticatorContext && (r.Status != statusFail || len(r.Objects) != 1 || r.Objects[0].Name != "displayLocationInformationRequiredState") {
			t.Errorf("excluded group: %+v", r.result)
		}
	}
}

// Without a permission to read the policy every control is unknown with
// missing_permission, and the policy is read once for all three.
func TestAuthMethodsControlsForbidden(t *testing.T) {
	sim, _ := newSet(t, 0)
	e := sim.Endpoints()
	set, err := clients.New(clients.Config{
		Auth:     auth.Config{TenantID: m365sim.DemoTenantID, ClientID: m365sim.DemoNoManageAsAppID, ClientSecret: m365sim.DemoNoManageAsAppSecret},
		LoginURL: e[m365sim.EndpointLogin], GraphURL: e[m365sim.EndpointGraph], ExchangeURL: e[m365sim.EndpointExchange], ComplianceURL: e[m365sim.EndpointCompliance],
		CAFile: sim.CAFile(), ComplianceRegionalHosts: []string{sim.RegionalHost()}, MaxRetries: 2, MaxRetryWait: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range evaluate(context.Background(), set, authMethodsOnly()) {
		if r.Status != statusUnknown || r.Reason != reasonPermission {
			t.Errorf("%s: %s/%s, want unknown/missing_permission", r.ID, r.Status, r.Reason)
		}
	}
	if n := sim.Stats().Requests(m365sim.EndpointGraph, "GET /v1.0/policies/authenticationMethodsPolicy"); n != 1 {
		t.Errorf("the policy was read %d times, want 1", n)
	}
}
