package mailsec

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// The ModifyPlan methods below fail the plan of a second block that manages
// the same tenant-wide object or policy under the same provider
// configuration (common.ClaimSingleton, common.ClaimObject).

func (r *transportConfigResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimSingleton(r.clients, req, resp, "m365harden_transport_config", "transport configuration")
}

func (r *externalSenderTaggingResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimSingleton(r.clients, req, resp, "m365harden_external_sender_tagging", "external sender tagging setting")
}

func (r *connectionFilterPolicyResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimSingleton(r.clients, req, resp, "m365harden_connection_filter_policy", "Default connection filter policy")
}

// Exchange names are not case-sensitive: "default sharing policy" is the
// Default Sharing Policy.
func (r *sharingPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	if name.IsNull() || name.IsUnknown() {
		return
	}
	common.ClaimObject(r.clients, req, &resp.Diagnostics, path.Root("name"), "m365harden_sharing_policy", name.ValueString(),
		"sharing policy "+name.ValueString(), "Keep one block for this policy and merge the settings into it.")
}
