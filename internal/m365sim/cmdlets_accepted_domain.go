package m365sim

import (
	"strings"
)

// Accepted domains: the SMTP domains the organization receives mail for. In
// Exchange Online they mirror the tenant's verified domains: the initial
// *.onmicrosoft.com domain (InitialDomain $true) and every verified custom
// domain, Authoritative unless changed. One of them is the Default (the
// first custom domain here; the initial domain when there is none).
// https://learn.microsoft.com/powershell/module/exchangepowershell/get-accepteddomain
// https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-accepted-domains/manage-accepted-domains
// Permissions: "Remote and Accepted Domains"; reads also "View-Only
// Configuration".

const kindAcceptedDomain = "AcceptedDomain"

func init() {
	registerSeeder(func(t *Tenant) {
		defaultDomain := t.InitialDomain
		if len(t.Domains) > 0 {
			defaultDomain = t.Domains[0]
		}
		for _, d := range append([]string{t.InitialDomain}, t.Domains...) {
			t.Store.Put(kindAcceptedDomain, d, Object{
				"Identity":        d,
				"Name":            d,
				"DomainName":      d,
				"Guid":            stableGUID(t.ID, "accepteddomain", strings.ToLower(d)),
				"DomainType":      "Authoritative",
				"Default":         strings.EqualFold(d, defaultDomain),
				"InitialDomain":   strings.EqualFold(d, t.InitialDomain),
				"MatchSubDomains": false,
				"OutboundOnly":    false,
			}, 0)
		}
	})

	registerCmdlet(&Cmdlet{
		Name:      "Get-AcceptedDomain",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleRemoteAndAcceptedDomains, RoleViewOnlyConfiguration},
		Params:    map[string]Param{"Identity": {Type: TString}, "ResultSize": {Type: TResultSize}},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findByNameOrGUID(c.Tenant, kindAcceptedDomain, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{o}, nil
			}
			return limitResults(c, c.Tenant.Store.List(kindAcceptedDomain)), nil
		},
	})
}
