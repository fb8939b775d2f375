package m365sim

import (
	"fmt"
	"net/http"
	"strings"
)

// GET /subscribedSkus: the commercial subscriptions of the tenant.
//   - List (https://learn.microsoft.com/en-us/graph/api/subscribedsku-list):
//     application permissions LicenseAssignment.Read.All (least privileged),
//     Directory.Read.All, Directory.ReadWrite.All, Organization.Read.All,
//     Organization.ReadWrite.All.
//   - Resource type (https://learn.microsoft.com/en-us/graph/api/resources/subscribedsku):
//     accountId, accountName, appliesTo (User, Company), capabilityStatus
//     (Enabled, Warning, Suspended, Deleted, LockedOut), consumedUnits, id,
//     prepaidUnits (licenseUnitsDetail: enabled, lockedOut, suspended,
//     warning), servicePlans (servicePlanInfo: appliesTo, provisioningStatus,
//     servicePlanId, servicePlanName), skuId, skuPartNumber, subscriptionIds.
//     "Query filter expressions aren't supported": $filter is refused (the
//     answer's body is not documented; the emulator uses Graph's
//     Request_UnsupportedQuery code). The
//     reference page documents no paging for the list; the emulator answers
//     the whole collection in one page.
//   - The id of a subscribedSku is the tenant id and the skuId joined by an
//     underscore, as in the reference page's example.
//
// Seeded from the tenant's licences; tests replace the list with
// SetSubscribedSkus. Identifiers as the licensing reference lists them
// (https://learn.microsoft.com/en-us/entra/identity/users/licensing-service-plan-reference):
// Microsoft Entra ID P1 = AAD_PREMIUM (078d2b04-f1bd-4111-bbd4-b4b1b354cef4,
// plan AAD_PREMIUM 41781fb2-bc02-4b7c-bd55-b576c07bb09d), Microsoft Entra ID
// P2 = AAD_PREMIUM_P2 (84a661c4-e949-4bd2-a560-ed7766fcaf2b, plans
// AAD_PREMIUM and AAD_PREMIUM_P2 eec0eb4f-6444-4f95-aba0-50c24d67f998),
// Microsoft 365 E5 Compliance = INFORMATION_PROTECTION_COMPLIANCE
// (184efa21-98c3-4e5d-95ab-d07053a96e67, with plan M365_ADVANCED_AUDITING
// 2f442157-a11c-46b9-ae5b-6e39ff4e5849, Microsoft Purview Audit (Premium)),
// Microsoft Defender for Office 365 (Plan 1) = ATP_ENTERPRISE
// (4ef96642-f096-40de-a3e9-d83fb2f90211, plan ATP_ENTERPRISE
// f20fedf3-f3c3-43c3-8267-2bfdd51c0939).

const kindSubscribedSku = "subscribedSku"

// ServicePlan is one servicePlanInfo of a subscribed SKU.
type ServicePlan struct {
	ID                 string // servicePlanId
	Name               string // servicePlanName
	ProvisioningStatus string // Success, Disabled, Error, PendingInput, PendingActivation, PendingProvisioning
	AppliesTo          string // User, Company
}

// SubscribedSku is one subscription of a tenant as GET /subscribedSkus
// reports it.
type SubscribedSku struct {
	SkuID            string
	SkuPartNumber    string
	CapabilityStatus string // Enabled, Warning, Suspended, Deleted, LockedOut
	Units            int
	Consumed         int
	Plans            []ServicePlan
}

// Well-known service plans the provider looks for.
var (
	PlanEntraIDP1        = ServicePlan{ID: "41781fb2-bc02-4b7c-bd55-b576c07bb09d", Name: "AAD_PREMIUM", ProvisioningStatus: "Success", AppliesTo: "User"}
	PlanEntraIDP2        = ServicePlan{ID: "eec0eb4f-6444-4f95-aba0-50c24d67f998", Name: "AAD_PREMIUM_P2", ProvisioningStatus: "Success", AppliesTo: "User"}
	PlanAdvancedAuditing = ServicePlan{ID: "2f442157-a11c-46b9-ae5b-6e39ff4e5849", Name: "M365_ADVANCED_AUDITING", ProvisioningStatus: "Success", AppliesTo: "User"}
	PlanDefenderO365P1   = ServicePlan{ID: "f20fedf3-f3c3-43c3-8267-2bfdd51c0939", Name: "ATP_ENTERPRISE", ProvisioningStatus: "Success", AppliesTo: "User"}
)

// SkusForLicences returns the subscriptions that give a tenant its licences.
func SkusForLicences(l Licences) []SubscribedSku {
	var out []SubscribedSku
	switch {
	case l.EntraIDP2:
		out = append(out, SubscribedSku{SkuID: "84a661c4-e949-4bd2-a560-ed7766fcaf2b", SkuPartNumber: "AAD_PREMIUM_P2", CapabilityStatus: "Enabled", Units: 25, Consumed: 10,
			Plans: []ServicePlan{PlanEntraIDP1, PlanEntraIDP2}})
	case l.EntraIDP1:
		out = append(out, SubscribedSku{SkuID: "078d2b04-f1bd-4111-bbd4-b4b1b354cef4", SkuPartNumber: "AAD_PREMIUM", CapabilityStatus: "Enabled", Units: 25, Consumed: 10,
			Plans: []ServicePlan{PlanEntraIDP1}})
	}
	if l.AdvancedAuditing {
		out = append(out, SubscribedSku{SkuID: "184efa21-98c3-4e5d-95ab-d07053a96e67", SkuPartNumber: "INFORMATION_PROTECTION_COMPLIANCE", CapabilityStatus: "Enabled", Units: 25, Consumed: 10,
			Plans: []ServicePlan{PlanAdvancedAuditing}})
	}
	if l.DefenderForOffice365 {
		out = append(out, SubscribedSku{SkuID: "4ef96642-f096-40de-a3e9-d83fb2f90211", SkuPartNumber: "ATP_ENTERPRISE", CapabilityStatus: "Enabled", Units: 25, Consumed: 10,
			Plans: []ServicePlan{PlanDefenderO365P1}})
	}
	return out
}

func putSubscribedSkus(t *Tenant, skus []SubscribedSku) {
	for _, o := range t.Store.ListLatest(kindSubscribedSku) {
		t.Store.Delete(kindSubscribedSku, fmt.Sprint(o["id"]), 0)
	}
	for _, s := range skus {
		id := t.ID + "_" + s.SkuID
		plans := make([]Object, 0, len(s.Plans))
		for _, p := range s.Plans {
			applies := p.AppliesTo
			if applies == "" {
				applies = "User"
			}
			plans = append(plans, Object{"servicePlanId": p.ID, "servicePlanName": p.Name, "provisioningStatus": p.ProvisioningStatus, "appliesTo": applies})
		}
		status := s.CapabilityStatus
		if status == "" {
			status = "Enabled"
		}
		t.Store.Put(kindSubscribedSku, id, Object{
			"id": id, "accountId": t.ID, "accountName": t.DisplayName, "appliesTo": "User",
			"capabilityStatus": status, "consumedUnits": s.Consumed, "skuId": s.SkuID, "skuPartNumber": s.SkuPartNumber,
			"subscriptionIds": []string{},
			"prepaidUnits":    Object{"enabled": s.Units, "lockedOut": 0, "suspended": 0, "warning": 0},
			"servicePlans":    plans,
		}, 0)
	}
}

// SetSubscribedSkus replaces a tenant's subscriptions (tests: a licence
// removed, a service plan disabled or still provisioning).
func (s *Server) SetSubscribedSkus(tenantID string, skus []SubscribedSku) error {
	t := s.Tenant(tenantID)
	if t == nil {
		return fmt.Errorf("no tenant %s", tenantID)
	}
	putSubscribedSkus(t, skus)
	s.changed()
	return nil
}

func init() {
	registerSeeder(func(t *Tenant) { putSubscribedSkus(t, SkusForLicences(t.Licences)) })
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/subscribedSkus",
		AnyOf: []string{"LicenseAssignment.Read.All", "Directory.Read.All", "Directory.ReadWrite.All", "Organization.Read.All", "Organization.ReadWrite.All"},
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			q := g.Request.URL.Query()
			for k := range q {
				if strings.EqualFold(k, "$filter") {
					return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "Request_UnsupportedQuery", Message: "Query filter expressions are not supported on subscribedSkus."}
				}
			}
			sel, ge := parseSelect(q.Get("$select"))
			if ge != nil {
				return 0, nil, ge
			}
			items := g.Tenant.Store.List(kindSubscribedSku)
			page := make([]Object, 0, len(items))
			for _, o := range items {
				page = append(page, selectGraph(o, sel))
			}
			return http.StatusOK, Object{"@odata.context": g.Server.url + "/v1.0/$metadata#subscribedSkus", "value": page}, nil
		},
	})
}
