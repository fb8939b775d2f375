package mailflow

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// Where the forwarding report read inbox rules from.
const (
	rulesSourceGraph    = "graph"
	rulesSourceExchange = "exchange"
	rulesSourceNone     = "none"
)

// mailboxJob is one mailbox whose inbox rules are to be read.
type mailboxJob struct {
	upn      string // the finding's mailbox name (UPN, else primary address)
	objectID string // the user's Entra object id (ExternalDirectoryObjectId)
	guid     string
}

// ruleRecipient is a rule recipient, whichever API it came from: an address,
// or a recipient of the organization's directory (Exchange's EX form).
type ruleRecipient struct {
	addr      string
	directory bool
}

// ruleView is an inbox rule, whichever API it came from.
type ruleView struct {
	name                        string
	enabled                     bool
	forwardTo, redirectTo, fwAt []ruleRecipient
}

// rulesScan reads the inbox rules of the mailboxes sent on jobs and calls
// emit with each mailbox's rules (emit may be called concurrently).
type rulesScan struct {
	exo         *exchange.Client
	graph       *graph.Client // nil: Exchange only
	concurrency int           // Get-InboxRule calls in flight
	// graphConcurrency is the batches in flight.
	graphConcurrency int
	emit             func(upn string, rules []ruleView)
	throttled        atomic.Int64 // 429s received inside batches
}

// run reads every job and says which API served the rules. With a Graph
// client, the first batch decides: when every request in it is refused for
// want of MailboxSettings.Read (by error code), the whole scan falls back
// to Get-InboxRule, starting with that batch's mailboxes.
func (s *rulesScan) run(ctx context.Context, jobs <-chan mailboxJob) (string, error) {
	if s.graph == nil {
		return rulesSourceExchange, s.exchange(ctx, jobs)
	}
	first := make([]mailboxJob, 0, graph.MaxBatchRequests)
	for j := range jobs {
		first = append(first, j)
		if len(first) == graph.MaxBatchRequests {
			break
		}
	}
	if len(first) == 0 {
		return rulesSourceGraph, nil
	}
	res, err := s.readBatch(ctx, first)
	if err == nil && allPermissionDenied(res) {
		tflog.Info(ctx, "forwarding report: the app lacks MailboxSettings.Read; reading inbox rules with Get-InboxRule", map[string]any{"code": codeOf(res[0].Err)})
		rest := make(chan mailboxJob, s.concurrency)
		go func() {
			defer close(rest)
			for _, j := range first {
				select {
				case rest <- j:
				case <-ctx.Done():
					return
				}
			}
			for j := range jobs {
				select {
				case rest <- j:
				case <-ctx.Done():
					return
				}
			}
		}()
		return rulesSourceExchange, s.exchange(ctx, rest)
	}
	if err == nil {
		err = s.handle(ctx, first, res)
	}
	if err != nil {
		return rulesSourceGraph, err
	}
	batches := make(chan []mailboxJob)
	go func() {
		defer close(batches)
		b := make([]mailboxJob, 0, graph.MaxBatchRequests)
		for j := range jobs {
			b = append(b, j)
			if len(b) == graph.MaxBatchRequests {
				select {
				case batches <- b:
				case <-ctx.Done():
					return
				}
				b = make([]mailboxJob, 0, graph.MaxBatchRequests)
			}
		}
		if len(b) > 0 {
			select {
			case batches <- b:
			case <-ctx.Done():
			}
		}
	}()
	return rulesSourceGraph, s.pool(ctx, s.graphConcurrency, func(ctx context.Context) error {
		for b := range batches {
			res, err := s.readBatch(ctx, b)
			if err == nil {
				err = s.handle(ctx, b, res)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *rulesScan) readBatch(ctx context.Context, b []mailboxJob) ([]graph.MailboxRules, error) {
	users := make([]string, len(b))
	for i, j := range b {
		users[i] = j.objectID
		if users[i] == "" {
			users[i] = j.upn
		}
	}
	res, n, err := s.graph.InboxRulesBatch(ctx, users)
	s.throttled.Add(int64(n))
	return res, err
}

func allPermissionDenied(res []graph.MailboxRules) bool {
	for _, r := range res {
		if !graph.IsPermissionDenied(r.Err) {
			return false
		}
	}
	return len(res) > 0
}

func codeOf(err error) string {
	if e, ok := err.(*graph.Error); ok {
		return e.Code
	}
	return ""
}

// handle emits a batch's rules. A mailbox Graph no longer knows is skipped
// (removed since the listing); one Graph refuses on its own (an
// application access policy scoping the app to some mailboxes answers
// ErrorAccessDenied for the others) is read with Get-InboxRule instead.
func (s *rulesScan) handle(ctx context.Context, b []mailboxJob, res []graph.MailboxRules) error {
	for i, r := range res {
		switch {
		case r.Err == nil:
			s.emit(b[i].upn, graphRuleViews(r.Rules))
		case graph.IsNotFound(r.Err):
		case graph.IsPermissionDenied(r.Err):
			if err := s.exchangeOne(ctx, b[i]); err != nil {
				return err
			}
		default:
			return fmt.Errorf("reading the inbox rules of %s through Microsoft Graph: %w", b[i].upn, r.Err)
		}
	}
	return nil
}

func graphRuleViews(rules []graph.MessageRule) []ruleView {
	out := make([]ruleView, 0, len(rules))
	conv := func(l []graph.RuleRecipient) []ruleRecipient {
		o := make([]ruleRecipient, 0, len(l))
		for _, r := range l {
			if r.Address != "" {
				o = append(o, ruleRecipient{addr: r.Address})
			}
		}
		return o
	}
	for _, r := range rules {
		out = append(out, ruleView{name: r.DisplayName, enabled: r.IsEnabled, forwardTo: conv(r.ForwardTo), redirectTo: conv(r.RedirectTo), fwAt: conv(r.ForwardAsAttachmentTo)})
	}
	return out
}

func exchangeRuleViews(rules []exchange.InboxRule) []ruleView {
	out := make([]ruleView, 0, len(rules))
	conv := func(l []string) []ruleRecipient {
		o := make([]ruleRecipient, 0, len(l))
		for _, s := range l {
			addr, dir := parseRuleRecipient(s)
			o = append(o, ruleRecipient{addr: addr, directory: dir})
		}
		return o
	}
	for _, r := range rules {
		out = append(out, ruleView{name: r.Name, enabled: r.Enabled, forwardTo: conv(r.ForwardTo), redirectTo: conv(r.RedirectTo), fwAt: conv(r.ForwardAsAttachmentTo)})
	}
	return out
}

// exchangeOne reads one mailbox's rules with Get-InboxRule (by UPN: it is
// routed on it; a GUID would cost a look-up per mailbox).
func (s *rulesScan) exchangeOne(ctx context.Context, j mailboxJob) error {
	mailbox := j.upn
	if !strings.Contains(mailbox, "@") {
		mailbox = j.guid
	}
	rules, err := s.exo.GetInboxRules(ctx, mailbox)
	if exchange.IsNotFound(err) {
		return nil // removed since the listing
	}
	if err != nil {
		return fmt.Errorf("reading the inbox rules of %s: %w", j.upn, err)
	}
	s.emit(j.upn, exchangeRuleViews(rules))
	return nil
}

// exchange reads every job with Get-InboxRule, concurrency at a time.
func (s *rulesScan) exchange(ctx context.Context, jobs <-chan mailboxJob) error {
	return s.pool(ctx, s.concurrency, func(ctx context.Context) error {
		for j := range jobs {
			if err := s.exchangeOne(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
}

// pool runs n workers until they end; the first error cancels the others
// (they then drain their input) and is returned.
func (s *rulesScan) pool(ctx context.Context, n int, work func(ctx context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i := 0; i < max(n, 1); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := work(ctx); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	return first
}
