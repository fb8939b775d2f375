package mailflow

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// BenchmarkForwardingReport runs the forwarding report on the issue's
// tenant: 10,000 mailboxes, 2% forwarding externally, 1% with an inbox rule
// redirecting to an external address. m365sim has no built-in latency, so
// each case adds a per-request latency fault on the Exchange endpoint
// (0 = the emulator as is). Reported per run: InvokeCommand calls, wall
// time (ns/op), and the peak Go heap above the seeded emulator's
// (client-side working set; the emulator runs in the same process).
//
// Quick sizes: M365HARDEN_BENCH_MAILBOXES=1000 go test -bench ForwardingReport ...
func BenchmarkForwardingReport(b *testing.B) {
	mailboxes := 10000
	if v := os.Getenv("M365HARDEN_BENCH_MAILBOXES"); v != "" {
		_, _ = fmt.Sscan(v, &mailboxes)
	}
	for _, c := range []struct {
		latency     time.Duration
		concurrency int
	}{{0, 4}, {20 * time.Millisecond, 4}, {20 * time.Millisecond, 16}} {
		b.Run(fmt.Sprintf("mailboxes=%d/latency=%s/concurrency=%d", mailboxes, c.latency, c.concurrency), func(b *testing.B) {
			benchReport(b, mailboxes, c.latency, c.concurrency)
		})
	}
}

func benchReport(b *testing.B, mailboxes int, latency time.Duration, concurrency int) {
	sim, err := m365sim.Start(m365sim.Options{StateDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	objs, err := m365sim.SeedMailboxes(sim, m365sim.DemoTenantID, m365sim.MailboxSeed{
		Count: mailboxes, Domain: "contoso.com", ForwardingEvery: 50, ForwardingTo: "archive@fabrikam.example",
	})
	if err != nil {
		b.Fatal(err)
	}
	withRules := 0
	for i, o := range objs {
		if i%100 == 7 {
			if err := sim.AddInboxRule(m365sim.DemoTenantID, fmt.Sprint(o["Guid"]), m365sim.InboxRuleSpec{Name: "copy", RedirectTo: []string{fmt.Sprintf("user%d@mail.example", i)}}); err != nil {
				b.Fatal(err)
			}
			withRules++
		}
	}
	e := sim.Endpoints()
	set, err := clients.New(clients.Config{
		Auth:     auth.Config{TenantID: m365sim.DemoTenantID, ClientID: m365sim.DemoAdminAppID, ClientSecret: m365sim.DemoAdminSecret},
		LoginURL: e[m365sim.EndpointLogin], GraphURL: e[m365sim.EndpointGraph], ExchangeURL: e[m365sim.EndpointExchange], ComplianceURL: e[m365sim.EndpointCompliance],
		CAFile: sim.CAFile(), ComplianceRegionalHosts: []string{sim.RegionalHost()}, MaxRetries: 5, MaxRetryWait: time.Minute,
	})
	if err != nil {
		b.Fatal(err)
	}
	if latency > 0 {
		sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Latency: latency})
	}
	want := mailboxes/50 + withRules + 2 // forwards, rules, Default remote domain and policy
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		sim.Stats().Reset()
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			for {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		b.StartTimer()
		res, err := runForwardingReport(context.Background(), set.Exchange, reportOptions{Allow: newAllowList(nil), AllowPolicies: map[string]bool{}, ScanInboxRules: true, Concurrency: concurrency})
		b.StopTimer()
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) != want || res.Mailboxes != mailboxes {
			b.Fatalf("%d findings over %d mailboxes, want %d over %d", len(res.Findings), res.Mailboxes, want, mailboxes)
		}
		calls := sim.Stats().Requests(m365sim.EndpointExchange, "")
		b.ReportMetric(float64(calls), "invokecommand-calls/op")
		b.ReportMetric(float64(sim.Stats().Requests(m365sim.EndpointExchange, "Get-InboxRule")), "get-inboxrule-calls/op")
		b.ReportMetric(float64(peak.Load()-min(base, peak.Load()))/(1<<20), "peak-heap-MiB/op")
		b.ReportMetric(float64(len(res.Findings)), "findings/op")
		b.StartTimer()
	}
}
