package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// Conditional Access policies, Microsoft Graph v1.0
// /identity/conditionalAccess/policies
// (https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccesspolicy).
// The types below are the subset a hardening baseline needs; a policy's
// other conditions and controls are read only as far as naming the ones set
// (ConditionalAccessPolicy.Unmanaged), and cleared when a write asks.

// ConditionalAccessPolicy is one policy.
type ConditionalAccessPolicy struct {
	ID               string
	DisplayName      string
	State            string // enabled, disabled, enabledForReportingButNotEnforced
	CreatedDateTime  *time.Time
	ModifiedDateTime *time.Time
	Conditions       ConditionalAccessConditions
	// GrantControls is nil when the policy has none.
	GrantControls *ConditionalAccessGrantControls
	// SessionControls is nil when the policy has none.
	SessionControls *ConditionalAccessSessionControls
	// Unmanaged, when read, names the properties set on the policy that
	// the types above do not model (UnmanagedCAProperties), so a caller can
	// show them instead of hiding them; when written, the ones to clear.
	Unmanaged []string
}

// UnmanagedCAProperties are the conditionalAccessPolicy properties
// msgraph-sdk-go's models declare that the provider does not manage, as
// Graph paths
// (https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccessconditionset,
// conditionalaccessapplications, conditionalaccessgrantcontrols,
// conditionalaccesssessioncontrols).
var UnmanagedCAProperties = []string{
	"conditions.applications.applicationFilter",
	"conditions.applications.includeAuthenticationContextClassReferences",
	"conditions.applications.includeUserActions",
	"conditions.authenticationFlows",
	"conditions.clientApplications",
	"conditions.insiderRiskLevels",
	"conditions.servicePrincipalRiskLevels",
	"grantControls.customAuthenticationFactors",
	"grantControls.termsOfUse",
	"sessionControls.applicationEnforcedRestrictions",
	"sessionControls.cloudAppSecurity",
	"sessionControls.disableResilienceDefaults",
	"sessionControls.secureSignInSession",
}

// unmanagedSet names the unmanaged properties a policy read from Graph has
// set (a non-empty collection, an object, disableResilienceDefaults true).
func unmanagedSet(m models.ConditionalAccessPolicyable) []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	if cs := m.GetConditions(); cs != nil {
		if a := cs.GetApplications(); a != nil {
			add(a.GetApplicationFilter() != nil, "conditions.applications.applicationFilter")
			add(len(a.GetIncludeAuthenticationContextClassReferences()) > 0, "conditions.applications.includeAuthenticationContextClassReferences")
			add(len(a.GetIncludeUserActions()) > 0, "conditions.applications.includeUserActions")
		}
		add(cs.GetAuthenticationFlows() != nil, "conditions.authenticationFlows")
		add(cs.GetClientApplications() != nil, "conditions.clientApplications")
		add(cs.GetInsiderRiskLevels() != nil, "conditions.insiderRiskLevels")
		add(len(cs.GetServicePrincipalRiskLevels()) > 0, "conditions.servicePrincipalRiskLevels")
	}
	if g := m.GetGrantControls(); g != nil {
		add(len(g.GetCustomAuthenticationFactors()) > 0, "grantControls.customAuthenticationFactors")
		add(len(g.GetTermsOfUse()) > 0, "grantControls.termsOfUse")
	}
	if sc := m.GetSessionControls(); sc != nil {
		add(sc.GetApplicationEnforcedRestrictions() != nil, "sessionControls.applicationEnforcedRestrictions")
		add(sc.GetCloudAppSecurity() != nil, "sessionControls.cloudAppSecurity")
		d := sc.GetDisableResilienceDefaults()
		add(d != nil && *d, "sessionControls.disableResilienceDefaults")
		add(sc.GetSecureSignInSession() != nil, "sessionControls.secureSignInSession")
	}
	return out
}

// ConditionalAccessConditions is a policy's conditionalAccessConditionSet.
type ConditionalAccessConditions struct {
	IncludeUsers, ExcludeUsers               []string
	IncludeGroups, ExcludeGroups             []string
	IncludeRoles, ExcludeRoles               []string
	IncludeApplications, ExcludeApplications []string
	ClientAppTypes                           []string
	UserRiskLevels, SignInRiskLevels         []string
	// The guest and external user conditions (users.includeGuestsOrExternalUsers
	// and users.excludeGuestsOrExternalUsers); nil when absent.
	IncludeGuestsOrExternalUsers, ExcludeGuestsOrExternalUsers *ConditionalAccessGuestsOrExternalUsers
	// Locations is nil when the policy has no location condition.
	Locations *ConditionalAccessLocations
	// Platforms is nil when the policy has no platform condition.
	Platforms *ConditionalAccessPlatforms
	// DeviceFilter is conditions.devices.deviceFilter; nil when absent.
	DeviceFilter *ConditionalAccessFilter
}

// ConditionalAccessGuestsOrExternalUsers is conditionalAccessGuestsOrExternalUsers.
type ConditionalAccessGuestsOrExternalUsers struct {
	// GuestOrExternalUserTypes are the members of the flags enum Graph
	// sends as one comma-separated string.
	GuestOrExternalUserTypes []string
	// MembershipKind is externalTenants.membershipKind: all or enumerated.
	MembershipKind string
	// Members are the tenant IDs when MembershipKind is enumerated.
	Members []string
}

// ConditionalAccessLocations is the location condition.
type ConditionalAccessLocations struct {
	IncludeLocations, ExcludeLocations []string
}

// ConditionalAccessPlatforms is the device platform condition.
type ConditionalAccessPlatforms struct {
	IncludePlatforms, ExcludePlatforms []string
}

// ConditionalAccessFilter is a device filter: mode include or exclude and a rule.
type ConditionalAccessFilter struct {
	Mode, Rule string
}

// ConditionalAccessGrantControls is a policy's conditionalAccessGrantControls.
type ConditionalAccessGrantControls struct {
	Operator                 string // AND, OR
	BuiltInControls          []string
	AuthenticationStrengthID string
}

// ConditionalAccessSessionControls is the subset of
// conditionalAccessSessionControls the provider manages.
type ConditionalAccessSessionControls struct {
	SignInFrequency   *SignInFrequencySessionControl
	PersistentBrowser *PersistentBrowserSessionControl
}

// SignInFrequencySessionControl is signInFrequencySessionControl. Value 0
// and Type "" stand for null (frequencyInterval everyTime).
type SignInFrequencySessionControl struct {
	IsEnabled          bool
	Value              int32
	Type               string // days, hours
	FrequencyInterval  string // timeBased, everyTime
	AuthenticationType string // primaryAndSecondaryAuthentication, secondaryAuthentication
}

// PersistentBrowserSessionControl is persistentBrowserSessionControl.
type PersistentBrowserSessionControl struct {
	IsEnabled bool
	Mode      string // always, never
}

// ErrInvalidPolicy marks a policy Graph refused as invalid (400).
var ErrInvalidPolicy = errors.New("invalid conditional access policy")

// describeCA classifies a Conditional Access error. Graph reports a missing
// P2 licence for risk conditions as 400 with the numeric reason 1039 at the
// start of the message (the service's error number, not prose).
func describeCA(err error, op string) error {
	err = Describe(err, op)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusBadRequest {
		if strings.HasPrefix(e.Message, "1039:") {
			e.kind = ErrLicence
		} else if strings.Contains(e.Message, "Security Defaults is enabled in the tenant") {
			e.kind = ErrSecurityDefaultsOn
		} else {
			e.kind = ErrInvalidPolicy
		}
	}
	return err
}

const caPoliciesPath = "/identity/conditionalAccess/policies"

// caPolicies is GET /identity/conditionalAccess/policies.
func caPolicies(c *Client) endpoint[models.ConditionalAccessPolicyCollectionResponseable] {
	return at[models.ConditionalAccessPolicyCollectionResponseable](c, caPoliciesPath, models.CreateConditionalAccessPolicyCollectionResponseFromDiscriminatorValue)
}

// caPolicy is /identity/conditionalAccess/policies/{id}.
func caPolicy(c *Client, id string) endpoint[models.ConditionalAccessPolicyable] {
	return at[models.ConditionalAccessPolicyable](c, caPoliciesPath+"/"+seg(id), models.CreateConditionalAccessPolicyFromDiscriminatorValue)
}

// EachConditionalAccessPolicy calls fn with every policy as msgraph-sdk-go
// parses it (for readers that need properties the resource does not
// model), following @odata.nextLink.
func (c *Client) EachConditionalAccessPolicy(ctx context.Context, fn func(models.ConditionalAccessPolicyable)) error {
	b := caPolicies(c)
	resp, err := b.Get(ctx, nil)
	for {
		if err != nil {
			return Describe(err, "GET "+caPoliciesPath)
		}
		for _, p := range resp.GetValue() {
			fn(p)
		}
		next := resp.GetOdataNextLink()
		if next == nil || *next == "" {
			return nil
		}
		resp, err = b.Next(ctx, *next)
	}
}

// ListConditionalAccessPolicies returns every policy in the tenant.
func (c *Client) ListConditionalAccessPolicies(ctx context.Context) ([]*ConditionalAccessPolicy, error) {
	const op = "GET /identity/conditionalAccess/policies"
	b := caPolicies(c)
	resp, err := b.Get(ctx, nil)
	var out []*ConditionalAccessPolicy
	for {
		if err != nil {
			return nil, describeCA(err, op)
		}
		for _, p := range resp.GetValue() {
			out = append(out, caFromSDK(p))
		}
		next := resp.GetOdataNextLink()
		if next == nil || *next == "" {
			return out, nil
		}
		resp, err = b.Next(ctx, *next)
	}
}

// GetConditionalAccessPolicy reads one policy; a missing one is ErrNotFound.
func (c *Client) GetConditionalAccessPolicy(ctx context.Context, id string) (*ConditionalAccessPolicy, error) {
	p, err := caPolicy(c, id).Get(ctx, nil)
	if err != nil {
		return nil, describeCA(err, "GET /identity/conditionalAccess/policies/"+id)
	}
	return caFromSDK(p), nil
}

// CreateConditionalAccessPolicy creates a policy and returns it as Graph
// answered (with its id). Not retried on 5xx by the caller: a retried POST
// could create a second policy.
func (c *Client) CreateConditionalAccessPolicy(ctx context.Context, p *ConditionalAccessPolicy) (*ConditionalAccessPolicy, error) {
	body, err := caToSDK(p)
	if err != nil {
		return nil, err
	}
	out, err := at[models.ConditionalAccessPolicyable](c, caPoliciesPath, models.CreateConditionalAccessPolicyFromDiscriminatorValue).Post(ctx, body)
	if err != nil {
		return nil, describeCA(err, "POST /identity/conditionalAccess/policies")
	}
	return caFromSDK(out), nil
}

// UpdateConditionalAccessPolicy replaces the modelled properties of a policy:
// every collection is sent, empty ones included, and every absent optional
// block as null, so removals apply although Graph merges PATCH bodies.
func (c *Client) UpdateConditionalAccessPolicy(ctx context.Context, id string, p *ConditionalAccessPolicy) error {
	body, err := caToSDK(p)
	if err != nil {
		return err
	}
	if err := caPolicy(c, id).Patch(ctx, body); err != nil {
		return describeCA(err, "PATCH /identity/conditionalAccess/policies/"+id)
	}
	return nil
}

// DeleteConditionalAccessPolicy deletes a policy; a missing one is ErrNotFound.
func (c *Client) DeleteConditionalAccessPolicy(ctx context.Context, id string) error {
	if err := caPolicy(c, id).Delete(ctx); err != nil {
		return describeCA(err, "DELETE /identity/conditionalAccess/policies/"+id)
	}
	return nil
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// setNull makes the serialiser write "key": null. Graph merges PATCH bodies
// into the stored policy: a property left out keeps its old value, so
// removing an optional block needs an explicit null
// (https://learn.microsoft.com/en-us/graph/api/conditionalaccesspolicy-update:
// "Existing properties that aren't included in the request body maintain
// their previous values").
func setNull(m interface {
	GetAdditionalData() map[string]any
	SetAdditionalData(map[string]any)
}, keys ...string) {
	ad := m.GetAdditionalData()
	if ad == nil {
		ad = map[string]any{}
	}
	for _, k := range keys {
		ad[k] = nil
	}
	m.SetAdditionalData(ad)
}

func enumList[T any](parse func(string) (any, error), vals []string, what string) ([]T, error) {
	out := make([]T, 0, len(vals))
	for _, v := range vals {
		e, err := parseEnum[T](parse, v, what)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func enumStrings[T fmt.Stringer](vals []T) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		out = append(out, v.String())
	}
	return out
}

func guestsToSDK(g *ConditionalAccessGuestsOrExternalUsers) (models.ConditionalAccessGuestsOrExternalUsersable, error) {
	m := models.NewConditionalAccessGuestsOrExternalUsers()
	types, err := parseEnum[models.ConditionalAccessGuestOrExternalUserTypes](models.ParseConditionalAccessGuestOrExternalUserTypes, strings.Join(g.GuestOrExternalUserTypes, ","), "guest or external user type")
	if err != nil {
		return nil, err
	}
	m.SetGuestOrExternalUserTypes(&types)
	switch g.MembershipKind {
	case "all":
		t := models.NewConditionalAccessAllExternalTenants()
		k := models.ALL_CONDITIONALACCESSEXTERNALTENANTSMEMBERSHIPKIND
		t.SetMembershipKind(&k)
		m.SetExternalTenants(t)
	case "enumerated":
		t := models.NewConditionalAccessEnumeratedExternalTenants()
		k := models.ENUMERATED_CONDITIONALACCESSEXTERNALTENANTSMEMBERSHIPKIND
		t.SetMembershipKind(&k)
		t.SetMembers(nonNil(g.Members))
		m.SetExternalTenants(t)
	default:
		return nil, fmt.Errorf("external tenants membership kind %q is not one Graph knows", g.MembershipKind)
	}
	return m, nil
}

func guestsFromSDK(m models.ConditionalAccessGuestsOrExternalUsersable) *ConditionalAccessGuestsOrExternalUsers {
	if m == nil {
		return nil
	}
	g := &ConditionalAccessGuestsOrExternalUsers{GuestOrExternalUserTypes: []string{}, Members: []string{}}
	if t := m.GetGuestOrExternalUserTypes(); t != nil && t.String() != "" {
		g.GuestOrExternalUserTypes = strings.Split(t.String(), ",")
	}
	if et := m.GetExternalTenants(); et != nil {
		if k := et.GetMembershipKind(); k != nil {
			g.MembershipKind = k.String()
		}
		if e, ok := et.(models.ConditionalAccessEnumeratedExternalTenantsable); ok {
			g.Members = nonNil(e.GetMembers())
			if g.MembershipKind == "" {
				g.MembershipKind = "enumerated"
			}
		} else if g.MembershipKind == "" {
			g.MembershipKind = "all"
		}
	}
	return g
}

// caToSDK builds the request body. Every property the provider manages is
// sent, an absent optional block as an explicit null, so that a PATCH
// leaves nothing of the previous version behind.
func caToSDK(p *ConditionalAccessPolicy) (models.ConditionalAccessPolicyable, error) {
	m := models.NewConditionalAccessPolicy()
	m.SetDisplayName(&p.DisplayName)
	st, err := parseEnum[models.ConditionalAccessPolicyState](models.ParseConditionalAccessPolicyState, p.State, "conditional access policy state")
	if err != nil {
		return nil, err
	}
	m.SetState(&st)

	c := p.Conditions
	cs := models.NewConditionalAccessConditionSet()
	u := models.NewConditionalAccessUsers()
	u.SetIncludeUsers(nonNil(c.IncludeUsers))
	u.SetExcludeUsers(nonNil(c.ExcludeUsers))
	u.SetIncludeGroups(nonNil(c.IncludeGroups))
	u.SetExcludeGroups(nonNil(c.ExcludeGroups))
	u.SetIncludeRoles(nonNil(c.IncludeRoles))
	u.SetExcludeRoles(nonNil(c.ExcludeRoles))
	if g := c.IncludeGuestsOrExternalUsers; g != nil {
		v, err := guestsToSDK(g)
		if err != nil {
			return nil, err
		}
		u.SetIncludeGuestsOrExternalUsers(v)
	} else {
		setNull(u, "includeGuestsOrExternalUsers")
	}
	if g := c.ExcludeGuestsOrExternalUsers; g != nil {
		v, err := guestsToSDK(g)
		if err != nil {
			return nil, err
		}
		u.SetExcludeGuestsOrExternalUsers(v)
	} else {
		setNull(u, "excludeGuestsOrExternalUsers")
	}
	cs.SetUsers(u)
	a := models.NewConditionalAccessApplications()
	a.SetIncludeApplications(nonNil(c.IncludeApplications))
	a.SetExcludeApplications(nonNil(c.ExcludeApplications))
	clear := func(name string) bool { return slices.Contains(p.Unmanaged, name) }
	if clear("conditions.applications.includeUserActions") {
		a.SetIncludeUserActions([]string{})
	}
	if clear("conditions.applications.includeAuthenticationContextClassReferences") {
		a.SetIncludeAuthenticationContextClassReferences([]string{})
	}
	if clear("conditions.applications.applicationFilter") {
		setNull(a, "applicationFilter")
	}
	cs.SetApplications(a)
	apps, err := enumList[models.ConditionalAccessClientApp](models.ParseConditionalAccessClientApp, c.ClientAppTypes, "client app type")
	if err != nil {
		return nil, err
	}
	cs.SetClientAppTypes(apps)
	userRisk, err := enumList[models.RiskLevel](models.ParseRiskLevel, c.UserRiskLevels, "risk level")
	if err != nil {
		return nil, err
	}
	cs.SetUserRiskLevels(userRisk)
	signInRisk, err := enumList[models.RiskLevel](models.ParseRiskLevel, c.SignInRiskLevels, "risk level")
	if err != nil {
		return nil, err
	}
	cs.SetSignInRiskLevels(signInRisk)
	var nulls []string
	for _, k := range []string{"authenticationFlows", "clientApplications", "insiderRiskLevels", "servicePrincipalRiskLevels"} {
		if clear("conditions." + k) {
			nulls = append(nulls, k)
		}
	}
	if l := c.Locations; l != nil {
		loc := models.NewConditionalAccessLocations()
		loc.SetIncludeLocations(nonNil(l.IncludeLocations))
		loc.SetExcludeLocations(nonNil(l.ExcludeLocations))
		cs.SetLocations(loc)
	} else {
		nulls = append(nulls, "locations")
	}
	if pl := c.Platforms; pl != nil {
		inc, err := enumList[models.ConditionalAccessDevicePlatform](models.ParseConditionalAccessDevicePlatform, pl.IncludePlatforms, "device platform")
		if err != nil {
			return nil, err
		}
		exc, err := enumList[models.ConditionalAccessDevicePlatform](models.ParseConditionalAccessDevicePlatform, pl.ExcludePlatforms, "device platform")
		if err != nil {
			return nil, err
		}
		v := models.NewConditionalAccessPlatforms()
		v.SetIncludePlatforms(inc)
		v.SetExcludePlatforms(exc)
		cs.SetPlatforms(v)
	} else {
		nulls = append(nulls, "platforms")
	}
	if f := c.DeviceFilter; f != nil {
		mode, err := parseEnum[models.FilterMode](models.ParseFilterMode, f.Mode, "device filter mode")
		if err != nil {
			return nil, err
		}
		flt := models.NewConditionalAccessFilter()
		flt.SetMode(&mode)
		rule := f.Rule
		flt.SetRule(&rule)
		d := models.NewConditionalAccessDevices()
		d.SetDeviceFilter(flt)
		cs.SetDevices(d)
	} else {
		nulls = append(nulls, "devices")
	}
	if len(nulls) > 0 {
		setNull(cs, nulls...)
	}
	m.SetConditions(cs)

	if g := p.GrantControls; g != nil {
		gc := models.NewConditionalAccessGrantControls()
		op := g.Operator
		gc.SetOperator(&op)
		ctrls, err := enumList[models.ConditionalAccessGrantControl](models.ParseConditionalAccessGrantControl, g.BuiltInControls, "grant control")
		if err != nil {
			return nil, err
		}
		gc.SetBuiltInControls(ctrls)
		if g.AuthenticationStrengthID != "" {
			as := models.NewAuthenticationStrengthPolicy()
			id := g.AuthenticationStrengthID
			as.SetId(&id)
			gc.SetAuthenticationStrength(as)
		} else {
			setNull(gc, "authenticationStrength")
		}
		if clear("grantControls.customAuthenticationFactors") {
			gc.SetCustomAuthenticationFactors([]string{})
		}
		if clear("grantControls.termsOfUse") {
			gc.SetTermsOfUse([]string{})
		}
		m.SetGrantControls(gc)
	} else {
		setNull(m, "grantControls")
	}
	if sc := p.SessionControls; sc != nil {
		s := models.NewConditionalAccessSessionControls()
		var nulls []string
		if f := sc.SignInFrequency; f != nil {
			v := models.NewSignInFrequencySessionControl()
			en := f.IsEnabled
			v.SetIsEnabled(&en)
			var fnulls []string
			if f.Value != 0 {
				val := f.Value
				v.SetValue(&val)
			} else {
				fnulls = append(fnulls, "value")
			}
			if f.Type != "" {
				t, err := parseEnum[models.SigninFrequencyType](models.ParseSigninFrequencyType, f.Type, "sign-in frequency type")
				if err != nil {
					return nil, err
				}
				v.SetTypeEscaped(&t)
			} else {
				fnulls = append(fnulls, "type")
			}
			iv, err := parseEnum[models.SignInFrequencyInterval](models.ParseSignInFrequencyInterval, f.FrequencyInterval, "sign-in frequency interval")
			if err != nil {
				return nil, err
			}
			v.SetFrequencyInterval(&iv)
			at, err := parseEnum[models.SignInFrequencyAuthenticationType](models.ParseSignInFrequencyAuthenticationType, f.AuthenticationType, "sign-in frequency authentication type")
			if err != nil {
				return nil, err
			}
			v.SetAuthenticationType(&at)
			if len(fnulls) > 0 {
				setNull(v, fnulls...)
			}
			s.SetSignInFrequency(v)
		} else {
			nulls = append(nulls, "signInFrequency")
		}
		if b := sc.PersistentBrowser; b != nil {
			v := models.NewPersistentBrowserSessionControl()
			en := b.IsEnabled
			v.SetIsEnabled(&en)
			mode, err := parseEnum[models.PersistentBrowserSessionMode](models.ParsePersistentBrowserSessionMode, b.Mode, "persistent browser mode")
			if err != nil {
				return nil, err
			}
			v.SetMode(&mode)
			s.SetPersistentBrowser(v)
		} else {
			nulls = append(nulls, "persistentBrowser")
		}
		for _, k := range []string{"applicationEnforcedRestrictions", "cloudAppSecurity", "disableResilienceDefaults", "secureSignInSession"} {
			if clear("sessionControls." + k) {
				nulls = append(nulls, k)
			}
		}
		if len(nulls) > 0 {
			setNull(s, nulls...)
		}
		m.SetSessionControls(s)
	} else {
		setNull(m, "sessionControls")
	}
	return m, nil
}

func caFromSDK(m models.ConditionalAccessPolicyable) *ConditionalAccessPolicy {
	p := &ConditionalAccessPolicy{
		ID:               deref(m.GetId()),
		DisplayName:      deref(m.GetDisplayName()),
		CreatedDateTime:  m.GetCreatedDateTime(),
		ModifiedDateTime: m.GetModifiedDateTime(),
	}
	if s := m.GetState(); s != nil {
		p.State = s.String()
	}
	p.Unmanaged = unmanagedSet(m)
	if cs := m.GetConditions(); cs != nil {
		c := &p.Conditions
		if u := cs.GetUsers(); u != nil {
			c.IncludeUsers, c.ExcludeUsers = nonNil(u.GetIncludeUsers()), nonNil(u.GetExcludeUsers())
			c.IncludeGroups, c.ExcludeGroups = nonNil(u.GetIncludeGroups()), nonNil(u.GetExcludeGroups())
			c.IncludeRoles, c.ExcludeRoles = nonNil(u.GetIncludeRoles()), nonNil(u.GetExcludeRoles())
			c.IncludeGuestsOrExternalUsers = guestsFromSDK(u.GetIncludeGuestsOrExternalUsers())
			c.ExcludeGuestsOrExternalUsers = guestsFromSDK(u.GetExcludeGuestsOrExternalUsers())
		}
		if a := cs.GetApplications(); a != nil {
			c.IncludeApplications, c.ExcludeApplications = nonNil(a.GetIncludeApplications()), nonNil(a.GetExcludeApplications())
		}
		c.ClientAppTypes = enumStrings(cs.GetClientAppTypes())
		c.UserRiskLevels = enumStrings(cs.GetUserRiskLevels())
		c.SignInRiskLevels = enumStrings(cs.GetSignInRiskLevels())
		if l := cs.GetLocations(); l != nil {
			c.Locations = &ConditionalAccessLocations{IncludeLocations: nonNil(l.GetIncludeLocations()), ExcludeLocations: nonNil(l.GetExcludeLocations())}
		}
		if pl := cs.GetPlatforms(); pl != nil {
			c.Platforms = &ConditionalAccessPlatforms{IncludePlatforms: enumStrings(pl.GetIncludePlatforms()), ExcludePlatforms: enumStrings(pl.GetExcludePlatforms())}
		}
		if d := cs.GetDevices(); d != nil && d.GetDeviceFilter() != nil {
			f := d.GetDeviceFilter()
			c.DeviceFilter = &ConditionalAccessFilter{Rule: deref(f.GetRule())}
			if md := f.GetMode(); md != nil {
				c.DeviceFilter.Mode = md.String()
			}
		}
	}
	if g := m.GetGrantControls(); g != nil {
		gc := &ConditionalAccessGrantControls{Operator: deref(g.GetOperator()), BuiltInControls: enumStrings(g.GetBuiltInControls())}
		if as := g.GetAuthenticationStrength(); as != nil {
			gc.AuthenticationStrengthID = deref(as.GetId())
		}
		p.GrantControls = gc
	}
	if s := m.GetSessionControls(); s != nil {
		sc := &ConditionalAccessSessionControls{}
		if f := s.GetSignInFrequency(); f != nil {
			v := &SignInFrequencySessionControl{IsEnabled: f.GetIsEnabled() != nil && *f.GetIsEnabled()}
			if f.GetValue() != nil {
				v.Value = *f.GetValue()
			}
			if f.GetTypeEscaped() != nil {
				v.Type = f.GetTypeEscaped().String()
			}
			if f.GetFrequencyInterval() != nil {
				v.FrequencyInterval = f.GetFrequencyInterval().String()
			}
			if f.GetAuthenticationType() != nil {
				v.AuthenticationType = f.GetAuthenticationType().String()
			}
			sc.SignInFrequency = v
		}
		if b := s.GetPersistentBrowser(); b != nil {
			v := &PersistentBrowserSessionControl{IsEnabled: b.GetIsEnabled() != nil && *b.GetIsEnabled()}
			if b.GetMode() != nil {
				v.Mode = b.GetMode().String()
			}
			sc.PersistentBrowser = v
		}
		// A policy whose session controls hold only properties the provider
		// does not manage reads as having none of them.
		if sc.SignInFrequency != nil || sc.PersistentBrowser != nil {
			p.SessionControls = sc
		}
	}
	return p
}

// parseEnum parses a Graph enum member with the SDK's parser, which answers
// nil for a member it does not know.
func parseEnum[T any](parse func(string) (any, error), v, what string) (T, error) {
	var zero T
	e, err := parse(v)
	if p, ok := e.(*T); ok && err == nil && p != nil {
		return *p, nil
	}
	return zero, fmt.Errorf("%s %q is not one Graph knows", what, v)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
