package graph

import (
	"context"
	"errors"
	"net/http"
	"strings"

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
	p, err := securityDefaults(c).Get(ctx, nil)
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
	if err := securityDefaults(c).Patch(ctx, body); err != nil {
		err = Describe(err, "PATCH /policies/identitySecurityDefaultsEnforcementPolicy")
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusBadRequest && strings.Contains(e.Message, "Conditional Access policies enabled") {
			e.kind = ErrConditionalAccessEnabled
		}
		return err
	}
	return nil
}

// Security defaults and enabled conditional access policies exclude each
// other; Graph refuses either change with a 400 whose only distinguishing
// mark is its message.
var (
	// ErrSecurityDefaultsOn: a policy cannot be enabled while security defaults are on.
	ErrSecurityDefaultsOn = errors.New("security defaults are on")
	// ErrConditionalAccessEnabled: security defaults cannot be turned on while policies are enabled.
	ErrConditionalAccessEnabled = errors.New("conditional access policies are enabled")
)

// securityDefaults is /policies/identitySecurityDefaultsEnforcementPolicy.
func securityDefaults(c *Client) endpoint[models.IdentitySecurityDefaultsEnforcementPolicyable] {
	return at[models.IdentitySecurityDefaultsEnforcementPolicyable](c, "/policies/identitySecurityDefaultsEnforcementPolicy", models.CreateIdentitySecurityDefaultsEnforcementPolicyFromDiscriminatorValue)
}
