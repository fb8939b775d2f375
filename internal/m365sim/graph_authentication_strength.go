package m365sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Authentication strength policies: /policies/authenticationStrengthPolicies.
//   - Resource type (https://learn.microsoft.com/en-us/graph/api/resources/authenticationstrengthpolicy):
//     displayName, description, allowedCombinations (authenticationMethodModes
//     collection), policyType builtIn | custom, requirementsSatisfied
//     (read-only), createdDateTime, modifiedDateTime. Built-ins can be
//     neither updated nor deleted.
//   - The three built-ins, their ids and allowedCombinations are the List
//     page's example response
//     (https://learn.microsoft.com/en-us/graph/api/authenticationstrengthroot-list-policies).
//   - Create (https://learn.microsoft.com/en-us/graph/api/authenticationstrengthroot-post-policies):
//     Policy.ReadWrite.ConditionalAccess (least) or
//     Policy.ReadWrite.AuthenticationMethod; 201 with the entity.
//   - Update (https://learn.microsoft.com/en-us/graph/api/authenticationstrengthpolicy-update):
//     displayName and description only; allowedCombinations changes go
//     through the updateAllowedCombinations action
//     (https://learn.microsoft.com/en-us/graph/api/authenticationstrengthpolicy-updateallowedcombinations),
//     so the emulator refuses them in a PATCH.
//   - Delete (https://learn.microsoft.com/en-us/graph/api/authenticationstrengthpolicy-delete):
//     204. Graph's pages document no answer for deleting a strength a
//     Conditional Access policy uses (the usage function exists to find
//     them, https://learn.microsoft.com/en-us/graph/api/authenticationstrengthpolicy-usage);
//     the emulator takes the stricter reading and refuses (400).
//   - Reads: Policy.Read.All (least), Policy.ReadWrite.ConditionalAccess,
//     Policy.ReadWrite.AuthenticationMethod.
//   - Which combinations a custom strength may allow: the emulator accepts
//     the combinations the built-in "Multifactor authentication" strength
//     lists (the stricter reading; Graph documents no other list in v1.0).

const kindAuthStrength = "authenticationStrengthPolicy"

// builtInAuthStrengths as the List page shows them.
var builtInAuthStrengths = []Object{
	{"id": "00000000-0000-0000-0000-000000000002", "displayName": "Multifactor authentication",
		"description":         "Combinations of methods that satisfy strong authentication, such as a password + SMS",
		"allowedCombinations": anyStrings(mfaCombinations)},
	{"id": "00000000-0000-0000-0000-000000000003", "displayName": "Passwordless MFA",
		"description":         "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator",
		"allowedCombinations": anyStrings([]string{"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush"})},
	{"id": "00000000-0000-0000-0000-000000000004", "displayName": "Phishing resistant MFA",
		"description":         "Phishing resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key",
		"allowedCombinations": anyStrings([]string{"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"})},
}

var mfaCombinations = []string{
	"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush",
	"temporaryAccessPassOneTime", "temporaryAccessPassMultiUse",
	"password,microsoftAuthenticatorPush", "password,softwareOath", "password,hardwareOath",
	"password,x509CertificateSingleFactor", "password,x509CertificateMultiFactor",
	"password,sms", "password,voice", "federatedMultiFactor",
	"microsoftAuthenticatorPush,federatedSingleFactor", "softwareOath,federatedSingleFactor",
	"hardwareOath,federatedSingleFactor", "sms,federatedSingleFactor", "voice,federatedSingleFactor",
}

func init() {
	registerSeeder(func(t *Tenant) {
		for _, b := range builtInAuthStrengths {
			o := b.Clone()
			o["policyType"], o["requirementsSatisfied"] = "builtIn", "mfa"
			o["createdDateTime"], o["modifiedDateTime"] = "2021-12-01T00:00:00Z", "2021-12-01T00:00:00Z"
			o["combinationConfigurations"] = []any{}
			t.Store.Put(kindAuthStrength, o["id"].(string), o, 0)
		}
	})
	read := []string{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "Policy.ReadWrite.AuthenticationMethod"}
	write := []string{"Policy.ReadWrite.ConditionalAccess", "Policy.ReadWrite.AuthenticationMethod"}
	const coll = "policies/authenticationStrengthPolicies"
	notFound := func(id string) *GraphError {
		return &GraphError{Status: http.StatusNotFound, Code: "ResourceNotFound", Message: fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)}
	}
	bad := func(f string, a ...any) *GraphError {
		return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf(f, a...)}
	}
	custom := func(g *GraphCall) (Object, *GraphError) {
		cur := g.Tenant.Store.GetLatest(kindAuthStrength, g.Vars["id"])
		if cur == nil {
			return nil, notFound(g.Vars["id"])
		}
		if cur["policyType"] == "builtIn" {
			return nil, bad("Built-in authentication strength policies cannot be modified.")
		}
		return cur, nil
	}
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/policies/authenticationStrengthPolicies", AnyOf: read,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			return g.List(g.Tenant.Store.List(kindAuthStrength), coll, 100, 999)
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/policies/authenticationStrengthPolicies/{id}", AnyOf: read,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			o := g.Tenant.Store.Get(kindAuthStrength, g.Vars["id"])
			if o == nil {
				return 0, nil, notFound(g.Vars["id"])
			}
			out := o.Clone()
			out["@odata.context"] = g.Server.url + "/v1.0/$metadata#" + coll + "/$entity"
			return http.StatusOK, out, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "POST", Pattern: "/policies/authenticationStrengthPolicies", AnyOf: write, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			var body map[string]any
			if err := json.Unmarshal(g.Body, &body); err != nil || body == nil {
				return 0, nil, bad("Empty Payload. JSON content expected.")
			}
			o := Object{"policyType": "custom", "requirementsSatisfied": "mfa", "description": nil, "combinationConfigurations": []any{}}
			for k, v := range body {
				switch k {
				case "@odata.type":
				case "displayName", "description":
					if _, ok := v.(string); !ok && v != nil {
						return 0, nil, nlTypeError(v, "Edm.String")
					}
					o[k] = v
				case "allowedCombinations":
					combos, ge := asCombinations(v)
					if ge != nil {
						return 0, nil, ge
					}
					o[k] = anyStrings(combos)
				case "id", "policyType", "requirementsSatisfied", "createdDateTime", "modifiedDateTime":
					return 0, nil, bad("Property '%s' is read-only and cannot be set.", k)
				case "combinationConfigurations":
					if l, _ := v.([]any); len(l) > 0 {
						return 0, nil, bad("The emulator does not model combinationConfigurations.")
					}
				default:
					return 0, nil, odataUnknownProperty(k, "microsoft.graph.authenticationStrengthPolicy")
				}
			}
			if s, _ := o["displayName"].(string); strings.TrimSpace(s) == "" {
				return 0, nil, bad("displayName is required.")
			}
			if _, ok := o["allowedCombinations"]; !ok {
				return 0, nil, bad("allowedCombinations is required.")
			}
			for _, p := range g.Tenant.Store.ListLatest(kindAuthStrength) {
				if strings.EqualFold(fmt.Sprint(p["displayName"]), fmt.Sprint(o["displayName"])) {
					// Names are unique in the admin centre; Graph's answer is
					// not documented: the stricter reading.
					return 0, nil, &GraphError{Status: http.StatusConflict, Code: "Conflict", Message: fmt.Sprintf("An authentication strength policy named '%v' already exists.", o["displayName"])}
				}
			}
			id := newRequestID()
			now := g.Server.now().UTC().Format(time.RFC3339Nano)
			o["id"], o["createdDateTime"], o["modifiedDateTime"] = id, now, now
			g.Tenant.Store.Put(kindAuthStrength, id, o, g.Lag)
			out := o.Clone()
			out["@odata.context"] = g.Server.url + "/v1.0/$metadata#" + coll + "/$entity"
			return http.StatusCreated, out, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "PATCH", Pattern: "/policies/authenticationStrengthPolicies/{id}", AnyOf: write, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			cur, ge := custom(g)
			if ge != nil {
				return 0, nil, ge
			}
			var body map[string]any
			if err := json.Unmarshal(g.Body, &body); err != nil || body == nil {
				return 0, nil, bad("Empty Payload. JSON content expected.")
			}
			for k, v := range body {
				switch k {
				case "@odata.type":
				case "displayName", "description":
					s, ok := v.(string)
					if !ok && v != nil {
						return 0, nil, nlTypeError(v, "Edm.String")
					}
					if k == "displayName" && strings.TrimSpace(s) == "" {
						return 0, nil, bad("displayName cannot be empty.")
					}
					cur[k] = v
				case "allowedCombinations":
					return 0, nil, bad("allowedCombinations cannot be updated with PATCH: use the updateAllowedCombinations action.")
				case "id", "policyType", "requirementsSatisfied", "createdDateTime", "modifiedDateTime":
					return 0, nil, bad("Property '%s' is read-only and cannot be set.", k)
				case "combinationConfigurations":
					// A relationship, written through its own collection
					// (https://learn.microsoft.com/en-us/graph/api/authenticationstrengthpolicy-post-combinationconfigurations),
					// which the emulator does not model.
					if ge := notModelled(k, "microsoft.graph.authenticationStrengthPolicy", v); ge != nil {
						return 0, nil, ge
					}
				default:
					return 0, nil, odataUnknownProperty(k, "microsoft.graph.authenticationStrengthPolicy")
				}
			}
			cur["modifiedDateTime"] = g.Server.now().UTC().Format(time.RFC3339Nano)
			g.Tenant.Store.Put(kindAuthStrength, cur["id"].(string), cur, g.Lag)
			return http.StatusNoContent, nil, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "POST", Pattern: "/policies/authenticationStrengthPolicies/{id}/updateAllowedCombinations", AnyOf: write, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			cur, ge := custom(g)
			if ge != nil {
				return 0, nil, ge
			}
			var body map[string]any
			if err := json.Unmarshal(g.Body, &body); err != nil || body == nil {
				return 0, nil, bad("Empty Payload. JSON content expected.")
			}
			for k := range body {
				if k != "allowedCombinations" {
					return 0, nil, bad("The parameter '%s' in the request payload is not a valid parameter for the operation 'updateAllowedCombinations'.", k)
				}
			}
			combos, ge := asCombinations(body["allowedCombinations"])
			if ge != nil {
				return 0, nil, ge
			}
			prev, _ := caStrings(cur, "allowedCombinations", "policy")
			cur["allowedCombinations"] = anyStrings(combos)
			cur["modifiedDateTime"] = g.Server.now().UTC().Format(time.RFC3339Nano)
			g.Tenant.Store.Put(kindAuthStrength, cur["id"].(string), cur, g.Lag)
			var added, removed []string
			for _, c := range combos {
				if !slices.Contains(prev, c) {
					added = append(added, c)
				}
			}
			for _, c := range prev {
				if !slices.Contains(combos, c) {
					removed = append(removed, c)
				}
			}
			// The action answers an updateAllowedCombinationsResult.
			return http.StatusOK, map[string]any{
				"@odata.context":              g.Server.url + "/v1.0/$metadata#microsoft.graph.updateAllowedCombinationsResult",
				"additionalInformation":       nil,
				"conditionalAccessReferences": []any{},
				"currentCombinations":         anyStrings(combos),
				"previousCombinations":        anyStrings(prev),
				"addedCombinations":           anyStrings(added),
				"removedCombinations":         anyStrings(removed),
			}, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "DELETE", Pattern: "/policies/authenticationStrengthPolicies/{id}", AnyOf: write, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			cur, ge := custom(g)
			if ge != nil {
				return 0, nil, ge
			}
			id := cur["id"].(string)
			for _, p := range g.Tenant.Store.ListLatest(kindConditionalAccessPolicy) {
				as := asObject(asObject(p["grantControls"])["authenticationStrength"])
				if as != nil && strings.EqualFold(fmt.Sprint(as["id"]), id) {
					return 0, nil, bad("Authentication strength policy '%s' is used by Conditional Access policy '%v' and cannot be deleted.", id, p["id"])
				}
			}
			g.Tenant.Store.Delete(kindAuthStrength, id, g.Lag)
			return http.StatusNoContent, nil, nil
		},
	})
}

// asCombinations reads allowedCombinations: a non-empty collection of
// combinations the emulator accepts, each once.
func asCombinations(v any) ([]string, *GraphError) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "allowedCombinations must be a non-empty collection of authenticationMethodModes."}
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, _ := e.(string)
		if !slices.Contains(mfaCombinations, s) {
			return nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("The authentication method combination '%v' is not supported.", e)}
		}
		if slices.Contains(out, s) {
			return nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("The authentication method combination '%s' is listed twice.", s)}
		}
		out = append(out, s)
	}
	return out, nil
}
