package mailflow

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// BenchmarkForwardingReport runs the forwarding report on the issue's
// tenant (N mailboxes, 2% forwarding externally, 1% with an inbox rule
// redirecting to an external address) on both inbox-rule paths, with
// m365sim's realistic latency model and Outlook throttling on:
//
//	path=graph/mailboxes=N     messageRules in JSON batches of 20
//	path=exchange/mailboxes=N  one Get-InboxRule per mailbox
//
// Reported per run: requests (HTTP requests the report sent: InvokeCommand
// calls plus Graph requests, a batch counting once), findings, wall-s,
// 429s, the split per endpoint, and peak-live-heap-MiB (the peak of the
// live Go heap, as GC cycles measure it, above the seeded emulator's: what
// the run retains; the emulator runs in the same process, so this and B/op
// include its side of every request, and B/op, all allocations, grows
// with N by construction).
//
// Latency: m365sim.RealisticLatency scaled by
// M365HARDEN_BENCH_LATENCY_SCALE (default 0.05, so the 10,000-mailbox
// Exchange run takes about a minute, not the 15 it takes at full latency;
// the ratio between the paths does not depend on the scale as long as the
// emulator's own CPU time stays small beside the latency, which a larger
// scale ensures on a busy machine).
// M365HARDEN_BENCH_MAILBOXES=1000,10000 picks the sizes (default
// 1000,10000,50000; the Exchange path skips sizes above 10,000).
//
// Targets checked: the Graph path sends at most 3 + ceil(N/1000) +
// ceil(N/20) requests; from 10,000 mailboxes it is at least 8 times faster
// than the Exchange path for the same N in the same run.
func BenchmarkForwardingReport(b *testing.B) {
	sizes := []int{1000, 10000, 50000}
	if v := os.Getenv("M365HARDEN_BENCH_MAILBOXES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				b.Fatalf("M365HARDEN_BENCH_MAILBOXES=%s", v)
			}
			sizes = append(sizes, n)
		}
	}
	scale := 0.05
	if v := os.Getenv("M365HARDEN_BENCH_LATENCY_SCALE"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			b.Fatalf("M365HARDEN_BENCH_LATENCY_SCALE=%s", v)
		}
		scale = f
	}
	tenants := map[int]*benchTenant{}
	defer func() {
		for _, t := range tenants {
			t.close()
		}
	}()
	wall := map[string]float64{}
	for _, path := range []string{rulesSourceGraph, rulesSourceExchange} {
		b.Run("path="+path, func(b *testing.B) {
			for _, n := range sizes {
				if path == rulesSourceExchange && n > 10000 {
					continue
				}
				b.Run(fmt.Sprintf("mailboxes=%d", n), func(b *testing.B) {
					bt := tenants[n]
					if bt == nil {
						bt = newBenchTenant(b, n)
						tenants[n] = bt
					}
					wall[fmt.Sprintf("%s/%d", path, n)] = bt.run(b, path, scale)
				})
			}
		})
	}
	for _, n := range sizes {
		g, okG := wall[fmt.Sprintf("graph/%d", n)]
		e, okE := wall[fmt.Sprintf("exchange/%d", n)]
		if okG && okE && g > 0 {
			b.Logf("mailboxes=%d: Graph path %.2fs, Exchange path %.2fs: %.1fx faster", n, g, e, e/g)
			// The target is for 10,000 mailboxes; at 1,000 the fixed
			// calls (domains, policies, the mailbox page) weigh more.
			if n >= 10000 && e/g < 8 {
				b.Errorf("mailboxes=%d: the Graph path is %.1fx faster than the Exchange path, want at least 8x", n, e/g)
			}
		}
	}
}

type benchTenant struct {
	sim       *m365sim.Server
	set       *clients.Set
	mailboxes int
	want      int
}

func newBenchTenant(b *testing.B, mailboxes int) *benchTenant {
	b.Helper()
	dir, err := os.MkdirTemp("", "m365sim-bench-")
	if err != nil {
		b.Fatal(err)
	}
	sim, err := m365sim.Start(m365sim.Options{StateDir: dir})
	if err != nil {
		b.Fatal(err)
	}
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
	if err := sim.GrantAppPermission(m365sim.DemoTenantID, m365sim.DemoAdminAppID, "MailboxSettings.Read"); err != nil {
		b.Fatal(err)
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
	// Forwards, rules, and the Default remote domain and outbound policy.
	return &benchTenant{sim: sim, set: set, mailboxes: mailboxes, want: mailboxes/50 + withRules + 2}
}

func (bt *benchTenant) close() { _ = bt.sim.Close() }

// run runs the report b.N times on one path and returns the last wall time
// in seconds.
func (bt *benchTenant) run(b *testing.B, path string, scale float64) float64 {
	lat := m365sim.RealisticLatency()
	lat.Scale, lat.Seed = scale, 1
	bt.sim.SetLatency(lat)
	defer bt.sim.SetLatency(m365sim.Latency{})
	// Outlook's documented limits (the emulator's defaults), set again so a
	// previous run's window does not carry over.
	bt.sim.SetOutlookThrottle(m365sim.DefaultOutlookRequests, m365sim.DefaultOutlookWindow, m365sim.DefaultOutlookConcurrency)
	g := bt.set.Graph
	if path == rulesSourceExchange {
		g = nil
	}
	var wall float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		runtime.GC()
		base := liveHeap()
		bt.sim.Stats().Reset()
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			for {
				if v := liveHeap(); v > peak.Load() {
					peak.Store(v)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		start := time.Now()
		b.StartTimer()
		res, err := runForwardingReport(context.Background(), bt.set.Exchange, g, reportOptions{Allow: newAllowList(nil), AllowPolicies: map[string]bool{}, ScanInboxRules: true, Concurrency: defaultRuleConcurrency, GraphConcurrency: defaultBatchConcurrency})
		b.StopTimer()
		wall = time.Since(start).Seconds()
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) != bt.want || res.Mailboxes != bt.mailboxes || res.RulesSource != path {
			b.Fatalf("%d findings over %d mailboxes from %s, want %d over %d from %s", len(res.Findings), res.Mailboxes, res.RulesSource, bt.want, bt.mailboxes, path)
		}
		st := bt.sim.Stats()
		exo := st.Requests(m365sim.EndpointExchange, "")
		batches := st.Requests(m365sim.EndpointGraph, "POST /v1.0/$batch")
		inner := st.Requests(m365sim.EndpointGraph, "GET /v1.0/users/{id}/mailFolders/inbox/messageRules")
		// Every Graph request the report sends is a batch; the rest of the
		// Graph counter is the requests inside them.
		if other := st.Requests(m365sim.EndpointGraph, "") - batches - inner; other != 0 {
			b.Fatalf("%d Graph requests outside batches", other)
		}
		requests := exo + batches
		if path == rulesSourceGraph {
			limit := 3 + ceilDiv(bt.mailboxes, 1000) + ceilDiv(bt.mailboxes, 20)
			if requests > limit && res.Throttled == 0 {
				b.Errorf("%d requests, want at most %d", requests, limit)
			}
		}
		b.ReportMetric(float64(requests), "requests")
		b.ReportMetric(float64(exo), "exchange-requests")
		b.ReportMetric(float64(batches), "graph-batches")
		b.ReportMetric(float64(inner), "graph-batched-requests")
		b.ReportMetric(float64(st.Statuses(m365sim.EndpointGraph, 429)+st.Statuses(m365sim.EndpointExchange, 429)), "429s")
		b.ReportMetric(float64(len(res.Findings)), "findings")
		b.ReportMetric(wall, "wall-s")
		b.ReportMetric(float64(peak.Load()-min(base, peak.Load()))/(1<<20), "peak-live-heap-MiB")
		b.StartTimer()
	}
	return wall
}

// liveHeap is the heap the last GC cycle found live (runtime/metrics): the
// retained memory, without the garbage GOGC lets pile up between cycles
// (which grows with the emulator's seeded heap and would hide whether the
// report itself is flat in N).
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func ceilDiv(a, b int) int { return int(math.Ceil(float64(a) / float64(b))) }
