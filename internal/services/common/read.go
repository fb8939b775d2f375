package common

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// IsNotFound reports a not-found error from any of the clients.
func IsNotFound(err error) bool { return exchange.IsNotFound(err) || graph.IsNotFound(err) }

// ReadByID is Read for a resource whose state id names the tenant object: an
// object gone from the tenant is removed from state, so the next plan
// re-creates it. what names the kind in errors ("remote domain"). read gets
// the prior state, so values the service holds in another spelling (case,
// a recipient's alias for its address) keep the user's.
func ReadByID[M any](ctx context.Context, c *clients.Set, req resource.ReadRequest, resp *resource.ReadResponse, what string,
	id func(M) string, read func(ctx context.Context, id string, prior *M) (*M, error)) {
	if c == nil {
		NotConfigured(&resp.Diagnostics)
		return
	}
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, err := read(ctx, id(state), &state)
	if IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		AddAPIError(&resp.Diagnostics, fmt.Sprintf("Reading %s %q failed", what, id(state)), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// ImportByRead imports the object the import ID names by reading it; hint
// says which identities are accepted ("import by the policy's name").
func ImportByRead[M any](ctx context.Context, c *clients.Set, req resource.ImportStateRequest, resp *resource.ImportStateResponse, what, hint string,
	read func(context.Context, string) (*M, error)) {
	if c == nil {
		NotConfigured(&resp.Diagnostics)
		return
	}
	m, err := read(ctx, req.ID)
	if err != nil {
		AddAPIError(&resp.Diagnostics, fmt.Sprintf("Importing %s %q failed (%s)", what, req.ID, hint), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
