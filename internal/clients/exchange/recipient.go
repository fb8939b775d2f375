package exchange

import (
	"context"
	"fmt"
)

// Get-Recipient needs "View-Only Recipients" (Security Administrator,
// Global Reader) or "Mail Recipients".
// https://learn.microsoft.com/powershell/module/exchangepowershell/get-recipient
func init() {
	RegisterRoles("Get-Recipient", "View-Only Recipients", "Mail Recipients")
}

// Recipient is the part of Get-Recipient the provider uses to tell whether
// two spellings (name, alias, address, GUID) name the same recipient.
type Recipient struct {
	Name                 string
	Alias                string
	PrimarySmtpAddress   string
	Guid                 string
	RecipientTypeDetails string
	EmailAddresses       []string
}

var recipientFields = []string{"Name", "Alias", "PrimarySmtpAddress", "Guid", "RecipientTypeDetails", "EmailAddresses"}

// GetRecipient runs Get-Recipient -Identity: a mailbox, group, mail user or
// contact by any value that identifies it. A value that names nobody is
// ErrNotFound.
func (c *Client) GetRecipient(ctx context.Context, identity string) (*Recipient, error) {
	objs, err := c.Invoke(ctx, "Get-Recipient", map[string]any{"Identity": identity}, Select(recipientFields...))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-Recipient %q: expected one object, got %d", c.service(), identity, len(objs))
	}
	o := objs[0]
	return &Recipient{
		Name: o.String("Name"), Alias: o.String("Alias"), PrimarySmtpAddress: o.String("PrimarySmtpAddress"), Guid: o.String("Guid"),
		RecipientTypeDetails: o.String("RecipientTypeDetails"), EmailAddresses: o.Strings("EmailAddresses"),
	}, nil
}
