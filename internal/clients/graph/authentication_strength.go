package graph

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"
)

// Authentication strength policies, Microsoft Graph v1.0
// /policies/authenticationStrengthPolicies
// (https://learn.microsoft.com/en-us/graph/api/resources/authenticationstrengthpolicy).

// AuthenticationStrength is one policy, built-in or custom.
type AuthenticationStrength struct {
	ID                    string
	DisplayName           string
	Description           string
	PolicyType            string // builtIn, custom
	RequirementsSatisfied string // none, mfa
	// AllowedCombinations in the SDK's form: flags joined by commas in the
	// enum's order, e.g. "password,microsoftAuthenticatorPush".
	AllowedCombinations []string
	CreatedDateTime     *time.Time
	ModifiedDateTime    *time.Time
}

// CanonicalCombination parses a combination of authenticationMethodModes
// with the SDK and returns it as the SDK writes it; ok is false when a
// member is not one the SDK knows.
func CanonicalCombination(s string) (string, bool) {
	v, err := models.ParseAuthenticationMethodModes(s)
	m, isMode := v.(*models.AuthenticationMethodModes)
	if err != nil || !isMode || m == nil || *m == 0 {
		return "", false
	}
	return m.String(), true
}

func strengthFromSDK(p models.AuthenticationStrengthPolicyable) *AuthenticationStrength {
	s := &AuthenticationStrength{ID: deref(p.GetId()), DisplayName: deref(p.GetDisplayName()), Description: deref(p.GetDescription()),
		AllowedCombinations: []string{}, CreatedDateTime: p.GetCreatedDateTime(), ModifiedDateTime: p.GetModifiedDateTime()}
	if v := p.GetPolicyType(); v != nil {
		s.PolicyType = v.String()
	}
	if v := p.GetRequirementsSatisfied(); v != nil {
		s.RequirementsSatisfied = v.String()
	}
	for _, c := range p.GetAllowedCombinations() {
		s.AllowedCombinations = append(s.AllowedCombinations, c.String())
	}
	return s
}

func combinationsToSDK(v []string) ([]models.AuthenticationMethodModes, error) {
	out := make([]models.AuthenticationMethodModes, 0, len(v))
	for _, c := range v {
		m, err := parseEnum[models.AuthenticationMethodModes](models.ParseAuthenticationMethodModes, c, "authentication method combination")
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

const strengthsPath = "/policies/authenticationStrengthPolicies"

// strength is /policies/authenticationStrengthPolicies/{id}.
func strength(c *Client, id string) endpoint[models.AuthenticationStrengthPolicyable] {
	return at[models.AuthenticationStrengthPolicyable](c, strengthsPath+"/"+seg(id), models.CreateAuthenticationStrengthPolicyFromDiscriminatorValue)
}

// ListAuthenticationStrengths returns the built-in and custom policies.
func (c *Client) ListAuthenticationStrengths(ctx context.Context) ([]*AuthenticationStrength, error) {
	const op = "GET /policies/authenticationStrengthPolicies"
	b := at[models.AuthenticationStrengthPolicyCollectionResponseable](c, strengthsPath, models.CreateAuthenticationStrengthPolicyCollectionResponseFromDiscriminatorValue)
	resp, err := b.Get(ctx, nil)
	var out []*AuthenticationStrength
	for {
		if err != nil {
			return nil, Describe(err, op)
		}
		for _, p := range resp.GetValue() {
			out = append(out, strengthFromSDK(p))
		}
		next := resp.GetOdataNextLink()
		if next == nil || *next == "" {
			return out, nil
		}
		resp, err = b.Next(ctx, *next)
	}
}

// GetAuthenticationStrength reads one policy; a missing one is ErrNotFound.
func (c *Client) GetAuthenticationStrength(ctx context.Context, id string) (*AuthenticationStrength, error) {
	p, err := strength(c, id).Get(ctx, nil)
	if err != nil {
		return nil, Describe(err, "GET /policies/authenticationStrengthPolicies/"+id)
	}
	return strengthFromSDK(p), nil
}

// CreateAuthenticationStrength creates a custom policy.
func (c *Client) CreateAuthenticationStrength(ctx context.Context, s *AuthenticationStrength) (*AuthenticationStrength, error) {
	combos, err := combinationsToSDK(s.AllowedCombinations)
	if err != nil {
		return nil, err
	}
	body := models.NewAuthenticationStrengthPolicy()
	body.SetDisplayName(&s.DisplayName)
	if s.Description != "" {
		body.SetDescription(&s.Description)
	}
	body.SetAllowedCombinations(combos)
	out, err := at[models.AuthenticationStrengthPolicyable](c, strengthsPath, models.CreateAuthenticationStrengthPolicyFromDiscriminatorValue).Post(ctx, body)
	if err != nil {
		return nil, Describe(err, "POST /policies/authenticationStrengthPolicies")
	}
	return strengthFromSDK(out), nil
}

// UpdateAuthenticationStrength sets the name and description (PATCH; an
// empty description clears it).
func (c *Client) UpdateAuthenticationStrength(ctx context.Context, id, displayName, description string) error {
	body := models.NewAuthenticationStrengthPolicy()
	body.SetDisplayName(&displayName)
	body.SetDescription(&description)
	if err := strength(c, id).Patch(ctx, body); err != nil {
		return Describe(err, "PATCH /policies/authenticationStrengthPolicies/"+id)
	}
	return nil
}

// UpdateAllowedCombinations replaces the policy's combinations (the
// updateAllowedCombinations action; PATCH cannot change them).
func (c *Client) UpdateAllowedCombinations(ctx context.Context, id string, combos []string) error {
	m, err := combinationsToSDK(combos)
	if err != nil {
		return err
	}
	body := policies.NewAuthenticationStrengthPoliciesItemUpdateAllowedCombinationsPostRequestBody()
	body.SetAllowedCombinations(m)
	action := at[models.UpdateAllowedCombinationsResultable](c, strengthsPath+"/"+seg(id)+"/updateAllowedCombinations", models.CreateUpdateAllowedCombinationsResultFromDiscriminatorValue)
	if _, err := action.Post(ctx, body); err != nil {
		return Describe(err, "POST /policies/authenticationStrengthPolicies/"+id+"/updateAllowedCombinations")
	}
	return nil
}

// DeleteAuthenticationStrength deletes a custom policy; a refused delete
// (400: still used by a Conditional Access policy) is also ErrInUse.
func (c *Client) DeleteAuthenticationStrength(ctx context.Context, id string) error {
	err := strength(c, id).Delete(ctx)
	if err == nil {
		return nil
	}
	err = Describe(err, "DELETE /policies/authenticationStrengthPolicies/"+id)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusBadRequest {
		e.kind = ErrInUse
	}
	return err
}
