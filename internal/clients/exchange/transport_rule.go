package exchange

import (
	"context"
	"fmt"
)

// Transport rule cmdlets need the "Transport Rules" role (Exchange
// Administrator); reads also "View-Only Configuration".
// https://learn.microsoft.com/powershell/module/exchangepowershell/new-transportrule
func init() {
	RegisterRoles("Get-TransportRule", "View-Only Configuration", "Transport Rules")
	for _, c := range []string{"New-TransportRule", "Set-TransportRule", "Remove-TransportRule", "Enable-TransportRule", "Disable-TransportRule"} {
		RegisterRoles(c, "Transport Rules")
	}
}

// TransportRule is the hardening subset of Get-TransportRule. Pointers are
// nil where the service reports no value (the condition or action is not
// part of the rule).
type TransportRule struct {
	Identity string
	Name     string
	Guid     string
	Priority int64
	State    string // Enabled or Disabled
	Mode     string
	Comments string

	RecipientDomainIs          []string
	SenderDomainIs             []string
	FromScope                  string
	SentToScope                string
	MessageTypeMatches         string
	ExceptIfRecipientDomainIs  []string
	ExceptIfSenderDomainIs     []string
	ExceptIfFromScope          string
	ExceptIfSentToScope        string
	ExceptIfMessageTypeMatches string

	ApplyRightsProtectionTemplate   string
	ApplyOME                        bool
	RemoveOME                       bool
	RemoveOMEv2                     bool
	RejectMessageReasonText         string
	RejectMessageEnhancedStatusCode string
	SetSCL                          *int64
	PrependSubject                  string
	GenerateIncidentReport          string
	StopRuleProcessing              bool
	RedirectMessageTo               []string
	BlindCopyTo                     []string
	AddToRecipients                 []string
}

var transportRuleFields = []string{"Identity", "Name", "Guid", "Priority", "State", "Mode", "Comments",
	"RecipientDomainIs", "SenderDomainIs", "FromScope", "SentToScope", "MessageTypeMatches",
	"ExceptIfRecipientDomainIs", "ExceptIfSenderDomainIs", "ExceptIfFromScope", "ExceptIfSentToScope", "ExceptIfMessageTypeMatches",
	"ApplyRightsProtectionTemplate", "ApplyOME", "RemoveOME", "RemoveOMEv2", "RejectMessageReasonText", "RejectMessageEnhancedStatusCode",
	"SetSCL", "PrependSubject", "GenerateIncidentReport", "StopRuleProcessing", "RedirectMessageTo", "BlindCopyTo", "AddToRecipients"}

func transportRuleFrom(o Object) TransportRule {
	r := TransportRule{
		Identity: o.String("Identity"), Name: o.String("Name"), Guid: o.String("Guid"), Priority: o.Int("Priority"),
		State: o.String("State"), Mode: o.String("Mode"), Comments: o.String("Comments"),
		RecipientDomainIs: o.Strings("RecipientDomainIs"), SenderDomainIs: o.Strings("SenderDomainIs"),
		FromScope: o.String("FromScope"), SentToScope: o.String("SentToScope"), MessageTypeMatches: o.String("MessageTypeMatches"),
		ExceptIfRecipientDomainIs: o.Strings("ExceptIfRecipientDomainIs"), ExceptIfSenderDomainIs: o.Strings("ExceptIfSenderDomainIs"),
		ExceptIfFromScope: o.String("ExceptIfFromScope"), ExceptIfSentToScope: o.String("ExceptIfSentToScope"),
		ExceptIfMessageTypeMatches:    o.String("ExceptIfMessageTypeMatches"),
		ApplyRightsProtectionTemplate: o.String("ApplyRightsProtectionTemplate"),
		ApplyOME:                      o.Bool("ApplyOME"), RemoveOME: o.Bool("RemoveOME"), RemoveOMEv2: o.Bool("RemoveOMEv2"),
		RejectMessageReasonText:         o.String("RejectMessageReasonText"),
		RejectMessageEnhancedStatusCode: o.String("RejectMessageEnhancedStatusCode"),
		PrependSubject:                  o.String("PrependSubject"), GenerateIncidentReport: o.String("GenerateIncidentReport"),
		StopRuleProcessing: o.Bool("StopRuleProcessing"),
		RedirectMessageTo:  o.Strings("RedirectMessageTo"), BlindCopyTo: o.Strings("BlindCopyTo"), AddToRecipients: o.Strings("AddToRecipients"),
	}
	if o["SetSCL"] != nil {
		n := o.Int("SetSCL")
		r.SetSCL = &n
	}
	return r
}

// GetTransportRule runs Get-TransportRule -Identity (a name or GUID); a
// missing rule is an error for which IsNotFound is true.
func (c *Client) GetTransportRule(ctx context.Context, identity string) (*TransportRule, error) {
	objs, err := c.Invoke(ctx, "Get-TransportRule", map[string]any{"Identity": identity}, Select(transportRuleFields...))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-TransportRule %q: expected one object, got %d", c.service(), identity, len(objs))
	}
	r := transportRuleFrom(objs[0])
	return &r, nil
}

// ListTransportRules runs Get-TransportRule for every rule, in priority order.
func (c *Client) ListTransportRules(ctx context.Context) ([]TransportRule, error) {
	var out []TransportRule
	err := c.InvokeEach(ctx, "Get-TransportRule", map[string]any{"ResultSize": "Unlimited"}, func(o Object) error {
		out = append(out, transportRuleFrom(o))
		return nil
	}, Select(transportRuleFields...))
	return out, err
}

// NewTransportRule runs New-TransportRule -Name with the given parameters
// and returns the new rule's GUID.
func (c *Client) NewTransportRule(ctx context.Context, name string, params map[string]any) (string, error) {
	p := map[string]any{"Name": name}
	for k, v := range params {
		p[k] = v
	}
	objs, err := c.Invoke(ctx, "New-TransportRule", p, NotIdempotent())
	if err != nil {
		return "", err
	}
	if len(objs) == 1 {
		return objs[0].String("Guid"), nil
	}
	return "", nil
}

// SetTransportRule runs Set-TransportRule -Identity with the given
// parameters; a nil value clears a condition or action ($null).
func (c *Client) SetTransportRule(ctx context.Context, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-TransportRule", p)
	return err
}

// SetTransportRuleEnabled runs Enable- or Disable-TransportRule.
func (c *Client) SetTransportRuleEnabled(ctx context.Context, identity string, enabled bool) error {
	cmdlet := "Disable-TransportRule"
	if enabled {
		cmdlet = "Enable-TransportRule"
	}
	_, err := c.Invoke(ctx, cmdlet, map[string]any{"Identity": identity, "Confirm": false})
	return err
}

// RemoveTransportRule runs Remove-TransportRule -Confirm:$false.
func (c *Client) RemoveTransportRule(ctx context.Context, identity string) error {
	_, err := c.Invoke(ctx, "Remove-TransportRule", map[string]any{"Identity": identity, "Confirm": false})
	return err
}
