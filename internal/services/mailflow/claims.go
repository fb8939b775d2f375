package mailflow

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// ModifyPlan fails the plan of a second m365harden_irm_configuration under
// the same provider configuration (common.ClaimSingleton).
func (r *irmConfigurationResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimSingleton(r.clients, req, resp, "m365harden_irm_configuration", "IRM configuration")
}

// The ModifyPlan methods below fail the plan of a second block that manages
// the same named object under the same provider configuration
// (common.ClaimName).

// A remote domain is unique by name, and two remote domains for one domain
// would both decide what mail to it may do: one block per domain too.
func (r *remoteDomainResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_remote_domain", "name", "remote domain")
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_remote_domain", "domain_name", "remote domain for domain")
}

func (r *transportRuleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_transport_rule", "name", "transport rule")
}

func (r *outboundPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_outbound_spam_filter_policy", "name", "outbound spam filter policy")
}
