package m365sim

import (
	"fmt"
	"strings"
)

// External sender identification in Outlook (the "External" tag on messages
// from outside the organization).
//
//   - Get/Set-ExternalInOutlook [-Identity] -Enabled -AllowList: one setting
//     per organization. AllowList: "Valid values are an individual domain
//     (contoso.com), a domain and all subdomains (*.contoso.com) or email
//     addresses (admin@contoso.com)", "The maximum number of entries is
//     200, and the total size of all entries can't exceed eight kilobytes";
//     a multi-valued property that takes Add/Remove edits.
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-externalinoutlook
//   - The feature is off until an administrator turns it on ("Admins can
//     enable ... by using Set-ExternalInOutlook"), so a new tenant has
//     Enabled $false and an empty allow list.
//     https://techcommunity.microsoft.com/t5/exchange-team-blog/native-external-sender-callouts-on-email-in-outlook/ba-p/2250098
//   - -Identity names the organization; the emulator accepts the tenant's
//     initial domain or its ID and refuses anything else as not found (not
//     documented; the stricter reading).
//
// Permissions: not documented on the cmdlet page and not found in a public
// source; the emulator requires "Organization Configuration" (Exchange
// Administrator) to write and also accepts "View-Only Configuration" to
// read, the narrowest reading.

const (
	kindExternalInOutlook   = "ExternalInOutlook"
	externalInOutlookMax    = 200
	externalInOutlookMaxLen = 8192
)

func externalInOutlookIdentity(c *Call) (string, *CmdletError) {
	if !c.Has("Identity") {
		return c.Tenant.InitialDomain, nil
	}
	id := c.String("Identity")
	if strings.EqualFold(id, c.Tenant.InitialDomain) || strings.EqualFold(id, c.Tenant.ID) {
		return c.Tenant.InitialDomain, nil
	}
	return "", errNotFound(id, c.Tenant)
}

// validAllowListEntry: a domain, *.domain or an SMTP address.
func validAllowListEntry(s string) bool {
	return smtpDomainRe.MatchString(s) || (strings.HasPrefix(s, "*.") && smtpDomainRe.MatchString(s[2:])) || validSmtpAddress(s)
}

func init() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindExternalInOutlook, t.InitialDomain, Object{
			"Identity":  t.InitialDomain,
			"Enabled":   false,
			"AllowList": []string{},
		}, 0)
	})
	registerCmdlet(&Cmdlet{
		Name:      "Get-ExternalInOutlook",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleOrganizationConfiguration, RoleViewOnlyConfiguration},
		Params:    map[string]Param{"Identity": {Type: TString}},
		Run: func(c *Call) ([]Object, error) {
			id, cerr := externalInOutlookIdentity(c)
			if cerr != nil {
				return nil, cerr
			}
			return []Object{c.Tenant.Store.Get(kindExternalInOutlook, id)}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-ExternalInOutlook",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleOrganizationConfiguration},
		Write:     true,
		Params: map[string]Param{
			"Identity": {Type: TString},
			"Enabled":  {Type: TBool},
			"AllowList": {Type: TStrings, Validate: func(v any) error {
				var items []string
				switch t := v.(type) {
				case []string:
					items = t
				case MultiValueEdit:
					items = t.Add
				}
				for _, it := range items {
					if !validAllowListEntry(it) {
						return errInvalidParam("AllowList", fmt.Sprintf("\"%s\" isn't a valid value. Valid values are a domain (contoso.com), a domain and all its subdomains (*.contoso.com) or an email address (admin@contoso.com).", it))
					}
				}
				return nil
			}},
		},
		Run: func(c *Call) ([]Object, error) {
			id, cerr := externalInOutlookIdentity(c)
			if cerr != nil {
				return nil, cerr
			}
			o := c.Tenant.Store.GetLatest(kindExternalInOutlook, id)
			if c.Has("Enabled") {
				o["Enabled"] = c.Params["Enabled"]
			}
			if c.Has("AllowList") {
				list := setMultiValued(o["AllowList"], c.Params["AllowList"])
				size := 0
				for _, s := range list {
					size += len(s)
				}
				if len(list) > externalInOutlookMax {
					return nil, errValidation(fmt.Sprintf("The AllowList can't have more than %d entries; it would have %d.", externalInOutlookMax, len(list)))
				}
				if size > externalInOutlookMaxLen {
					return nil, errValidation(fmt.Sprintf("The total size of the AllowList entries can't exceed %d bytes; it would be %d.", externalInOutlookMaxLen, size))
				}
				o["AllowList"] = list
			}
			c.Tenant.Store.Put(kindExternalInOutlook, id, o, c.Lag)
			return nil, nil
		},
	})
}
