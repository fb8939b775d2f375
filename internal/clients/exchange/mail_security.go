package exchange

import (
	"context"
	"fmt"
)

// External sender tagging, sharing policies and the connection filter.
//   - Set-ExternalInOutlook: the role is not documented; the Exchange
//     Administrator holds it ("Organization Configuration" in m365sim).
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-externalinoutlook
//   - Set-SharingPolicy: "Federated Sharing".
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-sharingpolicy
//   - Set-HostedConnectionFilterPolicy: "Security Admin" or "Transport
//     Hygiene" (Security Administrator, Exchange Administrator).
//     https://learn.microsoft.com/defender-office-365/connection-filter-policies-configure
func init() {
	RegisterRoles("Get-ExternalInOutlook", "View-Only Configuration", "Organization Configuration")
	RegisterRoles("Set-ExternalInOutlook", "Organization Configuration")
	RegisterRoles("Get-SharingPolicy", "View-Only Configuration", "Federated Sharing")
	RegisterRoles("Set-SharingPolicy", "Federated Sharing")
	RegisterRoles("Get-HostedConnectionFilterPolicy", "View-Only Configuration", "Security Reader", "Security Admin", "Transport Hygiene")
	RegisterRoles("Set-HostedConnectionFilterPolicy", "Security Admin", "Transport Hygiene")
}

// ExternalInOutlook is Get-ExternalInOutlook's answer.
type ExternalInOutlook struct {
	Enabled   bool
	AllowList []string
}

// GetExternalInOutlook runs Get-ExternalInOutlook.
func (c *Client) GetExternalInOutlook(ctx context.Context) (*ExternalInOutlook, error) {
	objs, err := c.Invoke(ctx, "Get-ExternalInOutlook", nil, Select("Enabled", "AllowList"))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-ExternalInOutlook: expected one object, got %d", c.service(), len(objs))
	}
	return &ExternalInOutlook{Enabled: objs[0].Bool("Enabled"), AllowList: objs[0].Strings("AllowList")}, nil
}

// SetExternalInOutlook runs Set-ExternalInOutlook.
func (c *Client) SetExternalInOutlook(ctx context.Context, params map[string]any) error {
	_, err := c.Invoke(ctx, "Set-ExternalInOutlook", params)
	return err
}

// SharingPolicy is one Get-SharingPolicy result.
type SharingPolicy struct {
	Name    string
	Enabled bool
	Default bool
	Domains []string
}

// GetSharingPolicy runs Get-SharingPolicy -Identity.
func (c *Client) GetSharingPolicy(ctx context.Context, identity string) (*SharingPolicy, error) {
	objs, err := c.Invoke(ctx, "Get-SharingPolicy", map[string]any{"Identity": identity}, Select("Name", "Enabled", "Default", "Domains"))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-SharingPolicy %s: expected one object, got %d", c.service(), identity, len(objs))
	}
	o := objs[0]
	return &SharingPolicy{Name: o.String("Name"), Enabled: o.Bool("Enabled"), Default: o.Bool("Default"), Domains: o.Strings("Domains")}, nil
}

// SetSharingPolicy runs Set-SharingPolicy.
func (c *Client) SetSharingPolicy(ctx context.Context, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-SharingPolicy", p)
	return err
}

// ConnectionFilterPolicy is one Get-HostedConnectionFilterPolicy result.
type ConnectionFilterPolicy struct {
	Name           string
	IPAllowList    []string
	IPBlockList    []string
	EnableSafeList bool
}

// GetConnectionFilterPolicy runs Get-HostedConnectionFilterPolicy -Identity.
func (c *Client) GetConnectionFilterPolicy(ctx context.Context, identity string) (*ConnectionFilterPolicy, error) {
	objs, err := c.Invoke(ctx, "Get-HostedConnectionFilterPolicy", map[string]any{"Identity": identity}, Select("Name", "IPAllowList", "IPBlockList", "EnableSafeList"))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-HostedConnectionFilterPolicy %s: expected one object, got %d", c.service(), identity, len(objs))
	}
	o := objs[0]
	return &ConnectionFilterPolicy{Name: o.String("Name"), IPAllowList: o.Strings("IPAllowList"), IPBlockList: o.Strings("IPBlockList"), EnableSafeList: o.Bool("EnableSafeList")}, nil
}

// SetConnectionFilterPolicy runs Set-HostedConnectionFilterPolicy.
func (c *Client) SetConnectionFilterPolicy(ctx context.Context, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-HostedConnectionFilterPolicy", p)
	return err
}

// ListSharingPolicies runs Get-SharingPolicy (every sharing policy).
func (c *Client) ListSharingPolicies(ctx context.Context) ([]SharingPolicy, error) {
	var out []SharingPolicy
	err := c.InvokeEach(ctx, "Get-SharingPolicy", nil, func(o Object) error {
		out = append(out, SharingPolicy{Name: o.String("Name"), Enabled: o.Bool("Enabled"), Default: o.Bool("Default"), Domains: o.Strings("Domains")})
		return nil
	}, Select("Name", "Enabled", "Default", "Domains"))
	return out, err
}
