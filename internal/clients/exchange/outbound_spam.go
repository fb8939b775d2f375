package exchange

import (
	"context"
	"fmt"
)

// Outbound spam filter policies and rules need "Transport Hygiene"
// (Security Administrator or Exchange Administrator); reads also
// "View-Only Configuration" or "Security Reader".
func init() {
	for _, c := range []string{"Get-HostedOutboundSpamFilterPolicy", "Get-HostedOutboundSpamFilterRule"} {
		RegisterRoles(c, "View-Only Configuration", "Security Reader", "Transport Hygiene")
	}
	for _, c := range []string{
		"New-HostedOutboundSpamFilterPolicy", "Set-HostedOutboundSpamFilterPolicy", "Remove-HostedOutboundSpamFilterPolicy",
		"New-HostedOutboundSpamFilterRule", "Set-HostedOutboundSpamFilterRule", "Remove-HostedOutboundSpamFilterRule",
		"Enable-HostedOutboundSpamFilterRule", "Disable-HostedOutboundSpamFilterRule",
	} {
		RegisterRoles(c, "Transport Hygiene")
	}
}

// OutboundSpamPolicy is the part of Get-HostedOutboundSpamFilterPolicy the
// provider manages.
type OutboundSpamPolicy struct {
	Identity                                  string
	Name                                      string
	IsDefault                                 bool
	AdminDisplayName                          string
	AutoForwardingMode                        string
	NotifyOutboundSpam                        bool
	NotifyOutboundSpamRecipients              []string
	BccSuspiciousOutboundMail                 bool
	BccSuspiciousOutboundAdditionalRecipients []string
	RecipientLimitExternalPerHour             int64
	RecipientLimitInternalPerHour             int64
	RecipientLimitPerDay                      int64
	ActionWhenThresholdReached                string
}

var outboundPolicyFields = []string{"Identity", "Name", "IsDefault", "AdminDisplayName", "AutoForwardingMode", "NotifyOutboundSpam", "NotifyOutboundSpamRecipients",
	"BccSuspiciousOutboundMail", "BccSuspiciousOutboundAdditionalRecipients", "RecipientLimitExternalPerHour", "RecipientLimitInternalPerHour", "RecipientLimitPerDay", "ActionWhenThresholdReached"}

func outboundPolicyFrom(o Object) OutboundSpamPolicy {
	return OutboundSpamPolicy{
		Identity: o.String("Identity"), Name: o.String("Name"), IsDefault: o.Bool("IsDefault"), AdminDisplayName: o.String("AdminDisplayName"),
		AutoForwardingMode: o.String("AutoForwardingMode"), NotifyOutboundSpam: o.Bool("NotifyOutboundSpam"), NotifyOutboundSpamRecipients: o.Strings("NotifyOutboundSpamRecipients"),
		BccSuspiciousOutboundMail: o.Bool("BccSuspiciousOutboundMail"), BccSuspiciousOutboundAdditionalRecipients: o.Strings("BccSuspiciousOutboundAdditionalRecipients"),
		RecipientLimitExternalPerHour: o.Int("RecipientLimitExternalPerHour"), RecipientLimitInternalPerHour: o.Int("RecipientLimitInternalPerHour"),
		RecipientLimitPerDay: o.Int("RecipientLimitPerDay"), ActionWhenThresholdReached: o.String("ActionWhenThresholdReached"),
	}
}

// GetOutboundSpamPolicy runs Get-HostedOutboundSpamFilterPolicy -Identity.
func (c *Client) GetOutboundSpamPolicy(ctx context.Context, identity string) (*OutboundSpamPolicy, error) {
	objs, err := c.Invoke(ctx, "Get-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": identity}, Select(outboundPolicyFields...))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-HostedOutboundSpamFilterPolicy %q: expected one object, got %d", c.service(), identity, len(objs))
	}
	p := outboundPolicyFrom(objs[0])
	return &p, nil
}

// ListOutboundSpamPolicies runs Get-HostedOutboundSpamFilterPolicy.
func (c *Client) ListOutboundSpamPolicies(ctx context.Context) ([]OutboundSpamPolicy, error) {
	var out []OutboundSpamPolicy
	err := c.InvokeEach(ctx, "Get-HostedOutboundSpamFilterPolicy", nil, func(o Object) error {
		out = append(out, outboundPolicyFrom(o))
		return nil
	}, Select(outboundPolicyFields...))
	return out, err
}

// NewOutboundSpamPolicy runs New-HostedOutboundSpamFilterPolicy -Name with settings.
func (c *Client) NewOutboundSpamPolicy(ctx context.Context, name string, params map[string]any) error {
	p := map[string]any{"Name": name}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "New-HostedOutboundSpamFilterPolicy", p, NotIdempotent())
	return err
}

// SetOutboundSpamPolicy runs Set-HostedOutboundSpamFilterPolicy -Identity.
func (c *Client) SetOutboundSpamPolicy(ctx context.Context, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-HostedOutboundSpamFilterPolicy", p)
	return err
}

// RemoveOutboundSpamPolicy runs Remove-HostedOutboundSpamFilterPolicy
// -Force. Unlike most Remove- cmdlets it has no -Confirm; -Force is its
// documented way to run "programmatically where prompting for administrative
// input is inappropriate"
// (https://learn.microsoft.com/powershell/module/exchangepowershell/remove-hostedoutboundspamfilterpolicy).
func (c *Client) RemoveOutboundSpamPolicy(ctx context.Context, identity string) error {
	_, err := c.Invoke(ctx, "Remove-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": identity, "Force": true})
	return err
}

// OutboundSpamRule is Get-HostedOutboundSpamFilterRule.
type OutboundSpamRule struct {
	Identity                       string
	Name                           string
	HostedOutboundSpamFilterPolicy string
	Priority                       int64
	Enabled                        bool // State == "Enabled"
	Comments                       string
	From                           []string
	FromMemberOf                   []string
	SenderDomainIs                 []string
	ExceptIfFrom                   []string
	ExceptIfFromMemberOf           []string
	ExceptIfSenderDomainIs         []string
}

// GetOutboundSpamRule runs Get-HostedOutboundSpamFilterRule -Identity.
func (c *Client) GetOutboundSpamRule(ctx context.Context, identity string) (*OutboundSpamRule, error) {
	objs, err := c.Invoke(ctx, "Get-HostedOutboundSpamFilterRule", map[string]any{"Identity": identity})
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-HostedOutboundSpamFilterRule %q: expected one object, got %d", c.service(), identity, len(objs))
	}
	o := objs[0]
	return &OutboundSpamRule{
		Identity: o.String("Identity"), Name: o.String("Name"), HostedOutboundSpamFilterPolicy: o.String("HostedOutboundSpamFilterPolicy"),
		Priority: o.Int("Priority"), Enabled: o.String("State") == "Enabled", Comments: o.String("Comments"),
		From: o.Strings("From"), FromMemberOf: o.Strings("FromMemberOf"), SenderDomainIs: o.Strings("SenderDomainIs"),
		ExceptIfFrom: o.Strings("ExceptIfFrom"), ExceptIfFromMemberOf: o.Strings("ExceptIfFromMemberOf"), ExceptIfSenderDomainIs: o.Strings("ExceptIfSenderDomainIs"),
	}, nil
}

// NewOutboundSpamRule runs New-HostedOutboundSpamFilterRule.
func (c *Client) NewOutboundSpamRule(ctx context.Context, params map[string]any) error {
	_, err := c.Invoke(ctx, "New-HostedOutboundSpamFilterRule", params, NotIdempotent())
	return err
}

// SetOutboundSpamRule runs Set-HostedOutboundSpamFilterRule -Identity.
func (c *Client) SetOutboundSpamRule(ctx context.Context, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-HostedOutboundSpamFilterRule", p)
	return err
}

// SetOutboundSpamRuleEnabled runs Enable- or Disable-HostedOutboundSpamFilterRule.
func (c *Client) SetOutboundSpamRuleEnabled(ctx context.Context, identity string, enabled bool) error {
	cmdlet := "Disable-HostedOutboundSpamFilterRule"
	if enabled {
		cmdlet = "Enable-HostedOutboundSpamFilterRule"
	}
	_, err := c.Invoke(ctx, cmdlet, map[string]any{"Identity": identity, "Confirm": false})
	return err
}

// RemoveOutboundSpamRule runs Remove-HostedOutboundSpamFilterRule.
func (c *Client) RemoveOutboundSpamRule(ctx context.Context, identity string) error {
	_, err := c.Invoke(ctx, "Remove-HostedOutboundSpamFilterRule", map[string]any{"Identity": identity, "Confirm": false})
	return err
}
