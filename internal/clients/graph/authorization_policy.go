package graph

import (
	"context"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// The tenant's authorization policy, Microsoft Graph v1.0
// /policies/authorizationPolicy
// (https://learn.microsoft.com/en-us/graph/api/resources/authorizationpolicy).

// AuthorizationPolicy is the policy as read.
type AuthorizationPolicy struct {
	ID                                        string
	AllowInvitesFrom                          string
	AllowedToSignUpEmailBasedSubscriptions    bool
	AllowedToUseSSPR                          bool
	AllowEmailVerifiedUsersToJoinOrganization bool
	AllowUserConsentForRiskyApps              bool
	BlockMsolPowerShell                       bool
	GuestUserRoleID                           string
	DefaultUserRolePermissions                DefaultUserRolePermissions
}

// DefaultUserRolePermissions is defaultUserRolePermissions
// (https://learn.microsoft.com/en-us/graph/api/resources/defaultuserrolepermissions).
type DefaultUserRolePermissions struct {
	AllowedToCreateApps                      bool
	AllowedToCreateSecurityGroups            bool
	AllowedToCreateTenants                   bool
	AllowedToReadBitlockerKeysForOwnedDevice bool
	AllowedToReadOtherUsers                  bool
	PermissionGrantPoliciesAssigned          []string
}

// AuthorizationPolicyPatch names the properties to change; nil ones are not
// sent. DefaultUserRolePermissions, when set, is sent whole.
type AuthorizationPolicyPatch struct {
	AllowInvitesFrom                          *string
	AllowedToSignUpEmailBasedSubscriptions    *bool
	AllowedToUseSSPR                          *bool
	AllowEmailVerifiedUsersToJoinOrganization *bool
	AllowUserConsentForRiskyApps              *bool
	BlockMsolPowerShell                       *bool
	GuestUserRoleID                           *string
	DefaultUserRolePermissions                *DefaultUserRolePermissions
}

// GetAuthorizationPolicy reads the policy (Policy.Read.All).
func (c *Client) GetAuthorizationPolicy(ctx context.Context) (*AuthorizationPolicy, error) {
	p, err := authorizationPolicy(c).Get(ctx, nil)
	if err != nil {
		return nil, Describe(err, "GET /policies/authorizationPolicy")
	}
	b := func(v *bool) bool { return v != nil && *v }
	out := &AuthorizationPolicy{
		ID:                                     deref(p.GetId()),
		AllowedToSignUpEmailBasedSubscriptions: b(p.GetAllowedToSignUpEmailBasedSubscriptions()),
		AllowedToUseSSPR:                       b(p.GetAllowedToUseSSPR()),
		AllowEmailVerifiedUsersToJoinOrganization: b(p.GetAllowEmailVerifiedUsersToJoinOrganization()),
		AllowUserConsentForRiskyApps:              b(p.GetAllowUserConsentForRiskyApps()),
		BlockMsolPowerShell:                       b(p.GetBlockMsolPowerShell()),
	}
	if v := p.GetAllowInvitesFrom(); v != nil {
		out.AllowInvitesFrom = v.String()
	}
	if v := p.GetGuestUserRoleId(); v != nil {
		out.GuestUserRoleID = v.String()
	}
	if d := p.GetDefaultUserRolePermissions(); d != nil {
		out.DefaultUserRolePermissions = DefaultUserRolePermissions{
			AllowedToCreateApps:                      b(d.GetAllowedToCreateApps()),
			AllowedToCreateSecurityGroups:            b(d.GetAllowedToCreateSecurityGroups()),
			AllowedToCreateTenants:                   b(d.GetAllowedToCreateTenants()),
			AllowedToReadBitlockerKeysForOwnedDevice: b(d.GetAllowedToReadBitlockerKeysForOwnedDevice()),
			AllowedToReadOtherUsers:                  b(d.GetAllowedToReadOtherUsers()),
			PermissionGrantPoliciesAssigned:          nonNil(d.GetPermissionGrantPoliciesAssigned()),
		}
	}
	return out, nil
}

// UpdateAuthorizationPolicy PATCHes the named properties
// (Policy.ReadWrite.Authorization).
func (c *Client) UpdateAuthorizationPolicy(ctx context.Context, p *AuthorizationPolicyPatch) error {
	body := models.NewAuthorizationPolicy()
	if p.AllowInvitesFrom != nil {
		v, err := parseEnum[models.AllowInvitesFrom](models.ParseAllowInvitesFrom, *p.AllowInvitesFrom, "allowInvitesFrom")
		if err != nil {
			return err
		}
		body.SetAllowInvitesFrom(&v)
	}
	if p.AllowedToSignUpEmailBasedSubscriptions != nil {
		body.SetAllowedToSignUpEmailBasedSubscriptions(p.AllowedToSignUpEmailBasedSubscriptions)
	}
	if p.AllowedToUseSSPR != nil {
		body.SetAllowedToUseSSPR(p.AllowedToUseSSPR)
	}
	if p.AllowEmailVerifiedUsersToJoinOrganization != nil {
		body.SetAllowEmailVerifiedUsersToJoinOrganization(p.AllowEmailVerifiedUsersToJoinOrganization)
	}
	if p.AllowUserConsentForRiskyApps != nil {
		body.SetAllowUserConsentForRiskyApps(p.AllowUserConsentForRiskyApps)
	}
	if p.BlockMsolPowerShell != nil {
		body.SetBlockMsolPowerShell(p.BlockMsolPowerShell)
	}
	if p.GuestUserRoleID != nil {
		id, err := uuid.Parse(*p.GuestUserRoleID)
		if err != nil {
			return err
		}
		body.SetGuestUserRoleId(&id)
	}
	if d := p.DefaultUserRolePermissions; d != nil {
		m := models.NewDefaultUserRolePermissions()
		m.SetAllowedToCreateApps(&d.AllowedToCreateApps)
		m.SetAllowedToCreateSecurityGroups(&d.AllowedToCreateSecurityGroups)
		m.SetAllowedToCreateTenants(&d.AllowedToCreateTenants)
		m.SetAllowedToReadBitlockerKeysForOwnedDevice(&d.AllowedToReadBitlockerKeysForOwnedDevice)
		m.SetAllowedToReadOtherUsers(&d.AllowedToReadOtherUsers)
		m.SetPermissionGrantPoliciesAssigned(nonNil(d.PermissionGrantPoliciesAssigned))
		body.SetDefaultUserRolePermissions(m)
	}
	if err := authorizationPolicy(c).Patch(ctx, body); err != nil {
		return Describe(err, "PATCH /policies/authorizationPolicy")
	}
	return nil
}

// authorizationPolicy is /policies/authorizationPolicy.
func authorizationPolicy(c *Client) endpoint[models.AuthorizationPolicyable] {
	return at[models.AuthorizationPolicyable](c, "/policies/authorizationPolicy", models.CreateAuthorizationPolicyFromDiscriminatorValue)
}
