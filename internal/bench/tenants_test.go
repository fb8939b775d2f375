package bench

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// The tenant-baseline module applied to several tenants in one
// configuration (examples/many-tenants). terraform-plugin-testing copies
// only the test's configuration into its working directory and does not
// install a module it calls ("Module not installed"), so these drive the
// terraform CLI themselves: the provider built once (build, as released)
// in a -plugin-dir, the module referenced by its absolute path (terraform
// init copies it into .terraform/modules). The provider is not served in
// process (TF_REATTACH_PROVIDERS): Terraform then reaches one provider
// instance for every alias, each alias's configuration replaces the
// previous one, and the tenants' writes cross (measured: "does not read
// back as planned" on 10 tenants). A binary gives each alias its own
// process, as in production.

// tenantsConfig is one configuration for the tenants: a provider
// configuration with an alias per tenant and the module called once per
// tenant with that provider.
func tenantsConfig(tb testing.TB, tenants []*acctest.Tenant) string {
	tb.Helper()
	module, err := filepath.Abs("../../examples/modules/tenant-baseline")
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(requiredProviders)
	for i, tn := range tenants {
		alias := fmt.Sprintf("t%d", i+1)
		b.WriteString(strings.Replace(tn.ProviderConfig(), "provider \"m365harden\" {\n", "provider \"m365harden\" {\n  alias = \""+alias+"\"\n", 1))
		fmt.Fprintf(&b, `
module %q {
  source           = %q
  providers        = { m365harden = m365harden.%s }
  security_contact = %q
}

`, alias, module, alias, securityContact(i))
	}
	return b.String()
}

// requiredProviders is the terraform block of the configurations these
// tests write (the provider from the -plugin-dir).
const requiredProviders = "terraform {\n  required_providers {\n    m365harden = {\n      source = \"m365harden/m365harden\"\n    }\n  }\n}\n\n"

// securityContact is tenant i's (0-based) internal mailbox; NewTenants
// gives tenant i+1 the domain customer<i+1>.example.
func securityContact(i int) string { return fmt.Sprintf("soc@customer%d.example", i+1) }

// workdir is a terraform working directory initialised for a configuration.
type workdir struct {
	dir string
	env []string
}

func newWorkdir(tb testing.TB, config string) *workdir {
	tb.Helper()
	p := build(tb, "m365harden", ".", "m365harden/m365harden")
	w := &workdir{dir: tb.TempDir()}
	rc := filepath.Join(w.dir, "terraformrc")
	if err := os.WriteFile(rc, nil, 0o600); err != nil {
		tb.Fatal(err)
	}
	w.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0")
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(config), 0o600); err != nil {
		tb.Fatal(err)
	}
	if code, out := w.run("init", "-input=false", "-plugin-dir="+p.plugins); code != 0 {
		tb.Fatalf("terraform init: exit %d\n%s", code, out)
	}
	return w
}

// run runs one terraform command and returns its exit code and output.
func (w *workdir) run(args ...string) (int, string) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		tf = "terraform"
	}
	cmd := exec.Command(tf, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	default:
		return -1, err.Error() + "\n" + string(out)
	}
}

func (w *workdir) must(tb testing.TB, args ...string) {
	tb.Helper()
	if code, out := w.run(args...); code != 0 {
		tb.Fatalf("terraform %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
}

// planEmpty runs terraform plan -detailed-exitcode and fails unless it
// proposes no change (exit 0; 2 is a diff, 1 an error).
func (w *workdir) planEmpty(tb testing.TB) {
	tb.Helper()
	if code, out := w.run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
		tb.Fatalf("plan after apply is not empty: terraform plan -detailed-exitcode exit %d\n%s", code, out)
	}
}

// totalRequests is every request the emulator answered, on all endpoints.
func totalRequests(s *m365sim.Server) int {
	n := 0
	for _, ep := range []string{m365sim.EndpointLogin, m365sim.EndpointGraph, m365sim.EndpointExchange, m365sim.EndpointCompliance} {
		n += s.Stats().Requests(ep, "")
	}
	return n
}

// baseline reads back what the module sets in tenant i.
type baseline struct {
	remoteAutoForward   any
	outboundMode        any
	outboundRecipients  []string
	unifiedAuditLogging any
}

func readBaseline(t *testing.T, tn *acctest.Tenant) baseline {
	t.Helper()
	rd := tn.One(t, m365sim.EndpointExchange, "Get-RemoteDomain", map[string]any{"Identity": "Default"})
	sp := tn.One(t, m365sim.EndpointExchange, "Get-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default"})
	al := tn.One(t, m365sim.EndpointExchange, "Get-AdminAuditLogConfig", nil)
	return baseline{
		remoteAutoForward:   rd["AutoForwardEnabled"],
		outboundMode:        sp["AutoForwardingMode"],
		outboundRecipients:  strings.Fields(strings.Trim(fmt.Sprint(sp["NotifyOutboundSpamRecipients"]), "[]")),
		unifiedAuditLogging: al["UnifiedAuditLogIngestionEnabled"],
	}
}

func TestAccTenantBaselineModule_tenTenants(t *testing.T) {
	const n = 10
	tenants := acctest.NewTenants(t, n)
	for i, tn := range tenants {
		// The fixture's defaults are Microsoft's, not the baseline's: the
		// checks after apply can fail.
		if got := readBaseline(t, tn); got.remoteAutoForward != true || got.outboundMode != "Automatic" || slices.Contains(got.outboundRecipients, securityContact(i)) {
			t.Fatalf("tenant %d before apply: %+v, want Microsoft's defaults", i+1, got)
		}
	}
	start := time.Now()
	w := newWorkdir(t, tenantsConfig(t, tenants))
	t.Logf("provider build (once per test binary) and terraform init: %.1fs", time.Since(start).Seconds())
	start = time.Now()
	w.must(t, "apply", "-input=false", "-auto-approve")
	t.Logf("apply to %d tenants: %.1fs, %d requests", n, time.Since(start).Seconds(), totalRequests(tenants[0].Sim))

	for i, tn := range tenants {
		got := readBaseline(t, tn)
		if got.remoteAutoForward != false {
			t.Errorf("tenant %d: Default remote domain AutoForwardEnabled = %v, want false", i+1, got.remoteAutoForward)
		}
		if got.outboundMode != "Off" {
			t.Errorf("tenant %d: Default outbound spam policy AutoForwardingMode = %v, want Off", i+1, got.outboundMode)
		}
		// Each tenant has its own security contact and no other tenant's:
		// every provider alias reached its own tenant.
		if !slices.Equal(got.outboundRecipients, []string{securityContact(i)}) {
			t.Errorf("tenant %d: NotifyOutboundSpamRecipients = %v, want [%s]", i+1, got.outboundRecipients, securityContact(i))
		}
		if got.unifiedAuditLogging != true {
			t.Errorf("tenant %d: UnifiedAuditLogIngestionEnabled = %v, want true", i+1, got.unifiedAuditLogging)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	start = time.Now()
	w.planEmpty(t)
	t.Logf("plan of %d tenants: %.1fs", n, time.Since(start).Seconds())

	w.must(t, "destroy", "-input=false", "-auto-approve")
	if code, out := w.run("state", "list"); code != 0 || strings.TrimSpace(out) != "" {
		t.Fatalf("state after destroy (exit %d):\n%s", code, out)
	}
}

// BenchmarkTenantBaseline applies the tenant-baseline module to 1, 5 and
// 10 tenants in one configuration and plans again (the nightly drift run),
// reporting the emulator requests per tenant for apply + plan
// (requests-per-tenant), for the plan alone (plan-requests-per-tenant) and
// the wall time of apply + plan (wall-s). terraform init and destroy are
// outside the measure.
func BenchmarkTenantBaseline(b *testing.B) {
	for _, n := range []int{1, 5, 10} {
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			var requests, planRequests int
			var wall time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				tenants := acctest.NewTenants(b, n)
				sim := tenants[0].Sim
				w := newWorkdir(b, tenantsConfig(b, tenants))
				sim.Stats().Reset()
				b.StartTimer()

				start := time.Now()
				w.must(b, "apply", "-input=false", "-auto-approve")
				applied := totalRequests(sim)
				w.planEmpty(b)
				wall += time.Since(start)
				requests += totalRequests(sim)
				planRequests += totalRequests(sim) - applied

				b.StopTimer()
				w.must(b, "destroy", "-input=false", "-auto-approve")
				b.StartTimer()
			}
			b.ReportMetric(float64(requests)/float64(b.N*n), "requests-per-tenant")
			b.ReportMetric(float64(planRequests)/float64(b.N*n), "plan-requests-per-tenant")
			b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
		})
	}
}
