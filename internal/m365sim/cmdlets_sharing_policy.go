package m365sim

import (
	"fmt"
	"regexp"
	"strings"
)

// Sharing policies: which calendar and contact information users may share
// with people in other organizations.
//
//   - Set-SharingPolicy -Identity [-Domains] [-Enabled]: Domains entries are
//     'Domain: SharingPolicyAction' where Domain is a domain (without its
//     subdomains), * (external federated organizations) or Anonymous, and
//     the actions are CalendarSharingFreeBusySimple, CalendarSharingFreeBusyDetail,
//     CalendarSharingFreeBusyReviewer and ContactsSharing; "you can specify
//     multiple SharingPolicyAction values for the same domain separated by
//     commas".
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-sharingpolicy
//   - Every organization has the "Default Sharing Policy", applied to every
//     mailbox unless another is assigned; in Exchange Online it shares
//     free/busy with all federated domains and lets users publish calendars
//     to anonymous users (*:CalendarSharingFreeBusySimple and
//     Anonymous:CalendarSharingFreeBusyReviewer), which ScubaGear MS.EXO.6.2
//     tells administrators to restrict.
//     https://learn.microsoft.com/exchange/sharing/sharing-policies/sharing-policies
//     https://github.com/cisagov/ScubaGear/blob/main/PowerShell/ScubaGear/baselines/exo.md
//   - Not documented, so the stricter reading is modelled: a domain may
//     appear only once, with at most one calendar action (the three calendar
//     actions are levels of the same permission), and Anonymous takes only
//     calendar actions (contacts are shared only with federated
//     organizations). New-SharingPolicy and Remove-SharingPolicy are not
//     served.
//
// Permissions: "Federated Sharing" (Exchange Administrator); reads also
// "View-Only Configuration" (Microsoft365DSC EXOSharingPolicy settings.json,
// microsoft/Microsoft365DSC).

const (
	kindSharingPolicy    = "SharingPolicy"
	defaultSharingPolicy = "Default Sharing Policy"
	roleFederatedSharing = "Federated Sharing"
)

// SharingPolicyActions are the documented SharingPolicyAction values.
var SharingPolicyActions = []string{"CalendarSharingFreeBusySimple", "CalendarSharingFreeBusyDetail", "CalendarSharingFreeBusyReviewer", "ContactsSharing"}

var sharingDomainRe = regexp.MustCompile(`^(?:\*|Anonymous|` + domainLabel + `(?:\.` + domainLabel + `)+)$`)

// parseSharingEntry checks one Domains entry and returns it in the
// service's spelling ("contoso.com:CalendarSharingFreeBusySimple, ContactsSharing").
func parseSharingEntry(s string) (domain, canon string, err *CmdletError) {
	bad := func(why string) *CmdletError {
		return errInvalidParam("Domains", fmt.Sprintf("Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.SharingPolicyDomain\". Error: \"%s The format is 'Domain: SharingPolicyAction[, SharingPolicyAction]', for example 'contoso.com: CalendarSharingFreeBusySimple'.\"", s, why))
	}
	i := strings.Index(s, ":")
	if i < 0 {
		return "", "", bad("The value has no ':'.")
	}
	domain = strings.TrimSpace(s[:i])
	if strings.EqualFold(domain, "anonymous") {
		domain = "Anonymous"
	}
	if !sharingDomainRe.MatchString(domain) {
		return "", "", bad(fmt.Sprintf("\"%s\" isn't a domain, * or Anonymous.", domain))
	}
	var actions []string
	calendar := 0
	for _, a := range strings.Split(s[i+1:], ",") {
		a = strings.TrimSpace(a)
		ca, ok := matchEnum(SharingPolicyActions, a)
		if !ok {
			return "", "", bad(fmt.Sprintf("\"%s\" isn't a sharing action; use %s.", a, strings.Join(SharingPolicyActions, ", ")))
		}
		if containsFold(actions, ca) {
			return "", "", bad(fmt.Sprintf("The action %s is given twice.", ca))
		}
		if strings.HasPrefix(ca, "Calendar") {
			calendar++
		}
		if ca == "ContactsSharing" && domain == "Anonymous" {
			return "", "", bad("Contacts can't be shared with anonymous users.")
		}
		actions = append(actions, ca)
	}
	if calendar > 1 {
		return "", "", bad("Only one calendar sharing action can be given for a domain.")
	}
	if domain != "Anonymous" && domain != "*" {
		domain = strings.ToLower(domain)
	}
	return domain, domain + ":" + strings.Join(actions, ", "), nil
}

func init() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindSharingPolicy, defaultSharingPolicy, Object{
			"Identity": defaultSharingPolicy,
			"Name":     defaultSharingPolicy,
			"Guid":     stableGUID(t.ID, "sharingpolicy", "default"),
			"Enabled":  true,
			"Default":  true,
			"Domains":  []string{"Anonymous:CalendarSharingFreeBusyReviewer", "*:CalendarSharingFreeBusySimple"},
		}, 0)
	})
	registerCmdlet(&Cmdlet{
		Name:      "Get-SharingPolicy",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{roleFederatedSharing, RoleViewOnlyConfiguration},
		Params:    map[string]Param{"Identity": {Type: TString}},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findByNameOrGUID(c.Tenant, kindSharingPolicy, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{o}, nil
			}
			return c.Tenant.Store.List(kindSharingPolicy), nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-SharingPolicy",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{roleFederatedSharing},
		Write:     true,
		Params: map[string]Param{
			"Identity": {Type: TString},
			"Enabled":  {Type: TBool},
			"Domains":  {Type: TStrings},
			"Confirm":  {Type: TSwitch},
		},
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindSharingPolicy, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if c.Has("Enabled") {
				o["Enabled"] = c.Params["Enabled"]
			}
			if c.Has("Domains") {
				list, ok := c.Params["Domains"].([]string)
				if !ok {
					return nil, errInvalidParam("Domains", "Give the complete list of domains and actions.")
				}
				var out, seen []string
				for _, e := range list {
					d, canon, cerr := parseSharingEntry(e)
					if cerr != nil {
						return nil, cerr
					}
					if containsFold(seen, d) {
						return nil, errInvalidParam("Domains", fmt.Sprintf("The domain %s is given more than once; give all its actions in one entry.", d))
					}
					seen = append(seen, d)
					out = append(out, canon)
				}
				o["Domains"] = out
			}
			c.Tenant.Store.Put(kindSharingPolicy, asString(o["Name"]), o, c.Lag)
			return nil, nil
		},
	})
}
