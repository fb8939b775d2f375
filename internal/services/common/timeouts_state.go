package common

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// PriorTimeouts is the timeouts attribute of a resource's prior state, for
// a Read that builds its model from the service's answer: the setting is
// Terraform's, not the tenant's, so a refresh keeps it (KeepTimeouts turns
// an imported state's missing value into a typed null).
func PriorTimeouts(ctx context.Context, state tfsdk.State, diags *diag.Diagnostics) *timeouts.Value {
	var tv timeouts.Value
	diags.Append(state.GetAttribute(ctx, path.Root("timeouts"), &tv)...)
	return &tv
}

// TimeoutsOnlyChange handles an update whose plan differs from the prior
// state in the timeouts attribute alone, which is what Terraform plans
// after importing a resource whose configuration sets timeouts (import
// cannot see the configuration, so the imported state has none): it
// records the plan in state without a request to the service and reports
// true. Any other change reports false and leaves resp alone.
func TimeoutsOnlyChange(req resource.UpdateRequest, resp *resource.UpdateResponse) bool {
	withoutTimeouts := func(v tftypes.Value) (tftypes.Value, error) {
		return tftypes.Transform(v, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
			if st := p.Steps(); len(st) == 1 && st[0].Equal(tftypes.AttributeName("timeouts")) {
				return tftypes.NewValue(v.Type(), nil), nil
			}
			return v, nil
		})
	}
	plan, err := withoutTimeouts(req.Plan.Raw)
	if err != nil {
		return false
	}
	prior, err := withoutTimeouts(req.State.Raw)
	if err != nil || !plan.Equal(prior) {
		return false
	}
	resp.State.Raw = req.Plan.Raw.Copy()
	return true
}

// StandingTimeoutsAttribute is TimeoutsAttribute for a resource that
// changes settings of something that exists anyway (a tenant-wide policy, a
// mailbox) rather than creating an object: same attributes and type (so
// KeepTimeouts and PriorTimeouts apply; `delete` is accepted and unused),
// with descriptions that say what a timeout leaves behind there and no
// service named. The Exchange settings resources use
// SettingsTimeoutsAttribute (timeouts_settings.go), which has no `delete`.
func StandingTimeoutsAttribute() schema.Attribute {
	a := TimeoutsAttribute().(schema.SingleNestedAttribute)
	attrs := maps.Clone(a.Attributes)
	describe := func(name, d string) {
		s := attrs[name].(schema.StringAttribute)
		s.Description, s.MarkdownDescription = d, d
		attrs[name] = s
	}
	describe("create", "How long the first apply waits for the service to show the settings as planned (a Go duration such as `10m`; default `3m`). When it passes, the apply fails with an error naming the timeout; the settings were sent, and the next apply, once reads show them, has nothing left to send.")
	describe("update", "How long an update waits for the service to show the change (default `3m`). When it passes, the apply fails with an error naming the timeout and state keeps what reads showed; the next plan is empty once reads show the change.")
	describe("delete", "Not used: destroying this resource waits for nothing.")
	a.Attributes = attrs
	return a
}
