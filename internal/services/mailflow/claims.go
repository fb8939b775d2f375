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
