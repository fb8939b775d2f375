package audit

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// BenchmarkMailboxAuditReads measures the Get-Mailbox calls of one refresh of
// n mailbox-keyed resources (the reads of a plan) on a large tenant: n reads
// by GUID through a fresh cache (a new provider process), ten at a time as
// Terraform's default -parallelism sends them.
//
//	go test ./internal/services/audit/ -run '^$' -bench MailboxAuditReads -benchtime 1x
func BenchmarkMailboxAuditReads(b *testing.B) {
	for _, size := range []int{800, 5000, 50000} {
		for _, n := range []int{5, 50, 500} {
			if n > size {
				continue
			}
			b.Run(fmt.Sprintf("mailboxes=%d/resources=%d", size, n), func(b *testing.B) {
				benchMailboxAuditReads(b, size, n)
			})
		}
	}
}

func benchMailboxAuditReads(b *testing.B, size, n int) {
	s, set := benchTenant(b, size)
	// n GUIDs spread over the tenant.
	var guids []string
	i := 0
	err := set.Exchange.ListMailboxes(context.Background(), exchange.MailboxQuery{Fields: []string{"Guid"}}, func(m *exchange.Mailbox) error {
		if i%(size/n) == 0 && len(guids) < n {
			guids = append(guids, m.Guid)
		}
		i++
		return nil
	})
	if err != nil || len(guids) != n {
		b.Fatalf("picking %d mailboxes: %d, %v", n, len(guids), err)
	}
	const parallelism = 10
	var calls int
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		s.Stats().Reset()
		cache := &mailboxAuditCache{client: set.Exchange}
		work := make(chan string)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failed error
		for w := 0; w < parallelism; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for g := range work {
					m, err := cache.getByGUID(context.Background(), g)
					if err == nil && m.Guid != g {
						err = fmt.Errorf("asked for %s, got %s", g, m.Guid)
					}
					if err != nil {
						mu.Lock()
						failed = err
						mu.Unlock()
					}
				}
			}()
		}
		for _, g := range guids {
			work <- g
		}
		close(work)
		wg.Wait()
		if failed != nil {
			b.Fatal(failed)
		}
		calls = s.Stats().Requests(m365sim.EndpointExchange, "Get-Mailbox")
	}
	b.StopTimer()
	// The bound the cache's comment states: never more than one call per
	// resource, plus the one listing page.
	if calls > n+1 {
		b.Fatalf("%d calls for %d reads", calls, n)
	}
	b.ReportMetric(float64(calls), "calls/op")
	b.ReportMetric(float64(n)/float64(calls), "reads/call")
}
