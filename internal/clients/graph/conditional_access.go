package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// Conditional Access policies, Microsoft Graph v1.0
// /identity/conditionalAccess/policies
// (https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccesspolicy).
// The types below are the subset a hardening baseline needs; a policy's
// other conditions and session controls are left as Graph holds them.

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
}

// ConditionalAccessConditions is a policy's conditionalAccessConditionSet.
type ConditionalAccessConditions struct {
	IncludeUsers, ExcludeUsers               []string
	IncludeGroups, ExcludeGroups             []string
	IncludeRoles, ExcludeRoles               []string
	IncludeApplications, ExcludeApplications []string
	ClientAppTypes                           []string
	UserRiskLevels, SignInRiskLevels         []string
	// Locations is nil when the policy has no location condition.
	Locations *ConditionalAccessLocations
}

// ConditionalAccessLocations is the location condition.
type ConditionalAccessLocations struct {
	IncludeLocations, ExcludeLocations []string
}

// ConditionalAccessGrantControls is a policy's conditionalAccessGrantControls.
type ConditionalAccessGrantControls struct {
	Operator                 string // AND, OR
	BuiltInControls          []string
	AuthenticationStrengthID string
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
		} else {
			e.kind = ErrInvalidPolicy
		}
	}
	return err
}

// ListConditionalAccessPolicies returns every policy in the tenant.
func (c *Client) ListConditionalAccessPolicies(ctx context.Context) ([]*ConditionalAccessPolicy, error) {
	const op = "GET /identity/conditionalAccess/policies"
	b := c.SDK.Identity().ConditionalAccess().Policies()
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
		resp, err = b.WithUrl(*next).Get(ctx, nil)
	}
}

// GetConditionalAccessPolicy reads one policy; a missing one is ErrNotFound.
func (c *Client) GetConditionalAccessPolicy(ctx context.Context, id string) (*ConditionalAccessPolicy, error) {
	p, err := c.SDK.Identity().ConditionalAccess().Policies().ByConditionalAccessPolicyId(id).Get(ctx, nil)
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
	out, err := c.SDK.Identity().ConditionalAccess().Policies().Post(ctx, body, nil)
	if err != nil {
		return nil, describeCA(err, "POST /identity/conditionalAccess/policies")
	}
	return caFromSDK(out), nil
}

// UpdateConditionalAccessPolicy replaces the modelled properties of a policy
// (every collection is sent, empty ones included, so removals apply).
func (c *Client) UpdateConditionalAccessPolicy(ctx context.Context, id string, p *ConditionalAccessPolicy) error {
	body, err := caToSDK(p)
	if err != nil {
		return err
	}
	if _, err := c.SDK.Identity().ConditionalAccess().Policies().ByConditionalAccessPolicyId(id).Patch(ctx, body, nil); err != nil {
		return describeCA(err, "PATCH /identity/conditionalAccess/policies/"+id)
	}
	return nil
}

// DeleteConditionalAccessPolicy deletes a policy; a missing one is ErrNotFound.
func (c *Client) DeleteConditionalAccessPolicy(ctx context.Context, id string) error {
	if err := c.SDK.Identity().ConditionalAccess().Policies().ByConditionalAccessPolicyId(id).Delete(ctx, nil); err != nil {
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

func caToSDK(p *ConditionalAccessPolicy) (models.ConditionalAccessPolicyable, error) {
	m := models.NewConditionalAccessPolicy()
	m.SetDisplayName(&p.DisplayName)
	st, err := parseEnum[models.ConditionalAccessPolicyState](models.ParseConditionalAccessPolicyState, p.State, "conditional access policy state")
	if err != nil {
		return nil, err
	}
	m.SetState(&st)

	cs := models.NewConditionalAccessConditionSet()
	u := models.NewConditionalAccessUsers()
	u.SetIncludeUsers(nonNil(p.Conditions.IncludeUsers))
	u.SetExcludeUsers(nonNil(p.Conditions.ExcludeUsers))
	u.SetIncludeGroups(nonNil(p.Conditions.IncludeGroups))
	u.SetExcludeGroups(nonNil(p.Conditions.ExcludeGroups))
	u.SetIncludeRoles(nonNil(p.Conditions.IncludeRoles))
	u.SetExcludeRoles(nonNil(p.Conditions.ExcludeRoles))
	cs.SetUsers(u)
	a := models.NewConditionalAccessApplications()
	a.SetIncludeApplications(nonNil(p.Conditions.IncludeApplications))
	a.SetExcludeApplications(nonNil(p.Conditions.ExcludeApplications))
	cs.SetApplications(a)
	apps := make([]models.ConditionalAccessClientApp, 0, len(p.Conditions.ClientAppTypes))
	for _, v := range p.Conditions.ClientAppTypes {
		e, err := parseEnum[models.ConditionalAccessClientApp](models.ParseConditionalAccessClientApp, v, "client app type")
		if err != nil {
			return nil, err
		}
		apps = append(apps, e)
	}
	cs.SetClientAppTypes(apps)
	for _, rl := range []struct {
		vals []string
		set  func([]models.RiskLevel)
	}{{p.Conditions.UserRiskLevels, cs.SetUserRiskLevels}, {p.Conditions.SignInRiskLevels, cs.SetSignInRiskLevels}} {
		levels := make([]models.RiskLevel, 0, len(rl.vals))
		for _, v := range rl.vals {
			e, err := parseEnum[models.RiskLevel](models.ParseRiskLevel, v, "risk level")
			if err != nil {
				return nil, err
			}
			levels = append(levels, e)
		}
		rl.set(levels)
	}
	if l := p.Conditions.Locations; l != nil {
		loc := models.NewConditionalAccessLocations()
		loc.SetIncludeLocations(nonNil(l.IncludeLocations))
		loc.SetExcludeLocations(nonNil(l.ExcludeLocations))
		cs.SetLocations(loc)
	}
	m.SetConditions(cs)

	if g := p.GrantControls; g != nil {
		gc := models.NewConditionalAccessGrantControls()
		op := g.Operator
		gc.SetOperator(&op)
		ctrls := make([]models.ConditionalAccessGrantControl, 0, len(g.BuiltInControls))
		for _, v := range g.BuiltInControls {
			e, err := parseEnum[models.ConditionalAccessGrantControl](models.ParseConditionalAccessGrantControl, v, "grant control")
			if err != nil {
				return nil, err
			}
			ctrls = append(ctrls, e)
		}
		gc.SetBuiltInControls(ctrls)
		if g.AuthenticationStrengthID != "" {
			as := models.NewAuthenticationStrengthPolicy()
			id := g.AuthenticationStrengthID
			as.SetId(&id)
			gc.SetAuthenticationStrength(as)
		}
		m.SetGrantControls(gc)
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
	if cs := m.GetConditions(); cs != nil {
		c := &p.Conditions
		if u := cs.GetUsers(); u != nil {
			c.IncludeUsers, c.ExcludeUsers = nonNil(u.GetIncludeUsers()), nonNil(u.GetExcludeUsers())
			c.IncludeGroups, c.ExcludeGroups = nonNil(u.GetIncludeGroups()), nonNil(u.GetExcludeGroups())
			c.IncludeRoles, c.ExcludeRoles = nonNil(u.GetIncludeRoles()), nonNil(u.GetExcludeRoles())
		}
		if a := cs.GetApplications(); a != nil {
			c.IncludeApplications, c.ExcludeApplications = nonNil(a.GetIncludeApplications()), nonNil(a.GetExcludeApplications())
		}
		c.ClientAppTypes = []string{}
		for _, v := range cs.GetClientAppTypes() {
			c.ClientAppTypes = append(c.ClientAppTypes, v.String())
		}
		c.UserRiskLevels, c.SignInRiskLevels = []string{}, []string{}
		for _, v := range cs.GetUserRiskLevels() {
			c.UserRiskLevels = append(c.UserRiskLevels, v.String())
		}
		for _, v := range cs.GetSignInRiskLevels() {
			c.SignInRiskLevels = append(c.SignInRiskLevels, v.String())
		}
		if l := cs.GetLocations(); l != nil {
			c.Locations = &ConditionalAccessLocations{IncludeLocations: nonNil(l.GetIncludeLocations()), ExcludeLocations: nonNil(l.GetExcludeLocations())}
		}
	}
	if g := m.GetGrantControls(); g != nil {
		gc := &ConditionalAccessGrantControls{Operator: deref(g.GetOperator()), BuiltInControls: []string{}}
		for _, v := range g.GetBuiltInControls() {
			gc.BuiltInControls = append(gc.BuiltInControls, v.String())
		}
		if as := g.GetAuthenticationStrength(); as != nil {
			gc.AuthenticationStrengthID = deref(as.GetId())
		}
		p.GrantControls = gc
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
