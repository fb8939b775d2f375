package posture

import (
	"strings"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// Authorization policy and admin consent workflow controls (Microsoft Graph
// /policies/authorizationPolicy and /policies/adminConsentRequestPolicy).

// Control ids.
const (
	ctlAppRegistration      = "users-cannot-register-apps"
	ctlUserConsent          = "user-consent-restricted"
	ctlAdminConsentWorkflow = "admin-consent-workflow"
	ctlGuestAccess          = "guest-access-restricted"
	ctlGuestInvites         = "guest-invites-restricted"
)

// Guest user roles (guestUserRoleId) that ScubaGear MS.AAD.8.1v1 calls
// "limited or restricted access"
// (https://learn.microsoft.com/en-us/entra/identity/users/users-restrict-guest-permissions).
var restrictedGuestRoles = map[string]string{
	"10dae51f-b6af-4016-8d66-8c2a99b929b3": "Guest User",
	"2af84b1e-32c8-42b7-82bc-daa82404023b": "Restricted Guest User",
}

// User consent policies: ScubaGear MS.AAD.5.2v1's two options are "Do not
// allow user consent" (no ManagePermissionGrantsForSelf policy assigned)
// and "Allow user consent for apps from verified publishers, for selected
// permissions" (microsoft-user-default-low). The legacy policy lets users
// consent to any app (https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-user-consent).
const (
	consentSelfPrefix = "ManagePermissionGrantsForSelf."
	consentLow        = "ManagePermissionGrantsForSelf.microsoft-user-default-low"
)

func (e *evaluation) getAuthorizationPolicy() (*graph.AuthorizationPolicy, error) {
	return e.policies.authorization.get(func() (*graph.AuthorizationPolicy, error) { return e.c.Graph.GetAuthorizationPolicy(e.ctx) })
}

const authzWhat = "the authorization policy (GET /policies/authorizationPolicy)"

func authzObject(detail string) []object {
	return []object{{Type: "authorization_policy", Name: "authorizationPolicy", Detail: detail}}
}

func evalAppRegistration(e *evaluation) result {
	p, err := e.getAuthorizationPolicy()
	if err != nil {
		return unknown(authzWhat, err)
	}
	if p.DefaultUserRolePermissions.AllowedToCreateApps {
		return fail(authzObject("defaultUserRolePermissions.allowedToCreateApps=true"), "Users who are not administrators can register applications.")
	}
	return pass("Only administrators can register applications (defaultUserRolePermissions.allowedToCreateApps = false).")
}

func evalUserConsent(e *evaluation) result {
	p, err := e.getAuthorizationPolicy()
	if err != nil {
		return unknown(authzWhat, err)
	}
	var open []string
	for _, id := range p.DefaultUserRolePermissions.PermissionGrantPoliciesAssigned {
		if strings.HasPrefix(id, consentSelfPrefix) && !strings.EqualFold(id, consentLow) {
			open = append(open, id)
		}
	}
	if len(open) > 0 {
		return fail(authzObject("permissionGrantPoliciesAssigned: "+strings.Join(open, ", ")),
			"Users can consent to applications beyond verified publishers' low-risk permissions (%s).", strings.Join(open, ", "))
	}
	for _, id := range p.DefaultUserRolePermissions.PermissionGrantPoliciesAssigned {
		if strings.EqualFold(id, consentLow) {
			return pass("Users can consent only to apps from verified publishers for permissions classified as low risk.")
		}
	}
	return pass("Users cannot consent to applications; an administrator consents.")
}

func evalAdminConsentWorkflow(e *evaluation) result {
	p, err := e.policies.adminConsent.get(func() (*graph.AdminConsentRequestPolicy, error) {
		return e.c.Graph.GetAdminConsentRequestPolicy(e.ctx)
	})
	if err != nil {
		return unknown("the admin consent request policy (GET /policies/adminConsentRequestPolicy)", err)
	}
	obj := func(d string) []object {
		return []object{{Type: "admin_consent_request_policy", Name: "adminConsentRequestPolicy", Detail: d}}
	}
	switch {
	case !p.IsEnabled:
		return fail(obj("isEnabled=false"), "The admin consent workflow is off: users who cannot consent have no way to request an app.")
	case len(p.Reviewers) == 0:
		return fail(obj("isEnabled=true; reviewers empty"), "The admin consent workflow is on but has no reviewers: requests reach nobody.")
	}
	return pass("The admin consent workflow is on with %s.", plural(len(p.Reviewers), "reviewer scope", "reviewer scopes"))
}

func evalGuestAccess(e *evaluation) result {
	p, err := e.getAuthorizationPolicy()
	if err != nil {
		return unknown(authzWhat, err)
	}
	if name, ok := restrictedGuestRoles[strings.ToLower(p.GuestUserRoleID)]; ok {
		return pass("Guests have the %s role's access to directory objects (guestUserRoleId %s).", name, p.GuestUserRoleID)
	}
	return fail(authzObject("guestUserRoleId="+p.GuestUserRoleID), "Guests have the same access to directory objects as members (guestUserRoleId %s).", p.GuestUserRoleID)
}

func evalGuestInvites(e *evaluation) result {
	p, err := e.getAuthorizationPolicy()
	if err != nil {
		return unknown(authzWhat, err)
	}
	switch p.AllowInvitesFrom {
	case "adminsAndGuestInviters", "none":
		return pass("Guest invitations: allowInvitesFrom = %s.", p.AllowInvitesFrom)
	}
	return fail(authzObject("allowInvitesFrom="+p.AllowInvitesFrom), "Users without the Guest Inviter role can invite guests (allowInvitesFrom = %s).", p.AllowInvitesFrom)
}
