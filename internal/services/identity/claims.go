package identity

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// The ModifyPlan methods below fail the plan of a second block that manages
// the same tenant-wide policy under the same provider configuration
// (common.ClaimSingleton, common.ClaimObject).

func (r *securityDefaultsResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimSingleton(r.clients, req, resp, "m365harden_security_defaults", "security defaults policy")
}

func (r *adminConsentResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimSingleton(r.clients, req, resp, "m365harden_admin_consent_request_policy", "admin consent request policy")
}

func (r *authMethodsPolicyResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimSingleton(r.clients, req, resp, "m365harden_authentication_methods_policy", "authentication methods policy")
}

func (r *authorizationPolicyResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimSingleton(r.clients, req, resp, "m365harden_authorization_policy", "authorization policy")
}

// One block per authentication method: the method's configuration is one
// object of the tenant's authentication methods policy.
func (r *authMethodConfigResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var method types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("method"), &method)...)
	if method.IsNull() || method.IsUnknown() {
		return
	}
	common.ClaimObject(r.clients, req, &resp.Diagnostics, path.Root("method"), "m365harden_authentication_method_configuration", method.ValueString(),
		"the configuration of authentication method "+method.ValueString(), "Keep one block for this method and merge the settings into it.")
}

// Graph lets several conditional access policies and named locations have
// one display name (https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy
// documents no uniqueness); the provider does not: two blocks with one
// display_name would be one object for import and for the lookup that
// adopts a policy after an ambiguous create.
func (r *conditionalAccessPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_conditional_access_policy", "display_name", "conditional access policy")
}

func (r *namedLocationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_named_location", "display_name", "named location")
}

func (r *authStrengthResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_authentication_strength_policy", "display_name", "authentication strength")
}
