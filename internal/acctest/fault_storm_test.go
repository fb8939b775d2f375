package acctest_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// stormKinds are the baseline's object kinds that have names: the resource
// type, how to list the tenant's objects and the name property.
var stormKinds = []struct {
	resType, endpoint, list string
}{
	{"m365harden_remote_domain", m365sim.EndpointExchange, "Get-RemoteDomain"},
	{"m365harden_transport_rule", m365sim.EndpointExchange, "Get-TransportRule"},
	{"m365harden_outbound_spam_filter_policy", m365sim.EndpointExchange, "Get-HostedOutboundSpamFilterPolicy"},
	{"m365harden_audit_log_retention_policy", m365sim.EndpointCompliance, "Get-UnifiedAuditLogRetentionPolicy"},
	{"m365harden_alert_policy", m365sim.EndpointCompliance, "Get-ProtectionAlert"},
	{"m365harden_conditional_access_policy", m365sim.EndpointGraph, "/identity/conditionalAccess/policies"},
	{"m365harden_named_location", m365sim.EndpointGraph, "/identity/conditionalAccess/namedLocations"},
	{"m365harden_safe_links_policy", m365sim.EndpointExchange, "Get-SafeLinksPolicy"},
	{"m365harden_safe_links_rule", m365sim.EndpointExchange, "Get-SafeLinksRule"},
	{"m365harden_safe_attachment_policy", m365sim.EndpointExchange, "Get-SafeAttachmentPolicy"},
	{"m365harden_safe_attachment_rule", m365sim.EndpointExchange, "Get-SafeAttachmentRule"},
	{"m365harden_malware_filter_policy", m365sim.EndpointExchange, "Get-MalwareFilterPolicy"},
}

// noDuplicateNoOrphan: for every named kind, the tenant's objects (less
// those there before) are exactly the state's, each once.
func noDuplicateNoOrphan(t *testing.T, tn *acctest.Tenant, before map[string]map[string]bool) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, k := range stormKinds {
			inState := []string{}
			for _, rs := range s.RootModule().Resources {
				if rs.Type == k.resType && rs.Primary != nil {
					n := rs.Primary.Attributes["name"]
					if k.endpoint == m365sim.EndpointGraph {
						n = rs.Primary.Attributes["display_name"]
					}
					if !before[k.list][strings.ToLower(n)] {
						inState = append(inState, strings.ToLower(n))
					}
				}
			}
			created := []string{}
			for _, n := range tn.Names(t, k.endpoint, k.list) {
				if !before[k.list][n] {
					created = append(created, n)
				}
			}
			sort.Strings(inState)
			sort.Strings(created)
			if strings.Join(inState, "|") != strings.Join(created, "|") {
				return fmt.Errorf("%s: the tenant holds %q, state %q (a duplicate or an orphan)", k.resType, created, inState)
			}
		}
		return nil
	}
}

// The shipped baseline under a fault storm: 30 % of requests throttled
// (429 with Retry-After), bursts of 503s, 10 % of requests applied and then
// answered 504, and 10 s replication lag on every service. The first apply
// must succeed (retries, adoption of lost creates, waits for replication),
// leave no duplicate and no orphan, and the plan after it must be empty
// (terraform-plugin-testing plans again after every step and fails on any
// change: state equals the tenant).
func TestAccBaseline_faultStorm(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: 5, AuditDisabledEvery: 2}); err != nil {
		t.Fatal(err)
	}
	faultStorm(t, tn, "baseline/main.tf", nil)
}

// The CIS and ScubaGear baselines (Safe Links and Safe Attachments
// policies and rules, named locations, DKIM, preset policies,
// authentication methods and authorization policies besides the default
// baseline's kinds) under the same storm, each applied to a tenant that
// fails its controls, with conditional access enforced.
func TestAccBaselines_faultStormCIS(t *testing.T)   { faultStormBaseline(t, cisBaseline) }
func TestAccBaselines_faultStormScuba(t *testing.T) { faultStormBaseline(t, scubaBaseline) }

func faultStormBaseline(t *testing.T, bc baselineCase) {
	tn := acctest.NewTenant(t)
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Count: 5, Domain: "contoso.com"}); err != nil {
		t.Fatal(err)
	}
	bc.weaken(t, tn)
	faultStorm(t, tn, bc.path, config.Variables{"enforce_conditional_access": config.BoolVariable(true)})
}

// faultStorm applies an example under the storm twice and checks and
// reports each apply.
func faultStorm(t *testing.T, tn *acctest.Tenant, example string, vars config.Variables) {
	before := map[string]map[string]bool{}
	for _, k := range stormKinds {
		before[k.list] = map[string]bool{}
		for _, n := range tn.Names(t, k.endpoint, k.list) {
			before[k.list][n] = true
		}
	}
	tn.Sim.SeedFaults(10)
	for _, ep := range []string{m365sim.EndpointExchange, m365sim.EndpointCompliance, m365sim.EndpointGraph} {
		tn.Sim.InjectFault(m365sim.Fault{Endpoint: ep, Status: 429, Retry: 1, Probability: 0.3})
		tn.Sim.InjectFault(m365sim.Fault{Endpoint: ep, Status: 503, Retry: 2, Times: 3})
		tn.Sim.InjectFault(m365sim.Fault{Endpoint: ep, Status: 504, AfterApply: true, Probability: 0.1})
		tn.Sim.SetReplicationLag(ep, 10*time.Second)
	}
	tn.Sim.Stats().Reset()
	start := time.Now()
	stepStart := start
	// report logs the requests of the apply just done, per endpoint, per
	// operation (cmdlet or Graph method and path) and per status, and its
	// wall time; then starts counting the next apply afresh.
	report := func(label string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			snap := tn.Sim.Stats().Snapshot()
			keys := make([]string, 0, len(snap))
			for k := range snap {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var b strings.Builder
			for _, k := range keys {
				fmt.Fprintf(&b, "  %s: %d\n", k, snap[k])
			}
			t.Logf("fault storm: %s done in %s (test time %s); requests per endpoint, operation and status:\n%s",
				label, time.Since(stepStart).Round(time.Second), time.Since(start).Round(time.Second), b.String())
			tn.Sim.Stats().Reset()
			stepStart = time.Now()
			return nil
		}
	}
	cfg := strings.Replace(tn.Example(t, example), "max_retry_wait_seconds = 30", "max_retry_wait_seconds = 300\n  max_retries = 10", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:          cfg,
				ConfigVariables: vars,
				Check: resource.ComposeTestCheckFunc(noDuplicateNoOrphan(t, tn, before), func(*terraform.State) error {
					if tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 429) == 0 || tn.Sim.Stats().AfterApply(m365sim.EndpointExchange) == 0 {
						return fmt.Errorf("the storm did not hit Exchange")
					}
					return nil
				}, report("first apply")),
			},
			{
				Config:          cfg,
				ConfigVariables: vars,
				Check:           resource.ComposeTestCheckFunc(noDuplicateNoOrphan(t, tn, before), report("second apply")),
			},
		},
	})
	t.Logf("fault storm: wall time %s", time.Since(start).Round(time.Second))
}
