package audit

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
)

// mailboxAuditCache serves the reads of many mailbox-keyed resources in one
// Terraform run with few Get-Mailbox calls, whatever the size of the tenant.
//
// Terraform reads every resource separately, up to -parallelism (10) at a
// time. The cache does two things:
//
//   - Batching. Reads by mailbox GUID (the id in state) are gathered for a
//     moment (gatherWindow) and answered together by one
//     Get-Mailbox -Filter "Guid -eq '…' -or Guid -eq '…'" for up to
//     maxBatch mailboxes; one such call is under way at a time. n resources
//     cost about n/10 calls at Terraform's default parallelism, on a tenant
//     of any size, and a handful of resources cost one or two.
//   - A bounded listing, only once it pays. After bulkAfter calls in a run
//     (about 100 resources), the cache lists the tenant once, but at most
//     bulkAfter pages (-ResultSize 10000, the audit fields only): never more
//     calls than the reads have already cost. If the tenant fits (fewer
//     than 10,000 mailboxes), the listing answers every later read;
//     otherwise it is dropped and batching goes on. A larger tenant is never
//     listed in full: at 50,000 mailboxes a listing is 50 calls, which only
//     pays beyond ~500 resources, and batching stays within twice the
//     cheaper strategy there.
//
// The threshold rule, then: up to bulkAfter calls, reads are batched; after
// them, one listing of at most bulkAfter pages, kept only if it holds the
// whole tenant. Worst case, the listing attempt doubles the calls made so
// far; a run of n resources costs about min(n/10, 10 + ⌈mailboxes/1000⌉)
// calls when the tenant has fewer than 10,000 mailboxes, and about n/10 + 10
// above that. Measured in BenchmarkMailboxAuditReads.
//
// Reads by any other identity (user principal name, address, alias) are
// direct Get-Mailbox -Identity calls, answered from the listing when there
// is one.
//
// Soundness: a provider process lives for one Terraform command, so the
// listing is as fresh as a refresh that starts at the same moment. Every
// write through this provider drops the listing and resets the count, and
// reads that verify a write always go to the service. A GUID missing from
// the listing is still looked up, so the cache never reports a mailbox
// missing that exists.
type mailboxAuditCache struct {
	client *exchange.Client

	mu       sync.Mutex
	gen      int                          // bumped by each write
	calls    int                          // read calls since the last write
	probed   bool                         // the one-page listing was tried
	index    map[string]*exchange.Mailbox // lower-case UPN, addresses, GUIDs, alias; nil when there is no listing
	queue    map[string][]chan mailboxRead
	queueIDs []string // GUIDs in arrival order
	running  bool
}

type mailboxRead struct {
	m   *exchange.Mailbox
	err error
}

const (
	// bulkAfter is how many read calls a run makes before it tries the
	// listing, and how many pages that listing may take.
	bulkAfter = 10
	// maxBatch bounds the GUIDs of one filtered Get-Mailbox, keeping the
	// OPATH filter short (about 50 characters per GUID).
	maxBatch = 50
	// listingPage is the page the listing asks for: Exchange's page size.
	listingPage = exchange.MaxPageSize
	// gatherWindow is how long a batch waits for the reads Terraform sends
	// right after the previous batch answered: without it, a batch carries
	// only the reads that arrived during the previous call (about half of
	// -parallelism).
	gatherWindow = 20 * time.Millisecond
)

var mailboxAuditCaches sync.Map // *clients.Set -> *mailboxAuditCache

func auditCacheFor(set *clients.Set) *mailboxAuditCache {
	c, ok := mailboxAuditCaches.Load(set)
	if !ok {
		c, _ = mailboxAuditCaches.LoadOrStore(set, &mailboxAuditCache{client: set.Exchange})
	}
	cache, ok := c.(*mailboxAuditCache)
	if !ok {
		panic(fmt.Sprintf("audit: mailboxAuditCaches holds a %T, not a *mailboxAuditCache", c))
	}
	return cache
}

// auditReadFields are what the mailbox-keyed resources read.
var auditReadFields = append(append([]string{}, exchange.MailboxIdentityFields...), append([]string{"EmailAddresses"}, exchange.MailboxAuditFields...)...)

var guidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// get returns a mailbox by any identity: from the listing when there is one,
// else with Get-Mailbox -Identity.
func (c *mailboxAuditCache) get(ctx context.Context, identity string) (*exchange.Mailbox, error) {
	c.mu.Lock()
	if m := c.index[strings.ToLower(identity)]; m != nil {
		c.mu.Unlock()
		cp := *m
		return &cp, nil
	}
	c.calls++
	c.mu.Unlock()
	return c.client.GetMailbox(ctx, identity, auditReadFields...)
}

// getByGUID returns a mailbox by its Guid (the id kept in state), batched
// with the other reads under way. A mailbox that does not exist is an
// exchange.ErrNotFound error.
func (c *mailboxAuditCache) getByGUID(ctx context.Context, guid string) (*exchange.Mailbox, error) {
	if !guidRe.MatchString(guid) {
		return c.get(ctx, guid)
	}
	key := strings.ToLower(guid)
	ch := make(chan mailboxRead, 1)
	c.mu.Lock()
	if m := c.index[key]; m != nil {
		c.mu.Unlock()
		cp := *m
		return &cp, nil
	}
	if c.queue == nil {
		c.queue = map[string][]chan mailboxRead{}
	}
	if _, ok := c.queue[key]; !ok {
		c.queueIDs = append(c.queueIDs, key)
	}
	c.queue[key] = append(c.queue[key], ch)
	if !c.running {
		c.running = true
		// The batch serves other callers too: it must not end with this
		// caller's context.
		go c.run(context.WithoutCancel(ctx))
	}
	c.mu.Unlock()
	select {
	case r := <-ch:
		return r.m, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run answers queued GUID reads until the queue is empty, one call at a time.
func (c *mailboxAuditCache) run(ctx context.Context) {
	for {
		time.Sleep(gatherWindow)
		c.mu.Lock()
		if len(c.queueIDs) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		if !c.probed && c.calls >= bulkAfter {
			c.probed = true
			c.calls++
			gen := c.gen
			c.mu.Unlock()
			index, complete, err := c.listBounded(ctx)
			c.mu.Lock()
			if err == nil && complete && gen == c.gen {
				c.index = index
				c.answerFromIndex()
			}
			c.mu.Unlock()
			continue
		}
		n := min(len(c.queueIDs), maxBatch)
		batch := append([]string{}, c.queueIDs[:n]...)
		c.queueIDs = c.queueIDs[n:]
		waiters := make(map[string][]chan mailboxRead, n)
		for _, k := range batch {
			waiters[k] = c.queue[k]
			delete(c.queue, k)
		}
		c.calls++
		c.mu.Unlock()

		found, err := c.fetch(ctx, batch)
		for _, k := range batch {
			r := mailboxRead{err: err}
			if err == nil {
				if m := found[k]; m != nil {
					r.m = m
				} else {
					r.err = fmt.Errorf("mailbox %s: %w", k, exchange.ErrNotFound)
				}
			}
			for _, ch := range waiters[k] {
				if r.m != nil {
					cp := *r.m
					ch <- mailboxRead{m: &cp}
				} else {
					ch <- r
				}
			}
		}
	}
}

// answerFromIndex answers the queued reads the listing holds (mu held).
func (c *mailboxAuditCache) answerFromIndex() {
	kept := c.queueIDs[:0]
	for _, k := range c.queueIDs {
		m := c.index[k]
		if m == nil {
			kept = append(kept, k)
			continue
		}
		for _, ch := range c.queue[k] {
			cp := *m
			ch <- mailboxRead{m: &cp}
		}
		delete(c.queue, k)
	}
	c.queueIDs = kept
}

// fetch reads up to maxBatch mailboxes by Guid with one filtered Get-Mailbox.
func (c *mailboxAuditCache) fetch(ctx context.Context, guids []string) (map[string]*exchange.Mailbox, error) {
	sort.Strings(guids)
	clauses := make([]string, len(guids))
	for i, g := range guids {
		clauses[i] = "Guid -eq " + exchange.QuoteOPATH(g)
	}
	out := make(map[string]*exchange.Mailbox, len(guids))
	err := c.client.InvokeEach(ctx, "Get-Mailbox", map[string]any{"Filter": strings.Join(clauses, " -or "), "ResultSize": "Unlimited"},
		func(o exchange.Object) error {
			m, err := exchange.ParseMailbox(o)
			if err != nil {
				return err
			}
			out[strings.ToLower(m.Guid)] = m
			return nil
		}, exchange.Select(auditReadFields...), exchange.PageSize(exchange.MaxPageSize))
	return out, err
}

// listBounded lists at most bulkAfter pages of mailboxes; complete says the
// tenant has fewer, so the listing is the whole tenant.
func (c *mailboxAuditCache) listBounded(ctx context.Context) (map[string]*exchange.Mailbox, bool, error) {
	const limit = bulkAfter * listingPage
	index := map[string]*exchange.Mailbox{}
	n := 0
	err := c.client.InvokeEach(ctx, "Get-Mailbox", map[string]any{"ResultSize": limit},
		func(o exchange.Object) error {
			m, err := exchange.ParseMailbox(o)
			if err != nil {
				return err
			}
			n++
			for _, k := range mailboxKeys(m) {
				index[k] = m
			}
			return nil
		}, exchange.Select(auditReadFields...), exchange.PageSize(listingPage))
	return index, n < limit, err
}

// invalidate drops the listing after a write.
func (c *mailboxAuditCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.index = nil
	c.calls = 0
	c.probed = false
	c.gen++
}

func mailboxKeys(m *exchange.Mailbox) []string {
	keys := []string{m.UserPrincipalName, m.PrimarySmtpAddress, m.Guid, m.ExternalDirectoryObjectId, m.Alias}
	for _, a := range m.EmailAddresses {
		if p, addr, ok := strings.Cut(a, ":"); ok && strings.EqualFold(p, "smtp") {
			keys = append(keys, addr)
		}
	}
	out := keys[:0]
	for _, k := range keys {
		if k != "" {
			out = append(out, strings.ToLower(k))
		}
	}
	return out
}
