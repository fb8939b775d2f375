package signins

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// BenchmarkFailedSignIns reads a week's failed sign-ins the way the data
// source does (filter sent to Graph, pages of 1,000, analysis while paging,
// max_events = 100) from a tenant of 2,000 users holding N sign-ins of
// which 5% failed.
// The emulator runs in its own process (the m365sim command), so the heap
// figures are the provider's alone. Reported per read: Graph requests,
// 429s, wall time, time spent pacing, the peak live heap after a GC at each
// page boundary (what the read retains) and the peak heap including garbage
// (sampled every 2 ms), both above the heap before the read. Run it with
//
//	go test ./internal/services/signins/ -run '^$' -bench FailedSignIns -benchtime 1x
//
// (make bench runs it too).
func BenchmarkFailedSignIns(b *testing.B) {
	sim := startSimProcess(b)
	onOff := map[bool]string{true: "on", false: "off"}
	for _, tc := range []struct {
		count            int
		throttle, pacing bool
	}{
		{50_000, false, false}, {100_000, false, false}, {200_000, false, false},
		{200_000, true, true}, {200_000, true, false},
	} {
		name := fmt.Sprintf("signins=%d/throttle=%s/pacing=%s", tc.count, onOff[tc.throttle], onOff[tc.pacing])
		b.Run(name, func(b *testing.B) {
			anchor := time.Now().UTC().Add(-time.Hour).Truncate(time.Hour) // inside the 30-day retention whenever the benchmark runs
			sim.control(b, "POST", "seed/signins", m365sim.SignInHistoryOptions{Seed: 42, Count: tc.count, Failed: tc.count / 20, Users: 2000, Anchor: anchor})
			c := sim.client(b)
			if tc.throttle {
				// Microsoft's numbers on both sides.
				sim.control(b, "POST", "seed/report_throttle", map[string]any{"requests": m365sim.DefaultReportRequests, "per_seconds": m365sim.DefaultReportPer.Seconds()})
			} else {
				sim.control(b, "POST", "seed/report_throttle", map[string]any{"requests": 0, "per_seconds": 0})
			}
			if tc.pacing {
				c.SetReportRate(5, 10*time.Second)
			} else {
				c.SetReportRate(0, 0)
			}
			filter := allOf(windowFilter("createdDateTime", anchor.Add(-7*24*time.Hour), anchor), "status/errorCode ne 0")
			th := thresholds{sprayMinUsers: defaultSprayMinUsers, bruteMinFailures: defaultBruteForceMinFailures, aggregateLimit: defaultAggregateLimit}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sim.resetStats(b)
				runtime.GC()
				base := heapObjects()
				var peakAny, peakLive atomic.Uint64
				stop, done := make(chan struct{}), make(chan struct{})
				go func() {
					defer close(done)
					t := time.NewTicker(2 * time.Millisecond)
					defer t.Stop()
					for {
						if h := heapObjects(); h > peakAny.Load() {
							peakAny.Store(h)
						}
						select {
						case <-stop:
							return
						case <-t.C:
						}
					}
				}()
				a := newFailureAnalyzer(100)
				n := 0
				start := time.Now()
				st, err := c.EachSignIn(context.Background(), filter, func(s *graph.SignIn) error {
					a.add(s)
					if n++; n%graph.SignInPageSize == 0 {
						runtime.GC()
						if h := heapObjects(); h > peakLive.Load() {
							peakLive.Store(h)
						}
					}
					return nil
				})
				res := a.result(th)
				wall := time.Since(start)
				close(stop)
				<-done
				if err != nil {
					b.Fatal(err)
				}
				if want := int64(tc.count / 20); res.Total != want || len(res.Events) != 100 || len(res.Sprays) != 1 {
					b.Fatalf("total %d (want %d), events %d, sprays %d", res.Total, want, len(res.Events), len(res.Sprays))
				}
				stats := sim.stats(b)
				mib := func(v uint64) float64 { return float64(v-min(base, v)) / (1 << 20) }
				b.ReportMetric(float64(stats["graph GET /v1.0/auditLogs/signIns"]), "requests/op")
				b.ReportMetric(float64(stats["status graph 429"]), "429s/op")
				b.ReportMetric(wall.Seconds(), "wall-s/op")
				b.ReportMetric(st.Paced.Seconds(), "paced-s/op")
				b.ReportMetric(mib(peakLive.Load()), "live-heap-MiB")
				b.ReportMetric(mib(peakAny.Load()), "peak-heap-MiB")
			}
		})
	}
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

type simProcess struct {
	url, key, caFile string
	hc               *http.Client
}

// startSimProcess builds and starts the m365sim command.
func startSimProcess(b *testing.B) *simProcess {
	b.Helper()
	dir := b.TempDir()
	bin := filepath.Join(dir, "m365sim")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/m365harden/terraform-provider-m365harden/internal/cmd/m365sim").CombinedOutput(); err != nil {
		b.Fatalf("building m365sim: %v\n%s", err, out)
	}
	state := filepath.Join(dir, "state")
	cmd := exec.Command(bin, "serve", "--state-dir", state)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	p := &simProcess{caFile: filepath.Join(state, "ca.pem")}
	for deadline := time.Now().Add(30 * time.Second); ; {
		u, err1 := os.ReadFile(filepath.Join(state, "url"))
		k, err2 := os.ReadFile(filepath.Join(state, "admin.key"))
		if err1 == nil && err2 == nil && len(u) > 0 && len(k) > 0 {
			if _, err := os.Stat(p.caFile); err == nil {
				p.url, p.key = strings.TrimSpace(string(u)), strings.TrimSpace(string(k))
				break
			}
		}
		if time.Now().After(deadline) {
			b.Fatal("m365sim did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	hc, err := auth.NewHTTPClient(p.caFile)
	if err != nil {
		b.Fatal(err)
	}
	p.hc = hc
	return p
}

func (p *simProcess) control(b *testing.B, method, path string, body any) []byte {
	b.Helper()
	var rd *bytes.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	} else {
		rd = bytes.NewReader(nil)
	}
	target := p.url + "/_sim/" + path
	if strings.HasPrefix(path, "seed/") {
		target = p.url + "/_sim/tenants/" + m365sim.DemoTenantID + "/" + path
	}
	req, _ := http.NewRequest(method, target, rd)
	req.Header.Set("Authorization", "Bearer "+p.key)
	resp, err := p.hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	if resp.StatusCode >= 300 {
		b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, buf.String())
	}
	return buf.Bytes()
}

func (p *simProcess) resetStats(b *testing.B) { p.control(b, "DELETE", "stats", nil) }

func (p *simProcess) stats(b *testing.B) map[string]int {
	var out map[string]int
	if err := json.Unmarshal(p.control(b, "GET", "stats", nil), &out); err != nil {
		b.Fatal(err)
	}
	return out
}

func (p *simProcess) client(b *testing.B) *graph.Client {
	b.Helper()
	cred, err := auth.NewCredential(auth.Config{TenantID: m365sim.DemoTenantID, ClientID: m365sim.DemoAdminAppID, ClientSecret: m365sim.DemoAdminSecret, LoginURL: p.url + "/", HTTPClient: p.hc})
	if err != nil {
		b.Fatal(err)
	}
	c, err := graph.New(graph.Config{BaseURL: p.url, Resource: m365sim.AudienceGraph, Credential: cred, Transport: p.hc.Transport, MaxRetries: 5, MaxWait: 2 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	// Warm the token and the connection outside the measurement.
	if _, err := c.InitialDomain(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c
}
