package common

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
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
