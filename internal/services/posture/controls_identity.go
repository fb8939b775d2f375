package posture

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

var guidRe = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

func (e *evaluation) getCAPolicies() ([]*graph.ConditionalAccessPolicy, error) {
	return e.caPolicies.get(func() ([]*graph.ConditionalAccessPolicy, error) {
		return e.c.Graph.ListConditionalAccessPolicies(e.ctx)
	})
}

// getBreakGlass returns the break-glass accounts as lower-case object ids
// (conditional access policies hold object ids). UPNs are resolved with one
// GET /users/{upn}?$select=id each (User.Read.All); an entry that cannot be
// resolved is returned in unresolved and matches nothing.
func (e *evaluation) getBreakGlass() (map[string]bool, []string) {
	var unresolved []string
	ids, _ := e.breakGlass.get(func() (map[string]bool, error) {
		out := map[string]bool{}
		for _, a := range e.opt.BreakGlass {
			if guidRe.MatchString(a) {
				out[strings.ToLower(a)] = true
				continue
			}
			u, err := e.c.Graph.SDK.Users().ByUserId(a).Get(e.ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
				QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: []string{"id"}},
			})
			if err != nil || u.GetId() == nil {
				out["unresolved:"+strings.ToLower(a)] = true
				continue
			}
			out[strings.ToLower(*u.GetId())] = true
		}
		return out, nil
	})
	for k := range ids {
		if u, ok := strings.CutPrefix(k, "unresolved:"); ok {
			unresolved = append(unresolved, u)
		}
	}
	return ids, unresolved
}

// scopeProblems says why a policy does not cover all users and all cloud
// apps with no exclusions but the break-glass accounts; nil when it does.
func (e *evaluation) scopeProblems(p *graph.ConditionalAccessPolicy, breakGlass map[string]bool) []string {
	var out []string
	c := p.Conditions
	if !containsFold(c.IncludeUsers, "All") {
		out = append(out, "does not include all users")
	}
	var extra []string
	for _, u := range c.ExcludeUsers {
		if !breakGlass[strings.ToLower(u)] {
			extra = append(extra, u)
		}
	}
	if len(extra) > 0 {
		out = append(out, "excludes users not in break_glass_accounts: "+strings.Join(extra, ","))
	}
	if len(c.ExcludeGroups) > 0 {
		out = append(out, "excludes groups: "+strings.Join(c.ExcludeGroups, ","))
	}
	if len(c.ExcludeRoles) > 0 {
		out = append(out, "excludes directory roles: "+strings.Join(c.ExcludeRoles, ","))
	}
	if !containsFold(c.IncludeApplications, "All") {
		out = append(out, "does not include all cloud apps")
	}
	if len(c.ExcludeApplications) > 0 {
		out = append(out, "excludes apps: "+strings.Join(c.ExcludeApplications, ","))
	}
	if p.State != "enabled" {
		out = append(out, "state is "+p.State)
	}
	return out
}

func grants(p *graph.ConditionalAccessPolicy, control string) bool {
	return p.GrantControls != nil && containsFold(p.GrantControls.BuiltInControls, control)
}

// requiresMFA reports whether a policy's grant can only be met with MFA:
// mfa (or an authentication strength) alone or combined with AND.
func requiresMFA(p *graph.ConditionalAccessPolicy) bool {
	g := p.GrantControls
	if g == nil {
		return false
	}
	if g.AuthenticationStrengthID != "" {
		return true
	}
	return containsFold(g.BuiltInControls, "mfa") && (len(g.BuiltInControls) == 1 || strings.EqualFold(g.Operator, "AND"))
}

func allClientApps(p *graph.ConditionalAccessPolicy) bool {
	return len(p.Conditions.ClientAppTypes) == 0 || containsFold(p.Conditions.ClientAppTypes, "all")
}

// caCheck finds a policy meeting want among the tenant's policies. relevant
// picks the policies worth listing as evidence when none qualifies.
func (e *evaluation) caCheck(relevant func(*graph.ConditionalAccessPolicy) bool, want func(*graph.ConditionalAccessPolicy) []string, passMsg, failMsg string) result {
	pols, err := e.getCAPolicies()
	if err != nil {
		return unknown("conditional access policies (GET /identity/conditionalAccess/policies; Microsoft Entra ID P1)", err)
	}
	bg, unresolved := e.getBreakGlass()
	var objs []object
	for _, p := range pols {
		problems := append(e.scopeProblems(p, bg), want(p)...)
		if len(problems) == 0 {
			return pass(passMsg, p.DisplayName)
		}
		if relevant(p) {
			objs = append(objs, object{Type: "conditional_access_policy", Name: p.DisplayName, Detail: strings.Join(problems, "; ")})
		}
	}
	msg := fmt.Sprintf(failMsg+" (%s checked).", plural(len(pols), "policy", "policies"))
	if len(unresolved) > 0 {
		msg += " Break-glass accounts that could not be resolved to object ids: " + strings.Join(unresolved, ", ") + "."
	}
	return fail(objs, "%s", msg)
}

func evalMFAAllUsers(e *evaluation) result {
	return e.caCheck(requiresMFA,
		func(p *graph.ConditionalAccessPolicy) []string {
			var out []string
			if !requiresMFA(p) {
				out = append(out, "grant does not require mfa")
			}
			if !allClientApps(p) {
				out = append(out, "limited to client app types "+strings.Join(p.Conditions.ClientAppTypes, ","))
			}
			if len(p.Conditions.UserRiskLevels) > 0 || len(p.Conditions.SignInRiskLevels) > 0 {
				out = append(out, "limited to risk levels")
			}
			return out
		},
		"The enabled policy %q requires MFA for all users and all cloud apps, excluding only break-glass accounts.",
		"No enabled conditional access policy requires MFA for all users and all cloud apps")
}

func evalBlockLegacyAuth(e *evaluation) result {
	legacy := func(p *graph.ConditionalAccessPolicy) bool {
		return containsFold(p.Conditions.ClientAppTypes, "exchangeActiveSync") && containsFold(p.Conditions.ClientAppTypes, "other")
	}
	return e.caCheck(
		func(p *graph.ConditionalAccessPolicy) bool {
			return grants(p, "block") && len(p.Conditions.ClientAppTypes) > 0
		},
		func(p *graph.ConditionalAccessPolicy) []string {
			var out []string
			if !grants(p, "block") {
				out = append(out, "grant is not block")
			}
			if !legacy(p) {
				out = append(out, "client app types do not include exchangeActiveSync and other")
			}
			return out
		},
		"The enabled policy %q blocks legacy authentication (exchangeActiveSync and other clients) for all users and all cloud apps.",
		"No enabled conditional access policy blocks legacy authentication for all users and all cloud apps")
}

func evalUserRiskPolicy(e *evaluation) result {
	return e.riskLicenceGap(evalUserRiskPolicyConfig(e))
}

func evalUserRiskPolicyConfig(e *evaluation) result {
	ok := func(p *graph.ConditionalAccessPolicy) bool {
		return grants(p, "block") || (grants(p, "passwordChange") && requiresMFA(p))
	}
	return e.caCheck(
		func(p *graph.ConditionalAccessPolicy) bool { return len(p.Conditions.UserRiskLevels) > 0 },
		func(p *graph.ConditionalAccessPolicy) []string {
			var out []string
			if !containsFold(p.Conditions.UserRiskLevels, "high") {
				out = append(out, "user risk levels do not include high")
			}
			if !ok(p) {
				out = append(out, "grant is neither block nor password change with MFA")
			}
			return out
		},
		"The enabled policy %q blocks or forces a secure password change for high-risk users.",
		"No enabled conditional access policy blocks high-risk users or requires a password change with MFA")
}

func evalSignInRiskPolicy(e *evaluation) result {
	return e.riskLicenceGap(evalSignInRiskPolicyConfig(e))
}

func evalSignInRiskPolicyConfig(e *evaluation) result {
	levels := []string{"high"}
	if e.opt.RequireMediumSignIn {
		levels = append(levels, "medium")
	}
	pols, err := e.getCAPolicies()
	if err != nil {
		return unknown("conditional access policies (GET /identity/conditionalAccess/policies; Microsoft Entra ID P1)", err)
	}
	bg, _ := e.getBreakGlass()
	covered := map[string]string{}
	var objs []object
	for _, p := range pols {
		if len(p.Conditions.SignInRiskLevels) == 0 {
			continue
		}
		problems := e.scopeProblems(p, bg)
		if !grants(p, "block") && !requiresMFA(p) {
			problems = append(problems, "grant is neither block nor MFA")
		}
		if len(problems) > 0 {
			objs = append(objs, object{Type: "conditional_access_policy", Name: p.DisplayName, Detail: strings.Join(problems, "; ")})
			continue
		}
		for _, l := range p.Conditions.SignInRiskLevels {
			covered[strings.ToLower(l)] = p.DisplayName
		}
	}
	var gaps []string
	for _, l := range levels {
		if covered[l] == "" {
			gaps = append(gaps, l)
		}
	}
	if len(gaps) > 0 {
		return fail(objs, "No enabled conditional access policy for all users and all cloud apps blocks or requires MFA for sign-in risk %s.", strings.Join(gaps, " and "))
	}
	var by []string
	for _, l := range levels {
		by = append(by, fmt.Sprintf("%s by %q", l, covered[l]))
	}
	return pass("Risky sign-ins are blocked or challenged with MFA for all users: %s.", strings.Join(by, ", "))
}

func evalSecurityDefaults(e *evaluation) result {
	sd, err := e.securityDefaults.get(func() (*graph.SecurityDefaults, error) { return e.c.Graph.GetSecurityDefaults(e.ctx) })
	if err != nil {
		return unknown("security defaults (GET /policies/identitySecurityDefaultsEnforcementPolicy)", err)
	}
	pols, err := e.getCAPolicies()
	switch {
	case errors.Is(err, graph.ErrLicence):
		pols = nil // no Entra ID P1: no conditional access, security defaults are the only protection
	case err != nil:
		return unknown("conditional access policies (GET /identity/conditionalAccess/policies)", err)
	}
	var enabled []string
	for _, p := range pols {
		if p.State == "enabled" {
			enabled = append(enabled, p.DisplayName)
		}
	}
	obj := []object{{Type: "security_defaults", Name: sd.DisplayName, Detail: fmt.Sprintf("isEnabled=%t", sd.IsEnabled)}}
	switch {
	case len(enabled) == 0 && sd.IsEnabled:
		return pass("Security defaults are on and no conditional access policy is enabled.")
	case len(enabled) == 0:
		return fail(obj, "Security defaults are off and no conditional access policy is enabled: nothing enforces MFA or blocks legacy authentication.")
	case sd.IsEnabled:
		return fail(obj, "Security defaults are on although %s enabled: turn them off and let conditional access protect the tenant (CIS 5.1.1.1).", plural(len(enabled), "conditional access policy is", "conditional access policies are"))
	}
	return pass("Security defaults are off and %s replace them.", plural(len(enabled), "enabled conditional access policy", "enabled conditional access policies"))
}

func riskRank(l string) int {
	for i, v := range riskLevels {
		if strings.EqualFold(v, l) {
			return i
		}
	}
	return -1
}

// getRiskyUsers lists the users Identity Protection holds at risk (Entra
// ID P2). The risk policy controls use its licence error too.
func (e *evaluation) getRiskyUsers() ([]*graph.RiskyUser, error) {
	return e.riskyUsers.get(func() ([]*graph.RiskyUser, error) {
		var out []*graph.RiskyUser
		_, err := e.c.Graph.EachRiskyUser(e.ctx, "riskState eq 'atRisk' or riskState eq 'confirmedCompromised'", func(u *graph.RiskyUser) error {
			out = append(out, u)
			return nil
		})
		return out, err
	})
}

// riskLicenceGap turns a failing risk policy control into unknown when the
// tenant has no Microsoft Entra ID P2: risk conditions cannot be used at all
// then, which is a licence question rather than a configuration one.
func (e *evaluation) riskLicenceGap(r result) result {
	if r.Status != statusFail {
		return r
	}
	if _, err := e.getRiskyUsers(); errors.Is(err, graph.ErrLicence) {
		u := unknown("risk-based conditional access (user and sign-in risk conditions need Microsoft Entra ID P2)", err)
		u.Objects = r.Objects
		return u
	}
	return r
}

// evalRiskyUsers evaluates the part of CIS 5.2.6.1 (a manual review) that a
// query can answer: users Identity Protection holds at risk.
func evalRiskyUsers(e *evaluation) result {
	threshold := riskRank(e.opt.RiskyUserLevel)
	users, err := e.getRiskyUsers()
	if err != nil {
		return unknown("risky users (GET /identityProtection/riskyUsers; Microsoft Entra ID P2)", err)
	}
	var objs []object
	for _, u := range users {
		if riskRank(u.RiskLevel) >= threshold {
			objs = append(objs, object{Type: "risky_user", Name: u.UserPrincipalName,
				Detail: fmt.Sprintf("riskLevel=%s; riskState=%s; riskLastUpdatedDateTime=%s", u.RiskLevel, u.RiskState, u.RiskLastUpdated.Format("2006-01-02T15:04:05Z"))})
		}
	}
	if len(objs) > 0 {
		return fail(objs, "%s at risk level %s or above wait for investigation (confirm compromised or safe, reset credentials, dismiss). CIS 5.2.6.1 also asks for a weekly review of failed sign-ins.",
			plural(len(objs), "user is", "users are"), e.opt.RiskyUserLevel)
	}
	return pass("No user is at risk level %s or above (%s at risk in total). This covers only the automated part of CIS 5.2.6.1: keep reviewing failed sign-ins weekly.",
		e.opt.RiskyUserLevel, plural(len(users), "user", "users"))
}
