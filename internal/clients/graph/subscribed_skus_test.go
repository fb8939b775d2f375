package graph_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// TestSubscribedSkus: the seeded subscriptions read back with their service
// plans; only provisioned plans of live subscriptions count as active.
func TestSubscribedSkus(t *testing.T) {
	c, s := newClient(t, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
	ctx := context.Background()
	skus, err := c.ListSubscribedSkus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	active := graph.ActivePlans(skus)
	for _, p := range []string{"aad_premium", "aad_premium_p2", "m365_advanced_auditing", "eec0eb4f-6444-4f95-aba0-50c24d67f998"} {
		if !active[p] {
			t.Errorf("plan %s not active in %+v", p, skus)
		}
	}
	p2 := m365sim.PlanEntraIDP2
	p2.ProvisioningStatus = "PendingProvisioning"
	audit := m365sim.PlanAdvancedAuditing
	if err := s.SetSubscribedSkus(m365sim.DemoTenantID, []m365sim.SubscribedSku{
		{SkuID: "84a661c4-e949-4bd2-a560-ed7766fcaf2b", SkuPartNumber: "AAD_PREMIUM_P2", Units: 5, Plans: []m365sim.ServicePlan{m365sim.PlanEntraIDP1, p2}},
		{SkuID: "184efa21-98c3-4e5d-95ab-d07053a96e67", SkuPartNumber: "INFORMATION_PROTECTION_COMPLIANCE", CapabilityStatus: "Suspended", Units: 5, Plans: []m365sim.ServicePlan{audit}},
	}); err != nil {
		t.Fatal(err)
	}
	skus, err = c.ListSubscribedSkus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	active = graph.ActivePlans(skus)
	if !active["aad_premium"] || active["aad_premium_p2"] || active["m365_advanced_auditing"] {
		t.Errorf("active plans %v: want only AAD_PREMIUM (P2 still provisioning, the audit subscription suspended)", active)
	}
	if len(skus) != 2 || skus[0].SkuPartNumber == "" || len(skus[0].ServicePlans) == 0 {
		t.Errorf("skus %+v", skus)
	}
}

// TestSubscribedSkusForbidden: without LicenseAssignment.Read.All,
// Organization.Read.All or Directory.Read.All the answer is a forbidden
// error naming the permissions, not an empty list.
func TestSubscribedSkusForbidden(t *testing.T) {
	c, _ := newClient(t, noGraphAppID, "s3cret-no-graph")
	_, err := c.ListSubscribedSkus(context.Background())
	if !errors.Is(err, graph.ErrForbidden) || errors.Is(err, graph.ErrLicence) || !strings.Contains(err.Error(), "LicenseAssignment.Read.All") {
		t.Fatalf("err = %v, want forbidden naming LicenseAssignment.Read.All", err)
	}
}
