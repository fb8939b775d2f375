package exchange

import (
	"context"
	"fmt"
)

// Threat-protection policies whose settings are flat cmdlet parameters
// (Safe Links, Safe Attachments) and the rules that assign a policy to
// recipients (anti-phishing, Safe Links, Safe Attachments and the preset
// security policies' EOP/ATP protection rules). One set of methods serves
// them all: the cmdlets differ only in their noun.
//
// Safe Links and Safe Attachments need "Security Admin" (Security
// Administrator or Exchange Administrator); reads also "Security Reader" or
// "View-Only Configuration"
// (https://learn.microsoft.com/defender-office-365/safe-links-policies-configure#what-do-you-need-to-know-before-you-begin,
// https://learn.microsoft.com/defender-office-365/safe-attachments-policies-configure#what-do-you-need-to-know-before-you-begin).
// Both need Microsoft Defender for Office 365: without it the cmdlets do
// not exist for the session and every call is refused with 403.
func init() {
	for _, n := range []string{"SafeLinksPolicy", "SafeLinksRule", "SafeAttachmentPolicy", "SafeAttachmentRule"} {
		RegisterRoles("Get-"+n, "Security Reader", "View-Only Configuration", "Security Admin")
		for _, v := range []string{"New-", "Set-", "Remove-"} {
			RegisterRoles(v+n, "Security Admin")
		}
	}
	for _, n := range []string{"SafeLinksRule", "SafeAttachmentRule"} {
		RegisterRoles("Enable-"+n, "Security Admin")
		RegisterRoles("Disable-"+n, "Security Admin")
	}
	// The preset security policies' rules: the same roles
	// (https://learn.microsoft.com/defender-office-365/preset-security-policies#what-do-you-need-to-know-before-you-begin).
	for _, n := range []string{"EOPProtectionPolicyRule", "ATPProtectionPolicyRule"} {
		RegisterRoles("Get-"+n, "Security Reader", "View-Only Configuration", "Security Admin")
		for _, v := range []string{"Set-", "Enable-", "Disable-"} {
			RegisterRoles(v+n, "Security Admin")
		}
	}
}

// GetPolicyObject runs Get-<noun> -Identity and returns the raw object
// (with Name and the given fields).
func (c *Client) GetPolicyObject(ctx context.Context, noun, identity string, fields []string) (Object, error) {
	cmdlet := "Get-" + noun
	objs, err := c.Invoke(ctx, cmdlet, map[string]any{"Identity": identity}, Select(append([]string{"Name"}, fields...)...))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s %s %q: expected one object, got %d", c.service(), cmdlet, identity, len(objs))
	}
	return objs[0], nil
}

// ListPolicyObjects runs Get-<noun> without -Identity (every policy) and
// returns the raw objects (with Name and the given fields).
func (c *Client) ListPolicyObjects(ctx context.Context, noun string, fields []string) ([]Object, error) {
	var out []Object
	err := c.InvokeEach(ctx, "Get-"+noun, nil, func(o Object) error {
		out = append(out, o)
		return nil
	}, Select(append([]string{"Name"}, fields...)...))
	return out, err
}

// NewPolicy runs New-<noun> -Name with settings.
func (c *Client) NewPolicy(ctx context.Context, noun, name string, params map[string]any) error {
	p := map[string]any{"Name": name}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "New-"+noun, p, NotIdempotent())
	return err
}

// SetPolicy runs Set-<noun> -Identity with settings.
func (c *Client) SetPolicy(ctx context.Context, noun, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-"+noun, p)
	return err
}

// RemovePolicy runs Remove-<noun> -Identity -Force.
func (c *Client) RemovePolicy(ctx context.Context, noun, identity string) error {
	_, err := c.Invoke(ctx, "Remove-"+noun, map[string]any{"Identity": identity, "Force": true})
	return err
}

// PolicyRule is a Get-<noun> rule: the policy it applies (the
// -<policyParam> value; empty for the preset rules) and its recipient
// conditions.
type PolicyRule struct {
	Name                      string
	Policy                    string
	Priority                  int64
	Enabled                   bool // State == "Enabled"
	Comments                  string
	SentTo                    []string
	SentToMemberOf            []string
	RecipientDomainIs         []string
	ExceptIfSentTo            []string
	ExceptIfSentToMemberOf    []string
	ExceptIfRecipientDomainIs []string
	Object                    Object
}

// GetPolicyRule runs Get-<noun> -Identity; policyParam names the property
// that holds the rule's policy ("" for none).
func (c *Client) GetPolicyRule(ctx context.Context, noun, policyParam, identity string) (*PolicyRule, error) {
	cmdlet := "Get-" + noun
	objs, err := c.Invoke(ctx, cmdlet, map[string]any{"Identity": identity})
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s %s %q: expected one object, got %d", c.service(), cmdlet, identity, len(objs))
	}
	o := objs[0]
	r := &PolicyRule{
		Name: o.String("Name"), Priority: o.Int("Priority"), Enabled: o.String("State") == "Enabled",
		Comments: o.String("Comments"), SentTo: o.Strings("SentTo"), SentToMemberOf: o.Strings("SentToMemberOf"), RecipientDomainIs: o.Strings("RecipientDomainIs"),
		ExceptIfSentTo: o.Strings("ExceptIfSentTo"), ExceptIfSentToMemberOf: o.Strings("ExceptIfSentToMemberOf"), ExceptIfRecipientDomainIs: o.Strings("ExceptIfRecipientDomainIs"),
		Object: o,
	}
	if policyParam != "" {
		r.Policy = o.String(policyParam)
	}
	return r, nil
}

// NewPolicyRule runs New-<noun>.
func (c *Client) NewPolicyRule(ctx context.Context, noun string, params map[string]any) error {
	_, err := c.Invoke(ctx, "New-"+noun, params, NotIdempotent())
	return err
}

// SetPolicyRule runs Set-<noun> -Identity.
func (c *Client) SetPolicyRule(ctx context.Context, noun, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-"+noun, p)
	return err
}

// SetPolicyRuleEnabled runs Enable-<noun> or Disable-<noun>.
func (c *Client) SetPolicyRuleEnabled(ctx context.Context, noun, identity string, enabled bool) error {
	cmdlet := "Disable-" + noun
	if enabled {
		cmdlet = "Enable-" + noun
	}
	_, err := c.Invoke(ctx, cmdlet, map[string]any{"Identity": identity, "Confirm": false})
	return err
}

// RemovePolicyRule runs Remove-<noun>.
func (c *Client) RemovePolicyRule(ctx context.Context, noun, identity string) error {
	_, err := c.Invoke(ctx, "Remove-"+noun, map[string]any{"Identity": identity, "Confirm": false})
	return err
}
