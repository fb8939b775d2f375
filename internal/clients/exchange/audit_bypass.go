package exchange

import (
	"context"
	"fmt"
)

// Set-MailboxAuditBypassAssociation and its Get are in the "Audit Logs"
// role (reads also "View-Only Audit Logs").
func init() {
	RegisterRoles("Get-MailboxAuditBypassAssociation", "View-Only Audit Logs", "Audit Logs")
	RegisterRoles("Set-MailboxAuditBypassAssociation", "Audit Logs")
}

// AuditBypass is a mailbox account's audit bypass association.
type AuditBypass struct {
	Identity           string
	Name               string
	Guid               string
	AuditBypassEnabled bool
}

// GetMailboxAuditBypass runs Get-MailboxAuditBypassAssociation -Identity.
func (c *Client) GetMailboxAuditBypass(ctx context.Context, identity string) (*AuditBypass, error) {
	objs, err := c.Invoke(ctx, "Get-MailboxAuditBypassAssociation", map[string]any{"Identity": identity},
		Select("Identity", "Name", "Guid", "AuditBypassEnabled"))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-MailboxAuditBypassAssociation -Identity %q: expected one object, got %d", c.service(), identity, len(objs))
	}
	o := objs[0]
	return &AuditBypass{Identity: o.String("Identity"), Name: o.String("Name"), Guid: o.String("Guid"), AuditBypassEnabled: o.Bool("AuditBypassEnabled")}, nil
}

// SetMailboxAuditBypass runs Set-MailboxAuditBypassAssociation.
func (c *Client) SetMailboxAuditBypass(ctx context.Context, identity string, enabled bool) error {
	_, err := c.Invoke(ctx, "Set-MailboxAuditBypassAssociation", map[string]any{"Identity": identity, "AuditBypassEnabled": enabled})
	return err
}
