package m365sim

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Security defaults: a singleton policy per tenant.
//   - GET /policies/identitySecurityDefaultsEnforcementPolicy
//     (https://learn.microsoft.com/en-us/graph/api/identitysecuritydefaultsenforcementpolicy-get):
//     Policy.Read.All or Policy.ReadWrite.SecurityDefaults; the documented
//     example answers id "00000000-0000-0000-0000-000000000005",
//     displayName "Security Defaults".
//   - PATCH /policies/identitySecurityDefaultsEnforcementPolicy
//     (https://learn.microsoft.com/en-us/graph/api/identitysecuritydefaultsenforcementpolicy-update):
//     only isEnabled is writable (id, displayName and description are
//     read-only per the resource type page,
//     https://learn.microsoft.com/en-us/graph/api/resources/identitysecuritydefaultsenforcementpolicy);
//     204 No Content. The page lists Policy.Read.All as the least privileged
//     permission for the update, which cannot be meant: the emulator asks for
//     one of the write permissions it also names
//     (Policy.ReadWrite.SecurityDefaults, Policy.ReadWrite.ConditionalAccess).
//
// Security defaults cannot be turned on while Conditional Access policies
// are enabled (the security defaults page,
// https://learn.microsoft.com/en-us/entra/fundamentals/security-defaults, as
// quoted in MicrosoftDocs/azure-docs#41233). The admin centre's wording for the
// analogous classic and Identity Protection policies is "It looks like you
// have ... policies enabled. Enabling ... policies prevents you from enabling
// Security defaults." (MicrosoftDocs/azure-docs#43961, #73516); Graph's own
// status and text for this refusal are not published: the emulator answers
// 400 BadRequest with the admin centre's wording. The other direction is in
// graph_conditional_access.go.

const (
	kindSecurityDefaults = "identitySecurityDefaultsEnforcementPolicy"
	// SecurityDefaultsPolicyID is the policy's id as Graph reports it.
	SecurityDefaultsPolicyID = "00000000-0000-0000-0000-000000000005"
)

func init() {
	// Tenants created since October 2019 start with security defaults on
	// (https://learn.microsoft.com/en-us/entra/fundamentals/security-defaults).
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindSecurityDefaults, SecurityDefaultsPolicyID, Object{
			"id":          SecurityDefaultsPolicyID,
			"displayName": "Security Defaults",
			"description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft. When enabled, these recommendations will be automatically enforced in your organization. Administrators and users will be better protected from common identity related attacks.",
			"isEnabled":   true,
		}, 0)
	})
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/policies/identitySecurityDefaultsEnforcementPolicy",
		AnyOf: []string{"Policy.Read.All", "Policy.ReadWrite.SecurityDefaults"},
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			o := g.Tenant.Store.Get(kindSecurityDefaults, SecurityDefaultsPolicyID)
			if o == nil {
				return 0, nil, &GraphError{Status: http.StatusNotFound, Code: "Request_ResourceNotFound", Message: "Resource 'identitySecurityDefaultsEnforcementPolicy' does not exist or one of its queried reference-property objects are not present."}
			}
			sel, ge := parseSelect(g.Request.URL.Query().Get("$select"))
			if ge != nil {
				return 0, nil, ge
			}
			out := selectGraph(o, sel)
			out["@odata.context"] = g.Server.url + "/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy"
			return http.StatusOK, out, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "PATCH", Pattern: "/policies/identitySecurityDefaultsEnforcementPolicy",
		AnyOf: []string{"Policy.ReadWrite.SecurityDefaults", "Policy.ReadWrite.ConditionalAccess"},
		Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			var body map[string]any
			if err := json.Unmarshal(g.Body, &body); err != nil || body == nil {
				return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Empty Payload. JSON content expected."}
			}
			cur := g.Tenant.Store.GetLatest(kindSecurityDefaults, SecurityDefaultsPolicyID)
			for k, v := range body {
				switch k {
				case "@odata.type":
				case "isEnabled":
					b, ok := v.(bool)
					if !ok {
						return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("Cannot convert the literal '%v' to the expected type 'Edm.Boolean'.", v)}
					}
					if b && cur["isEnabled"] != true {
						if enabledConditionalAccessPolicies(g.Tenant) > 0 {
							return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest",
								Message: "It looks like you have Conditional Access policies enabled. Enabling Conditional Access policies prevents you from enabling Security defaults."}
						}
					}
					cur["isEnabled"] = b
				case "id", "displayName", "description", "deletedDateTime":
					return 0, nil, readOnlyProperty(k)
				default:
					return 0, nil, odataUnknownProperty(k, "microsoft.graph.identitySecurityDefaultsEnforcementPolicy")
				}
			}
			g.Tenant.Store.Put(kindSecurityDefaults, SecurityDefaultsPolicyID, cur, g.Lag)
			return http.StatusNoContent, nil, nil
		},
	})
}

// notModelled answers a property the type declares (msgraph-sdk-go's model
// has it) but the emulator does not model: only null is accepted, anything
// else is refused rather than silently dropped (the stricter reading; no
// Microsoft page describes this, it is the emulator's own limit).
func notModelled(name, typ string, v any) *GraphError {
	if v == nil {
		return nil
	}
	return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: fmt.Sprintf("The emulator does not model '%s' of '%s'; only null is accepted.", name, typ)}
}

// readOnlyProperty is the answer for a property the type declares as
// read-only, such as directoryObject's deletedDateTime
// (https://learn.microsoft.com/en-us/graph/api/resources/directoryobject).
func readOnlyProperty(name string) *GraphError {
	return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("Property '%s' is read-only and cannot be set.", name)}
}

// odataUnknownProperty is the OData reader's answer for a property the type
// does not declare.
func odataUnknownProperty(name, typ string) *GraphError {
	return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: fmt.Sprintf("The property '%s' does not exist on type '%s'. Make sure to only use property names that are defined by the type or mark the type as open type.", name, typ)}
}

// securityDefaultsOn reports whether security defaults are on, as the
// service holds them.
func securityDefaultsOn(t *Tenant) bool {
	o := t.Store.GetLatest(kindSecurityDefaults, SecurityDefaultsPolicyID)
	return o != nil && o["isEnabled"] == true
}
