package m365sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// The authorization policy: a singleton per tenant, /policies/authorizationPolicy.
//   - Resource type (https://learn.microsoft.com/en-us/graph/api/resources/authorizationpolicy):
//     allowInvitesFrom none | adminsAndGuestInviters |
//     adminsGuestInvitersAndAllMembers | everyone; guestUserRoleId one of
//     User (a0b1b346-4d3e-4e8b-98f8-753987be4970), Guest User
//     (10dae51f-b6af-4016-8d66-8c2a99b929b3) and Restricted Guest User
//     (2af84b1e-32c8-42b7-82bc-daa82404023b); booleans
//     allowedToSignUpEmailBasedSubscriptions, allowedToUseSSPR,
//     allowEmailVerifiedUsersToJoinOrganization, allowUserConsentForRiskyApps,
//     blockMsolPowerShell; defaultUserRolePermissions, a complex type
//     (https://learn.microsoft.com/en-us/graph/api/resources/defaultuserrolepermissions)
//     with allowedToCreateApps, allowedToCreateSecurityGroups,
//     allowedToCreateTenants, allowedToReadBitlockerKeysForOwnedDevice,
//     allowedToReadOtherUsers and permissionGrantPoliciesAssigned.
//   - Get (https://learn.microsoft.com/en-us/graph/api/authorizationpolicy-get):
//     Policy.Read.All; v1.0 answers the object itself, id "authorizationPolicy".
//   - Update (https://learn.microsoft.com/en-us/graph/api/authorizationpolicy-update):
//     Policy.ReadWrite.Authorization; 204 No Content. The page's examples send
//     defaultUserRolePermissions with one property only, so the emulator
//     merges the complex value property by property;
//     permissionGrantPoliciesAssigned is a collection and is replaced.
//   - User consent settings
//     (https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-user-consent):
//     permissionGrantPoliciesAssigned holds
//     "ManagePermissionGrantsForSelf.{policy}" for user consent (none: user
//     consent off; microsoft-user-default-low: verified publishers, low-risk
//     permissions; microsoft-user-default-recommended: Microsoft-managed;
//     microsoft-user-default-legacy: any app) and
//     "ManagePermissionGrantsForOwnedResource.{policy}" for group and team
//     owner consent. The emulator has no custom permission grant policies,
//     so other policy ids are refused as Graph refuses a policy that does
//     not exist (its message is not documented).
//   - Defaults of a new tenant: the resource type page's defaults
//     (invites from everyone, guests get Guest User, users may create apps,
//     security groups and tenants and read other users) and user consent to
//     any app (the "legacy" policy, what tenants created before the
//     Microsoft-managed default have).

const (
	kindAuthorizationPolicy = "authorizationPolicy"
	authorizationPolicyID   = "authorizationPolicy"
	// Guest role template ids.
	GuestRoleSameAsMembers = "a0b1b346-4d3e-4e8b-98f8-753987be4970"
	GuestRoleLimited       = "10dae51f-b6af-4016-8d66-8c2a99b929b3"
	GuestRoleRestricted    = "2af84b1e-32c8-42b7-82bc-daa82404023b"
)

var (
	apAllowInvitesFrom = []string{"none", "adminsAndGuestInviters", "adminsGuestInvitersAndAllMembers", "everyone"}
	apGuestRoles       = []string{GuestRoleSameAsMembers, GuestRoleLimited, GuestRoleRestricted}
	apBoolProps        = []string{"allowedToSignUpEmailBasedSubscriptions", "allowedToUseSSPR", "allowEmailVerifiedUsersToJoinOrganization", "allowUserConsentForRiskyApps", "blockMsolPowerShell"}
	apDefaultBools     = []string{"allowedToCreateApps", "allowedToCreateSecurityGroups", "allowedToCreateTenants", "allowedToReadBitlockerKeysForOwnedDevice", "allowedToReadOtherUsers"}
	apGrantPolicies    = []string{
		"ManagePermissionGrantsForSelf.microsoft-user-default-low",
		"ManagePermissionGrantsForSelf.microsoft-user-default-legacy",
		"ManagePermissionGrantsForSelf.microsoft-user-default-recommended",
		"ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team",
		"ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-chat",
	}
)

func init() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindAuthorizationPolicy, authorizationPolicyID, Object{
			"@odata.type":                            "#microsoft.graph.authorizationPolicy",
			"id":                                     authorizationPolicyID,
			"displayName":                            "Authorization Policy",
			"description":                            "Used to manage authorization related settings across the company.",
			"allowInvitesFrom":                       "everyone",
			"allowedToSignUpEmailBasedSubscriptions": true,
			"allowedToUseSSPR":                       true,
			"allowEmailVerifiedUsersToJoinOrganization": true,
			"allowUserConsentForRiskyApps":              false,
			"blockMsolPowerShell":                       false,
			"guestUserRoleId":                           GuestRoleLimited,
			"defaultUserRolePermissions": map[string]any{
				"allowedToCreateApps":                      true,
				"allowedToCreateSecurityGroups":            true,
				"allowedToCreateTenants":                   true,
				"allowedToReadBitlockerKeysForOwnedDevice": true,
				"allowedToReadOtherUsers":                  true,
				"permissionGrantPoliciesAssigned": []any{
					"ManagePermissionGrantsForSelf.microsoft-user-default-legacy",
					"ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team",
				},
			},
		}, 0)
	})
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/policies/authorizationPolicy",
		AnyOf: []string{"Policy.Read.All", "Policy.ReadWrite.Authorization"},
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			o := g.Tenant.Store.Get(kindAuthorizationPolicy, authorizationPolicyID)
			if o == nil {
				return 0, nil, &GraphError{Status: http.StatusNotFound, Code: "Request_ResourceNotFound", Message: "Resource 'authorizationPolicy' does not exist or one of its queried reference-property objects are not present."}
			}
			sel, ge := parseSelect(g.Request.URL.Query().Get("$select"))
			if ge != nil {
				return 0, nil, ge
			}
			out := selectGraph(o, sel)
			out["@odata.context"] = g.Server.url + "/v1.0/$metadata#policies/authorizationPolicy/$entity"
			return http.StatusOK, out, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "PATCH", Pattern: "/policies/authorizationPolicy",
		AnyOf: []string{"Policy.ReadWrite.Authorization"},
		Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			var body map[string]any
			if err := json.Unmarshal(g.Body, &body); err != nil || body == nil {
				return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Empty Payload. JSON content expected."}
			}
			cur := g.Tenant.Store.GetLatest(kindAuthorizationPolicy, authorizationPolicyID)
			for k, v := range body {
				switch {
				case k == "@odata.type":
				case slices.Contains(apBoolProps, k):
					b, ok := v.(bool)
					if !ok {
						return 0, nil, nlTypeError(v, "Edm.Boolean")
					}
					cur[k] = b
				case k == "allowInvitesFrom":
					s, _ := v.(string)
					if !slices.Contains(apAllowInvitesFrom, s) {
						return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("Requested value '%v' was not found.", v)}
					}
					cur[k] = s
				case k == "guestUserRoleId":
					s, _ := v.(string)
					if !slices.Contains(apGuestRoles, strings.ToLower(s)) {
						return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "Request_BadRequest", Message: fmt.Sprintf("Invalid value specified for property 'guestUserRoleId' of resource 'AuthorizationPolicy': '%v'.", v)}
					}
					cur[k] = strings.ToLower(s)
				case k == "defaultUserRolePermissions":
					m, ok := v.(map[string]any)
					if !ok {
						return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "defaultUserRolePermissions must be an object."}
					}
					merged := asObject(cur[k])
					for dk, dv := range m {
						switch {
						case dk == "@odata.type":
						case slices.Contains(apDefaultBools, dk):
							b, ok := dv.(bool)
							if !ok {
								return 0, nil, nlTypeError(dv, "Edm.Boolean")
							}
							merged[dk] = b
						case dk == "permissionGrantPoliciesAssigned":
							list, ok := dv.([]any)
							if !ok {
								return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "permissionGrantPoliciesAssigned must be a collection of strings."}
							}
							self := 0
							for _, e := range list {
								s, _ := e.(string)
								if !slices.Contains(apGrantPolicies, s) {
									return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "Request_BadRequest", Message: fmt.Sprintf("Permission grant policy '%v' does not exist.", e)}
								}
								if strings.HasPrefix(s, "ManagePermissionGrantsForSelf.") {
									self++
								}
							}
							if self > 1 {
								// Graph's pages do not say what happens with two; the consent
								// settings page offers one setting at a time: the stricter reading.
								return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "Request_BadRequest", Message: "At most one ManagePermissionGrantsForSelf policy can be assigned to the default user role."}
							}
							merged[dk] = list
						default:
							return 0, nil, odataUnknownProperty(dk, "microsoft.graph.defaultUserRolePermissions")
						}
					}
					cur[k] = merged
				case k == "id" || k == "displayName" || k == "description" || k == "deletedDateTime":
					return 0, nil, readOnlyProperty(k)
				default:
					return 0, nil, odataUnknownProperty(k, "microsoft.graph.authorizationPolicy")
				}
			}
			g.Tenant.Store.Put(kindAuthorizationPolicy, authorizationPolicyID, cur, g.Lag)
			return http.StatusNoContent, nil, nil
		},
	})
}
