package m365sim

import (
	"testing"
)

const amTestPath = "/policies/authenticationMethodsPolicy"

func TestAuthMethodsPolicyDefaultsAndPatch(t *testing.T) {
	s := startCA(t, Licences{})
	code, p := graphDo(t, s, "GET", amTestPath, nil)
	if code != 200 || p["policyMigrationState"] != "preMigration" || len(asList(p["authenticationMethodConfigurations"])) != len(amTypes) {
		t.Fatalf("new tenant's policy: %d %v", code, p)
	}
	// Beta-only and read-only properties, bad values: Graph's 400.
	for _, body := range []map[string]any{
		{"systemCredentialPreferences": map[string]any{"state": "enabled"}},
		{"reportSuspiciousActivitySettings": map[string]any{"state": "enabled"}},
		{"policyVersion": "2.0"},
		{"policyMigrationState": "done"},
		{"registrationEnforcement": map[string]any{"authenticationMethodsRegistrationCampaign": map[string]any{"snoozeDurationInDays": 15}}},
		{"registrationEnforcement": map[string]any{"authenticationMethodsRegistrationCampaign": map[string]any{"includeTargets": []any{map[string]any{"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "fido2"}}}}},
		{"registrationEnforcement": map[string]any{"authenticationMethodsRegistrationCampaign": map[string]any{"includeTargets": []any{map[string]any{"id": "everyone", "targetType": "group"}}}}},
	} {
		if code, out := graphDo(t, s, "PATCH", amTestPath, body); code != 400 {
			t.Errorf("PATCH %v: %d %v, want 400", body, code, out)
		}
	}
	if code, out := graphDo(t, s, "PATCH", amTestPath, map[string]any{"policyMigrationState": "migrationComplete"}); code != 200 || out["policyMigrationState"] != "migrationComplete" {
		t.Fatalf("PATCH migration state: %d %v", code, out)
	}
	_, p = graphDo(t, s, "GET", amTestPath, nil)
	if c := asMap(asMap(p["registrationEnforcement"])["authenticationMethodsRegistrationCampaign"]); c["state"] != "default" {
		t.Fatalf("a PATCH of one property changed the campaign: %v", c)
	}
}

func TestAuthMethodConfigurationPatch(t *testing.T) {
	s := startCA(t, Licences{})
	path := amTestPath + "/authenticationMethodConfigurations/"
	fido := "#microsoft.graph.fido2AuthenticationMethodConfiguration"
	if code, _ := graphDo(t, s, "GET", path+"HardwareOath", nil); code != 404 {
		t.Fatalf("an unmodelled method: %d, want 404", code)
	}
	for _, body := range []map[string]any{
		{"state": "enabled"}, // no @odata.type
		{"@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration", "state": "enabled"},
		{"@odata.type": fido, "isOfficePhoneAllowed": true},
		{"@odata.type": fido, "state": "on"},
		{"@odata.type": fido, "keyRestrictions": map[string]any{"aaGuids": []any{"yubikey"}}},
		{"@odata.type": fido, "keyRestrictions": map[string]any{"enforcementType": "deny"}},
		{"@odata.type": fido, "includeTargets": []any{map[string]any{"id": "all_users", "targetType": "group", "authenticationMode": "any"}}},
	} {
		if code, out := graphDo(t, s, "PATCH", path+"Fido2", body); code != 400 {
			t.Errorf("PATCH %v: %d %v, want 400", body, code, out)
		}
	}
	// Merge: the state alone changes; key restrictions merge property by property.
	if code, out := graphDo(t, s, "PATCH", path+"fido2", map[string]any{"@odata.type": fido, "state": "enabled", "keyRestrictions": map[string]any{"isEnforced": true}}); code != 204 {
		t.Fatalf("PATCH: %d %v", code, out)
	}
	_, m := graphDo(t, s, "GET", path+"Fido2", nil)
	kr := asMap(m["keyRestrictions"])
	if m["state"] != "enabled" || m["isSelfServiceRegistrationAllowed"] != true || kr["isEnforced"] != true || kr["enforcementType"] != "block" {
		t.Fatalf("after PATCH: %v", m)
	}
	// Authenticator targets get the documented default mode when not sent.
	auth := "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration"
	if code, out := graphDo(t, s, "PATCH", path+"MicrosoftAuthenticator", map[string]any{"@odata.type": auth, "includeTargets": []any{map[string]any{"id": "all_users", "targetType": "group"}}}); code != 204 {
		t.Fatalf("PATCH: %d %v", code, out)
	}
	_, m = graphDo(t, s, "GET", path+"MicrosoftAuthenticator", nil)
	if tg := asMap(asList(m["includeTargets"])[0]); tg["authenticationMode"] != "any" {
		t.Fatalf("Authenticator target: %v", tg)
	}
	// TAP: the default lifetime must lie between the minimum and maximum.
	tap := "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"
	if code, _ := graphDo(t, s, "PATCH", path+"TemporaryAccessPass", map[string]any{"@odata.type": tap, "defaultLifetimeInMinutes": 600}); code != 400 {
		t.Fatalf("TAP default above maximum: %d, want 400", code)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// The beta view: the same stored policy, with the beta-only settings.
func TestAuthMethodsPolicyBetaView(t *testing.T) {
	s := startCA(t, Licences{})
	beta := "/beta" + amTestPath
	code, p := graphDo(t, s, "GET", beta, nil)
	scp, rsa := asMap(p["systemCredentialPreferences"]), asMap(p["reportSuspiciousActivitySettings"])
	if code != 200 || scp["state"] != "default" || len(asList(scp["includeTargets"])) != 1 || rsa["state"] != "default" || rsa["voiceReportingCode"] != float64(0) ||
		asMap(rsa["includeTarget"])["id"] != "all_users" || len(asList(p["authenticationMethodConfigurations"])) != len(amTypes) {
		t.Fatalf("new tenant's beta policy: %d %v", code, p)
	}
	if _, v1 := graphDo(t, s, "GET", amTestPath, nil); v1["systemCredentialPreferences"] != nil || v1["reportSuspiciousActivitySettings"] != nil {
		t.Fatalf("v1.0 shows beta-only properties: %v", v1)
	}
	for _, body := range []map[string]any{
		{"systemCredentialPreferences": map[string]any{"state": "on"}},
		{"systemCredentialPreferences": map[string]any{"isEnabled": true}},
		{"systemCredentialPreferences": map[string]any{"includeTargets": []any{map[string]any{"id": "everyone", "targetType": "group"}}}},
		{"systemCredentialPreferences": map[string]any{"excludeTargets": []any{map[string]any{"id": emptyGUID, "targetType": "role"}}}},
		{"reportSuspiciousActivitySettings": map[string]any{"voiceReportingCode": 10}},
		{"reportSuspiciousActivitySettings": map[string]any{"voiceReportingCode": "1"}},
		{"reportSuspiciousActivitySettings": map[string]any{"includeTarget": map[string]any{"id": "all_users", "targetType": "group", "isRegistrationRequired": false}}},
		{"unknownBetaProperty": true},
	} {
		if code, out := graphDo(t, s, "PATCH", beta, body); code != 400 {
			t.Errorf("PATCH beta %v: %d %v, want 400", body, code, out)
		}
	}
	code, out := graphDo(t, s, "PATCH", beta, map[string]any{
		"policyMigrationState":             "migrationComplete",
		"systemCredentialPreferences":      map[string]any{"state": "enabled", "excludeTargets": []any{map[string]any{"id": emptyGUID, "targetType": "group"}}},
		"reportSuspiciousActivitySettings": map[string]any{"state": "enabled", "voiceReportingCode": 8},
	})
	if code != 200 || asMap(out["systemCredentialPreferences"])["state"] != "enabled" {
		t.Fatalf("PATCH beta: %d %v", code, out)
	}
	_, p = graphDo(t, s, "GET", beta, nil)
	scp, rsa = asMap(p["systemCredentialPreferences"]), asMap(p["reportSuspiciousActivitySettings"])
	// Merged: the include targets and the include target are kept.
	if len(asList(scp["includeTargets"])) != 1 || len(asList(scp["excludeTargets"])) != 1 || rsa["voiceReportingCode"] != float64(8) || asMap(rsa["includeTarget"])["id"] != "all_users" {
		t.Fatalf("beta policy after PATCH: %v", p)
	}
	if _, v1 := graphDo(t, s, "GET", amTestPath, nil); v1["policyMigrationState"] != "migrationComplete" {
		t.Fatalf("v1.0 does not show the change made through beta: %v", v1)
	}
}

// X509Certificate: the Get page's defaults; state and targets change, the
// bindings (not modelled) are refused rather than taken silently.
func TestAuthMethodX509Certificate(t *testing.T) {
	s := startCA(t, Licences{})
	path := amTestPath + "/authenticationMethodConfigurations/X509Certificate"
	typ := "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration"
	code, m := graphDo(t, s, "GET", path, nil)
	if code != 200 || m["state"] != "disabled" || len(asList(m["certificateUserBindings"])) != 2 ||
		asMap(m["authenticationModeConfiguration"])["x509CertificateAuthenticationDefaultMode"] != "x509CertificateSingleFactor" {
		t.Fatalf("new tenant's X509Certificate: %d %v", code, m)
	}
	for _, body := range []map[string]any{
		{"@odata.type": typ, "certificateUserBindings": []any{}},
		{"@odata.type": typ, "includeTargets": []any{map[string]any{"id": "all_users", "targetType": "group", "isUsableForSignIn": true}}},
		{"@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration", "state": "enabled"},
	} {
		if code, out := graphDo(t, s, "PATCH", path, body); code != 400 {
			t.Errorf("PATCH %v: %d %v, want 400", body, code, out)
		}
	}
	if code, out := graphDo(t, s, "PATCH", path, map[string]any{"@odata.type": typ, "state": "enabled", "includeTargets": []any{}}); code != 204 {
		t.Fatalf("PATCH: %d %v", code, out)
	}
	if _, m = graphDo(t, s, "GET", path, nil); m["state"] != "enabled" || len(asList(m["includeTargets"])) != 0 || len(asList(m["certificateUserBindings"])) != 2 {
		t.Fatalf("after PATCH: %v", m)
	}
}
