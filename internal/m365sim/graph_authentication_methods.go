package m365sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The authentication methods policy, a singleton per tenant, and its
// per-method configurations.
//   - Resource type (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodspolicy):
//     id, displayName, description, lastModifiedDateTime and policyVersion
//     are read-only; registrationEnforcement and policyMigrationState
//     (preMigration | migrationInProgress | migrationComplete) are written.
//     systemCredentialPreferences and reportSuspiciousActivitySettings are
//     beta-only: on v1.0 they are unknown properties, as in msgraph-sdk-go's
//     v1.0 models; GET/PATCH /beta/policies/authenticationMethodsPolicy
//     (https://learn.microsoft.com/en-us/graph/api/authenticationmethodspolicy-update?view=graph-rest-beta)
//     read and write them on the same stored policy (one store, two views).
//     systemCredentialPreferences
//     (https://learn.microsoft.com/en-us/graph/api/resources/systemcredentialpreferences?view=graph-rest-beta):
//     state default | enabled | disabled ("default" is documented as
//     disabled), includeTargets and excludeTargets of {id, targetType}.
//     reportSuspiciousActivitySettings
//     (https://learn.microsoft.com/en-us/graph/api/resources/reportsuspiciousactivitysettings?view=graph-rest-beta):
//     state (default behaves as disabled), includeTarget {id, targetType},
//     voiceReportingCode. A new tenant's values: state default, all_users
//     included, nobody excluded, code 0 (the resource pages' defaults; the
//     update page's example sends the same shape).
//   - Get (https://learn.microsoft.com/en-us/graph/api/authenticationmethodspolicy-get):
//     Policy.Read.AuthenticationMethod, Policy.ReadWrite.AuthenticationMethod
//     or Policy.Read.All; the answer carries authenticationMethodConfigurations.
//   - Update (https://learn.microsoft.com/en-us/graph/api/authenticationmethodspolicy-update):
//     Policy.ReadWrite.AuthenticationMethod; 200 with the policy.
//   - Registration campaign
//     (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodsregistrationcampaign):
//     state default | enabled | disabled; snoozeDurationInDays 0–14;
//     includeTargets' targetedAuthenticationMethod "must be
//     microsoftAuthenticator"
//     (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodsregistrationcampaignincludetarget).
//     The page's update example sends the campaign whole; the emulator
//     replaces it whole (its collections would be replaced anyway).
//   - Method configurations
//     (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodconfiguration):
//     GET/PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id};
//     PATCH answers 204
//     (https://learn.microsoft.com/en-us/graph/api/fido2authenticationmethodconfiguration-update).
//     Every update page's example carries the configuration's @odata.type;
//     what Graph does without it is not documented, so the emulator
//     requires it and requires it to match the method (the stricter
//     reading). Properties per type: fido2 (isAttestationEnforced,
//     isSelfServiceRegistrationAllowed, keyRestrictions {isEnforced,
//     enforcementType allow | block, aaGuids},
//     https://learn.microsoft.com/en-us/graph/api/resources/fido2authenticationmethodconfiguration),
//     microsoftAuthenticator (isSoftwareOathEnabled, featureSettings
//     {displayAppInformationRequiredState,
//     displayLocationInformationRequiredState}, each an
//     authenticationMethodFeatureConfiguration {state, includeTarget,
//     excludeTarget},
//     https://learn.microsoft.com/en-us/graph/api/resources/microsoftauthenticatorfeaturesettings;
//     its include targets carry authenticationMode deviceBasedPush | push |
//     any), sms (include targets carry isUsableForSignIn), voice
//     (isOfficePhoneAllowed), email (allowExternalIdToUseEmailOtp default |
//     enabled | disabled), temporaryAccessPass (defaultLength 8–48,
//     minimum/maximumLifetimeInMinutes 10–43200, defaultLifetimeInMinutes
//     between them, isUsableOnce,
//     https://learn.microsoft.com/en-us/graph/api/resources/temporaryaccesspassauthenticationmethodconfiguration),
//     softwareOath, x509Certificate (state and targets). Complex values sent are merged property by property,
//     collections are replaced.
//   - Defaults of a new tenant: the Get page's example answer (Fido2,
//     MicrosoftAuthenticator and TemporaryAccessPass disabled; Sms and Email
//     enabled; all_users targets; campaign "default", snoozed 1 day), the
//     Authenticator feature settings of
//     https://learn.microsoft.com/en-us/graph/api/microsoftauthenticatorauthenticationmethodconfiguration-get
//     (state default, include all_users, exclude the empty GUID), Voice and
//     SoftwareOath disabled for all_users, and policyMigrationState
//     preMigration (a tenant that has not moved off the legacy MFA and SSPR
//     policies,
//     https://learn.microsoft.com/en-us/entra/identity/authentication/how-to-authentication-methods-manage).

const (
	kindAuthMethodsPolicy = "authenticationMethodsPolicy"
	kindAuthMethodConfig  = "authenticationMethodConfiguration"
	authMethodsPolicyID   = "authenticationMethodsPolicy"
	emptyGUID             = "00000000-0000-0000-0000-000000000000"
)

// Method configuration ids and their @odata.type.
var amTypes = map[string]string{
	"Fido2":                  "#microsoft.graph.fido2AuthenticationMethodConfiguration",
	"MicrosoftAuthenticator": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration",
	"Sms":                    "#microsoft.graph.smsAuthenticationMethodConfiguration",
	"Voice":                  "#microsoft.graph.voiceAuthenticationMethodConfiguration",
	"Email":                  "#microsoft.graph.emailAuthenticationMethodConfiguration",
	"TemporaryAccessPass":    "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
	"SoftwareOath":           "#microsoft.graph.softwareOathAuthenticationMethodConfiguration",
	"X509Certificate":        "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration",
}

var (
	amTargetTypes  = []string{"user", "group"}
	amFeatureTypes = []string{"group", "administrativeUnit", "role"}
	amAdvanced     = []string{"default", "enabled", "disabled"}
	amMigration    = []string{"preMigration", "migrationInProgress", "migrationComplete"}
	amTargetIDRe   = regexp.MustCompile(`^(all_users|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)
	amGUIDRe       = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

func amTarget(id string, extra map[string]any) map[string]any {
	t := map[string]any{"targetType": "group", "id": id, "isRegistrationRequired": false}
	for k, v := range extra {
		t[k] = v
	}
	return t
}

func amFeature() map[string]any {
	return map[string]any{
		"state":         "default",
		"includeTarget": map[string]any{"targetType": "group", "id": "all_users"},
		"excludeTarget": map[string]any{"targetType": "group", "id": emptyGUID},
	}
}

func init() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindAuthMethodsPolicy, authMethodsPolicyID, Object{
			"@odata.type":          "#microsoft.graph.authenticationMethodsPolicy",
			"id":                   authMethodsPolicyID,
			"displayName":          "Authentication Methods Policy",
			"description":          "The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings",
			"lastModifiedDateTime": time.Now().UTC().Format(time.RFC3339),
			"policyVersion":        "1.5",
			"policyMigrationState": "preMigration",
			"registrationEnforcement": map[string]any{
				"authenticationMethodsRegistrationCampaign": map[string]any{
					"snoozeDurationInDays": float64(1),
					"state":                "default",
					"excludeTargets":       []any{},
					"includeTargets":       []any{map[string]any{"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "microsoftAuthenticator"}},
				},
			},
			// Beta only (amPolicyBetaView).
			"systemCredentialPreferences": map[string]any{
				"state": "default", "excludeTargets": []any{},
				"includeTargets": []any{map[string]any{"id": "all_users", "targetType": "group"}},
			},
			"reportSuspiciousActivitySettings": map[string]any{
				"state": "default", "voiceReportingCode": float64(0),
				"includeTarget": map[string]any{"id": "all_users", "targetType": "group"},
			},
		}, 0)
		put := func(id string, state string, o map[string]any) {
			o["@odata.type"], o["id"], o["state"] = amTypes[id], id, state
			if _, ok := o["excludeTargets"]; !ok {
				o["excludeTargets"] = []any{}
			}
			t.Store.Put(kindAuthMethodConfig, id, Object(o), 0)
		}
		put("Fido2", "disabled", map[string]any{
			"isSelfServiceRegistrationAllowed": true, "isAttestationEnforced": true,
			"keyRestrictions": map[string]any{"isEnforced": false, "enforcementType": "block", "aaGuids": []any{}},
			"includeTargets":  []any{amTarget("all_users", nil)},
		})
		put("MicrosoftAuthenticator", "disabled", map[string]any{
			"isSoftwareOathEnabled": false,
			"featureSettings": map[string]any{
				"displayAppInformationRequiredState":      amFeature(),
				"displayLocationInformationRequiredState": amFeature(),
			},
			"includeTargets": []any{amTarget("all_users", map[string]any{"authenticationMode": "any"})},
		})
		put("Sms", "enabled", map[string]any{"includeTargets": []any{amTarget("all_users", map[string]any{"isUsableForSignIn": true})}})
		put("Voice", "disabled", map[string]any{"isOfficePhoneAllowed": false, "includeTargets": []any{amTarget("all_users", nil)}})
		put("Email", "enabled", map[string]any{"allowExternalIdToUseEmailOtp": "default", "includeTargets": []any{}})
		put("TemporaryAccessPass", "disabled", map[string]any{
			"defaultLifetimeInMinutes": float64(60), "defaultLength": float64(8), "minimumLifetimeInMinutes": float64(60),
			"maximumLifetimeInMinutes": float64(480), "isUsableOnce": false,
			"includeTargets": []any{amTarget("all_users", nil)},
		})
		put("SoftwareOath", "disabled", map[string]any{"includeTargets": []any{amTarget("all_users", nil)}})
		// The Get page's default configuration
		// (https://learn.microsoft.com/en-us/graph/api/x509certificateauthenticationmethodconfiguration-get).
		// The emulator models only state and targets; a PATCH of the
		// bindings or the mode configuration is refused as unknown (stricter
		// than Graph, which takes them).
		put("X509Certificate", "disabled", map[string]any{
			"certificateUserBindings": []any{
				map[string]any{"x509CertificateField": "PrincipalName", "userProperty": "onPremisesUserPrincipalName", "priority": float64(1)},
				map[string]any{"x509CertificateField": "RFC822Name", "userProperty": "userPrincipalName", "priority": float64(2)},
			},
			"authenticationModeConfiguration": map[string]any{"x509CertificateAuthenticationDefaultMode": "x509CertificateSingleFactor", "rules": []any{}},
			"includeTargets":                  []any{amTarget("all_users", nil)},
		})
	})
	read := []string{"Policy.Read.AuthenticationMethod", "Policy.ReadWrite.AuthenticationMethod", "Policy.Read.All"}
	write := []string{"Policy.ReadWrite.AuthenticationMethod"}
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/policies/authenticationMethodsPolicy", AnyOf: read,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			return http.StatusOK, amPolicyView(g), nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "PATCH", Pattern: "/policies/authenticationMethodsPolicy", AnyOf: write, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) { return amPolicyPatch(g, false) },
	})
	// The beta view of the same policy (one store, two views).
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/policies/authenticationMethodsPolicy", AnyOf: read, Beta: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			return http.StatusOK, amPolicyBetaView(g), nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "PATCH", Pattern: "/policies/authenticationMethodsPolicy", AnyOf: write, Write: true, Beta: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) { return amPolicyPatch(g, true) },
	})
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}", AnyOf: read,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			_, o := amFind(g)
			if o == nil {
				return 0, nil, amNotFound(g.Vars["id"])
			}
			out := o.Clone()
			out["@odata.context"] = g.Server.url + "/v1.0/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity"
			return http.StatusOK, out, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "PATCH", Pattern: "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}", AnyOf: write, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			id, _ := amFind(g)
			if id == "" {
				return 0, nil, amNotFound(g.Vars["id"])
			}
			var body map[string]any
			if err := json.Unmarshal(g.Body, &body); err != nil || body == nil {
				return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Empty Payload. JSON content expected."}
			}
			if typ, _ := body["@odata.type"].(string); !strings.EqualFold(strings.TrimPrefix(typ, "#"), strings.TrimPrefix(amTypes[id], "#")) {
				return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest",
					Message: fmt.Sprintf("The request body must name the configuration's type %s in @odata.type; got '%v'.", strings.TrimPrefix(amTypes[id], "#"), body["@odata.type"])}
			}
			cur := g.Tenant.Store.GetLatest(kindAuthMethodConfig, id)
			if ge := amApply(id, cur, body); ge != nil {
				return 0, nil, ge
			}
			if tap := cur; id == "TemporaryAccessPass" {
				lo, hi, def := num(tap["minimumLifetimeInMinutes"]), num(tap["maximumLifetimeInMinutes"]), num(tap["defaultLifetimeInMinutes"])
				if lo > hi || def < lo || def > hi {
					return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest",
						Message: fmt.Sprintf("defaultLifetimeInMinutes (%v) must be between minimumLifetimeInMinutes (%v) and maximumLifetimeInMinutes (%v).", def, lo, hi)}
				}
			}
			g.Tenant.Store.Put(kindAuthMethodConfig, id, cur, g.Lag)
			return http.StatusNoContent, nil, nil
		},
	})
}

// amPolicyPatch updates the policy; beta also takes the beta-only
// properties (systemCredentialPreferences, reportSuspiciousActivitySettings),
// which v1.0 refuses as unknown.
func amPolicyPatch(g *GraphCall, beta bool) (int, any, *GraphError) {
	var body map[string]any
	if err := json.Unmarshal(g.Body, &body); err != nil || body == nil {
		return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Empty Payload. JSON content expected."}
	}
	cur := g.Tenant.Store.GetLatest(kindAuthMethodsPolicy, authMethodsPolicyID)
	for k, v := range body {
		switch k {
		case "@odata.type":
		case "policyMigrationState":
			s, _ := v.(string)
			if !slices.Contains(amMigration, s) {
				return 0, nil, amBadEnum(v)
			}
			cur[k] = s
		case "registrationEnforcement":
			m, ok := v.(map[string]any)
			if !ok {
				return 0, nil, nlTypeError(v, "microsoft.graph.registrationEnforcement")
			}
			for rk, rv := range m {
				switch rk {
				case "@odata.type":
				case "authenticationMethodsRegistrationCampaign":
					c, ge := amCampaign(rv)
					if ge != nil {
						return 0, nil, ge
					}
					cur[k] = map[string]any{rk: c}
				default:
					return 0, nil, odataUnknownProperty(rk, "microsoft.graph.registrationEnforcement")
				}
			}
		case "reconfirmationInDays":
			// Declared on authenticationMethodsPolicy
			// (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodspolicy);
			// no resource manages it.
			if ge := notModelled(k, "microsoft.graph.authenticationMethodsPolicy", v); ge != nil {
				return 0, nil, ge
			}
		case "id", "displayName", "description", "lastModifiedDateTime", "policyVersion", "authenticationMethodConfigurations":
			return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("Property '%s' is read-only and cannot be set.", k)}
		case "systemCredentialPreferences", "reportSuspiciousActivitySettings":
			if !beta {
				return 0, nil, odataUnknownProperty(k, "microsoft.graph.authenticationMethodsPolicy")
			}
			nv, ge := amBetaSetting(k, cur[k], v)
			if ge != nil {
				return 0, nil, ge
			}
			cur[k] = nv
		default:
			return 0, nil, odataUnknownProperty(k, "microsoft.graph.authenticationMethodsPolicy")
		}
	}
	cur["lastModifiedDateTime"] = time.Now().UTC().Format(time.RFC3339)
	g.Tenant.Store.Put(kindAuthMethodsPolicy, authMethodsPolicyID, cur, g.Lag)
	if beta {
		return http.StatusOK, amPolicyBetaView(g), nil
	}
	return http.StatusOK, amPolicyView(g), nil
}

func num(v any) float64 { f, _ := v.(float64); return f }

func amBadEnum(v any) *GraphError {
	return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("Requested value '%v' was not found.", v)}
}

func amNotFound(id string) *GraphError {
	return &GraphError{Status: http.StatusNotFound, Code: "itemNotFound", Message: fmt.Sprintf("Authentication method configuration '%s' does not exist.", id)}
}

// amFind looks the configuration up by id, case-insensitively as Graph's
// keys are matched (the id is "Fido2", "Sms", …).
func amFind(g *GraphCall) (string, Object) {
	for id := range amTypes {
		if strings.EqualFold(id, g.Vars["id"]) {
			return id, g.Tenant.Store.Get(kindAuthMethodConfig, id)
		}
	}
	return "", nil
}

func amPolicyView(g *GraphCall) Object {
	out := amPolicyBetaView(g)
	for _, k := range amBetaOnly {
		delete(out, k)
	}
	out["@odata.context"] = g.Server.url + "/v1.0/$metadata#authenticationMethodsPolicy"
	return out
}

// amBetaOnly are the policy's properties that only the beta view has.
var amBetaOnly = []string{"systemCredentialPreferences", "reportSuspiciousActivitySettings"}

func amPolicyBetaView(g *GraphCall) Object {
	out := g.Tenant.Store.Get(kindAuthMethodsPolicy, authMethodsPolicyID).Clone()
	var cfgs []any
	ids := make([]string, 0, len(amTypes))
	for id := range amTypes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if o := g.Tenant.Store.Get(kindAuthMethodConfig, id); o != nil {
			cfgs = append(cfgs, map[string]any(o.Clone()))
		}
	}
	out["authenticationMethodConfigurations"] = cfgs
	out["@odata.context"] = g.Server.url + "/beta/$metadata#authenticationMethodsPolicy"
	return out
}

// amBetaSetting merges a PATCHed systemCredentialPreferences or
// reportSuspiciousActivitySettings into the stored value, property by
// property (collections replaced), validating each.
func amBetaSetting(name string, cur, v any) (map[string]any, *GraphError) {
	typ := "microsoft.graph." + name
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nlTypeError(v, typ)
	}
	out := map[string]any(asObject(cur))
	if out == nil {
		out = map[string]any{}
	}
	for k, e := range m {
		switch {
		case k == "@odata.type":
		case k == "state":
			if s, _ := e.(string); !slices.Contains(amAdvanced, s) {
				return nil, amBadEnum(e)
			}
			out[k] = e
		case name == "systemCredentialPreferences" && k == "excludeTargets":
			list, ge := amExcludes(e)
			if ge != nil {
				return nil, ge
			}
			out[k] = list
		case name == "systemCredentialPreferences" && k == "includeTargets":
			list, ok := e.([]any)
			if !ok {
				return nil, nlTypeError(e, "Collection(microsoft.graph.includeTarget)")
			}
			for _, t := range list {
				if ge := amIncludeTarget(t); ge != nil {
					return nil, ge
				}
			}
			out[k] = list
		case name == "reportSuspiciousActivitySettings" && k == "includeTarget":
			if ge := amIncludeTarget(e); ge != nil {
				return nil, ge
			}
			out[k] = e
		case name == "reportSuspiciousActivitySettings" && k == "voiceReportingCode":
			// An Int32; the admin center takes one digit (0 unless
			// changed,
			// https://learn.microsoft.com/en-us/entra/identity/authentication/howto-mfa-mfasettings#report-suspicious-activity).
			// Graph's own range is not documented: the stricter reading.
			f, ok := e.(float64)
			if !ok || f != float64(int(f)) {
				return nil, nlTypeError(e, "Edm.Int32")
			}
			if f < 0 || f > 9 {
				return nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("voiceReportingCode must be a single digit (0-9); got %v.", f)}
			}
			out[k] = f
		default:
			return nil, odataUnknownProperty(k, typ)
		}
	}
	return out, nil
}

// amIncludeTarget checks an includeTarget
// (https://learn.microsoft.com/en-us/graph/api/resources/includetarget?view=graph-rest-beta):
// id and targetType (user | group).
func amIncludeTarget(v any) *GraphError {
	tm, ok := v.(map[string]any)
	if !ok {
		return nlTypeError(v, "microsoft.graph.includeTarget")
	}
	for tk := range tm {
		if tk != "@odata.type" && tk != "id" && tk != "targetType" {
			return odataUnknownProperty(tk, "microsoft.graph.includeTarget")
		}
	}
	return amCheckTarget(tm, amTargetTypes)
}

func amCampaign(v any) (map[string]any, *GraphError) {
	const typ = "microsoft.graph.authenticationMethodsRegistrationCampaign"
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nlTypeError(v, typ)
	}
	out := map[string]any{"state": "default", "snoozeDurationInDays": float64(1), "includeTargets": []any{}, "excludeTargets": []any{}}
	for k, e := range m {
		switch k {
		case "@odata.type":
		case "state":
			s, _ := e.(string)
			if !slices.Contains(amAdvanced, s) {
				return nil, amBadEnum(e)
			}
			out[k] = s
		case "snoozeDurationInDays":
			f, ok := e.(float64)
			if !ok || f != float64(int(f)) {
				return nil, nlTypeError(e, "Edm.Int32")
			}
			if f < 0 || f > 14 {
				return nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("snoozeDurationInDays must be between 0 and 14; got %v.", f)}
			}
			out[k] = f
		case "includeTargets":
			list, ok := e.([]any)
			if !ok {
				return nil, nlTypeError(e, "Collection("+typ+"IncludeTarget)")
			}
			for _, t := range list {
				tm, ok := t.(map[string]any)
				if !ok {
					return nil, nlTypeError(t, typ+"IncludeTarget")
				}
				for tk, tv := range tm {
					switch tk {
					case "@odata.type", "id", "targetType":
					case "targetedAuthenticationMethod":
						if tv != "microsoftAuthenticator" {
							return nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("targetedAuthenticationMethod must be microsoftAuthenticator; got '%v'.", tv)}
						}
					default:
						return nil, odataUnknownProperty(tk, typ+"IncludeTarget")
					}
				}
				if ge := amCheckTarget(tm, amTargetTypes); ge != nil {
					return nil, ge
				}
			}
			out[k] = list
		case "excludeTargets":
			list, ge := amExcludes(e)
			if ge != nil {
				return nil, ge
			}
			out[k] = list
		default:
			return nil, odataUnknownProperty(k, typ)
		}
	}
	return out, nil
}

func amCheckTarget(t map[string]any, types []string) *GraphError {
	id, _ := t["id"].(string)
	if !amTargetIDRe.MatchString(id) {
		return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("Invalid target id '%v': an object id or all_users is expected.", t["id"])}
	}
	if s, _ := t["targetType"].(string); !slices.Contains(types, s) {
		return amBadEnum(t["targetType"])
	}
	return nil
}

func amExcludes(v any) ([]any, *GraphError) {
	list, ok := v.([]any)
	if !ok {
		return nil, nlTypeError(v, "Collection(microsoft.graph.excludeTarget)")
	}
	for _, t := range list {
		tm, ok := t.(map[string]any)
		if !ok {
			return nil, nlTypeError(t, "microsoft.graph.excludeTarget")
		}
		for tk := range tm {
			if tk != "@odata.type" && tk != "id" && tk != "targetType" {
				return nil, odataUnknownProperty(tk, "microsoft.graph.excludeTarget")
			}
		}
		if ge := amCheckTarget(tm, amTargetTypes); ge != nil {
			return nil, ge
		}
	}
	return list, nil
}

// amApply merges a PATCH body into a method configuration.
func amApply(id string, cur Object, body map[string]any) *GraphError {
	typ := strings.TrimPrefix(amTypes[id], "#")
	boolProp := func(k string, v any) *GraphError {
		b, ok := v.(bool)
		if !ok {
			return nlTypeError(v, "Edm.Boolean")
		}
		cur[k] = b
		return nil
	}
	intProp := func(k string, v any, lo, hi float64) *GraphError {
		f, ok := v.(float64)
		if !ok || f != float64(int(f)) {
			return nlTypeError(v, "Edm.Int32")
		}
		if f < lo || f > hi {
			return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("%s must be between %v and %v; got %v.", k, lo, hi, f)}
		}
		cur[k] = f
		return nil
	}
	for k, v := range body {
		var ge *GraphError
		switch {
		case k == "@odata.type":
		case k == "state":
			if v != "enabled" && v != "disabled" {
				ge = amBadEnum(v)
			} else {
				cur[k] = v
			}
		case k == "excludeTargets":
			var list []any
			if list, ge = amExcludes(v); ge == nil {
				cur[k] = list
			}
		case k == "includeTargets":
			ge = amIncludes(id, cur, v)
		case k == "id":
			ge = &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Property 'id' is read-only and cannot be set."}
		case id == "Fido2" && (k == "isAttestationEnforced" || k == "isSelfServiceRegistrationAllowed"),
			id == "MicrosoftAuthenticator" && k == "isSoftwareOathEnabled",
			id == "Voice" && k == "isOfficePhoneAllowed",
			id == "TemporaryAccessPass" && k == "isUsableOnce":
			ge = boolProp(k, v)
		case id == "TemporaryAccessPass" && k == "defaultLength":
			ge = intProp(k, v, 8, 48)
		case id == "TemporaryAccessPass" && (k == "defaultLifetimeInMinutes" || k == "minimumLifetimeInMinutes" || k == "maximumLifetimeInMinutes"):
			ge = intProp(k, v, 10, 43200)
		case id == "Email" && k == "allowExternalIdToUseEmailOtp":
			if s, _ := v.(string); !slices.Contains(amAdvanced, s) {
				ge = amBadEnum(v)
			} else {
				cur[k] = s
			}
		case id == "Fido2" && k == "keyRestrictions":
			ge = amKeyRestrictions(cur, v)
		case id == "MicrosoftAuthenticator" && k == "featureSettings":
			ge = amFeatureSettings(cur, v)
		case id == "X509Certificate" && (k == "authenticationModeConfiguration" || k == "certificateUserBindings" || k == "crlValidationConfiguration"):
			// Declared on x509CertificateAuthenticationMethodConfiguration
			// (https://learn.microsoft.com/en-us/graph/api/resources/x509certificateauthenticationmethodconfiguration);
			// the resource manages only state and targets.
			ge = notModelled(k, typ, v)
		default:
			ge = odataUnknownProperty(k, typ)
		}
		if ge != nil {
			return ge
		}
	}
	return nil
}

func amIncludes(id string, cur Object, v any) *GraphError {
	list, ok := v.([]any)
	if !ok {
		return nlTypeError(v, "Collection(microsoft.graph.authenticationMethodTarget)")
	}
	ttyp := "microsoft.graph.authenticationMethodTarget"
	switch id {
	case "MicrosoftAuthenticator":
		ttyp = "microsoft.graph.microsoftAuthenticatorAuthenticationMethodTarget"
	case "Sms":
		ttyp = "microsoft.graph.smsAuthenticationMethodTarget"
	}
	var out []any
	for _, t := range list {
		tm, ok := t.(map[string]any)
		if !ok {
			return nlTypeError(t, ttyp)
		}
		// A target as stored: the subtype's properties get their documented
		// defaults when not sent.
		st := map[string]any{"isRegistrationRequired": false}
		switch id {
		case "MicrosoftAuthenticator":
			st["authenticationMode"] = "any"
		case "Sms":
			st["isUsableForSignIn"] = true
		}
		for tk, tv := range tm {
			switch {
			case tk == "@odata.type":
			case tk == "id" || tk == "targetType":
				st[tk] = tv
			case tk == "isRegistrationRequired" || (id == "Sms" && tk == "isUsableForSignIn"):
				b, ok := tv.(bool)
				if !ok {
					return nlTypeError(tv, "Edm.Boolean")
				}
				st[tk] = b
			case id == "MicrosoftAuthenticator" && tk == "authenticationMode":
				if s, _ := tv.(string); !slices.Contains([]string{"deviceBasedPush", "push", "any"}, s) {
					return amBadEnum(tv)
				}
				st[tk] = tv
			default:
				return odataUnknownProperty(tk, ttyp)
			}
		}
		if ge := amCheckTarget(st, amTargetTypes); ge != nil {
			return ge
		}
		out = append(out, st)
	}
	if out == nil {
		out = []any{}
	}
	cur["includeTargets"] = out
	return nil
}

func amKeyRestrictions(cur Object, v any) *GraphError {
	const typ = "microsoft.graph.fido2KeyRestrictions"
	m, ok := v.(map[string]any)
	if !ok {
		return nlTypeError(v, typ)
	}
	kr := asObject(cur["keyRestrictions"])
	for k, e := range m {
		switch k {
		case "@odata.type":
		case "isEnforced":
			b, ok := e.(bool)
			if !ok {
				return nlTypeError(e, "Edm.Boolean")
			}
			kr[k] = b
		case "enforcementType":
			if e != "allow" && e != "block" {
				return amBadEnum(e)
			}
			kr[k] = e
		case "aaGuids":
			list, ok := e.([]any)
			if !ok {
				return nlTypeError(e, "Collection(Edm.String)")
			}
			for _, g := range list {
				if s, _ := g.(string); !amGUIDRe.MatchString(s) {
					return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("'%v' is not a valid AAGUID.", g)}
				}
			}
			kr[k] = list
		default:
			return odataUnknownProperty(k, typ)
		}
	}
	cur["keyRestrictions"] = map[string]any(kr)
	return nil
}

func amFeatureSettings(cur Object, v any) *GraphError {
	const typ = "microsoft.graph.microsoftAuthenticatorFeatureSettings"
	m, ok := v.(map[string]any)
	if !ok {
		return nlTypeError(v, typ)
	}
	fs := asObject(cur["featureSettings"])
	for k, e := range m {
		switch k {
		case "@odata.type":
		case "displayAppInformationRequiredState", "displayLocationInformationRequiredState":
			fm, ok := e.(map[string]any)
			if !ok {
				return nlTypeError(e, "microsoft.graph.authenticationMethodFeatureConfiguration")
			}
			f := asObject(fs[k])
			for fk, fv := range fm {
				switch fk {
				case "@odata.type":
				case "state":
					if s, _ := fv.(string); !slices.Contains(amAdvanced, s) {
						return amBadEnum(fv)
					}
					f[fk] = fv
				case "includeTarget", "excludeTarget":
					tm, ok := fv.(map[string]any)
					if !ok {
						return nlTypeError(fv, "microsoft.graph.featureTarget")
					}
					for tk := range tm {
						if tk != "@odata.type" && tk != "id" && tk != "targetType" {
							return odataUnknownProperty(tk, "microsoft.graph.featureTarget")
						}
					}
					if ge := amCheckTarget(tm, amFeatureTypes); ge != nil {
						return ge
					}
					f[fk] = map[string]any{"id": tm["id"], "targetType": tm["targetType"]}
				default:
					return odataUnknownProperty(fk, "microsoft.graph.authenticationMethodFeatureConfiguration")
				}
			}
			fs[k] = map[string]any(f)
		default:
			return odataUnknownProperty(k, typ)
		}
	}
	cur["featureSettings"] = map[string]any(fs)
	return nil
}
