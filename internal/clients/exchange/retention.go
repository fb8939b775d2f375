package exchange

import (
	"context"
	"fmt"
)

// The unified audit log retention policy cmdlets run on Security &
// Compliance and are in the "Audit Logs" role (reads also "View-Only Audit
// Logs"); https://learn.microsoft.com/powershell/module/exchangepowershell/new-unifiedauditlogretentionpolicy
func init() {
	RegisterRoles("Get-UnifiedAuditLogRetentionPolicy", "View-Only Audit Logs", "Audit Logs")
	RegisterRoles("New-UnifiedAuditLogRetentionPolicy", "Audit Logs")
	RegisterRoles("Set-UnifiedAuditLogRetentionPolicy", "Audit Logs")
	RegisterRoles("Remove-UnifiedAuditLogRetentionPolicy", "Audit Logs")
}

// AuditRetentionPolicy is a unified audit log retention policy.
type AuditRetentionPolicy struct {
	Name              string
	Guid              string
	Description       string
	RecordTypes       []string
	Operations        []string
	UserIds           []string
	RetentionDuration string
	Priority          int64
}

func parseRetention(o Object) *AuditRetentionPolicy {
	return &AuditRetentionPolicy{
		Name: o.String("Name"), Guid: o.String("Guid"), Description: o.String("Description"),
		RecordTypes: o.Strings("RecordTypes"), Operations: o.Strings("Operations"), UserIds: o.Strings("UserIds"),
		RetentionDuration: o.String("RetentionDuration"), Priority: o.Int("Priority"),
	}
}

var retentionFields = []string{"Name", "Guid", "Description", "RecordTypes", "Operations", "UserIds", "RetentionDuration", "Priority"}

// GetAuditRetentionPolicy runs Get-UnifiedAuditLogRetentionPolicy -Identity
// (name or GUID). Call it on the Security & Compliance client.
func (c *Client) GetAuditRetentionPolicy(ctx context.Context, identity string) (*AuditRetentionPolicy, error) {
	objs, err := c.Invoke(ctx, "Get-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": identity}, Select(retentionFields...))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-UnifiedAuditLogRetentionPolicy -Identity %q: expected one policy, got %d", c.service(), identity, len(objs))
	}
	return parseRetention(objs[0]), nil
}

// NewAuditRetentionPolicy runs New-UnifiedAuditLogRetentionPolicy (not
// repeated after a 503: the service may have created it).
func (c *Client) NewAuditRetentionPolicy(ctx context.Context, params map[string]any) (*AuditRetentionPolicy, error) {
	objs, err := c.Invoke(ctx, "New-UnifiedAuditLogRetentionPolicy", params, NotIdempotent())
	if err != nil {
		return nil, err
	}
	if len(objs) == 0 {
		return nil, nil
	}
	return parseRetention(objs[0]), nil
}

// SetAuditRetentionPolicy runs Set-UnifiedAuditLogRetentionPolicy -Identity.
func (c *Client) SetAuditRetentionPolicy(ctx context.Context, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-UnifiedAuditLogRetentionPolicy", p)
	return err
}

// RemoveAuditRetentionPolicy runs Remove-UnifiedAuditLogRetentionPolicy.
func (c *Client) RemoveAuditRetentionPolicy(ctx context.Context, identity string) error {
	_, err := c.Invoke(ctx, "Remove-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": identity, "Confirm": false})
	return err
}
