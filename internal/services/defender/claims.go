package defender

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// ModifyPlan fails the plan of a second block for the same policy under
// the same provider configuration (common.ClaimName): every policy type
// built from a policyKind table.
func (r *flatPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_"+r.kind.typeSuffix, "name", r.kind.what)
}

func (r *malwarePolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_malware_filter_policy", "name", "malware filter policy")
}

// claimRule fails the plan of a second rule block with the same name, or
// for the same policy (a policy has one rule at most).
func (r *policyRuleResource) claimRule(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	typeName := "m365harden_" + r.kind.typeSuffix
	common.ClaimName(ctx, r.clients, req, resp, typeName, "name", r.kind.what)
	common.ClaimRulePolicy(ctx, r.clients, req, resp, typeName, "policy", r.kind.policyWhat())
}

// policyWhat names the kind of policy the rule applies ("anti-phishing policy").
func (k ruleKind) policyWhat() string { return strings.TrimSuffix(k.what, "rule") + "policy" }
