package graph

import (
	"context"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// SubscribedSku is one commercial subscription of the tenant
// (https://learn.microsoft.com/en-us/graph/api/resources/subscribedsku).
type SubscribedSku struct {
	SkuID            string
	SkuPartNumber    string
	CapabilityStatus string // Enabled, Warning, Suspended, Deleted, LockedOut
	ServicePlans     []ServicePlan
}

// ServicePlan is a servicePlanInfo
// (https://learn.microsoft.com/en-us/graph/api/resources/serviceplaninfo).
type ServicePlan struct {
	ID                 string
	Name               string
	ProvisioningStatus string // Success, Disabled, Error, PendingInput, PendingActivation, PendingProvisioning
	AppliesTo          string
}

// ListSubscribedSkus reads GET /subscribedSkus
// (https://learn.microsoft.com/en-us/graph/api/subscribedsku-list): needs
// LicenseAssignment.Read.All, Organization.Read.All or Directory.Read.All. A
// missing permission is ErrForbidden (never a licence answer).
func (c *Client) ListSubscribedSkus(ctx context.Context) ([]SubscribedSku, error) {
	const op = "GET /subscribedSkus"
	resp, err := at[models.SubscribedSkuCollectionResponseable](c, "/subscribedSkus", models.CreateSubscribedSkuCollectionResponseFromDiscriminatorValue).Get(ctx, nil)
	if err != nil {
		return nil, Describe(err, op)
	}
	var out []SubscribedSku
	for _, s := range resp.GetValue() {
		sku := SubscribedSku{SkuPartNumber: deref(s.GetSkuPartNumber()), CapabilityStatus: deref(s.GetCapabilityStatus())}
		if id := s.GetSkuId(); id != nil {
			sku.SkuID = id.String()
		}
		for _, p := range s.GetServicePlans() {
			sp := ServicePlan{Name: deref(p.GetServicePlanName()), ProvisioningStatus: deref(p.GetProvisioningStatus()), AppliesTo: deref(p.GetAppliesTo())}
			if id := p.GetServicePlanId(); id != nil {
				sp.ID = id.String()
			}
			sku.ServicePlans = append(sku.ServicePlans, sp)
		}
		out = append(out, sku)
	}
	return out, nil
}

// ActivePlans returns the service plans, by lower-case name and id, that are
// provisioned ("Success") in a subscription that is not suspended, deleted
// or locked out. Plans still provisioning, disabled or in error do not count.
func ActivePlans(skus []SubscribedSku) map[string]bool {
	out := map[string]bool{}
	for _, s := range skus {
		switch strings.ToLower(s.CapabilityStatus) {
		case "suspended", "deleted", "lockedout":
			continue
		}
		for _, p := range s.ServicePlans {
			if !strings.EqualFold(p.ProvisioningStatus, "Success") {
				continue
			}
			out[strings.ToLower(p.Name)] = true
			if p.ID != "" {
				out[strings.ToLower(p.ID)] = true
			}
		}
	}
	return out
}
