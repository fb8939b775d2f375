package exchange

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Roles from the Permissions sections of Get-Mailbox and Set-Mailbox: reads
// need "View-Only Recipients" or "Mail Recipients"; the Audit* parameters of
// Set-Mailbox are in "Audit Logs" and "Mail Recipients", the forwarding
// parameters in "Mail Recipients".
func init() {
	RegisterRoles("Get-Mailbox", "View-Only Recipients", "Mail Recipients")
	RegisterRoles("Set-Mailbox", "Mail Recipients", "Audit Logs")
}

// Mailbox properties, for Select.
var (
	// MailboxIdentityFields identify a mailbox.
	MailboxIdentityFields = []string{"Identity", "Name", "Alias", "DisplayName", "UserPrincipalName", "PrimarySmtpAddress",
		"ExternalDirectoryObjectId", "Guid", "RecipientTypeDetails"}
	// MailboxAuditFields are the per-mailbox audit settings.
	MailboxAuditFields = []string{"AuditEnabled", "AuditLogAgeLimit", "AuditAdmin", "AuditDelegate", "AuditOwner", "DefaultAuditSet"}
	// MailboxForwardingFields are the mailbox-level forwarding settings.
	MailboxForwardingFields = []string{"ForwardingAddress", "ForwardingSmtpAddress", "DeliverToMailboxAndForward"}
	// MailboxFields is everything Mailbox holds.
	MailboxFields = concat(MailboxIdentityFields, []string{"EmailAddresses"}, MailboxAuditFields, MailboxForwardingFields)
)

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Mailbox is the part of Get-Mailbox the provider uses. Values are
// normalised: ForwardingSmtpAddress without its "smtp:" prefix, the audit
// age as a duration.
type Mailbox struct {
	Identity                  string
	Name                      string
	Alias                     string
	DisplayName               string
	UserPrincipalName         string
	PrimarySmtpAddress        string
	ExternalDirectoryObjectId string
	Guid                      string
	RecipientTypeDetails      string
	EmailAddresses            []string

	AuditEnabled     bool
	AuditLogAgeLimit time.Duration
	AuditAdmin       []string
	AuditDelegate    []string
	AuditOwner       []string
	// DefaultAuditSet lists the logon types ("Admin", "Delegate", "Owner")
	// still on Microsoft's managed action list.
	DefaultAuditSet []string

	ForwardingAddress          string // the internal recipient's identity, "" when none
	ForwardingSmtpAddress      string // bare address, "" when none
	DeliverToMailboxAndForward bool
}

// ParseMailbox converts a Get-Mailbox result.
func ParseMailbox(o Object) (*Mailbox, error) {
	m := &Mailbox{
		Identity:                   o.String("Identity"),
		Name:                       o.String("Name"),
		Alias:                      o.String("Alias"),
		DisplayName:                o.String("DisplayName"),
		UserPrincipalName:          o.String("UserPrincipalName"),
		PrimarySmtpAddress:         o.String("PrimarySmtpAddress"),
		ExternalDirectoryObjectId:  o.String("ExternalDirectoryObjectId"),
		Guid:                       o.String("Guid"),
		RecipientTypeDetails:       o.String("RecipientTypeDetails"),
		EmailAddresses:             o.Strings("EmailAddresses"),
		AuditEnabled:               o.Bool("AuditEnabled"),
		AuditAdmin:                 o.Strings("AuditAdmin"),
		AuditDelegate:              o.Strings("AuditDelegate"),
		AuditOwner:                 o.Strings("AuditOwner"),
		DefaultAuditSet:            o.Strings("DefaultAuditSet"),
		ForwardingAddress:          o.String("ForwardingAddress"),
		ForwardingSmtpAddress:      StripSMTPPrefix(o.String("ForwardingSmtpAddress")),
		DeliverToMailboxAndForward: o.Bool("DeliverToMailboxAndForward"),
	}
	if s := o.String("AuditLogAgeLimit"); s != "" {
		d, err := ParseEnhancedTimeSpan(s)
		if err != nil {
			return nil, fmt.Errorf("mailbox %s: AuditLogAgeLimit %q: %w", m.Identity, s, err)
		}
		m.AuditLogAgeLimit = d
	}
	return m, nil
}

// StripSMTPPrefix turns "smtp:user@domain" (or "SMTP:") into "user@domain".
func StripSMTPPrefix(s string) string {
	if len(s) > 5 && strings.EqualFold(s[:5], "smtp:") {
		return s[5:]
	}
	return s
}

// ParseEnhancedTimeSpan parses Exchange's time span text: "d.hh:mm:ss",
// "hh:mm:ss", optionally with fractional seconds.
func ParseEnhancedTimeSpan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	days := 0
	rest := s
	if i, j := strings.Index(s, "."), strings.Index(s, ":"); i >= 0 && (j < 0 || i < j) {
		d, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("not a time span")
		}
		days, rest = d, s[i+1:]
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		return 0, fmt.Errorf("not a time span")
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	sec, err3 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, fmt.Errorf("not a time span")
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec*float64(time.Second))
	if neg {
		d = -d
	}
	return d, nil
}

// FormatDays renders whole days as Exchange's time span text: "90.00:00:00".
func FormatDays(days int64) string { return fmt.Sprintf("%d.00:00:00", days) }

// QuoteOPATH quotes a value for an OPATH filter: 'value', with single quotes
// doubled.
func QuoteOPATH(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }

// GetMailbox reads one mailbox. fields limit the properties fetched
// (default MailboxFields). A missing mailbox is an ErrNotFound error.
//
// Get-Mailbox -Identity is routed on the mailbox's UPN (anchor.go). When
// the caller names the mailbox otherwise (a GUID, an alias) and it was not
// read before, one Get-Mailbox -Filter listing (a directory search, routed
// anywhere) finds it instead, so the read still costs one call.
func (c *Client) GetMailbox(ctx context.Context, identity string, fields ...string) (*Mailbox, error) {
	if len(fields) == 0 {
		fields = MailboxFields
	}
	if !c.cfg.Compliance && !strings.Contains(identity, "@") && c.mailboxes.lookup(identity) == "" {
		sel := fields
		if !containsFold(sel, "UserPrincipalName") {
			sel = append(append([]string{}, fields...), "UserPrincipalName")
		}
		objs, err := c.Invoke(ctx, "Get-Mailbox", map[string]any{"Filter": mailboxFilter(identity), "ResultSize": 2}, Select(sel...))
		if err != nil {
			return nil, err
		}
		if len(objs) == 1 {
			return ParseMailbox(objs[0])
		}
		// None or several: the service's own answer to -Identity (not
		// found, ambiguous, or a form of identity the filter does not cover).
	}
	objs, err := c.Invoke(ctx, "Get-Mailbox", map[string]any{"Identity": identity}, Select(fields...))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-Mailbox -Identity %q: expected one mailbox, got %d", c.service(), identity, len(objs))
	}
	return ParseMailbox(objs[0])
}

// MailboxQuery selects mailboxes on the server.
type MailboxQuery struct {
	// Filter is an OPATH filter, e.g. "AuditEnabled -eq $false".
	Filter string
	// RecipientTypeDetails limits the subtypes (UserMailbox, SharedMailbox, ...).
	RecipientTypeDetails []string
	// Fields to fetch; default MailboxFields.
	Fields []string
	// NoRouteCache: the caller addresses the mailboxes by UPN, so the
	// listing is kept out of the routing cache (NoRouteCache).
	NoRouteCache bool
}

// ListMailboxes runs Get-Mailbox -ResultSize Unlimited with the query's
// filter and streams the mailboxes page by page (1000 per page) to fn, so a
// large tenant is never held in memory by the client.
func (c *Client) ListMailboxes(ctx context.Context, q MailboxQuery, fn func(*Mailbox) error) error {
	params := map[string]any{"ResultSize": "Unlimited"}
	if q.Filter != "" {
		params["Filter"] = q.Filter
	}
	if len(q.RecipientTypeDetails) > 0 {
		params["RecipientTypeDetails"] = q.RecipientTypeDetails
	}
	fields := q.Fields
	if len(fields) == 0 {
		fields = MailboxFields
	}
	opts := []Option{Select(fields...), PageSize(MaxPageSize)}
	if q.NoRouteCache {
		opts = append(opts, NoRouteCache())
	}
	return c.InvokeEach(ctx, "Get-Mailbox", params, func(o Object) error {
		m, err := ParseMailbox(o)
		if err != nil {
			return err
		}
		return fn(m)
	}, opts...)
}

// SetMailbox runs Set-Mailbox -Identity with the given parameters (e.g.
// AuditEnabled, AuditOwner, DefaultAuditSet, ForwardingSmtpAddress: nil to
// clear).
func (c *Client) SetMailbox(ctx context.Context, identity string, params map[string]any) error {
	p := make(map[string]any, len(params)+1)
	for k, v := range params {
		p[k] = v
	}
	p["Identity"] = identity
	_, err := c.Invoke(ctx, "Set-Mailbox", p)
	return err
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
