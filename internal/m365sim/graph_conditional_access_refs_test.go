package m365sim

import (
	"strings"
	"testing"
)

// A policy's authentication strength and locations must exist: custom
// strengths the tenant holds are accepted, unknown ones refused; named
// location ids must be the tenant's (or the keywords, or the MFA trusted
// IPs system location).
func TestConditionalAccessReferencesExist(t *testing.T) {
	s := startCA(t, Licences{EntraIDP1: true})
	securityDefaultsOff(t, s)
	code, st := graphDo(t, s, "POST", "/policies/authenticationStrengthPolicies", map[string]any{
		"displayName": "FIDO2 only", "allowedCombinations": []string{"fido2"},
	})
	if code != 201 {
		t.Fatalf("custom strength: %d %v", code, st)
	}
	code, loc := graphDo(t, s, "POST", "/identity/conditionalAccess/namedLocations", map[string]any{
		"@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": "Allowed", "countriesAndRegions": []string{"DE"},
	})
	if code != 201 {
		t.Fatalf("named location: %d %v", code, loc)
	}
	strength, location := jsonStr(st["id"]), jsonStr(loc["id"])
	missing := "0b4f3c6e-1234-4567-89ab-cdef01234567"

	post := func(edit func(p map[string]any)) (int, map[string]any) {
		p := mfaPolicy()
		p["state"] = "disabled"
		edit(p)
		return graphDo(t, s, "POST", "/identity/conditionalAccess/policies", p)
	}
	withStrength := func(id string) func(map[string]any) {
		return func(p map[string]any) {
			p["grantControls"] = map[string]any{"operator": "OR", "authenticationStrength": map[string]any{"id": id}}
		}
	}
	withLocations := func(inc, exc []string) func(map[string]any) {
		return func(p map[string]any) {
			jsonMap(p["conditions"])["locations"] = map[string]any{"includeLocations": inc, "excludeLocations": exc}
		}
	}
	for name, c := range map[string]struct {
		edit func(map[string]any)
		want string
	}{
		"unknown strength":          {withStrength(missing), "does not exist"},
		"unknown included location": {withLocations([]string{missing}, nil), "1040: NamedLocation with id " + missing + " does not exist"},
		"unknown excluded location": {withLocations([]string{"All"}, []string{missing}), "1040: NamedLocation with id " + missing},
	} {
		if code, out := post(c.edit); code != 400 {
			t.Errorf("%s: %d %v, want 400", name, code, out)
		} else if _, msg := errorOf(t, out); !strings.Contains(msg, c.want) {
			t.Errorf("%s: message %q, want %q", name, msg, c.want)
		}
	}
	code, out := post(withStrength(strength))
	if code != 201 {
		t.Fatalf("custom strength in a policy: %d %v", code, out)
	}
	if as := jsonMap(jsonMap(out["grantControls"])["authenticationStrength"]); as["policyType"] != "custom" || as["displayName"] != "FIDO2 only" {
		t.Fatalf("authentication strength %v", as)
	}
	if code, out := post(withLocations([]string{location}, []string{"AllTrusted", caMFATrustedIPs})); code != 201 {
		t.Fatalf("existing locations: %d %v", code, out)
	}
}
