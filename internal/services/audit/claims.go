package audit

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// ModifyPlan fails the plan of a second m365harden_audit_configuration under
// the same provider configuration (common.ClaimSingleton).
func (r *auditConfigurationResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimSingleton(r.clients, req, resp, "m365harden_audit_configuration", "audit configuration")
}

// ModifyPlan fails the plan of a second m365harden_audit_log_retention_policy
// with the same name (common.ClaimName).
func (r *auditRetentionPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_audit_log_retention_policy", "name", "audit log retention policy")
}
