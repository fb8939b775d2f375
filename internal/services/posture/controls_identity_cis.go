package posture

import (
	"fmt"
	"strings"
)

// Identity controls whose criterion is CIS's own (ScubaGear's differ).
//
// CIS 5.2.2.4 "Ensure Sign-in frequency is enabled and browser sessions are
// not persistent for Administrative users": a conditional access policy
// for the administrative roles CIS lists, all resources, MFA, periodic
// re-authentication of at most 4 hours and a never-persistent browser
// session. CIS allows 24 hours for E5 tenants using Privileged Identity
// Management in some versions; the control takes the stricter 4 hours
// (the remediation's "4 hours (or less)").

const (
	ctlAdminSessionControls = "ca-admin-sign-in-frequency"
	ctlUserConsentOff       = "user-consent-disallowed"
	ctlTenantCreation       = "users-cannot-create-tenants"
)

// adminSessionMaxHours is CIS 5.2.2.4's longest periodic re-authentication.
const adminSessionMaxHours = 4

// cisAdminRoles are the directory roles CIS 5.2.2.4 says the policy must
// include at a minimum, with the template IDs of
// https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/permissions-reference.
var cisAdminRoles = []struct{ name, id string }{
	{"Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"},
	{"Authentication Administrator", "c4e39bd9-1100-46d3-8c65-fb160da0071f"},
	{"Billing Administrator", "b0f54661-2d74-4c50-afa3-1ec803f12efe"},
	{"Cloud Application Administrator", "158c047a-c907-4556-b7ef-446551a6b5f7"},
	{"Conditional Access Administrator", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"},
	{"Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de"},
	{"Global Administrator", "62e90394-69f5-4237-9190-012177145e10"},
	{"Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451"},
	{"Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8"},
	{"Password Administrator", "966707d0-3269-4727-9be2-8c3a10f19b9d"},
	{"Privileged Authentication Administrator", "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"},
	{"Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814"},
	{"Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d"},
	{"SharePoint Administrator", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"},
	{"User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"},
}

func identityCISControls() []control {
	var names []string
	for _, r := range cisAdminRoles {
		names = append(names, r.name)
	}
	return []control{
		{ID: ctlAdminSessionControls, Title: "Sign-in frequency and no persistent browser for administrators",
			References: []string{"CIS 5.2.2.4", "DSC AADConditionalAccessPolicy"},
			Pass: fmt.Sprintf("CIS 5.2.2.4, sign-in frequency enabled and browser sessions not persistent for administrative users: an enabled conditional access policy includes All users or every role CIS lists (%s), all cloud apps, requires MFA, "+
				"and has the session controls `signInFrequency` (enabled, `timeBased`, at most %d hours) and `persistentBrowser` (enabled, `never`); it excludes no directory role and no one beyond the break-glass accounts, with no condition narrowing it. "+
				"CIS allows 24 hours for E5 tenants with Privileged Identity Management in some versions; this control takes the stricter 4 hours.", strings.Join(names, ", "), adminSessionMaxHours),
			Needs: "Microsoft Graph `Policy.Read.All`", Licence: licEntraP1, eval: evalAdminSessionControls},
		{ID: ctlUserConsentOff, Title: "User consent to applications not allowed (CIS)",
			References: []string{"CIS 5.1.5.1", "DSC AADAuthorizationPolicy"},
			Pass:       "CIS 5.1.5.1, user consent to apps accessing company data on their behalf is not allowed (\"Do not allow user consent\"): the authorization policy's `defaultUserRolePermissions.permissionGrantPoliciesAssigned` has no `ManagePermissionGrantsForSelf.*` policy. Consent limited to verified publishers (`microsoft-user-default-low`), which ScubaGear's `user-consent-restricted` accepts, fails here.",
			Needs:      "Microsoft Graph `Policy.Read.All`", eval: evalUserConsentOff},
		{ID: ctlTenantCreation, Title: "Only administrators create tenants (CIS)",
			References: []string{"CIS 5.1.2.3", "DSC AADAuthorizationPolicy"},
			Pass:       "CIS 5.1.2.3, 'Restrict non-admin users from creating tenants' set to 'Yes': the authorization policy's `defaultUserRolePermissions.allowedToCreateTenants` is `false`.",
			Needs:      "Microsoft Graph `Policy.Read.All`", eval: evalTenantCreation},
	}
}

// evalTenantCreation: CIS 5.1.2.3 lets only administrators create tenants.
func evalTenantCreation(e *evaluation) result {
	p, err := e.getAuthorizationPolicy()
	if err != nil {
		return unknown(authzWhat, err)
	}
	if p.DefaultUserRolePermissions.AllowedToCreateTenants {
		return fail(authzObject("defaultUserRolePermissions.allowedToCreateTenants=true"), "Users who are not administrators can create Microsoft Entra tenants, and become their Global Administrators.")
	}
	return pass("Only administrators can create tenants (defaultUserRolePermissions.allowedToCreateTenants = false).")
}

// evalUserConsentOff: CIS 5.1.5.1 leaves users no consent at all.
func evalUserConsentOff(e *evaluation) result {
	p, err := e.getAuthorizationPolicy()
	if err != nil {
		return unknown(authzWhat, err)
	}
	var self []string
	for _, id := range p.DefaultUserRolePermissions.PermissionGrantPoliciesAssigned {
		if strings.HasPrefix(id, consentSelfPrefix) {
			self = append(self, id)
		}
	}
	if len(self) > 0 {
		return fail(authzObject("permissionGrantPoliciesAssigned: "+strings.Join(self, ", ")),
			"Users can consent to applications on their own behalf (%s); CIS 5.1.5.1 allows no user consent.", strings.Join(self, ", "))
	}
	return pass("Users cannot consent to applications; an administrator consents (CIS 5.1.5.1).")
}

// includesCISAdminRoles: the policy includes every role CIS 5.2.2.4 lists.
func includesCISAdminRoles(p *caPolicy) bool { return len(missingCISAdminRoles(p)) == 0 }

func missingCISAdminRoles(p *caPolicy) []string {
	var missing []string
	for _, r := range cisAdminRoles {
		if !containsFold(p.IncludeRoles, r.id) {
			missing = append(missing, r.name)
		}
	}
	return missing
}

// sessionGaps says what keeps a policy's session controls from CIS
// 5.2.2.4: periodic re-authentication within 4 hours, never persistent.
func sessionGaps(p *caPolicy) []string {
	var out []string
	switch {
	case p.SignInFrequency == "":
		out = append(out, "session: no sign-in frequency")
	case !strings.EqualFold(p.SignInFrequency, "timeBased"):
		out = append(out, "session: sign-in frequency is "+p.SignInFrequency+", not periodic re-authentication")
	default:
		hours := p.SignInFrequencyValue
		if strings.EqualFold(p.SignInFrequencyType, "days") {
			hours *= 24
		}
		if hours <= 0 || hours > adminSessionMaxHours {
			out = append(out, fmt.Sprintf("session: sign-in frequency is %d %s, more than %d hours", p.SignInFrequencyValue, p.SignInFrequencyType, adminSessionMaxHours))
		}
	}
	if !strings.EqualFold(p.PersistentBrowser, "never") {
		what := "not set"
		if p.PersistentBrowser != "" {
			what = p.PersistentBrowser
		}
		out = append(out, "session: persistent browser is "+what+", not never")
	}
	return out
}

func evalAdminSessionControls(e *evaluation) result {
	return e.caCheck(caRequirement{
		relevant:    func(p *caPolicy) bool { return p.SignInFrequency != "" || p.PersistentBrowser != "" },
		coversUsers: includesCISAdminRoles,
		want: func(p *caPolicy) []string {
			var out []string
			if !hasAll(p.IncludeUsers) && !includesCISAdminRoles(p) {
				out = append(out, "users: neither All nor every administrative role CIS lists (missing "+strings.Join(missingCISAdminRoles(p), ", ")+")")
			}
			if !requiresMFA(p) {
				out = append(out, "grant: does not require mfa or an authentication strength")
			}
			out = append(out, sessionGaps(p)...)
			return append(out, noRiskCondition(p)...)
		},
		passMsg: "The enabled policy %q makes administrators sign in again at least every 4 hours with MFA, and their browser sessions never persist (CIS 5.2.2.4).",
		failMsg: "No enabled conditional access policy requires MFA, sign-in frequency of at most 4 hours and never-persistent browser sessions for every administrative role CIS lists, all cloud apps and every condition",
	})
}
