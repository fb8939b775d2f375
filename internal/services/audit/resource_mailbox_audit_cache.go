package audit

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
)

// mailboxAuditCache serves the reads of many m365harden_mailbox_audit
// resources in one Terraform run from one paged Get-Mailbox.
//
// Terraform reads every resource of a plan separately; with one Get-Mailbox
// per resource a configuration of 500 mailboxes costs 500 calls. The first
// bulkAfter reads go to the service one by one (a configuration with a few
// mailboxes never lists the tenant); after that the cache lists all
// mailboxes once, with $select limited to the audit fields, ceil(n/1000)
// calls, and answers later reads from that listing.
//
// Soundness: a provider process lives for one Terraform command, so the
// listing is as fresh as a refresh that starts at the same moment. Every
// write through this provider drops the listing (later reads go to the
// service until the next bulk load) and reads that verify a write always go
// to the service. An identity the listing does not know (a mailbox created
// after it was taken, or an identity form it does not index) is looked up
// directly, so the cache never reports a mailbox missing.
type mailboxAuditCache struct {
	client *exchange.Client

	mu      sync.Mutex
	direct  int                          // reads served directly since the last write
	byKey   map[string]*exchange.Mailbox // lower-case UPN, addresses, GUIDs, alias
	loading chan struct{}                // closed when a bulk load finishes
	gen     int                          // bumped by each write
}

// bulkAfter is how many direct reads happen before the cache lists the tenant.
const bulkAfter = 10

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

// auditReadFields are what the per-mailbox resource reads.
var auditReadFields = append(append([]string{}, exchange.MailboxIdentityFields...), append([]string{"EmailAddresses"}, exchange.MailboxAuditFields...)...)

// get returns a mailbox by identity, from the listing when there is one.
func (c *mailboxAuditCache) get(ctx context.Context, identity string) (*exchange.Mailbox, error) {
	c.mu.Lock()
	if c.byKey != nil {
		m := c.byKey[strings.ToLower(identity)]
		c.mu.Unlock()
		if m != nil {
			cp := *m
			return &cp, nil
		}
		return c.client.GetMailbox(ctx, identity, auditReadFields...)
	}
	if c.loading != nil {
		ch := c.loading
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return c.get(ctx, identity)
	}
	c.direct++
	if c.direct <= bulkAfter {
		c.mu.Unlock()
		return c.client.GetMailbox(ctx, identity, auditReadFields...)
	}
	ch := make(chan struct{})
	c.loading = ch
	gen := c.gen
	c.mu.Unlock()

	index := map[string]*exchange.Mailbox{}
	err := c.client.ListMailboxes(ctx, exchange.MailboxQuery{Fields: auditReadFields}, func(m *exchange.Mailbox) error {
		for _, k := range mailboxKeys(m) {
			index[k] = m
		}
		return nil
	})
	c.mu.Lock()
	c.loading = nil
	if err == nil && gen == c.gen {
		c.byKey = index
	}
	c.mu.Unlock()
	close(ch)
	if err != nil {
		// The listing failed (throttling past the retry budget, a missing
		// role for a full listing): fall back to a direct read.
		return c.client.GetMailbox(ctx, identity, auditReadFields...)
	}
	return c.get(ctx, identity)
}

// invalidate drops the listing after a write.
func (c *mailboxAuditCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byKey = nil
	c.direct = 0
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
