package common

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
)

// WriteSingleton is Create and Update for a tenant-wide settings object
// (organization config, IRM configuration): apply the plan, then store what
// the tenant shows. When apply fails part-way, state is set to what the
// tenant now holds, so nothing is lost and the next plan shows the rest.
// what names the object in errors ("the tenant's IRM configuration").
func WriteSingleton[M any](ctx context.Context, c *clients.Set, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics, what string,
	apply func(context.Context, M) (*M, error), read func(context.Context) (*M, error)) {
	if c == nil {
		NotConfigured(diags)
		return
	}
	var m M
	diags.Append(plan.Get(ctx, &m)...)
	if diags.HasError() {
		return
	}
	got, err := apply(ctx, m)
	if err != nil {
		AddAPIError(diags, "Changing "+what+" failed", err)
		if cur, rerr := read(ctx); rerr == nil {
			diags.Append(state.Set(ctx, cur)...)
		}
		return
	}
	diags.Append(state.Set(ctx, got)...)
}

// ImportTenantSingleton imports a tenant-wide settings object by the tenant
// ID the provider is configured for.
func ImportTenantSingleton(ctx context.Context, c *clients.Set, typeName string, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if c == nil {
		NotConfigured(&resp.Diagnostics)
		return
	}
	if !strings.EqualFold(strings.TrimSpace(req.ID), c.TenantID) {
		resp.Diagnostics.AddError("Wrong import ID",
			fmt.Sprintf("%s is imported by the tenant ID the provider is configured for (%s); got %q.", typeName, c.TenantID, req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), c.TenantID)...)
}

// ImportGraphSingleton imports a tenant-wide Graph policy (the tenant has
// exactly one) by the tenant ID the provider is configured for or by the
// policy's own ID; state keeps the policy ID.
func ImportGraphSingleton(ctx context.Context, c *clients.Set, typeName, policyID string, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if c == nil {
		NotConfigured(&resp.Diagnostics)
		return
	}
	if id := strings.TrimSpace(req.ID); !strings.EqualFold(id, c.TenantID) && id != policyID {
		resp.Diagnostics.AddError("Wrong import ID",
			fmt.Sprintf("%s is imported by the tenant ID the provider is configured for (%s) or the policy ID %q; got %q.", typeName, c.TenantID, policyID, req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), policyID)...)
}
