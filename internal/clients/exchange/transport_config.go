package exchange

import (
	"context"
	"fmt"
)

// Set-TransportConfig needs the "Organization Transport Settings" role
// (Exchange Administrator); reads also "View-Only Configuration".
// https://learn.microsoft.com/powershell/module/exchangepowershell/set-transportconfig
func init() {
	RegisterRoles("Get-TransportConfig", "View-Only Configuration", "Organization Transport Settings")
	RegisterRoles("Set-TransportConfig", "Organization Transport Settings")
}

// TransportConfig is the part of Get-TransportConfig the provider manages.
type TransportConfig struct {
	SmtpClientAuthenticationDisabled        bool
	ReplyAllStormProtectionEnabled          bool
	ReplyAllStormDetectionMinimumRecipients int64
	ReplyAllStormDetectionMinimumReplies    int64
	ReplyAllStormBlockDurationHours         int64
}

var transportConfigFields = []string{"SmtpClientAuthenticationDisabled", "ReplyAllStormProtectionEnabled",
	"ReplyAllStormDetectionMinimumRecipients", "ReplyAllStormDetectionMinimumReplies", "ReplyAllStormBlockDurationHours"}

// GetTransportConfig runs Get-TransportConfig.
func (c *Client) GetTransportConfig(ctx context.Context) (*TransportConfig, error) {
	objs, err := c.Invoke(ctx, "Get-TransportConfig", nil, Select(transportConfigFields...))
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s Get-TransportConfig: expected one object, got %d", c.service(), len(objs))
	}
	o := objs[0]
	return &TransportConfig{
		SmtpClientAuthenticationDisabled:        o.Bool("SmtpClientAuthenticationDisabled"),
		ReplyAllStormProtectionEnabled:          o.Bool("ReplyAllStormProtectionEnabled"),
		ReplyAllStormDetectionMinimumRecipients: o.Int("ReplyAllStormDetectionMinimumRecipients"),
		ReplyAllStormDetectionMinimumReplies:    o.Int("ReplyAllStormDetectionMinimumReplies"),
		ReplyAllStormBlockDurationHours:         o.Int("ReplyAllStormBlockDurationHours"),
	}, nil
}

// SetTransportConfig runs Set-TransportConfig with the given parameters.
func (c *Client) SetTransportConfig(ctx context.Context, params map[string]any) error {
	_, err := c.Invoke(ctx, "Set-TransportConfig", params)
	return err
}
