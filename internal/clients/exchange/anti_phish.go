package exchange

import (
	"context"
	"fmt"
)

// Anti-phishing policies and rules need "Transport Hygiene" (Security
// Administrator or Exchange Administrator); reads also "View-Only
// Configuration" or "Security Reader"
// (https://learn.microsoft.com/defender-office-365/anti-phishing-policies-mdo-configure#what-do-you-need-to-know-before-you-begin).
func init() {
	for _, c := range []string{"Get-AntiPhishPolicy", "Get-AntiPhishRule"} {
		RegisterRoles(c, "View-Only Configuration", "Security Reader", "Transport Hygiene")
	}
	for _, c := range []string{"New-AntiPhishPolicy", "Set-AntiPhishPolicy", "Remove-AntiPhishPolicy",
		"New-AntiPhishRule", "Set-AntiPhishRule", "Remove-AntiPhishRule", "Enable-AntiPhishRule", "Disable-AntiPhishRule"} {
		RegisterRoles(c, "Transport Hygiene")
	}
}

// AntiPhishPolicy is Get-AntiPhishPolicy: the raw object, read by the
// provider's schema (the policy has many flat settings).
type AntiPhishPolicy struct {
	Name      string
	IsDefault bool
	Object    Object
}

// GetAntiPhishPolicy runs Get-AntiPhishPolicy -Identity.
func (c *Client) GetAntiPhishPolicy(ctx context.Context, identity string, fields []string) (*AntiPhishPolicy, error) {
	objs, err := c.Invoke(ctx, "Get-AntiPhishPolicy", map[string]any{"Identity": identity}, Select(append([]string{"Name", "IsDefault"}, fields...)...))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-AntiPhishPolicy %q: expected one object, got %d", c.service(), identity, len(objs))
	}
	return &AntiPhishPolicy{Name: objs[0].String("Name"), IsDefault: objs[0].Bool("IsDefault"), Object: objs[0]}, nil
}

// ListAntiPhishPolicies runs Get-AntiPhishPolicy (every policy) with the
// given fields besides Name and IsDefault.
func (c *Client) ListAntiPhishPolicies(ctx context.Context, fields []string) ([]AntiPhishPolicy, error) {
	var out []AntiPhishPolicy
	err := c.InvokeEach(ctx, "Get-AntiPhishPolicy", nil, func(o Object) error {
		out = append(out, AntiPhishPolicy{Name: o.String("Name"), IsDefault: o.Bool("IsDefault"), Object: o})
		return nil
	}, Select(append([]string{"Name", "IsDefault"}, fields...)...))
	return out, err
}

// NewAntiPhishPolicy runs New-AntiPhishPolicy -Name with settings.
func (c *Client) NewAntiPhishPolicy(ctx context.Context, name string, params map[string]any) error {
	p := map[string]any{"Name": name}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "New-AntiPhishPolicy", p, NotIdempotent())
	return err
}

// SetAntiPhishPolicy runs Set-AntiPhishPolicy -Identity.
func (c *Client) SetAntiPhishPolicy(ctx context.Context, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-AntiPhishPolicy", p)
	return err
}

// RemoveAntiPhishPolicy runs Remove-AntiPhishPolicy -Force.
func (c *Client) RemoveAntiPhishPolicy(ctx context.Context, identity string) error {
	_, err := c.Invoke(ctx, "Remove-AntiPhishPolicy", map[string]any{"Identity": identity, "Force": true})
	return err
}

// AntiPhishRule is Get-AntiPhishRule.
type AntiPhishRule struct {
	Name                      string
	AntiPhishPolicy           string
	Priority                  int64
	Enabled                   bool // State == "Enabled"
	Comments                  string
	SentTo                    []string
	SentToMemberOf            []string
	RecipientDomainIs         []string
	ExceptIfSentTo            []string
	ExceptIfSentToMemberOf    []string
	ExceptIfRecipientDomainIs []string
}

// GetAntiPhishRule runs Get-AntiPhishRule -Identity.
func (c *Client) GetAntiPhishRule(ctx context.Context, identity string) (*AntiPhishRule, error) {
	objs, err := c.Invoke(ctx, "Get-AntiPhishRule", map[string]any{"Identity": identity})
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-AntiPhishRule %q: expected one object, got %d", c.service(), identity, len(objs))
	}
	o := objs[0]
	return &AntiPhishRule{
		Name: o.String("Name"), AntiPhishPolicy: o.String("AntiPhishPolicy"), Priority: o.Int("Priority"), Enabled: o.String("State") == "Enabled",
		Comments: o.String("Comments"), SentTo: o.Strings("SentTo"), SentToMemberOf: o.Strings("SentToMemberOf"), RecipientDomainIs: o.Strings("RecipientDomainIs"),
		ExceptIfSentTo: o.Strings("ExceptIfSentTo"), ExceptIfSentToMemberOf: o.Strings("ExceptIfSentToMemberOf"), ExceptIfRecipientDomainIs: o.Strings("ExceptIfRecipientDomainIs"),
	}, nil
}

// NewAntiPhishRule runs New-AntiPhishRule.
func (c *Client) NewAntiPhishRule(ctx context.Context, params map[string]any) error {
	_, err := c.Invoke(ctx, "New-AntiPhishRule", params, NotIdempotent())
	return err
}

// SetAntiPhishRule runs Set-AntiPhishRule -Identity.
func (c *Client) SetAntiPhishRule(ctx context.Context, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-AntiPhishRule", p)
	return err
}

// SetAntiPhishRuleEnabled runs Enable- or Disable-AntiPhishRule.
func (c *Client) SetAntiPhishRuleEnabled(ctx context.Context, identity string, enabled bool) error {
	cmdlet := "Disable-AntiPhishRule"
	if enabled {
		cmdlet = "Enable-AntiPhishRule"
	}
	_, err := c.Invoke(ctx, cmdlet, map[string]any{"Identity": identity, "Confirm": false})
	return err
}

// RemoveAntiPhishRule runs Remove-AntiPhishRule.
func (c *Client) RemoveAntiPhishRule(ctx context.Context, identity string) error {
	_, err := c.Invoke(ctx, "Remove-AntiPhishRule", map[string]any{"Identity": identity, "Confirm": false})
	return err
}
