package common

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
)

// settingsTimeoutsOpts are the timeouts of a resource whose destroy only
// removes it from state (a tenant-wide settings object, or an object that
// is adopted and left in place): destroy waits for nothing, so there is no
// delete timeout.
var settingsTimeoutsOpts = timeouts.Opts{
	Create: true, Update: true,
	CreateDescription: "How long the first apply waits for the service to show the configured settings (a Go duration such as `10m`; default `3m`, the provider's consistency timeout). When it passes, the apply fails with an error naming the timeout; state keeps what the service showed (the resource is tainted) and the next apply writes and waits again.",
	UpdateDescription: "How long an update waits for the service to show the change (default `3m`). When it passes, the apply fails with an error naming the timeout; state keeps what the service showed, so the next plan shows what is left.",
}

// SettingsTimeoutsAttribute is the `timeouts` attribute (`create`,
// `update`) of a resource whose destroy leaves the tenant as it is.
func SettingsTimeoutsAttribute() schema.Attribute {
	a := timeouts.Attributes(context.Background(), settingsTimeoutsOpts).(schema.SingleNestedAttribute)
	a.MarkdownDescription = "How long to wait for Exchange Online to show a change before the apply fails (`create`, `update`; default `3m` each, the provider's consistency timeout). Reads right after a write can answer the old value while the service replicates. Destroy waits for nothing (it only removes the resource from state), so there is no `delete`."
	return a
}

// KeepSettingsTimeouts is KeepTimeouts for SettingsTimeoutsAttribute.
func KeepSettingsTimeouts(prior *timeouts.Value) timeouts.Value {
	if prior != nil && len(prior.AttributeTypes(context.Background())) > 0 {
		return *prior
	}
	t := timeouts.Attributes(context.Background(), settingsTimeoutsOpts).GetType().(timeouts.Type)
	return timeouts.Value{Object: types.ObjectNull(t.AttrTypes)}
}

// attributeGetter is a tfsdk.Plan, State or Config.
type attributeGetter interface {
	GetAttribute(ctx context.Context, p path.Path, target interface{}) diag.Diagnostics
}

// TimeoutsOf returns the timeouts attribute of a plan or state.
func TimeoutsOf(ctx context.Context, src attributeGetter, diags *diag.Diagnostics) timeouts.Value {
	var t timeouts.Value
	diags.Append(src.GetAttribute(ctx, path.Root("timeouts"), &t)...)
	return t
}

// WriteSingletonWithin is WriteSingleton with the consistency waits of op
// ("create" or "update") bounded by the plan's timeouts attribute; every
// model stored (the result, or what the tenant holds after a failure) keeps
// the plan's timeouts through setTimeouts.
func WriteSingletonWithin[M any](ctx context.Context, c *clients.Set, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics, what, op string,
	setTimeouts func(*M, timeouts.Value), apply func(context.Context, M) (*M, error), read func(context.Context) (*M, error)) {
	t := TimeoutsOf(ctx, plan, diags)
	if diags.HasError() {
		return
	}
	ctx = ConsistencyBudget(ctx, c, t, op, diags)
	keep := func(m *M, err error) (*M, error) {
		if m != nil {
			setTimeouts(m, t)
		}
		return m, err
	}
	WriteSingleton(ctx, c, plan, state, diags, what,
		func(ctx context.Context, m M) (*M, error) { return keep(apply(ctx, m)) },
		func(ctx context.Context) (*M, error) { return keep(read(ctx)) })
}
