package m365sim

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// sdkModelCase is one writable Graph object of issue 13's types: where it
// is written, the msgraph-sdk-go model its body is, and how a property
// body is wrapped into a request (an @odata.type, an enclosing object).
type sdkModelCase struct {
	name   string
	method string
	path   string
	model  serialization.Parsable
	wrap   func(prop map[string]any) map[string]any
}

func top(odataType string) func(map[string]any) map[string]any {
	return func(p map[string]any) map[string]any {
		if odataType != "" {
			p["@odata.type"] = odataType
		}
		return p
	}
}

func nested(outer func(map[string]any) map[string]any, key string) func(map[string]any) map[string]any {
	return func(p map[string]any) map[string]any { return outer(map[string]any{key: p}) }
}

func fieldNames(m serialization.Parsable) []string {
	var out []string
	for k := range m.(interface {
		GetFieldDeserializers() map[string]func(serialization.ParseNode) error
	}).GetFieldDeserializers() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var unknownPropRe = regexp.MustCompile(`The property '([^']+)' does not exist on type`)

// TestGraphBodiesMatchSDKModels holds the emulator's request validation
// for issue 13's types to msgraph-sdk-go's models, both ways: a property
// the model declares is never answered "does not exist" (the emulator may
// still refuse its value, or a read-only property), and a property the
// model does not declare, at the top and in every nested complex type
// checked, is Graph's 400 "does not exist on type".
func TestGraphBodiesMatchSDKModels(t *testing.T) {
	s := startCA(t, Licences{EntraIDP1: true, EntraIDP2: true})
	securityDefaultsOff(t, s)
	code, pol := graphDo(t, s, "POST", "/identity/conditionalAccess/policies", mfaPolicy())
	if code != 201 {
		t.Fatalf("create policy: %d %v", code, pol)
	}
	caPath := "/identity/conditionalAccess/policies/" + jsonStr(pol["id"])
	code, cl := graphDo(t, s, "POST", "/identity/conditionalAccess/namedLocations", map[string]any{
		"@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": "Countries", "countriesAndRegions": []string{"DE"}})
	if code != 201 {
		t.Fatalf("create country location: %d %v", code, cl)
	}
	code, il := graphDo(t, s, "POST", "/identity/conditionalAccess/namedLocations", map[string]any{
		"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Offices",
		"ipRanges": []any{map[string]any{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}}})
	if code != 201 {
		t.Fatalf("create IP location: %d %v", code, il)
	}
	code, sp := graphDo(t, s, "POST", "/policies/authenticationStrengthPolicies", map[string]any{
		"displayName": "Custom", "allowedCombinations": []string{"fido2"}})
	if code != 201 {
		t.Fatalf("create strength: %d %v", code, sp)
	}

	ca := top("")
	cond := nested(ca, "conditions")
	grant := nested(ca, "grantControls")
	session := nested(ca, "sessionControls")
	methods := "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/"
	cases := []sdkModelCase{
		{"conditionalAccessPolicy", "PATCH", caPath, models.NewConditionalAccessPolicy(), ca},
		{"conditionalAccessConditionSet", "PATCH", caPath, models.NewConditionalAccessConditionSet(), cond},
		{"conditionalAccessUsers", "PATCH", caPath, models.NewConditionalAccessUsers(), nested(cond, "users")},
		{"conditionalAccessApplications", "PATCH", caPath, models.NewConditionalAccessApplications(), nested(cond, "applications")},
		{"conditionalAccessLocations", "PATCH", caPath, models.NewConditionalAccessLocations(), nested(cond, "locations")},
		{"conditionalAccessPlatforms", "PATCH", caPath, models.NewConditionalAccessPlatforms(), nested(cond, "platforms")},
		{"conditionalAccessDevices", "PATCH", caPath, models.NewConditionalAccessDevices(), nested(cond, "devices")},
		{"conditionalAccessGrantControls", "PATCH", caPath, models.NewConditionalAccessGrantControls(), grant},
		{"conditionalAccessSessionControls", "PATCH", caPath, models.NewConditionalAccessSessionControls(), session},
		{"signInFrequencySessionControl", "PATCH", caPath, models.NewSignInFrequencySessionControl(), nested(session, "signInFrequency")},
		{"persistentBrowserSessionControl", "PATCH", caPath, models.NewPersistentBrowserSessionControl(), nested(session, "persistentBrowser")},
		{"countryNamedLocation", "PATCH", "/identity/conditionalAccess/namedLocations/" + jsonStr(cl["id"]), models.NewCountryNamedLocation(), top("#microsoft.graph.countryNamedLocation")},
		{"ipNamedLocation", "PATCH", "/identity/conditionalAccess/namedLocations/" + jsonStr(il["id"]), models.NewIpNamedLocation(), top("#microsoft.graph.ipNamedLocation")},
		{"authenticationStrengthPolicy", "PATCH", "/policies/authenticationStrengthPolicies/" + jsonStr(sp["id"]), models.NewAuthenticationStrengthPolicy(), top("")},
		{"authenticationMethodsPolicy", "PATCH", "/policies/authenticationMethodsPolicy", models.NewAuthenticationMethodsPolicy(), top("")},
		{"registrationEnforcement", "PATCH", "/policies/authenticationMethodsPolicy", models.NewRegistrationEnforcement(), nested(top(""), "registrationEnforcement")},
		{"fido2AuthenticationMethodConfiguration", "PATCH", methods + "Fido2", models.NewFido2AuthenticationMethodConfiguration(), top("#microsoft.graph.fido2AuthenticationMethodConfiguration")},
		{"microsoftAuthenticatorAuthenticationMethodConfiguration", "PATCH", methods + "MicrosoftAuthenticator", models.NewMicrosoftAuthenticatorAuthenticationMethodConfiguration(), top("#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration")},
		{"smsAuthenticationMethodConfiguration", "PATCH", methods + "Sms", models.NewSmsAuthenticationMethodConfiguration(), top("#microsoft.graph.smsAuthenticationMethodConfiguration")},
		{"voiceAuthenticationMethodConfiguration", "PATCH", methods + "Voice", models.NewVoiceAuthenticationMethodConfiguration(), top("#microsoft.graph.voiceAuthenticationMethodConfiguration")},
		{"emailAuthenticationMethodConfiguration", "PATCH", methods + "Email", models.NewEmailAuthenticationMethodConfiguration(), top("#microsoft.graph.emailAuthenticationMethodConfiguration")},
		{"temporaryAccessPassAuthenticationMethodConfiguration", "PATCH", methods + "TemporaryAccessPass", models.NewTemporaryAccessPassAuthenticationMethodConfiguration(), top("#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration")},
		{"softwareOathAuthenticationMethodConfiguration", "PATCH", methods + "SoftwareOath", models.NewSoftwareOathAuthenticationMethodConfiguration(), top("#microsoft.graph.softwareOathAuthenticationMethodConfiguration")},
		{"x509CertificateAuthenticationMethodConfiguration", "PATCH", methods + "X509Certificate", models.NewX509CertificateAuthenticationMethodConfiguration(), top("#microsoft.graph.x509CertificateAuthenticationMethodConfiguration")},
		{"authorizationPolicy", "PATCH", "/policies/authorizationPolicy", models.NewAuthorizationPolicy(), top("")},
		{"defaultUserRolePermissions", "PATCH", "/policies/authorizationPolicy", models.NewDefaultUserRolePermissions(), nested(top(""), "defaultUserRolePermissions")},
		{"adminConsentRequestPolicy", "PUT", "/policies/adminConsentRequestPolicy", models.NewAdminConsentRequestPolicy(), top("")},
		{"identitySecurityDefaultsEnforcementPolicy", "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", models.NewIdentitySecurityDefaultsEnforcementPolicy(), top("")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, f := range fieldNames(c.model) {
				if f == "@odata.type" {
					continue
				}
				code, out := graphDo(t, s, c.method, c.path, c.wrap(map[string]any{f: nil}))
				if code == 400 {
					if _, m := errorOf(t, out); unknownPropRe.MatchString(m) && unknownPropRe.FindStringSubmatch(m)[1] == f {
						t.Errorf("%s %s: the SDK's %s declares %q, the emulator says: %s", c.method, c.path, c.name, f, m)
					}
				}
			}
			const bogus = "notAPropertyOfThisType"
			code, out := graphDo(t, s, c.method, c.path, c.wrap(map[string]any{bogus: nil}))
			if code != 400 {
				t.Fatalf("%s %s with %q inside %s: %d %v, want 400", c.method, c.path, bogus, c.name, code, out)
			}
			if _, m := errorOf(t, out); !strings.Contains(m, "The property '"+bogus+"' does not exist on type") {
				t.Errorf("%s %s with %q inside %s: %s", c.method, c.path, bogus, c.name, m)
			}
		})
	}
}
