package m365sim

import (
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// The connection filter policy of Exchange Online Protection.
//
//   - There is one, named Default, in every organization; custom connection
//     filter policies can't be created, and it can't be removed.
//     https://learn.microsoft.com/defender-office-365/connection-filter-policies-configure
//   - Set-HostedConnectionFilterPolicy -Identity [-IPAllowList] [-IPBlockList]
//     [-EnableSafeList]: list entries are a single IP address, a range
//     (192.168.0.1-192.168.0.254, "The maximum number of addresses in the
//     range is 256") or a CIDR range with a mask of /24 through /32; "IPv6
//     ranges are not supported". The lists take Add/Remove edits. A new
//     organization's lists are empty and EnableSafeList is $false (the
//     defaults CIS 2.1.12/2.1.13 and the Defender recommended settings
//     keep).
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedconnectionfilterpolicy
//     https://learn.microsoft.com/defender-office-365/recommended-settings-for-eop-and-office365#eop-anti-spam-policy-settings
//
// Permissions: "Security Admin" or "Transport Hygiene"; reads also
// "View-Only Configuration" and "Security Reader" (Microsoft365DSC
// EXOHostedConnectionFilterPolicy settings.json, microsoft/Microsoft365DSC).

const (
	kindConnectionFilter    = "HostedConnectionFilterPolicy"
	defaultConnectionFilter = "Default"
)

// ipListProblem says why an IPAllowList/IPBlockList entry is refused, or "".
func ipListProblem(s string) string {
	v4 := func(x string) (uint32, bool) {
		ip := net.ParseIP(strings.TrimSpace(x))
		if ip == nil {
			return 0, false
		}
		ip4 := ip.To4()
		if ip4 == nil {
			return 0, false
		}
		return binary.BigEndian.Uint32(ip4), true
	}
	switch {
	case strings.Contains(s, ":"):
		return "IPv6 addresses are not supported."
	case strings.Contains(s, "/"):
		i := strings.Index(s, "/")
		if _, ok := v4(s[:i]); !ok {
			return "not an IPv4 address."
		}
		n, err := strconv.Atoi(s[i+1:])
		if err != nil || n < 24 || n > 32 {
			return "valid subnet mask values are /24 through /32."
		}
	case strings.Contains(s, "-"):
		i := strings.Index(s, "-")
		a, ok1 := v4(s[:i])
		b, ok2 := v4(s[i+1:])
		if !ok1 || !ok2 || b < a {
			return "not an IPv4 address range."
		}
		if b-a+1 > 256 {
			return "the maximum number of addresses in a range is 256."
		}
	default:
		if _, ok := v4(s); !ok {
			return "not an IPv4 address, range or CIDR range."
		}
	}
	return ""
}

func validateIPList(param string) func(v any) error {
	return func(v any) error {
		var items []string
		switch t := v.(type) {
		case []string:
			items = t
		case MultiValueEdit:
			items = t.Add
		}
		for _, it := range items {
			if why := ipListProblem(it); why != "" {
				return errInvalidParam(param, fmt.Sprintf("Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.IPRange\". Error: \"%s\" %s", it, it, why))
			}
		}
		return nil
	}
}

func init() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindConnectionFilter, defaultConnectionFilter, Object{
			"Identity":       defaultConnectionFilter,
			"Name":           defaultConnectionFilter,
			"Guid":           stableGUID(t.ID, "connectionfilter", "default"),
			"IsDefault":      true,
			"IPAllowList":    []string{},
			"IPBlockList":    []string{},
			"EnableSafeList": false,
		}, 0)
	})
	registerCmdlet(&Cmdlet{
		Name:      "Get-HostedConnectionFilterPolicy",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleSecurityAdmin, roleTransportHygiene, RoleViewOnlyConfiguration, RoleSecurityReader},
		Params:    map[string]Param{"Identity": {Type: TString}},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findByNameOrGUID(c.Tenant, kindConnectionFilter, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{o}, nil
			}
			return c.Tenant.Store.List(kindConnectionFilter), nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-HostedConnectionFilterPolicy",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleSecurityAdmin, roleTransportHygiene},
		Write:     true,
		Params: map[string]Param{
			"Identity":       {Type: TString},
			"IPAllowList":    {Type: TStrings, Validate: validateIPList("IPAllowList")},
			"IPBlockList":    {Type: TStrings, Validate: validateIPList("IPBlockList")},
			"EnableSafeList": {Type: TBool},
			"Confirm":        {Type: TSwitch},
		},
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindConnectionFilter, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			for _, p := range []string{"IPAllowList", "IPBlockList"} {
				if c.Has(p) {
					o[p] = setMultiValued(o[p], c.Params[p])
				}
			}
			if c.Has("EnableSafeList") {
				o["EnableSafeList"] = c.Params["EnableSafeList"]
			}
			c.Tenant.Store.Put(kindConnectionFilter, asString(o["Name"]), o, c.Lag)
			return nil, nil
		},
	})
}
