package mailsec

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// stringCheck is a string validator from a function that returns the
// problem with a value, or "".
type stringCheck struct {
	desc    string
	problem func(string) string
}

func (v stringCheck) Description(context.Context) string             { return v.desc }
func (v stringCheck) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if p := v.problem(req.ConfigValue.ValueString()); p != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value", fmt.Sprintf("%q: %s", req.ConfigValue.ValueString(), p))
	}
}

var smtpAddressRe = regexp.MustCompile(`^[A-Za-z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@` + domainLabel + `(?:\.` + domainLabel + `)+$`)

// allowListProblem checks a Set-ExternalInOutlook -AllowList entry: a
// domain, *.domain or an e-mail address, in lower case.
func allowListProblem(s string) string {
	if s != strings.ToLower(s) {
		return "must be in lower case (Exchange compares these without regard to case)"
	}
	if smtpDomainRe.MatchString(s) || wildcardDomainRe.MatchString(s) || smtpAddressRe.MatchString(s) {
		return ""
	}
	return "must be a domain (contoso.com), a domain with its subdomains (*.contoso.com) or an e-mail address (admin@contoso.com)"
}

// ipRangeProblem checks a connection filter IP list entry: an IPv4
// address, a range of at most 256 addresses, or a CIDR range /24 to /32.
func ipRangeProblem(s string) string {
	v4 := func(x string) (uint32, bool) {
		ip := net.ParseIP(x)
		if ip == nil || ip.To4() == nil || strings.Contains(x, ":") {
			return 0, false
		}
		return binary.BigEndian.Uint32(ip.To4()), true
	}
	switch {
	case strings.Contains(s, ":"):
		return "IPv6 addresses are not supported by the connection filter"
	case strings.Contains(s, "/"):
		i := strings.Index(s, "/")
		n, err := strconv.Atoi(s[i+1:])
		if _, ok := v4(s[:i]); !ok || err != nil || n < 24 || n > 32 || strconv.Itoa(n) != s[i+1:] {
			return "a CIDR range must be an IPv4 address with a mask of /24 through /32"
		}
	case strings.Contains(s, "-"):
		i := strings.Index(s, "-")
		a, ok1 := v4(s[:i])
		b, ok2 := v4(s[i+1:])
		if !ok1 || !ok2 || b < a {
			return "a range must be two IPv4 addresses, low-high"
		}
		if b-a+1 > 256 {
			return "a range can hold at most 256 addresses"
		}
	default:
		if _, ok := v4(s); !ok {
			return "must be an IPv4 address, an address range (192.168.0.1-192.168.0.254) or a CIDR range (192.168.0.0/24)"
		}
	}
	return ""
}

// sharingActions are the Set-SharingPolicy -Domains actions.
var sharingActions = []string{"CalendarSharingFreeBusySimple", "CalendarSharingFreeBusyDetail", "CalendarSharingFreeBusyReviewer", "ContactsSharing"}

var sharingDomainRe = regexp.MustCompile(`^(?:\*|Anonymous|` + domainLabel + `(?:\.` + domainLabel + `)+)$`)

// parseSharing splits "domain:Action1,Action2" and returns its normal form
// (lower-case domain, actions in canonical spelling and sorted) or the
// problem with it.
func parseSharing(s string) (norm, problem string) {
	i := strings.Index(s, ":")
	if i < 0 {
		return "", "must be \"domain:Action[,Action]\", e.g. \"contoso.com:CalendarSharingFreeBusySimple\""
	}
	domain := strings.TrimSpace(s[:i])
	if !sharingDomainRe.MatchString(domain) {
		return "", "the domain must be a domain (contoso.com, without subdomains), * (all federated organizations) or Anonymous"
	}
	if domain != "Anonymous" && domain != "*" {
		if domain != strings.ToLower(domain) {
			return "", "the domain must be in lower case"
		}
	}
	var acts []string
	calendar := 0
	for _, a := range strings.Split(s[i+1:], ",") {
		a = strings.TrimSpace(a)
		ca := ""
		for _, v := range sharingActions {
			if v == a {
				ca = v
			}
		}
		if ca == "" {
			return "", fmt.Sprintf("%q is not a sharing action; use %s", a, strings.Join(sharingActions, ", "))
		}
		for _, x := range acts {
			if x == ca {
				return "", "an action is given twice"
			}
		}
		if strings.HasPrefix(ca, "Calendar") {
			calendar++
		}
		if ca == "ContactsSharing" && domain == "Anonymous" {
			return "", "contacts can't be shared with Anonymous"
		}
		acts = append(acts, ca)
	}
	if calendar > 1 {
		return "", "give at most one calendar action per domain"
	}
	sort.Strings(acts)
	return domain + ":" + strings.Join(acts, ","), ""
}

func sharingProblem(s string) string { _, p := parseSharing(s); return p }

// normalSharing returns the normal form of a service or configured entry
// ("contoso.com:ContactsSharing, CalendarSharingFreeBusySimple" and
// "contoso.com:CalendarSharingFreeBusySimple,ContactsSharing" are the same).
func normalSharing(s string) string {
	n, p := parseSharing(strings.ReplaceAll(s, ", ", ","))
	if p != "" {
		return s
	}
	return n
}
