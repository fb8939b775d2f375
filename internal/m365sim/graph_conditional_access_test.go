package m365sim

import (
	"encoding/json"
	"strings"
	"testing"
)

func startCA(t *testing.T, lic Licences) *Server {
	t.Helper()
	fx := DefaultFixture()
	fx.Tenants[0].Licences = lic
	s, err := Start(Options{Fixture: fx, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// securityDefaultsOff turns the tenant's security defaults off, as a tenant
// that uses Conditional Access has them.
func securityDefaultsOff(t *testing.T, s *Server) {
	t.Helper()
	if code, out := graphDo(t, s, "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false}); code != 204 {
		t.Fatalf("security defaults off: %d %v", code, out)
	}
}

func graphDo(t *testing.T, s *Server, method, path string, body any) (int, map[string]any) {
	t.Helper()
	code, b, err := s.GraphRequest(DemoTenantID, method, path, body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, code, b)
		}
	}
	return code, out
}

func mfaPolicy() map[string]any {
	return map[string]any{
		"displayName": "Require MFA",
		"state":       "enabled",
		"conditions": map[string]any{
			"clientAppTypes": []string{"all"},
			"users":          map[string]any{"includeUsers": []string{"All"}, "excludeUsers": []string{"0B4F3C6E-1234-4567-89AB-CDEF01234567"}},
			"applications":   map[string]any{"includeApplications": []string{"All"}},
		},
		"grantControls": map[string]any{"operator": "OR", "builtInControls": []string{"mfa"}},
	}
}

func errorOf(t *testing.T, out map[string]any) (string, string) {
	t.Helper()
	e, ok := out["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error envelope: %v", out)
	}
	if _, ok := e["innerError"].(map[string]any); !ok {
		t.Fatalf("error without innerError: %v", e)
	}
	return jsonStr(e["code"]), jsonStr(e["message"])
}

func TestConditionalAccessLifecycle(t *testing.T) {
	s := startCA(t, Licences{EntraIDP1: true, EntraIDP2: true})
	securityDefaultsOff(t, s)
	code, p := graphDo(t, s, "POST", "/identity/conditionalAccess/policies", mfaPolicy())
	if code != 201 {
		t.Fatalf("create: %d %v", code, p)
	}
	id := jsonStr(p["id"])
	if !caGUID.MatchString(id) || p["createdDateTime"] == nil || p["modifiedDateTime"] != nil {
		t.Fatalf("created entity: %v", p)
	}
	users := jsonMap(jsonMap(p["conditions"])["users"])
	if ex := jsonList(users["excludeUsers"]); len(ex) != 1 || ex[0] != "0b4f3c6e-1234-4567-89ab-cdef01234567" {
		t.Fatalf("excludeUsers %v: GUIDs are reported in lower case", ex)
	}
	if g := jsonList(users["includeGroups"]); len(g) != 0 {
		t.Fatalf("includeGroups %v, want []", g)
	}
	if jsonMap(p["conditions"])["locations"] != nil {
		t.Fatalf("locations %v, want null", jsonMap(p["conditions"])["locations"])
	}

	code, _ = graphDo(t, s, "PATCH", "/identity/conditionalAccess/policies/"+id, map[string]any{"state": "disabled"})
	if code != 204 {
		t.Fatalf("patch: %d", code)
	}
	code, p = graphDo(t, s, "GET", "/identity/conditionalAccess/policies/"+id, nil)
	if code != 200 || p["state"] != "disabled" || p["modifiedDateTime"] == nil {
		t.Fatalf("get after patch: %d %v", code, p)
	}
	// A nested PATCH merges property by property.
	code, out := graphDo(t, s, "PATCH", "/identity/conditionalAccess/policies/"+id, map[string]any{"conditions": map[string]any{"users": map[string]any{"excludeUsers": []string{}}}})
	if code != 204 {
		t.Fatalf("patch users: %d %v", code, out)
	}
	_, p = graphDo(t, s, "GET", "/identity/conditionalAccess/policies/"+id, nil)
	users = jsonMap(jsonMap(p["conditions"])["users"])
	if len(jsonList(users["excludeUsers"])) != 0 || jsonList(users["includeUsers"])[0] != "All" {
		t.Fatalf("users after patch: %v", users)
	}

	code, list := graphDo(t, s, "GET", "/identity/conditionalAccess/policies", nil)
	if code != 200 || len(jsonList(list["value"])) != 1 {
		t.Fatalf("list: %d %v", code, list)
	}
	if code, _ := graphDo(t, s, "DELETE", "/identity/conditionalAccess/policies/"+id, nil); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	code, out = graphDo(t, s, "GET", "/identity/conditionalAccess/policies/"+id, nil)
	if c, _ := errorOf(t, out); code != 404 || c != "ResourceNotFound" {
		t.Fatalf("get deleted: %d %v", code, out)
	}
	if code, _ := graphDo(t, s, "DELETE", "/identity/conditionalAccess/policies/"+id, nil); code != 404 {
		t.Fatalf("delete again: %d", code)
	}
}

func TestConditionalAccessValidation(t *testing.T) {
	s := startCA(t, Licences{EntraIDP1: true, EntraIDP2: true})
	securityDefaultsOff(t, s)
	cases := []struct {
		name string
		edit func(p map[string]any)
		want string
	}{
		{"no grant or session control", func(p map[string]any) { delete(p, "grantControls") }, "at least one grant control"},
		{"empty grant controls", func(p map[string]any) {
			p["grantControls"] = map[string]any{"operator": "OR", "builtInControls": []string{}}
		}, "at least one grant control"},
		{"unknown state", func(p map[string]any) { p["state"] = "on" }, "1007"},
		{"enum case matters", func(p map[string]any) { p["state"] = "Enabled" }, "1007"},
		{"unknown client app type", func(p map[string]any) {
			jsonMap(p["conditions"])["clientAppTypes"] = []string{"legacy"}
		}, "'legacy'"},
		{"no client app types", func(p map[string]any) { delete(jsonMap(p["conditions"]), "clientAppTypes") }, "clientAppTypes' is required"},
		{"unknown control", func(p map[string]any) {
			p["grantControls"] = map[string]any{"operator": "OR", "builtInControls": []string{"captcha"}}
		}, "'captcha'"},
		{"bad operator", func(p map[string]any) {
			p["grantControls"] = map[string]any{"operator": "XOR", "builtInControls": []string{"mfa"}}
		}, "operator"},
		{"no users", func(p map[string]any) { delete(jsonMap(p["conditions"]), "users") }, "users' is required"},
		{"user that is no id", func(p map[string]any) {
			jsonMap(p["conditions"])["users"] = map[string]any{"includeUsers": []string{"alice@contoso.com"}}
		}, "'alice@contoso.com'"},
		{"no applications", func(p map[string]any) {
			jsonMap(p["conditions"])["applications"] = map[string]any{"includeApplications": []string{}}
		}, "must include applications"},
		{"unknown property", func(p map[string]any) { p["enabled"] = true }, "does not exist on type 'microsoft.graph.conditionalAccessPolicy'"},
		{"read-only id", func(p map[string]any) { p["id"] = "x" }, "read-only"},
		{"passwordChange with OR", func(p map[string]any) {
			jsonMap(p["conditions"])["userRiskLevels"] = []string{"high"}
			p["grantControls"] = map[string]any{"operator": "OR", "builtInControls": []string{"mfa", "passwordChange"}}
		}, "AND operator"},
		{"passwordChange without user risk", func(p map[string]any) {
			p["grantControls"] = map[string]any{"operator": "AND", "builtInControls": []string{"mfa", "passwordChange"}}
		}, "userRiskLevels"},
		{"passwordChange with sign-in risk", func(p map[string]any) {
			c := jsonMap(p["conditions"])
			c["userRiskLevels"] = []string{"high"}
			c["signInRiskLevels"] = []string{"high"}
			p["grantControls"] = map[string]any{"operator": "AND", "builtInControls": []string{"mfa", "passwordChange"}}
		}, "cannot contain conditions"},
		{"unknown authentication strength", func(p map[string]any) {
			p["grantControls"] = map[string]any{"operator": "OR", "authenticationStrength": map[string]any{"id": "11111111-0000-0000-0000-000000000002"}}
		}, "does not exist"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mfaPolicy()
			c.edit(p)
			code, out := graphDo(t, s, "POST", "/identity/conditionalAccess/policies", p)
			if code != 400 {
				t.Fatalf("status %d, want 400: %v", code, out)
			}
			if _, msg := errorOf(t, out); !strings.Contains(msg, c.want) {
				t.Fatalf("message %q, want it to contain %q", msg, c.want)
			}
		})
	}
	if n := len(s.Tenant(DemoTenantID).Store.List(kindConditionalAccessPolicy)); n != 0 {
		t.Fatalf("%d policies stored after failed creates", n)
	}

	// Valid risk-based and authentication-strength policies.
	p := mfaPolicy()
	jsonMap(p["conditions"])["userRiskLevels"] = []string{"high"}
	p["grantControls"] = map[string]any{"operator": "AND", "builtInControls": []string{"mfa", "passwordChange"}}
	if code, out := graphDo(t, s, "POST", "/identity/conditionalAccess/policies", p); code != 201 {
		t.Fatalf("password change policy: %d %v", code, out)
	}
	p = mfaPolicy()
	p["grantControls"] = map[string]any{"operator": "OR", "authenticationStrength": map[string]any{"id": "00000000-0000-0000-0000-000000000004"}}
	code, out := graphDo(t, s, "POST", "/identity/conditionalAccess/policies", p)
	if code != 201 {
		t.Fatalf("authentication strength policy: %d %v", code, out)
	}
	if as := jsonMap(jsonMap(out["grantControls"])["authenticationStrength"]); as["displayName"] != "Phishing-resistant MFA" {
		t.Fatalf("authentication strength %v", as)
	}
	// A PATCH that would leave an invalid policy is refused and changes nothing.
	id := jsonStr(out["id"])
	code, out = graphDo(t, s, "PATCH", "/identity/conditionalAccess/policies/"+id, map[string]any{"state": "enabled", "grantControls": nil})
	if code != 400 {
		t.Fatalf("patch removing all controls: %d %v", code, out)
	}
	_, out = graphDo(t, s, "GET", "/identity/conditionalAccess/policies/"+id, nil)
	if out["grantControls"] == nil {
		t.Fatal("a refused PATCH changed the policy")
	}
}

func TestConditionalAccessLicences(t *testing.T) {
	s := startCA(t, Licences{EntraIDP1: true})
	securityDefaultsOff(t, s)
	p := mfaPolicy()
	jsonMap(p["conditions"])["signInRiskLevels"] = []string{"high", "medium"}
	code, out := graphDo(t, s, "POST", "/identity/conditionalAccess/policies", p)
	if c, msg := errorOf(t, out); code != 400 || c != "BadRequest" || !strings.HasPrefix(msg, "1039:") {
		t.Fatalf("risk policy without P2: %d %v", code, out)
	}
	if code, out := graphDo(t, s, "POST", "/identity/conditionalAccess/policies", mfaPolicy()); code != 201 {
		t.Fatalf("P1 policy: %d %v", code, out)
	}

	s = startCA(t, Licences{})
	code, out = graphDo(t, s, "GET", "/identity/conditionalAccess/policies", nil)
	if c, _ := errorOf(t, out); code != 403 || c != "Authentication_RequestFromNonPremiumTenantOrB2CTenant" {
		t.Fatalf("list without P1: %d %v", code, out)
	}
}

func TestSecurityDefaults(t *testing.T) {
	s := startCA(t, Licences{})
	code, out := graphDo(t, s, "GET", "/policies/identitySecurityDefaultsEnforcementPolicy", nil)
	if code != 200 || out["id"] != SecurityDefaultsPolicyID || out["isEnabled"] != true || out["displayName"] != "Security Defaults" {
		t.Fatalf("get: %d %v", code, out)
	}
	if code, out := graphDo(t, s, "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false}); code != 204 {
		t.Fatalf("patch: %d %v", code, out)
	}
	if _, out := graphDo(t, s, "GET", "/policies/identitySecurityDefaultsEnforcementPolicy", nil); out["isEnabled"] != false {
		t.Fatalf("after patch: %v", out)
	}
	for _, body := range []map[string]any{{"displayName": "x"}, {"isEnabled": "yes"}, {"enabled": true}} {
		if code, out := graphDo(t, s, "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", body); code != 400 {
			t.Fatalf("patch %v: %d %v", body, code, out)
		}
	}
}

// Checked accessors for decoded JSON: a wrong shape reads as empty and the
// test's comparison fails.
func jsonMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func jsonList(v any) []any {
	l, _ := v.([]any)
	return l
}

func jsonStr(v any) string {
	s, _ := v.(string)
	return s
}

// Security defaults and enabled policies exclude each other, both ways;
// report-only policies coexist with security defaults.
func TestConditionalAccessSecurityDefaultsConflict(t *testing.T) {
	s := startCA(t, Licences{EntraIDP1: true, EntraIDP2: true})
	code, out := graphDo(t, s, "POST", "/identity/conditionalAccess/policies", mfaPolicy())
	if code != 400 {
		t.Fatalf("enabled policy with security defaults on: %d %v", code, out)
	}
	if c, m := errorOf(t, out); c != "BadRequest" || !strings.Contains(m, "You must disable Security defaults before enabling a Conditional Access policy") {
		t.Fatalf("error %s %s", c, m)
	}
	p := mfaPolicy()
	p["state"] = "enabledForReportingButNotEnforced"
	code, out = graphDo(t, s, "POST", "/identity/conditionalAccess/policies", p)
	if code != 201 {
		t.Fatalf("report-only policy: %d %v", code, out)
	}
	id := jsonStr(out["id"])
	if code, out := graphDo(t, s, "PATCH", "/identity/conditionalAccess/policies/"+id, map[string]any{"state": "enabled"}); code != 400 {
		t.Fatalf("enabling with security defaults on: %d %v", code, out)
	}
	securityDefaultsOff(t, s)
	if code, out := graphDo(t, s, "PATCH", "/identity/conditionalAccess/policies/"+id, map[string]any{"state": "enabled"}); code != 204 {
		t.Fatalf("enabling with security defaults off: %d %v", code, out)
	}
	code, out = graphDo(t, s, "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": true})
	if code != 400 {
		t.Fatalf("security defaults on with an enabled policy: %d %v", code, out)
	}
	if _, m := errorOf(t, out); !strings.Contains(m, "prevents you from enabling Security defaults") {
		t.Fatalf("message %s", m)
	}
	if code, out := graphDo(t, s, "PATCH", "/identity/conditionalAccess/policies/"+id, map[string]any{"state": "disabled"}); code != 204 {
		t.Fatalf("disabling: %d %v", code, out)
	}
	if code, out := graphDo(t, s, "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": true}); code != 204 {
		t.Fatalf("security defaults on with no enabled policy: %d %v", code, out)
	}
}

// PATCH merges: a property left out keeps its value, only an explicit null
// clears it; unknown properties, at any depth, are Graph's 400.
func TestConditionalAccessPatchMerges(t *testing.T) {
	s := startCA(t, Licences{EntraIDP1: true, EntraIDP2: true})
	securityDefaultsOff(t, s)
	p := mfaPolicy()
	cond := p["conditions"].(map[string]any)
	cond["locations"] = map[string]any{"includeLocations": []string{"All"}, "excludeLocations": []string{"AllTrusted"}}
	cond["platforms"] = map[string]any{"includePlatforms": []string{"all"}, "excludePlatforms": []string{"iOS"}}
	cond["devices"] = map[string]any{"deviceFilter": map[string]any{"mode": "exclude", "rule": "device.isCompliant -eq True"}}
	cond["users"].(map[string]any)["excludeGuestsOrExternalUsers"] = map[string]any{
		"guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
		"externalTenants":          map[string]any{"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants", "membershipKind": "enumerated", "members": []string{"9c1d6a2e-4b7f-4e3a-8d5c-1f2e3a4b5c6d"}},
	}
	p["sessionControls"] = map[string]any{"signInFrequency": map[string]any{"value": 4, "type": "hours", "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication", "isEnabled": true}}
	code, out := graphDo(t, s, "POST", "/identity/conditionalAccess/policies", p)
	if code != 201 {
		t.Fatalf("create: %d %v", code, out)
	}
	path := "/identity/conditionalAccess/policies/" + jsonStr(out["id"])
	// Leaving locations, platforms, devices and sessionControls out keeps them.
	if code, out := graphDo(t, s, "PATCH", path, map[string]any{"conditions": map[string]any{"clientAppTypes": []string{"browser"}}}); code != 204 {
		t.Fatalf("patch: %d %v", code, out)
	}
	_, got := graphDo(t, s, "GET", path, nil)
	c := jsonMap(got["conditions"])
	if c["locations"] == nil || c["platforms"] == nil || c["devices"] == nil || got["sessionControls"] == nil || jsonMap(c["users"])["excludeGuestsOrExternalUsers"] == nil {
		t.Fatalf("a PATCH without them cleared blocks: %v", got)
	}
	// Explicit nulls clear them.
	if code, out := graphDo(t, s, "PATCH", path, map[string]any{
		"conditions":      map[string]any{"locations": nil, "platforms": nil, "devices": nil, "users": map[string]any{"excludeGuestsOrExternalUsers": nil}},
		"sessionControls": nil,
	}); code != 204 {
		t.Fatalf("patch nulls: %d %v", code, out)
	}
	_, got = graphDo(t, s, "GET", path, nil)
	c = jsonMap(got["conditions"])
	if c["locations"] != nil || c["platforms"] != nil || c["devices"] != nil || got["sessionControls"] != nil || jsonMap(c["users"])["excludeGuestsOrExternalUsers"] != nil {
		t.Fatalf("explicit nulls did not clear: %v", got)
	}
	if got := strs(jsonMap(c["users"])["includeUsers"]); len(got) != 1 || got[0] != "All" {
		t.Fatalf("users merged wrongly: %v", c["users"])
	}
	for _, body := range []map[string]any{
		{"conditions": map[string]any{"platforms": map[string]any{"includePlatforms": []string{"all"}, "excludedPlatforms": []string{"iOS"}}}},
		{"conditions": map[string]any{"users": map[string]any{"includeGuestsOrExternalUsers": map[string]any{"guestOrExternalUserTypes": "internalGuest", "tenants": "all"}}}},
		{"sessionControls": map[string]any{"persistentBrowser": map[string]any{"mode": "never", "enabled": true}}},
		{"grantcontrols": nil},
	} {
		code, out := graphDo(t, s, "PATCH", path, body)
		if code != 400 {
			t.Fatalf("unknown property %v: %d %v", body, code, out)
		}
		if _, m := errorOf(t, out); !strings.Contains(m, "does not exist on type 'microsoft.graph.") {
			t.Fatalf("unknown property %v: %s", body, m)
		}
	}
}
