package exchange

import (
	"context"
	"fmt"
)

// Roles from the Permissions sections of the remote domain cmdlet pages:
// "Remote and Accepted Domains"; reads also "View-Only Configuration".
func init() {
	RegisterRoles("Get-RemoteDomain", "View-Only Configuration", "Remote and Accepted Domains")
	for _, c := range []string{"New-RemoteDomain", "Set-RemoteDomain", "Remove-RemoteDomain"} {
		RegisterRoles(c, "Remote and Accepted Domains")
	}
}

// RemoteDomain is the part of Get-RemoteDomain the provider manages.
type RemoteDomain struct {
	Identity              string
	Name                  string
	DomainName            string
	AutoForwardEnabled    bool
	AutoReplyEnabled      bool
	DeliveryReportEnabled bool
	NDREnabled            bool
	AllowedOOFType        string
}

var remoteDomainFields = []string{"Identity", "Name", "DomainName", "AutoForwardEnabled", "AutoReplyEnabled", "DeliveryReportEnabled", "NDREnabled", "AllowedOOFType"}

func remoteDomainFrom(o Object) RemoteDomain {
	return RemoteDomain{
		Identity: o.String("Identity"), Name: o.String("Name"), DomainName: o.String("DomainName"),
		AutoForwardEnabled: o.Bool("AutoForwardEnabled"), AutoReplyEnabled: o.Bool("AutoReplyEnabled"),
		DeliveryReportEnabled: o.Bool("DeliveryReportEnabled"), NDREnabled: o.Bool("NDREnabled"),
		AllowedOOFType: o.String("AllowedOOFType"),
	}
}

// GetRemoteDomain runs Get-RemoteDomain -Identity; a missing domain is an
// error for which IsNotFound is true.
func (c *Client) GetRemoteDomain(ctx context.Context, identity string) (*RemoteDomain, error) {
	objs, err := c.Invoke(ctx, "Get-RemoteDomain", map[string]any{"Identity": identity}, Select(remoteDomainFields...))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-RemoteDomain %q: expected one object, got %d", c.service(), identity, len(objs))
	}
	d := remoteDomainFrom(objs[0])
	return &d, nil
}

// ListRemoteDomains runs Get-RemoteDomain for every remote domain.
func (c *Client) ListRemoteDomains(ctx context.Context) ([]RemoteDomain, error) {
	var out []RemoteDomain
	err := c.InvokeEach(ctx, "Get-RemoteDomain", nil, func(o Object) error {
		out = append(out, remoteDomainFrom(o))
		return nil
	}, Select(remoteDomainFields...))
	return out, err
}

// NewRemoteDomain runs New-RemoteDomain.
func (c *Client) NewRemoteDomain(ctx context.Context, name, domainName string) error {
	_, err := c.Invoke(ctx, "New-RemoteDomain", map[string]any{"Name": name, "DomainName": domainName}, NotIdempotent())
	return err
}

// SetRemoteDomain runs Set-RemoteDomain -Identity with the given settings.
func (c *Client) SetRemoteDomain(ctx context.Context, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-RemoteDomain", p)
	return err
}

// RemoveRemoteDomain runs Remove-RemoteDomain -Confirm:$false.
func (c *Client) RemoveRemoteDomain(ctx context.Context, identity string) error {
	_, err := c.Invoke(ctx, "Remove-RemoteDomain", map[string]any{"Identity": identity, "Confirm": false})
	return err
}
