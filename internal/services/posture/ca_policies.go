package posture

import (
	"context"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// caPolicy is a conditional access policy as the posture checks read it:
// every condition that can narrow who or what the policy applies to
// (https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccessconditionset),
// not only the ones the resource manages.
type caPolicy struct {
	Name, State                              string
	IncludeUsers, ExcludeUsers               []string
	IncludeGroups, ExcludeGroups             []string
	IncludeRoles, ExcludeRoles               []string
	IncludeGuests, ExcludeGuests             string // guestOrExternalUserTypes, "" when absent
	IncludeApplications, ExcludeApplications []string
	ClientAppTypes                           []string
	UserRiskLevels, SignInRiskLevels         []string
	HasLocations                             bool
	IncludeLocations, ExcludeLocations       []string
	HasPlatforms                             bool
	IncludePlatforms, ExcludePlatforms       []string
	DeviceFilterMode, DeviceFilterRule       string
	GrantOperator                            string
	BuiltInControls                          []string
	AuthenticationStrengthID                 string
	// SignInFrequency is the session control's frequencyInterval when it
	// is enabled ("everyTime", "timeBased"), "" otherwise.
	SignInFrequency string
	// SignInFrequencyValue and SignInFrequencyType ("hours", "days") are
	// the timeBased interval; PersistentBrowser is the persistentBrowser
	// control's mode ("always", "never") when it is enabled, "" otherwise.
	SignInFrequencyValue int64
	SignInFrequencyType  string
	PersistentBrowser    string
}

func enumStrings[E interface{ String() string }](in []E) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		out = append(out, v.String())
	}
	return out
}

func ptr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// listCAPolicies reads every policy with GET /identity/conditionalAccess/policies
// (Policy.Read.All), following @odata.nextLink.
func listCAPolicies(ctx context.Context, c *graph.Client) ([]*caPolicy, error) {
	var out []*caPolicy
	err := c.EachConditionalAccessPolicy(ctx, func(p models.ConditionalAccessPolicyable) {
		out = append(out, caFrom(p))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func caFrom(m models.ConditionalAccessPolicyable) *caPolicy {
	p := &caPolicy{Name: ptr(m.GetDisplayName())}
	if s := m.GetState(); s != nil {
		p.State = s.String()
	}
	if c := m.GetConditions(); c != nil {
		if u := c.GetUsers(); u != nil {
			p.IncludeUsers, p.ExcludeUsers = u.GetIncludeUsers(), u.GetExcludeUsers()
			p.IncludeGroups, p.ExcludeGroups = u.GetIncludeGroups(), u.GetExcludeGroups()
			p.IncludeRoles, p.ExcludeRoles = u.GetIncludeRoles(), u.GetExcludeRoles()
			if g := u.GetIncludeGuestsOrExternalUsers(); g != nil && g.GetGuestOrExternalUserTypes() != nil {
				p.IncludeGuests = g.GetGuestOrExternalUserTypes().String()
			}
			if g := u.GetExcludeGuestsOrExternalUsers(); g != nil && g.GetGuestOrExternalUserTypes() != nil {
				p.ExcludeGuests = g.GetGuestOrExternalUserTypes().String()
			}
		}
		if a := c.GetApplications(); a != nil {
			p.IncludeApplications, p.ExcludeApplications = a.GetIncludeApplications(), a.GetExcludeApplications()
		}
		p.ClientAppTypes = enumStrings(c.GetClientAppTypes())
		p.UserRiskLevels = enumStrings(c.GetUserRiskLevels())
		p.SignInRiskLevels = enumStrings(c.GetSignInRiskLevels())
		if l := c.GetLocations(); l != nil {
			p.HasLocations = true
			p.IncludeLocations, p.ExcludeLocations = l.GetIncludeLocations(), l.GetExcludeLocations()
		}
		if pl := c.GetPlatforms(); pl != nil {
			p.HasPlatforms = true
			p.IncludePlatforms, p.ExcludePlatforms = enumStrings(pl.GetIncludePlatforms()), enumStrings(pl.GetExcludePlatforms())
		}
		if d := c.GetDevices(); d != nil && d.GetDeviceFilter() != nil {
			f := d.GetDeviceFilter()
			p.DeviceFilterRule = ptr(f.GetRule())
			if f.GetMode() != nil {
				p.DeviceFilterMode = f.GetMode().String()
			}
		}
	}
	if g := m.GetGrantControls(); g != nil {
		p.GrantOperator = ptr(g.GetOperator())
		p.BuiltInControls = enumStrings(g.GetBuiltInControls())
		if s := g.GetAuthenticationStrength(); s != nil {
			p.AuthenticationStrengthID = ptr(s.GetId())
		}
	}
	if sc := m.GetSessionControls(); sc != nil {
		if f := sc.GetSignInFrequency(); f != nil && (f.GetIsEnabled() == nil || *f.GetIsEnabled()) && f.GetFrequencyInterval() != nil {
			p.SignInFrequency = f.GetFrequencyInterval().String()
			if v := f.GetValue(); v != nil {
				p.SignInFrequencyValue = int64(*v)
			}
			if t := f.GetTypeEscaped(); t != nil {
				p.SignInFrequencyType = t.String()
			}
		}
		if b := sc.GetPersistentBrowser(); b != nil && (b.GetIsEnabled() == nil || *b.GetIsEnabled()) && b.GetMode() != nil {
			p.PersistentBrowser = b.GetMode().String()
		}
	}
	return p
}

// hasAll reports whether a list holds the keyword "All" (any case).
func hasAll(list []string) bool { return containsFold(list, "All") }

// exclusionsAllowed are the principals a control lets a policy exclude:
// break_glass_accounts for every control, plus the ScubaGear CapExclusions
// (users, groups) of the control's ScubaGear policy.
type exclusionsAllowed struct {
	users  map[string]bool // lower-case object ids
	groups map[string]bool
}

// conditionGaps names every condition of a policy that keeps it from
// applying to all users, all cloud apps, every location, platform, device
// and client app, beyond the allowed exclusions. skipClientApps and
// skipRisk leave out the condition the control itself is about.
func conditionGaps(p *caPolicy, allowed exclusionsAllowed, skipClientApps bool) []string {
	var out []string
	if p.State != "enabled" {
		out = append(out, "state is "+p.State+" (not enforced)")
	}
	if !hasAll(p.IncludeUsers) {
		out = append(out, "users: does not include All")
	}
	var extraUsers, extraGroups []string
	for _, u := range p.ExcludeUsers {
		if !allowed.users[strings.ToLower(u)] {
			extraUsers = append(extraUsers, u)
		}
	}
	for _, g := range p.ExcludeGroups {
		if !allowed.groups[strings.ToLower(g)] {
			extraGroups = append(extraGroups, g)
		}
	}
	if len(extraUsers) > 0 {
		out = append(out, "users: excludes users beyond the allowed exclusions: "+strings.Join(extraUsers, ","))
	}
	if len(extraGroups) > 0 {
		out = append(out, "users: excludes groups beyond the allowed exclusions: "+strings.Join(extraGroups, ","))
	}
	if len(p.ExcludeRoles) > 0 {
		out = append(out, "users: excludes directory roles: "+strings.Join(p.ExcludeRoles, ","))
	}
	if p.ExcludeGuests != "" {
		out = append(out, "users: excludes guests or external users ("+p.ExcludeGuests+")")
	}
	if !hasAll(p.IncludeApplications) {
		out = append(out, "applications: does not include All")
	}
	if len(p.ExcludeApplications) > 0 {
		out = append(out, "applications: excludes "+strings.Join(p.ExcludeApplications, ","))
	}
	if p.HasLocations {
		if len(p.IncludeLocations) > 0 && !hasAll(p.IncludeLocations) {
			out = append(out, "locations: limited to "+strings.Join(p.IncludeLocations, ","))
		}
		if len(p.ExcludeLocations) > 0 {
			out = append(out, "locations: excludes "+strings.Join(p.ExcludeLocations, ","))
		}
	}
	if p.HasPlatforms {
		if !containsFold(p.IncludePlatforms, "all") {
			out = append(out, "platforms: limited to "+strings.Join(p.IncludePlatforms, ","))
		}
		if len(p.ExcludePlatforms) > 0 {
			out = append(out, "platforms: excludes "+strings.Join(p.ExcludePlatforms, ","))
		}
	}
	if p.DeviceFilterRule != "" {
		out = append(out, "devices: a device filter ("+p.DeviceFilterMode+" "+p.DeviceFilterRule+") narrows the devices it applies to")
	}
	if !skipClientApps && len(p.ClientAppTypes) > 0 && !containsFold(p.ClientAppTypes, "all") {
		out = append(out, "client apps: limited to "+strings.Join(p.ClientAppTypes, ","))
	}
	return out
}

func grantsControl(p *caPolicy, control string) bool { return containsFold(p.BuiltInControls, control) }

// onlyBlock: the grant is block (block cannot be combined in practice; any
// other control ORed with it would offer a way in).
func onlyBlock(p *caPolicy) bool {
	return grantsControl(p, "block") && (len(p.BuiltInControls) == 1 || strings.EqualFold(p.GrantOperator, "AND")) && p.AuthenticationStrengthID == ""
}

// requiresMFA: the grant can only be met with MFA: the built-in mfa control
// or an authentication strength, alone or with AND.
func requiresMFA(p *caPolicy) bool {
	mfa := grantsControl(p, "mfa") || p.AuthenticationStrengthID != ""
	if !mfa {
		return false
	}
	n := len(p.BuiltInControls)
	if p.AuthenticationStrengthID != "" {
		n++
	}
	return n == 1 || strings.EqualFold(p.GrantOperator, "AND")
}

// phishingResistantStrengthID is the built-in "Phishing-resistant MFA"
// authentication strength
// (https://learn.microsoft.com/en-us/entra/identity/authentication/concept-authentication-strengths#built-in-authentication-strengths).
const phishingResistantStrengthID = "00000000-0000-0000-0000-000000000004"
