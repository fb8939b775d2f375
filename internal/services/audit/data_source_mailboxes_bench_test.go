package audit

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Benchmarks of the provider-side work on large tenants, against m365sim:
// wall time, InvokeCommand calls and heap growth of
//   - the m365harden_mailboxes read with audit_enabled = false, and
//   - the m365harden_mailbox_audit_baseline read (the work of a plan).
//
//	go test ./internal/services/audit/ -run '^$' -bench 'Mailboxes|Baseline' -benchtime 1x

// benchTenant starts an emulator with n mailboxes (every 7th with auditing
// off, three types) and returns a client set signed in as the admin app.
func benchTenant(b *testing.B, n int) (*m365sim.Server, *clients.Set) {
	b.Helper()
	s, err := m365sim.Start(m365sim.Options{StateDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	if _, err := m365sim.SeedMailboxes(s, m365sim.DemoTenantID, m365sim.MailboxSeed{Count: n,
		Types: []string{"UserMailbox", "SharedMailbox", "RoomMailbox"}, AuditDisabledEvery: 7}); err != nil {
		b.Fatal(err)
	}
	ep := s.Endpoints()
	set, err := clients.New(clients.Config{
		Auth:        auth.Config{TenantID: m365sim.DemoTenantID, ClientID: m365sim.DemoAdminAppID, ClientSecret: m365sim.DemoAdminSecret},
		LoginURL:    ep[m365sim.EndpointLogin],
		GraphURL:    ep[m365sim.EndpointGraph],
		ExchangeURL: ep[m365sim.EndpointExchange], ComplianceURL: ep[m365sim.EndpointCompliance],
		CAFile: s.CAFile(),
	})
	if err != nil {
		b.Fatal(err)
	}
	// Sign in once, outside the measurement.
	if _, err := set.Exchange.GetOrganizationConfig(context.Background()); err != nil {
		b.Fatal(err)
	}
	return s, set
}

// peakHeap samples the live heap while f runs and returns the peak growth
// over the heap before f. The emulator runs in the same process, so the
// figure includes its per-page response buffers.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
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
	f()
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > peak.Load() {
		peak.Store(ms.HeapAlloc)
	}
	if peak.Load() < base {
		return 0
	}
	return peak.Load() - base
}

func benchSizes(b *testing.B, f func(b *testing.B, n int)) {
	for _, n := range []int{5000, 50000} {
		b.Run(fmt.Sprintf("mailboxes=%d", n), func(b *testing.B) { f(b, n) })
	}
}

func BenchmarkMailboxesAuditDisabled(b *testing.B) {
	benchSizes(b, func(b *testing.B, n int) {
		s, set := benchTenant(b, n)
		q := exchange.MailboxQuery{Filter: mailboxesFilter(types.BoolValue(false), types.BoolNull()),
			Fields: append(append([]string{}, exchange.MailboxIdentityFields...), append(append([]string{}, exchange.MailboxAuditFields...), exchange.MailboxForwardingFields...)...)}
		var calls int
		var heap uint64
		var got int
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			s.Stats().Reset()
			heap = peakHeap(func() {
				elems, err := readMailboxes(context.Background(), set.Exchange, q)
				if err != nil {
					b.Fatal(err)
				}
				got = len(elems)
			})
			calls = s.Stats().Requests(m365sim.EndpointExchange, "Get-Mailbox")
		}
		b.StopTimer()
		if want := n / 7; got != want {
			b.Fatalf("read %d mailboxes, want %d", got, want)
		}
		if limit := (n+999)/1000 + 2; calls > limit {
			b.Fatalf("%d calls, at most %d allowed", calls, limit)
		}
		b.ReportMetric(float64(calls), "calls/op")
		b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(got), "mailboxes")
	})
}

func BenchmarkBaselinePlan(b *testing.B) {
	benchSizes(b, func(b *testing.B, n int) {
		s, set := benchTenant(b, n)
		// Enforcing an owner action needs every mailbox of the types read
		// (no OPATH filter can test a list), the most expensive plan.
		rule := (&mailboxAuditBaselineModel{
			RecipientTypes:     stringSet([]string{"UserMailbox", "SharedMailbox", "RoomMailbox"}),
			AuditEnabled:       types.BoolValue(true),
			RequiredAuditOwner: stringSet([]string{"MailboxLogin"}),
		}).rule()
		var calls int
		var heap uint64
		var devs int
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			s.Stats().Reset()
			heap = peakHeap(func() {
				d, err := rule.scan(context.Background(), set.Exchange, false)
				if err != nil {
					b.Fatal(err)
				}
				devs = len(deviationsMap(d).Elements())
			})
			calls = s.Stats().Requests(m365sim.EndpointExchange, "Get-Mailbox")
		}
		b.StopTimer()
		if devs != n { // MailboxLogin is not a default owner action: all deviate
			b.Fatalf("%d deviations, want %d", devs, n)
		}
		if limit := (n+999)/1000 + 2; calls > limit {
			b.Fatalf("%d calls, at most %d allowed", calls, limit)
		}
		b.ReportMetric(float64(calls), "calls/op")
		b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
	})
}
