package exchange

import (
	"context"
	"fmt"
)

// Roles from the Permissions sections of the cmdlet reference pages
// (Set-OrganizationConfig: "Organization Configuration";
// Set-AdminAuditLogConfig: "Audit Logs"; reads: "View-Only Configuration").
func init() {
	RegisterRoles("Get-OrganizationConfig", "View-Only Configuration", "Organization Configuration")
	RegisterRoles("Set-OrganizationConfig", "Organization Configuration")
	RegisterRoles("Get-AdminAuditLogConfig", "View-Only Audit Logs", "Audit Logs")
	RegisterRoles("Set-AdminAuditLogConfig", "Audit Logs")
}

// OrganizationConfig is the part of Get-OrganizationConfig the provider uses.
type OrganizationConfig struct {
	Identity      string
	AuditDisabled bool
	IsDehydrated  bool
}

// GetOrganizationConfig runs Get-OrganizationConfig.
func (c *Client) GetOrganizationConfig(ctx context.Context) (*OrganizationConfig, error) {
	objs, err := c.Invoke(ctx, "Get-OrganizationConfig", nil, Select("Identity", "AuditDisabled", "IsDehydrated"))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-OrganizationConfig: expected one object, got %d", c.service(), len(objs))
	}
	o := objs[0]
	return &OrganizationConfig{Identity: o.String("Identity"), AuditDisabled: o.Bool("AuditDisabled"), IsDehydrated: o.Bool("IsDehydrated")}, nil
}

// SetOrganizationConfig runs Set-OrganizationConfig with the given parameters.
func (c *Client) SetOrganizationConfig(ctx context.Context, params map[string]any) error {
	_, err := c.Invoke(ctx, "Set-OrganizationConfig", params)
	return err
}

// AdminAuditLogConfig is the part of Get-AdminAuditLogConfig the provider uses.
type AdminAuditLogConfig struct {
	UnifiedAuditLogIngestionEnabled bool
}

// GetAdminAuditLogConfig runs Get-AdminAuditLogConfig. Call it on the
// Exchange Online client: through Security & Compliance the ingestion flag
// reads false even when it is on.
func (c *Client) GetAdminAuditLogConfig(ctx context.Context) (*AdminAuditLogConfig, error) {
	objs, err := c.Invoke(ctx, "Get-AdminAuditLogConfig", nil, Select("UnifiedAuditLogIngestionEnabled"))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-AdminAuditLogConfig: expected one object, got %d", c.service(), len(objs))
	}
	return &AdminAuditLogConfig{UnifiedAuditLogIngestionEnabled: objs[0].Bool("UnifiedAuditLogIngestionEnabled")}, nil
}

// SetAdminAuditLogConfig runs Set-AdminAuditLogConfig.
func (c *Client) SetAdminAuditLogConfig(ctx context.Context, params map[string]any) error {
	_, err := c.Invoke(ctx, "Set-AdminAuditLogConfig", params)
	return err
}
