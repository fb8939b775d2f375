package acctest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// manyTenantsConfig is one configuration for every tenant: a provider
// configuration with an alias per tenant and the tenant-baseline module
// called with it.
func manyTenantsConfig(t testing.TB, tenants []*acctest.Tenant) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(wd, "..", "..", "examples", "modules", "tenant-baseline", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	// terraform-plugin-testing serves the in-process provider as
	// registry.terraform.io/hashicorp/m365harden (the root module's implicit
	// source), so the module is used as a copy requiring that address.
	const published = `source = "m365harden/m365harden"`
	if !strings.Contains(string(src), published) {
		t.Fatalf("the module no longer declares %s", published)
	}
	module := t.TempDir()
	if err := os.WriteFile(filepath.Join(module, "main.tf"), []byte(strings.Replace(string(src), published, `source = "hashicorp/m365harden"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, tn := range tenants {
		alias := fmt.Sprintf("customer%d", i+1)
		b.WriteString(tn.ProviderConfigAs(m365sim.DemoAdminAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoAdminSecret), fmt.Sprintf("  alias = %q\n", alias)))
		fmt.Fprintf(&b, `
module %q {
  source           = %q
  providers        = { m365harden = m365harden.%s }
  security_contact = "soc@customer%d.example"
}
`, alias, module, alias, i+1)
	}
	return b.String()
}

// baselineApplied checks every tenant got the module's settings, each in
// its own tenant.
func baselineApplied(t testing.TB, tenants []*acctest.Tenant) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for i, tn := range tenants {
			d, err := tn.Sim.Invoke(tn.ID, m365sim.EndpointExchange, "Get-RemoteDomain", map[string]any{"Identity": "Default"})
			if err != nil || len(d) != 1 || d[0]["AutoForwardEnabled"] != false {
				return fmt.Errorf("tenant %d: Default remote domain %v (%v), want AutoForwardEnabled false", i+1, d, err)
			}
			p, err := tn.Sim.Invoke(tn.ID, m365sim.EndpointExchange, "Get-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default"})
			want := fmt.Sprintf("soc@customer%d.example", i+1)
			if err != nil || len(p) != 1 || !strings.Contains(strings.ToLower(fmt.Sprint(p[0]["NotifyOutboundSpamRecipients"])), want) {
				return fmt.Errorf("tenant %d: Default outbound spam policy notifies %v (%v), want %s", i+1, p, err, want)
			}
		}
		return nil
	}
}

// The tenant-baseline module applied to 10 tenants in one run: provider
// aliases and module providers keep each tenant's resources in its own
// tenant, and the second plan is empty for all of them.
func TestAccTenantBaselineModule_tenTenants(t *testing.T) {
	tenants := acctest.NewTenants(t, 10)
	cfg := manyTenantsConfig(t, tenants)
	// Provider factories on the steps, not the case: terraform-plugin-testing
	// then runs `terraform init` with the step's configuration, which
	// installs the module.
	resource.ParallelTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{ProtoV6ProviderFactories: acctest.ProviderFactories, Config: cfg, Check: baselineApplied(t, tenants)},
			{ProtoV6ProviderFactories: acctest.ProviderFactories, Config: cfg, PlanOnly: true},
		},
	})
}

// benchT lets a benchmark drive terraform-plugin-testing (which wants a
// *testing.T-like value with Parallel).
type benchT struct{ *testing.B }

func (benchT) Parallel() {}

// BenchmarkTenantBaseline applies the tenant-baseline module to 1, 5 and
// 10 tenants in one configuration and reports the requests each tenant
// costs and the wall time of apply + plan + destroy; both should grow
// linearly (requests/tenant constant). It runs the terraform CLI against
// m365sim, so it needs terraform on PATH but no tenant.
func BenchmarkTenantBaseline(b *testing.B) {
	b.Setenv("TF_ACC", "1")
	for _, n := range []int{1, 5, 10} {
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			var requests int
			var wall time.Duration
			for i := 0; i < b.N; i++ {
				tenants := acctest.NewTenants(b, n)
				cfg := manyTenantsConfig(b, tenants)
				start := time.Now()
				resource.Test(benchT{b}, resource.TestCase{
					Steps: []resource.TestStep{{ProtoV6ProviderFactories: acctest.ProviderFactories, Config: cfg, Check: baselineApplied(b, tenants)}},
				})
				wall += time.Since(start)
				st := tenants[0].Sim.Stats()
				for _, e := range []string{m365sim.EndpointLogin, m365sim.EndpointGraph, m365sim.EndpointExchange, m365sim.EndpointCompliance} {
					requests += st.Requests(e, "")
				}
			}
			b.ReportMetric(float64(requests)/float64(b.N*n), "requests/tenant")
			b.ReportMetric(wall.Seconds()/float64(b.N), "s/run")
			b.ReportMetric(wall.Seconds()/float64(b.N*n), "s/tenant")
		})
	}
}
