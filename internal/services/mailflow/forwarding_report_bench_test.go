package mailflow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
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
// 429s (all, then per endpoint: 429s-Get-Mailbox, 429s-Get-InboxRule,
// 429s-batch for the envelopes, 429s-messageRules for the reads inside
// batches), the requests per endpoint, and the provider's memory:
// peak-heap-MiB (the peak of the live Go heap above the heap before the
// report, as GC cycles measure it, sampled every 5 ms), peak-rss-MiB (the
// provider process's resident set high-water mark, VmHWM) and
// provider-alloc-MiB (all bytes it allocated). The report runs in a child
// process (this test binary again, see TestMain) talking to the emulator in
// this one, so those figures are the provider's alone; B/op and allocs/op
// are this process's, i.e. mostly the emulator's.
// M365HARDEN_BENCH_HEAPPROFILE=file writes the child's heap profile at its
// peak.
//
// Latency: m365sim.RealisticLatency scaled by
// M365HARDEN_BENCH_LATENCY_SCALE (default 0.05, so the 10,000-mailbox
// Exchange run takes about a minute, not the 15 it takes at full latency;
// the ratio between the paths does not depend on the scale as long as the
// emulator's own CPU time stays small beside the latency, which a larger
// scale ensures on a busy machine).
// M365HARDEN_BENCH_MAILBOXES=1000,10000 picks the sizes (default
// 1000,10000,50000; the Exchange path skips sizes above 10,000: at the
// default scale it would take about 8 minutes, and at 50,000 the Graph
// path is the memory target).
//
// Outlook's documented limits (4 concurrent requests and 10,000 per 10
// minutes per app and mailbox) and Graph's global one are on, but the
// report reads each mailbox once, so they answer no 429.
// M365HARDEN_BENCH_429=P (0 < P <= 1) adds throttling the report does
// meet: each inbox rule read (a messageRules request inside a batch, or a
// Get-InboxRule call) is answered 429 with Retry-After: 1 with
// probability P, on both paths, so the re-sends and the time they cost are
// measured (Retry-After is whole seconds and is not scaled).
//
// Targets checked: the Graph path sends at most 3 + ceil(N/1000) +
// ceil(N/20) requests, plus at most one batch per throttled read when
// M365HARDEN_BENCH_429 is set; from 10,000 mailboxes it is at least 8
// times faster than the Exchange path for the same N in the same run.
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
	throttle := 0.0
	if v := os.Getenv("M365HARDEN_BENCH_429"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 1 {
			b.Fatalf("M365HARDEN_BENCH_429=%s", v)
		}
		throttle = f
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
					wall[fmt.Sprintf("%s/%d", path, n)] = bt.run(b, path, scale, throttle)
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
	// Forwards, rules, and the Default remote domain and outbound policy.
	return &benchTenant{sim: sim, mailboxes: mailboxes, want: mailboxes/50 + withRules + 2}
}

func (bt *benchTenant) close() { _ = bt.sim.Close() }

// run runs the report b.N times on one path and returns the last wall time
// in seconds. The report runs in a child process (this test binary again,
// see TestMain), so the memory measured is the provider's alone: the
// emulator stays in this process.
func (bt *benchTenant) run(b *testing.B, path string, scale, throttle float64) float64 {
	lat := m365sim.RealisticLatency()
	lat.Scale, lat.Seed = scale, 1
	bt.sim.SetLatency(lat)
	defer bt.sim.SetLatency(m365sim.Latency{})
	// Outlook's documented limits (the emulator's defaults), set again so a
	// previous run's window does not carry over.
	bt.sim.SetOutlookThrottle(m365sim.DefaultOutlookRequests, m365sim.DefaultOutlookWindow, m365sim.DefaultOutlookConcurrency)
	if throttle > 0 {
		bt.sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointGraph, Match: "/users/", Method: http.MethodGet, Status: http.StatusTooManyRequests, Retry: 1, Probability: throttle})
		bt.sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-InboxRule", Status: http.StatusTooManyRequests, Retry: 1, Probability: throttle})
		defer bt.sim.ClearFaults()
	}
	var wall float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bt.sim.Stats().Reset()
		res, err := bt.child(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		wall = res.WallSeconds
		if res.Findings != bt.want || res.Mailboxes != bt.mailboxes || res.RulesSource != path {
			b.Fatalf("%d findings over %d mailboxes from %s, want %d over %d from %s", res.Findings, res.Mailboxes, res.RulesSource, bt.want, bt.mailboxes, path)
		}
		st := bt.sim.Stats()
		exo := st.Requests(m365sim.EndpointExchange, "")
		batches := st.Requests(m365sim.EndpointGraph, benchBatchOp)
		inner := st.Requests(m365sim.EndpointGraph, benchRulesOp)
		// Every Graph request the report sends is a batch; the rest of the
		// Graph counter is the requests inside them.
		if other := st.Requests(m365sim.EndpointGraph, "") - batches - inner; other != 0 {
			b.Fatalf("%d Graph requests outside batches", other)
		}
		requests := exo + batches
		// 429s per endpoint, as the emulator answered them: Get-InboxRule
		// and Get-Mailbox calls, the $batch envelopes, and the messageRules
		// reads inside them (the ones the report sends again).
		rules429 := st.OpStatuses(m365sim.EndpointGraph, benchRulesOp, http.StatusTooManyRequests)
		if path == rulesSourceGraph {
			// Each throttled read costs at most one more batch (the
			// throttled reads of a batch are re-sent together).
			limit := 3 + ceilDiv(bt.mailboxes, 1000) + ceilDiv(bt.mailboxes, 20)
			if requests > limit+rules429 {
				b.Errorf("%d requests with %d throttled reads, want at most %d + %d", requests, rules429, limit, rules429)
			}
		}
		if rules429 != res.Throttled {
			b.Errorf("the emulator answered %d messageRules reads with 429, the report counted %d", rules429, res.Throttled)
		}
		b.ReportMetric(float64(requests), "requests")
		b.ReportMetric(float64(exo), "exchange-requests")
		b.ReportMetric(float64(batches), "graph-batches")
		b.ReportMetric(float64(inner), "graph-batched-requests")
		b.ReportMetric(float64(st.Statuses(m365sim.EndpointGraph, 429)+st.Statuses(m365sim.EndpointExchange, 429)), "429s")
		b.ReportMetric(float64(st.OpStatuses(m365sim.EndpointExchange, "Get-InboxRule", http.StatusTooManyRequests)), "429s-Get-InboxRule")
		b.ReportMetric(float64(st.OpStatuses(m365sim.EndpointExchange, "Get-Mailbox", http.StatusTooManyRequests)), "429s-Get-Mailbox")
		b.ReportMetric(float64(st.OpStatuses(m365sim.EndpointGraph, benchBatchOp, http.StatusTooManyRequests)), "429s-batch")
		b.ReportMetric(float64(rules429), "429s-messageRules")
		b.ReportMetric(float64(res.Findings), "findings")
		b.ReportMetric(wall, "wall-s")
		b.ReportMetric(float64(res.PeakHeap)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(res.PeakRSS)/(1<<20), "peak-rss-MiB")
		b.ReportMetric(float64(res.Allocated)/(1<<20), "provider-alloc-MiB")
		b.StartTimer()
	}
	return wall
}

const (
	benchBatchOp = "POST /v1.0/$batch"
	benchRulesOp = "GET /v1.0/users/{id}/mailFolders/inbox/messageRules"
	// benchChildEnv carries a benchChildJob to the child process.
	benchChildEnv = "M365HARDEN_BENCH_FORWARDING_CHILD"
)

// benchChildJob is what the child process needs to reach the emulator.
type benchChildJob struct {
	Path                                   string
	Login, Graph, Exchange, Compliance, CA string
	Regional                               string
}

// benchChildResult is what the child reports on its stdout (one JSON line).
type benchChildResult struct {
	Findings, Mailboxes, Throttled int
	RulesSource                    string
	WallSeconds                    float64
	// PeakHeap is the peak of the live heap (runtime/metrics
	// /gc/heap/live:bytes, sampled every 5 ms) above the live heap before
	// the report: what the report retains at its worst. PeakRSS is the
	// process's resident set high-water mark (VmHWM), the whole provider
	// process as the OS sees it (runtime, binary, clients). Allocated is
	// every byte the report allocated (runtime.MemStats.TotalAlloc).
	PeakHeap, PeakRSS, Allocated uint64
}

// child runs one report in a child process and returns what it measured.
func (bt *benchTenant) child(path string) (*benchChildResult, error) {
	e := bt.sim.Endpoints()
	job, _ := json.Marshal(benchChildJob{Path: path, Login: e[m365sim.EndpointLogin], Graph: e[m365sim.EndpointGraph],
		Exchange: e[m365sim.EndpointExchange], Compliance: e[m365sim.EndpointCompliance], CA: bt.sim.CAFile(), Regional: bt.sim.RegionalHost()})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchChildEnv+"="+string(job))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("the report's child process: %w: %s", err, stderr.String())
	}
	var res benchChildResult
	if err := json.Unmarshal(bytes.TrimSpace(out), &res); err != nil {
		return nil, fmt.Errorf("the report's child process said %q: %w (%s)", out, err, stderr.String())
	}
	return &res, nil
}

// TestMain runs the benchmark's child process when asked to, else the
// package's tests.
func TestMain(m *testing.M) {
	if job := os.Getenv(benchChildEnv); job != "" {
		if err := benchChild(job); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// benchChild is the provider side of one benchmark run: it builds the
// clients, runs the report once and prints a benchChildResult.
func benchChild(raw string) error {
	var job benchChildJob
	if err := json.Unmarshal([]byte(raw), &job); err != nil {
		return err
	}
	if os.Getenv("M365HARDEN_BENCH_HEAPPROFILE") != "" {
		runtime.MemProfileRate = 1024 // fine enough to attribute a few MiB
	}
	set, err := clients.New(clients.Config{
		Auth:     auth.Config{TenantID: m365sim.DemoTenantID, ClientID: m365sim.DemoAdminAppID, ClientSecret: m365sim.DemoAdminSecret},
		LoginURL: job.Login, GraphURL: job.Graph, ExchangeURL: job.Exchange, ComplianceURL: job.Compliance,
		CAFile: job.CA, ComplianceRegionalHosts: []string{job.Regional}, MaxRetries: 5, MaxRetryWait: time.Minute,
	})
	if err != nil {
		return err
	}
	g := set.Graph
	if job.Path == rulesSourceExchange {
		g = nil
	}
	runtime.GC()
	base := liveHeap()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
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
				writeHeapProfile()
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	res, err := runForwardingReport(context.Background(), set.Exchange, g, reportOptions{Allow: newAllowList(nil), AllowPolicies: map[string]bool{}, ScanInboxRules: true, Concurrency: defaultRuleConcurrency, GraphConcurrency: defaultBatchConcurrency})
	wall := time.Since(start).Seconds()
	// One more cycle so the live heap at the end (the findings) is counted.
	runtime.GC()
	if v := liveHeap(); v > peak.Load() {
		peak.Store(v)
	}
	close(stop)
	wg.Wait()
	if err != nil {
		return err
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	out, _ := json.Marshal(benchChildResult{Findings: len(res.Findings), Mailboxes: res.Mailboxes, Throttled: res.Throttled, RulesSource: res.RulesSource,
		WallSeconds: wall, PeakHeap: peak.Load() - min(base, peak.Load()), PeakRSS: peakRSS(), Allocated: after.TotalAlloc - before.TotalAlloc})
	fmt.Println(string(out))
	runtime.KeepAlive(res)
	return nil
}

// writeHeapProfile writes the heap profile as of the last GC cycle (the
// live heap the peak was read from) to M365HARDEN_BENCH_HEAPPROFILE, when
// set: at each new peak, so the file ends with the peak's.
func writeHeapProfile() {
	path := os.Getenv("M365HARDEN_BENCH_HEAPPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.Lookup("heap").WriteTo(f, 0)
}

// peakRSS is the process's resident set high-water mark (VmHWM in
// /proc/self/status, Linux); 0 where there is none.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// liveHeap is the heap the last GC cycle found live (runtime/metrics): the
// retained memory, without the garbage GOGC lets pile up between cycles.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func ceilDiv(a, b int) int { return int(math.Ceil(float64(a) / float64(b))) }
