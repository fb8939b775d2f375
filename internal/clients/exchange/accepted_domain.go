package exchange

import "context"

func init() {
	RegisterRoles("Get-AcceptedDomain", "View-Only Configuration", "Remote and Accepted Domains")
}

// AcceptedDomain is one of the organization's accepted domains.
type AcceptedDomain struct {
	DomainName      string
	DomainType      string // Authoritative, InternalRelay, ExternalRelay
	Default         bool
	MatchSubDomains bool
	InitialDomain   bool // the tenant's *.onmicrosoft.com domain
}

// ListAcceptedDomains runs Get-AcceptedDomain.
func (c *Client) ListAcceptedDomains(ctx context.Context) ([]AcceptedDomain, error) {
	var out []AcceptedDomain
	err := c.InvokeEach(ctx, "Get-AcceptedDomain", nil, func(o Object) error {
		out = append(out, AcceptedDomain{DomainName: o.String("DomainName"), DomainType: o.String("DomainType"), Default: o.Bool("Default"), MatchSubDomains: o.Bool("MatchSubDomains"), InitialDomain: o.Bool("InitialDomain")})
		return nil
	}, Select("DomainName", "DomainType", "Default", "MatchSubDomains", "InitialDomain"))
	return out, err
}
