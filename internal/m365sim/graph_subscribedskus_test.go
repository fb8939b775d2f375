package m365sim

import (
	"strings"
	"testing"
)

// TestSubscribedSkusSeededAndNoFilter: a tenant's subscriptions follow its
// licences; $filter is refused as the resource page says.
func TestSubscribedSkusSeededAndNoFilter(t *testing.T) {
	fx := DefaultFixture()
	fx.Tenants[0].Licences = Licences{EntraIDP1: true}
	s, err := Start(Options{StateDir: t.TempDir(), Fixture: fx})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	code, out, err := s.GraphRequest(DemoTenantID, "GET", "/subscribedSkus", nil)
	if err != nil || code != 200 {
		t.Fatalf("%d %s %v", code, out, err)
	}
	if !strings.Contains(string(out), `"skuPartNumber":"AAD_PREMIUM"`) || strings.Contains(string(out), "AAD_PREMIUM_P2") || strings.Contains(string(out), "M365_ADVANCED_AUDITING") {
		t.Errorf("P1-only tenant: %s", out)
	}
	code, out, _ = s.GraphRequest(DemoTenantID, "GET", "/subscribedSkus?$filter=skuPartNumber%20eq%20'AAD_PREMIUM'", nil)
	if code != 400 {
		t.Errorf("$filter: %d %s, want 400", code, out)
	}
}
