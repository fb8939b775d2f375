package common

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// MailboxIdentity validates a mailbox identity given to Get-Mailbox,
// Set-Mailbox or Set-MailboxAuditBypassAssociation -Identity. Exchange
// takes any value that names one mailbox (name, alias, email address, GUID,
// user principal name; https://learn.microsoft.com/powershell/module/exchangepowershell/set-mailbox#-identity),
// so the check refuses only what can name no mailbox: surrounding or
// control whitespace, wildcards (the parameter accepts none), a list of
// several identities, an address prefix ("smtp:"), and a value with "@"
// that is not one e-mail address with a dotted domain.
func MailboxIdentity() validator.String { return mailboxIdentity{} }

type mailboxIdentity struct{}

func (mailboxIdentity) Description(context.Context) string {
	return "a mailbox's user principal name, SMTP address, alias or GUID"
}

func (v mailboxIdentity) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (mailboxIdentity) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if why := MailboxIdentityProblem(req.ConfigValue.ValueString()); why != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Not a mailbox identity",
			fmt.Sprintf("%q cannot name a mailbox: %s. Use the mailbox's user principal name, primary SMTP address, alias or GUID.", req.ConfigValue.ValueString(), why))
	}
}

// MailboxIdentityProblem says why s cannot be a mailbox identity ("" when it
// can).
func MailboxIdentityProblem(s string) string {
	switch {
	case s == "":
		return "it is empty"
	case strings.TrimSpace(s) != s:
		return "it starts or ends with white space"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "it contains a control character"
	case strings.Contains(s, "*"):
		return "it contains a wildcard (*); -Identity names exactly one mailbox"
	case strings.ContainsAny(s, ";\n"):
		return "it lists several values; give one mailbox"
	}
	if strings.Contains(s, "@") {
		if p, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(p, "@") {
			return fmt.Sprintf("%q is an address-type prefix; give the bare address", p+":")
		}
		if !IsSMTPAddress(s) {
			return "it contains @ but is not one e-mail address (local@domain.tld)"
		}
	}
	return ""
}

// IsSMTPAddress reports whether s is exactly one bare e-mail address whose
// domain has a dot (user@contoso.com), with no display name or brackets.
func IsSMTPAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndex(s, "@")
	domain := s[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// UserPrincipalName validates a Microsoft Entra user principal name, by the
// rules of "Property UserPrincipalName requirements"
// (https://learn.microsoft.com/office/troubleshoot/office-suite-issues/username-contains-special-character):
// letters, digits and ' . - _ ! # ^ ~ before one @; no period right before
// the @; at most 64 characters before it, 48 after it and 113 in all; the
// domain a dotted DNS name.
func UserPrincipalName() validator.String { return upnValidator{} }

type upnValidator struct{}

func (upnValidator) Description(context.Context) string {
	return "a user principal name (user@contoso.com)"
}

func (v upnValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (upnValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if why := UPNProblem(req.ConfigValue.ValueString()); why != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Not a user principal name",
			fmt.Sprintf("%q is not a user principal name: %s.", req.ConfigValue.ValueString(), why))
	}
}

var (
	upnLocalRe  = regexp.MustCompile(`^[A-Za-z0-9'._!#^~-]+$`)
	upnDomainRe = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$`)
)

// UPNProblem says why s is not a user principal name ("" when it is).
func UPNProblem(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	switch {
	case !ok:
		return "it has no @"
	case strings.Contains(domain, "@"):
		return "it has more than one @"
	case local == "" || domain == "":
		return "the part before or after the @ is empty"
	case !upnLocalRe.MatchString(local):
		return "before the @ only letters, digits and ' . - _ ! # ^ ~ are allowed"
	case strings.HasSuffix(local, "."):
		return "a period cannot come right before the @"
	case len(local) > 64:
		return "more than 64 characters before the @"
	case len(domain) > 48:
		return "more than 48 characters after the @"
	case len(s) > 113:
		return "longer than 113 characters"
	case !upnDomainRe.MatchString(domain):
		return "the part after the @ is not a domain name (contoso.com)"
	}
	return ""
}
