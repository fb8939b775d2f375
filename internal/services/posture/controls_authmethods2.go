package posture

import (
	"strings"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// Controls on phishing-resistant MFA for highly privileged roles, managed
// devices, and system-preferred MFA (the authentication methods policy's
// Graph beta part).

const (
	ctlPhishingResistantAdmins = "ca-phishing-resistant-mfa-admins"
	ctlManagedDevices          = "ca-managed-devices"
	ctlSystemPreferredMFA      = "auth-methods-system-preferred-mfa"
)

// highlyPrivilegedRoles are the directory role template IDs of the roles
// ScubaGear's Entra ID baseline lists under "Highly Privileged Roles"
// (Global Administrator, Privileged Role Administrator, User
// Administrator, SharePoint Administrator, Exchange Administrator, Hybrid
// Identity Administrator, Application Administrator, Cloud Application
// Administrator), with the IDs of
// https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/permissions-reference.
var highlyPrivilegedRoles = []struct{ name, id string }{
	{"Global Administrator", "62e90394-69f5-4237-9190-012177145e10"},
	{"Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814"},
	{"User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"},
	{"SharePoint Administrator", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"},
	{"Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de"},
	{"Hybrid Identity Administrator", "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2"},
	{"Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"},
	{"Cloud Application Administrator", "158c047a-c907-4556-b7ef-446551a6b5f7"},
}

func authMethodsControls2() []control {
	caNeeds := "Microsoft Graph `Policy.Read.All`"
	return []control{
		{ID: ctlPhishingResistantAdmins, Title: "Phishing-resistant MFA for highly privileged roles",
			References: []string{"Scuba MS.AAD.3.6v1", "DSC AADConditionalAccessPolicy"},
			Pass:       "\"Phishing-resistant MFA SHALL be required for highly privileged roles\": an enabled conditional access policy requires the built-in Phishing-resistant MFA authentication strength (alone or with AND) for all cloud apps, and includes either All users or every highly privileged role ScubaGear lists (" + roleNames() + "), excluding no directory role and no one beyond the allowed accounts, with no condition narrowing it.",
			Needs:      caNeeds, Licence: licEntraP1, eval: evalPhishingResistantAdmins},
		{ID: ctlManagedDevices, Title: "Managed devices required for authentication",
			References: []string{"Scuba MS.AAD.3.7v1", "DSC AADConditionalAccessPolicy"},
			Pass:       "\"Managed devices SHOULD be required for authentication\": an enabled conditional access policy for all users and all cloud apps whose grant can only be met on a managed device: `compliantDevice` and/or `domainJoinedDevice` (Microsoft Entra hybrid joined) as the only controls when ORed, or one of them ANDed with any others; no condition narrowing it beyond the allowed accounts.",
			Needs:      caNeeds, Licence: licEntraP1, eval: evalManagedDevices},
		{ID: ctlSystemPreferredMFA, Title: "System-preferred MFA enabled",
			References: []string{"CIS 5.2.3.6", "DSC AADAuthenticationMethodPolicy"},
			Pass:       "CIS 5.2.3.6 (numbered as in CIS v4.0.0 and later), system-preferred multifactor authentication enabled: the authentication methods policy's `systemCredentialPreferences` (Microsoft Graph **beta**) has `state = enabled`, includes `all_users` and excludes nobody. `default` (Microsoft-managed) fails: Microsoft documents it as disabled and may change it.",
			Needs:      amRead + " (on Microsoft Graph beta)", eval: evalSystemPreferredMFA},
	}
}

func roleNames() string {
	var n []string
	for _, r := range highlyPrivilegedRoles {
		n = append(n, r.name)
	}
	return strings.Join(n, ", ")
}

// includesPrivilegedRoles: the policy includes every highly privileged role.
func includesPrivilegedRoles(p *caPolicy) bool {
	for _, r := range highlyPrivilegedRoles {
		if !containsFold(p.IncludeRoles, r.id) {
			return false
		}
	}
	return true
}

func evalPhishingResistantAdmins(e *evaluation) result {
	return e.caCheck(caRequirement{
		scubaID:     "MS.AAD.3.6v1",
		relevant:    func(p *caPolicy) bool { return requiresMFA(p) || p.AuthenticationStrengthID != "" },
		coversUsers: includesPrivilegedRoles,
		want: func(p *caPolicy) []string {
			var out []string
			if !hasAll(p.IncludeUsers) && !includesPrivilegedRoles(p) {
				var missing []string
				for _, r := range highlyPrivilegedRoles {
					if !containsFold(p.IncludeRoles, r.id) {
						missing = append(missing, r.name)
					}
				}
				out = append(out, "users: neither All nor every highly privileged role (missing "+strings.Join(missing, ", ")+")")
			}
			switch {
			case !strings.EqualFold(p.AuthenticationStrengthID, phishingResistantStrengthID):
				out = append(out, "grant: not the built-in Phishing-resistant MFA authentication strength ("+phishingResistantStrengthID+")")
			case !requiresMFA(p):
				out = append(out, "grant: the phishing-resistant strength is ORed with other controls")
			}
			return append(out, noRiskCondition(p)...)
		},
		passMsg: "The enabled policy %q requires the built-in Phishing-resistant MFA authentication strength for every highly privileged role and all cloud apps.",
		failMsg: "No enabled conditional access policy requires the Phishing-resistant MFA authentication strength for every highly privileged role (or all users), all cloud apps and every condition",
	})
}

var managedDeviceControls = []string{"compliantDevice", "domainJoinedDevice"}

// requiresManagedDevice: the grant cannot be met without a compliant or
// hybrid joined device.
func requiresManagedDevice(p *caPolicy) bool {
	device := false
	for _, c := range p.BuiltInControls {
		if containsFold(managedDeviceControls, c) {
			device = true
		}
	}
	if !device {
		return false
	}
	n := len(p.BuiltInControls)
	if p.AuthenticationStrengthID != "" {
		n++
	}
	if n == 1 || strings.EqualFold(p.GrantOperator, "AND") {
		return true
	}
	// ORed: every alternative must be a device control.
	for _, c := range p.BuiltInControls {
		if !containsFold(managedDeviceControls, c) {
			return false
		}
	}
	return p.AuthenticationStrengthID == ""
}

func evalManagedDevices(e *evaluation) result {
	return e.caCheck(caRequirement{
		scubaID: "MS.AAD.3.7v1",
		relevant: func(p *caPolicy) bool {
			return grantsControl(p, "compliantDevice") || grantsControl(p, "domainJoinedDevice")
		},
		want: func(p *caPolicy) []string {
			var out []string
			if !requiresManagedDevice(p) {
				out = append(out, "grant: can be met without a compliant or hybrid joined device")
			}
			return append(out, noRiskCondition(p)...)
		},
		passMsg: "The enabled policy %q requires a compliant or Microsoft Entra hybrid joined device for all users and all cloud apps.",
		failMsg: "No enabled conditional access policy requires a managed (compliant or hybrid joined) device for all users, all cloud apps and every condition",
	})
}

func (e *evaluation) getAuthMethodsBeta() (*graph.AuthMethodsBetaSettings, error) {
	return e.authMethodsBeta.get(func() (*graph.AuthMethodsBetaSettings, error) { return e.c.Graph.GetAuthMethodsBetaSettings(e.ctx) })
}

func evalSystemPreferredMFA(e *evaluation) result {
	b, err := e.getAuthMethodsBeta()
	if err != nil {
		return unknown("the authentication methods policy's beta settings (GET /beta/policies/authenticationMethodsPolicy)", err)
	}
	s := b.SystemPreferred
	if s == nil {
		return result{Status: statusUnknown, Reason: reasonError, Summary: "Could not evaluate: Microsoft Graph beta's authentication methods policy has no systemCredentialPreferences (the beta API may have changed)."}
	}
	var problems []string
	if s.State != "enabled" {
		problems = append(problems, "state="+s.State)
	}
	all := false
	for _, t := range s.IncludeTargets {
		if t.ID == "all_users" {
			all = true
		}
	}
	if !all {
		problems = append(problems, "does not include all_users")
	}
	for _, t := range s.ExcludeTargets {
		problems = append(problems, "excludes "+t.TargetType+" "+t.ID)
	}
	if len(problems) > 0 {
		return fail([]object{{Type: "authentication_methods_policy", Name: "systemCredentialPreferences", Detail: strings.Join(problems, "; ")}},
			"System-preferred MFA is not enabled for every user: %s.", strings.Join(problems, "; "))
	}
	return pass("System-preferred MFA is enabled for all users: each is prompted for the strongest method they registered.")
}
