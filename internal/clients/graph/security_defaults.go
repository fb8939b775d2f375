package graph

import (
	"context"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// SecurityDefaults is the tenant's identitySecurityDefaultsEnforcementPolicy
// (https://learn.microsoft.com/en-us/graph/api/resources/identitysecuritydefaultsenforcementpolicy).
type SecurityDefaults struct {
	ID          string
	DisplayName string
	Description string
	IsEnabled   bool
}

// GetSecurityDefaults reads the policy (Policy.Read.All).
func (c *Client) GetSecurityDefaults(ctx context.Context) (*SecurityDefaults, error) {
	p, err := c.SDK.Policies().IdentitySecurityDefaultsEnforcementPolicy().Get(ctx, nil)
	if err != nil {
		return nil, Describe(err, "GET /policies/identitySecurityDefaultsEnforcementPolicy")
	}
	out := &SecurityDefaults{ID: deref(p.GetId()), DisplayName: deref(p.GetDisplayName()), Description: deref(p.GetDescription())}
	if v := p.GetIsEnabled(); v != nil {
		out.IsEnabled = *v
	}
	return out, nil
}

// SetSecurityDefaults turns security defaults on or off
// (Policy.ReadWrite.SecurityDefaults). Only isEnabled is sent: the other
// properties are read-only.
func (c *Client) SetSecurityDefaults(ctx context.Context, enabled bool) error {
	body := models.NewIdentitySecurityDefaultsEnforcementPolicy()
	body.SetIsEnabled(&enabled)
	if _, err := c.SDK.Policies().IdentitySecurityDefaultsEnforcementPolicy().Patch(ctx, body, nil); err != nil {
		return Describe(err, "PATCH /policies/identitySecurityDefaultsEnforcementPolicy")
	}
	return nil
}
