// Package acctest is the acceptance-test harness: it starts m365sim in
// process, gives the tests provider factories and provider configurations
// pointed at it, and helpers to change the tenant out of band and inject
// faults. Tests run the real terraform CLI (terraform-plugin-testing).
package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest/wireaudit"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
	"github.com/m365harden/terraform-provider-m365harden/internal/provider"
)

// ProviderFactories runs the provider in-process for the terraform CLI.
var ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"m365harden": providerserver.NewProtocol6WithError(provider.New("acctest")()),
}

var terraformOnce sync.Once
var terraformErr error

// PreCheck makes sure the terraform CLI is there. terraform-plugin-testing
// would otherwise try to download one, which cannot work offline: point it
// at the terraform on PATH, or fail saying how to get one.
func PreCheck(t testing.TB) {
	t.Helper()
	terraformOnce.Do(func() {
		_ = os.Setenv("CHECKPOINT_DISABLE", "1") //nolint:usetesting // process-wide for every test of the binary, set once under sync.Once; t.Setenv would undo it when the first test ends
		if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
			if _, err := os.Stat(p); err != nil {
				terraformErr = fmt.Errorf("TF_ACC_TERRAFORM_PATH=%s: %w", p, err)
			}
			return
		}
		p, err := exec.LookPath("terraform")
		if err != nil {
			terraformErr = fmt.Errorf("the acceptance tests need the terraform CLI: put it on PATH or set TF_ACC_TERRAFORM_PATH (without network access: go install github.com/hashicorp/terraform@v1.5.7)")
			return
		}
		_ = os.Setenv("TF_ACC_TERRAFORM_PATH", p) //nolint:usetesting // process-wide for every test of the binary, set once under sync.Once; t.Setenv would undo it when the first test ends
	})
	if terraformErr != nil {
		t.Fatal(terraformErr)
	}
}

// Tenant is one test's emulated tenant.
type Tenant struct {
	Sim *m365sim.Server
	ID  string
}

// NewTenant starts a fresh m365sim for the test (closed at cleanup); the
// calls the provider sends it are audited when the test ends (wireaudit.Audit).
func NewTenant(t *testing.T) *Tenant {
	t.Helper()
	PreCheck(t)
	s, err := m365sim.Start(m365sim.Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatalf("starting m365sim: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	wireaudit.Audit(t, s)
	return &Tenant{Sim: s, ID: m365sim.DemoTenantID}
}

// Endpoints returns the provider's endpoints block for the emulator.
func (tn *Tenant) Endpoints() string {
	e := tn.Sim.Endpoints()
	return fmt.Sprintf(`  ca_file   = %q
  endpoints {
    login      = %q
    graph      = %q
    exchange   = %q
    compliance = %q
    compliance_regional_hosts = [%q]
  }
`, tn.Sim.CAFile(), e[m365sim.EndpointLogin], e[m365sim.EndpointGraph], e[m365sim.EndpointExchange], e[m365sim.EndpointCompliance], tn.Sim.RegionalHost())
}

// ProviderConfig is a provider block signing in as the tenant's
// administrator app with its client secret.
func (tn *Tenant) ProviderConfig() string {
	return tn.ProviderConfigAs(m365sim.DemoAdminAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoAdminSecret))
}

// ProviderConfigAs is a provider block for another app and authentication
// attributes (HCL lines).
func (tn *Tenant) ProviderConfigAs(clientID, authHCL string, extra ...string) string {
	return fmt.Sprintf(`provider "m365harden" {
  tenant_id = %q
  client_id = %q
  %s
  max_retry_wait_seconds = 30
%s%s}
`, tn.ID, clientID, authHCL, tn.Endpoints(), strings.Join(extra, "\n"))
}

// Invoke runs a cmdlet out of band, as another administrator would.
func (tn *Tenant) Invoke(t *testing.T, endpoint, cmdlet string, params map[string]any) []m365sim.Object {
	t.Helper()
	out, err := tn.Sim.Invoke(tn.ID, endpoint, cmdlet, params)
	if err != nil {
		t.Fatalf("out-of-band %s: %v", cmdlet, err)
	}
	return out
}

// Exchange runs an Exchange Online cmdlet out of band.
func (tn *Tenant) Exchange(t *testing.T, cmdlet string, params map[string]any) []m365sim.Object {
	t.Helper()
	return tn.Invoke(t, m365sim.EndpointExchange, cmdlet, params)
}

// Compliance runs a Security & Compliance cmdlet out of band.
func (tn *Tenant) Compliance(t *testing.T, cmdlet string, params map[string]any) []m365sim.Object {
	t.Helper()
	return tn.Invoke(t, m365sim.EndpointCompliance, cmdlet, params)
}

// One returns the single object a Get cmdlet returns, failing otherwise.
func (tn *Tenant) One(t *testing.T, endpoint, cmdlet string, params map[string]any) m365sim.Object {
	t.Helper()
	out := tn.Invoke(t, endpoint, cmdlet, params)
	if len(out) != 1 {
		t.Fatalf("%s returned %d objects, want 1", cmdlet, len(out))
	}
	return out[0]
}

// Example returns a file under examples/ (path relative to that folder) as a
// test configuration for the tenant: the file's own terraform block and empty
// provider block, when it has them, give way to the emulator's provider
// configuration, so documented examples are tested exactly as written.
func (tn *Tenant) Example(t *testing.T, path string) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "examples", path))
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	const providerLine = `provider "m365harden" {}`
	if end := strings.Index(src, providerLine); end >= 0 {
		start := strings.Index(src, "terraform {")
		if start < 0 || start > end {
			start = end
		}
		src = src[:start] + src[end+len(providerLine):]
	}
	return tn.ProviderConfig() + src
}

// repoRoot finds the module root (the folder with go.mod) above the test's
// working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the test's working directory")
		}
		dir = parent
	}
}

// NewTenants starts one m365sim hosting n tenants (Contoso's fixture with
// its own tenant ID and domains for each), as a managed-service provider
// reaches several customers' tenants through the same Microsoft endpoints.
func NewTenants(t testing.TB, n int) []*Tenant {
	t.Helper()
	PreCheck(t)
	base := m365sim.DefaultFixture().Tenants[0]
	fx := &m365sim.Fixture{}
	for i := 1; i <= n; i++ {
		spec := base
		spec.Apps = append([]m365sim.AppSpec(nil), base.Apps...)
		spec.ID = fmt.Sprintf("7e5a0000-0000-4000-8000-%012d", i)
		spec.DisplayName = fmt.Sprintf("Customer %d", i)
		spec.InitialDomain = fmt.Sprintf("customer%d.onmicrosoft.com", i)
		spec.Domains = []string{fmt.Sprintf("customer%d.example", i)}
		fx.Tenants = append(fx.Tenants, spec)
	}
	s, err := m365sim.Start(m365sim.Options{StateDir: t.TempDir(), Fixture: fx})
	if err != nil {
		t.Fatalf("starting m365sim: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	wireaudit.Audit(t, s)
	out := make([]*Tenant, 0, n)
	for _, spec := range fx.Tenants {
		out = append(out, &Tenant{Sim: s, ID: spec.ID})
	}
	return out
}
