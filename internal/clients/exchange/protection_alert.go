package exchange

import (
	"context"
	"fmt"
	"strings"
)

// Alert policies live on the Security & Compliance endpoint. Creating and
// editing them needs the "Manage Alerts" or "Organization Configuration"
// role, viewing them "View-Only Manage Alerts"
// (https://learn.microsoft.com/defender-xdr/alert-policies#how-alert-policies-work).
func init() {
	RegisterRoles("Get-ProtectionAlert", "View-Only Manage Alerts", "Manage Alerts", "Organization Configuration")
	for _, c := range []string{"New-ProtectionAlert", "Set-ProtectionAlert", "Remove-ProtectionAlert"} {
		RegisterRoles(c, "Manage Alerts", "Organization Configuration")
	}
}

// ProtectionAlert is the part of Get-ProtectionAlert the provider uses.
type ProtectionAlert struct {
	Name                string
	Guid                string
	Category            string
	Severity            string
	ThreatType          string
	Operation           string // the one audited activity, "" when none
	NotifyUser          []string
	NotificationEnabled bool
	AggregationType     string
	Threshold           *int64 // nil unless AggregationType is SimpleAggregation
	TimeWindow          *int64 // minutes; nil unless SimpleAggregation
	Disabled            bool
	IsSystemRule        bool
	Comment             string
	Filter              string
	NotificationCulture string // e.g. "da-DK"; "" when not set
}

var protectionAlertFields = []string{"Name", "Guid", "Category", "Severity", "ThreatType", "Operation", "NotifyUser", "NotificationEnabled",
	"AggregationType", "Threshold", "TimeWindow", "Disabled", "IsSystemRule", "Comment", "Filter", "NotificationCulture"}

func optionalInt(o Object, name string) *int64 {
	if o[name] == nil {
		return nil
	}
	n := o.Int(name)
	return &n
}

func protectionAlertFrom(o Object) ProtectionAlert {
	a := ProtectionAlert{
		Name: o.String("Name"), Guid: o.String("Guid"), Category: o.String("Category"), Severity: o.String("Severity"),
		ThreatType: o.String("ThreatType"), NotifyUser: o.Strings("NotifyUser"), NotificationEnabled: o.Bool("NotificationEnabled"),
		AggregationType: o.String("AggregationType"), Threshold: optionalInt(o, "Threshold"), TimeWindow: optionalInt(o, "TimeWindow"),
		Disabled: o.Bool("Disabled"), IsSystemRule: o.Bool("IsSystemRule"), Comment: o.String("Comment"), Filter: o.String("Filter"),
		NotificationCulture: o.String("NotificationCulture"),
	}
	if ops := o.Strings("Operation"); len(ops) > 0 {
		a.Operation = ops[0]
	}
	return a
}

// GetProtectionAlert runs Get-ProtectionAlert -Identity (a name or GUID); a
// missing policy is an error for which IsNotFound is true. The cmdlet's
// reference warns that a non-existent identity may return every policy, so
// only a policy that matches the identity counts.
func (c *Client) GetProtectionAlert(ctx context.Context, identity string) (*ProtectionAlert, error) {
	objs, err := c.Invoke(ctx, "Get-ProtectionAlert", map[string]any{"Identity": identity}, Select(protectionAlertFields...))
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		a := protectionAlertFrom(o)
		if strings.EqualFold(a.Name, identity) || strings.EqualFold(a.Guid, identity) {
			return &a, nil
		}
	}
	return nil, &Error{Service: c.service(), Cmdlet: "Get-ProtectionAlert", Status: 404,
		Message: fmt.Sprintf("no alert policy matches %q (the service returned %d other policies)", identity, len(objs)), kind: ErrNotFound}
}

// ListProtectionAlerts runs Get-ProtectionAlert for every alert policy,
// default (system) ones included.
func (c *Client) ListProtectionAlerts(ctx context.Context) ([]ProtectionAlert, error) {
	var out []ProtectionAlert
	err := c.InvokeEach(ctx, "Get-ProtectionAlert", nil, func(o Object) error {
		out = append(out, protectionAlertFrom(o))
		return nil
	}, Select(protectionAlertFields...))
	return out, err
}

// NewProtectionAlert runs New-ProtectionAlert with the given parameters
// (Name, Category, NotifyUser and ThreatType are required by the service).
// It is not retried after a 503/504: the service may have created it.
func (c *Client) NewProtectionAlert(ctx context.Context, params map[string]any) error {
	_, err := c.Invoke(ctx, "New-ProtectionAlert", params, NotIdempotent())
	return err
}

// SetProtectionAlert runs Set-ProtectionAlert -Identity with the given
// settings. The service refuses it on default (system) policies.
func (c *Client) SetProtectionAlert(ctx context.Context, identity string, params map[string]any) error {
	p := map[string]any{"Identity": identity}
	for k, v := range params {
		p[k] = v
	}
	_, err := c.Invoke(ctx, "Set-ProtectionAlert", p)
	return err
}

// RemoveProtectionAlert runs Remove-ProtectionAlert -Confirm:$false.
func (c *Client) RemoveProtectionAlert(ctx context.Context, identity string) error {
	_, err := c.Invoke(ctx, "Remove-ProtectionAlert", map[string]any{"Identity": identity, "Confirm": false})
	return err
}
