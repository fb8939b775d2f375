package mailsec

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"

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
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_sharing_policy", "name", "sharing policy")
}

// One DKIM signing configuration per domain.
func (r *dkimSigningConfigResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_dkim_signing_config", "domain_name", "DKIM signing configuration for domain")
}
