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
