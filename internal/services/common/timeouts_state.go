package common

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
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
