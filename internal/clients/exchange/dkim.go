package exchange

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// DKIM cmdlets need "Security Admin" or "Transport Hygiene" (Exchange
// Administrator, Security Administrator); reads also "View-Only
// Configuration" or "Security Reader".
// https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure
func init() {
	RegisterRoles("Get-DkimSigningConfig", "View-Only Configuration", "Security Reader", "Security Admin", "Transport Hygiene")
	for _, c := range []string{"New-DkimSigningConfig", "Set-DkimSigningConfig", "Rotate-DkimSigningConfig"} {
		RegisterRoles(c, "Security Admin", "Transport Hygiene")
	}
}

// DkimSigningConfig is one Get-DkimSigningConfig result.
type DkimSigningConfig struct {
	Domain                     string
	Enabled                    bool
	Status                     string
	Selector1CNAME             string
	Selector2CNAME             string
	Selector1KeySize           int64
	Selector2KeySize           int64
	SelectorBeforeRotateOnDate string
	SelectorAfterRotateOnDate  string
	RotateOnDate               string
	BodyCanonicalization       string
	HeaderCanonicalization     string
}

var dkimFields = []string{"Domain", "Enabled", "Status", "Selector1CNAME", "Selector2CNAME", "Selector1KeySize", "Selector2KeySize",
	"SelectorBeforeRotateOnDate", "SelectorAfterRotateOnDate", "RotateOnDate", "BodyCanonicalization", "HeaderCanonicalization"}

func dkimFrom(o Object) DkimSigningConfig {
	return DkimSigningConfig{
		Domain: strings.ToLower(o.String("Domain")), Enabled: o.Bool("Enabled"), Status: o.String("Status"),
		Selector1CNAME: o.String("Selector1CNAME"), Selector2CNAME: o.String("Selector2CNAME"),
		Selector1KeySize: o.Int("Selector1KeySize"), Selector2KeySize: o.Int("Selector2KeySize"),
		SelectorBeforeRotateOnDate: o.String("SelectorBeforeRotateOnDate"), SelectorAfterRotateOnDate: o.String("SelectorAfterRotateOnDate"),
		RotateOnDate:         o.String("RotateOnDate"),
		BodyCanonicalization: o.String("BodyCanonicalization"), HeaderCanonicalization: o.String("HeaderCanonicalization"),
	}
}

// NewestKeySize is the size of the key that signs once any pending
// rotation has taken effect.
func (d *DkimSigningConfig) NewestKeySize() int64 {
	if strings.EqualFold(d.SelectorAfterRotateOnDate, "selector2") {
		return d.Selector2KeySize
	}
	return d.Selector1KeySize
}

// RotationPending reports whether a rotated key is not signing yet.
func (d *DkimSigningConfig) RotationPending(now time.Time) bool {
	at, err := time.Parse(time.RFC3339, d.RotateOnDate)
	return err == nil && now.Before(at)
}

// GetDkimSigningConfig runs Get-DkimSigningConfig -Identity.
func (c *Client) GetDkimSigningConfig(ctx context.Context, identity string) (*DkimSigningConfig, error) {
	objs, err := c.Invoke(ctx, "Get-DkimSigningConfig", map[string]any{"Identity": identity}, Select(dkimFields...))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-DkimSigningConfig %s: expected one object, got %d", c.service(), identity, len(objs))
	}
	d := dkimFrom(objs[0])
	return &d, nil
}

// ListDkimSigningConfigs runs Get-DkimSigningConfig.
func (c *Client) ListDkimSigningConfigs(ctx context.Context) ([]DkimSigningConfig, error) {
	var out []DkimSigningConfig
	err := c.InvokeEach(ctx, "Get-DkimSigningConfig", nil, func(o Object) error {
		out = append(out, dkimFrom(o))
		return nil
	}, Select(dkimFields...))
	return out, err
}

// NewDkimSigningConfig runs New-DkimSigningConfig; params holds the
// optional parameters (KeySize, canonicalizations).
func (c *Client) NewDkimSigningConfig(ctx context.Context, domain string, enabled bool, params map[string]any) error {
	p := map[string]any{"DomainName": domain, "Enabled": enabled}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "New-DkimSigningConfig", p, NotIdempotent())
	return err
}

// SetDkimSigningConfig runs Set-DkimSigningConfig.
func (c *Client) SetDkimSigningConfig(ctx context.Context, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-DkimSigningConfig", p)
	return err
}

// RotateDkimSigningConfig runs Rotate-DkimSigningConfig (keySize 0: the
// service's choice).
func (c *Client) RotateDkimSigningConfig(ctx context.Context, identity string, keySize int64) error {
	p := map[string]any{"Identity": identity}
	if keySize > 0 {
		p["KeySize"] = keySize
	}
	_, err := c.Invoke(ctx, "Rotate-DkimSigningConfig", p, NotIdempotent())
	return err
}
