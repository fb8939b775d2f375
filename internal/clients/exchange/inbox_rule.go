package exchange

import (
	"context"
	"strings"
)

// Get-InboxRule needs "Mail Recipients" (Exchange Administrator); it does not
// work for Global Reader or View-Only Organization Management.
func init() {
	RegisterRoles("Get-InboxRule", "Mail Recipients")
}

// InboxRule is the forwarding-relevant part of Get-InboxRule. Recipients are
// as the service renders them: `"Name" [SMTP:addr]` or `"Name" [EX:/o=...]`.
type InboxRule struct {
	Name                  string
	Identity              string
	Enabled               bool
	ForwardTo             []string
	RedirectTo            []string
	ForwardAsAttachmentTo []string
}

// GetInboxRules runs Get-InboxRule -Mailbox with the mailbox's user
// principal name, anchored on it (anchor.go). Pass the UPN when you have
// it; another identity (a GUID) costs one look-up, unless the mailbox was
// read before. A mailbox that does not exist is an ErrNotFound error.
func (c *Client) GetInboxRules(ctx context.Context, mailbox string) ([]InboxRule, error) {
	if !strings.Contains(mailbox, "@") {
		upn := c.mailboxes.lookup(mailbox)
		if upn == "" {
			var err error
			if upn, err = c.resolveMailboxUPN(ctx, mailbox); err != nil {
				return nil, err
			}
		}
		if upn != "" {
			mailbox = upn
		}
	}
	var out []InboxRule
	err := c.InvokeEach(ctx, "Get-InboxRule", map[string]any{"Mailbox": mailbox}, func(o Object) error {
		out = append(out, InboxRule{
			Name: o.String("Name"), Identity: o.String("Identity"), Enabled: o.Bool("Enabled"),
			ForwardTo: o.Strings("ForwardTo"), RedirectTo: o.Strings("RedirectTo"), ForwardAsAttachmentTo: o.Strings("ForwardAsAttachmentTo"),
		})
		return nil
	}, Select("Name", "Identity", "Enabled", "ForwardTo", "RedirectTo", "ForwardAsAttachmentTo"))
	return out, err
}
