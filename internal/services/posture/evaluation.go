package posture

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// Statuses of a control.
const (
	statusPass    = "pass"
	statusFail    = "fail"
	statusUnknown = "unknown"
)

var statuses = []string{statusPass, statusFail, statusUnknown}

// Why a control could not be evaluated.
const (
	reasonRole       = "missing_role"
	reasonPermission = "missing_permission"
	reasonLicence    = "missing_licence"
	reasonThrottled  = "throttled"
	reasonError      = "error"
)

var unknownReasons = []string{reasonRole, reasonPermission, reasonLicence, reasonThrottled, reasonError}

// maxObjects bounds the objects listed per control; objects_total has the
// full count. A large tenant's state must not grow with its findings.
const maxObjects = 100

// concurrency bounds how many controls run at once: the Exchange endpoint
// throttles per app, so a handful is enough to overlap latency.
const concurrency = 4

// object is one structured piece of evidence, usually an offending object.
type object struct {
	Type   string // remote_domain, mailbox, transport_rule, policy, ...
	Name   string
	Detail string
}

// result is a control's outcome.
type result struct {
	Status  string
	Summary string
	Reason  string // for unknown
	Objects []object
}

func pass(format string, args ...any) result {
	return result{Status: statusPass, Summary: fmt.Sprintf(format, args...)}
}

func fail(objs []object, format string, args ...any) result {
	return result{Status: statusFail, Summary: fmt.Sprintf(format, args...), Objects: objs}
}

// unknown turns the error that stopped a check into an unknown result that
// says what is missing: the typed errors of the clients tell a missing
// Exchange role, Graph permission and licence apart.
func unknown(what string, err error) result {
	r := result{Status: statusUnknown, Reason: reasonError}
	var xe *exchange.Error
	switch {
	case errors.Is(err, exchange.ErrLicence), errors.Is(err, graph.ErrLicence):
		r.Reason = reasonLicence
		r.Summary = fmt.Sprintf("Could not evaluate: the tenant's licence does not include %s. %v", what, err)
	case errors.As(err, &xe) && exchange.IsForbidden(err):
		r.Reason = reasonRole
		if errors.Is(err, exchange.ErrUnauthorized) {
			r.Reason = reasonPermission
		}
		hint := xe.Hint()
		if hint == "" {
			hint = "the app lacks the permission to run " + xe.Cmdlet
		}
		r.Summary = fmt.Sprintf("Could not evaluate %s: %s (%s answered %s with HTTP %d: %s).", what, hint, xe.Service, xe.Cmdlet, xe.Status, xe.Message)
	case errors.Is(err, graph.ErrForbidden):
		r.Reason = reasonPermission
		r.Summary = fmt.Sprintf("Could not evaluate %s: the app lacks the Microsoft Graph application permission (with admin consent) the call needs. %v", what, err)
	case errors.Is(err, exchange.ErrThrottled), errors.Is(err, graph.ErrThrottled):
		r.Reason = reasonThrottled
		r.Summary = fmt.Sprintf("Could not evaluate %s: the service kept throttling the requests. %v", what, err)
	default:
		r.Summary = fmt.Sprintf("Could not evaluate %s: %v", what, err)
	}
	return r
}

// options are the data source's arguments, defaults applied.
type options struct {
	Controls              map[string]bool
	AllowedDomains        []string // lower case
	AllowedPolicies       map[string]bool
	BreakGlass            []string
	MinAuditAgeDays       int64
	AuditActions          string // E3 or E5
	MinRetention          string
	EncryptionDomains     []string
	RequireMediumSignIn   bool
	RiskyUserLevel        string
	ScanInboxRules        bool
	InboxRuleConcurrency  int
	ForwardingFullListing bool // set by the evaluation: the mailbox listing is shared
	// CapExclusions are the ScubaGear CapExclusions by policy id
	// (MS.AAD.1.1v1, ...): users and groups (object ids) a policy may exclude.
	CapExclusions map[string]capExclusion
	// RetentionRecordTypes are the record types audit-log-retention requires.
	RetentionRecordTypes []string
}

// capExclusion is one ScubaGear CapExclusions entry.
type capExclusion struct {
	Users, Groups []string
}

// lazy is a value fetched once and shared by the controls that need it.
type lazy[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (l *lazy[T]) get(f func() (T, error)) (T, error) {
	l.once.Do(func() { l.v, l.err = f() })
	return l.v, l.err
}

// evaluation is one run of the data source: the clients, the options and
// everything fetched so far.
type evaluation struct {
	ctx context.Context
	c   *clients.Set
	opt options

	orgConfig        lazy[*exchange.OrganizationConfig]
	auditLogConfig   lazy[*exchange.AdminAuditLogConfig]
	acceptedDomains  lazy[domainSet]
	remoteDomains    lazy[[]exchange.RemoteDomain]
	outboundPolicies lazy[[]exchange.OutboundSpamPolicy]
	transportRules   lazy[[]exchange.TransportRule]
	irm              lazy[*exchange.IRMConfiguration]
	alerts           lazy[[]exchange.ProtectionAlert]
	mailboxes        lazy[*mailboxScan]
	forwarders       lazy[[]*exchange.Mailbox]
	bypass           lazy[[]object]
	retention        lazy[[]exchange.Object]
	caPolicies       lazy[[]*caPolicy]
	plans            lazy[map[string]bool]
	breakGlass       lazy[map[string]bool]
	securityDefaults lazy[*graph.SecurityDefaults]
	riskyUsers       lazy[[]*graph.RiskyUser]
	policies         policyReads // controls_mail.go
	authMethods      lazy[*graph.AuthMethodsPolicy]
	authMethodsBeta  lazy[*graph.AuthMethodsBetaSettings] // controls_authmethods2.go
}

// evaluate runs the selected controls, a few at a time, and returns their
// results in catalogue order.
func evaluate(ctx context.Context, c *clients.Set, opt options) []controlResult {
	e := &evaluation{ctx: ctx, c: c, opt: opt}
	// The per-mailbox audit check reads every mailbox anyway: the forwarding
	// check then uses the same listing instead of a second, filtered one.
	e.opt.ForwardingFullListing = opt.Controls[ctlMailboxAuditSettings] || opt.ScanInboxRules
	var selected []control
	for _, ctl := range catalogue {
		if opt.Controls[ctl.ID] {
			selected = append(selected, ctl)
		}
	}
	out := make([]controlResult, len(selected))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, ctl := range selected {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r, licensed := e.licensed(ctl)
			if licensed {
				r = ctl.eval(e)
			}
			if ctx.Err() != nil && r.Status == statusUnknown {
				r.Summary = "Could not evaluate: " + ctx.Err().Error()
			}
			out[i] = controlResult{control: ctl, result: r}
		}()
	}
	wg.Wait()
	return out
}

type controlResult struct {
	control
	result
}

// domainSet answers "is this domain one of ours" for accepted domains.
type domainSet struct {
	exact map[string]bool
	subs  []string // domains whose subdomains also match
}

func (s domainSet) has(domain string) bool {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if s.exact[domain] {
		return true
	}
	for _, d := range s.subs {
		if strings.HasSuffix(domain, "."+d) {
			return true
		}
	}
	return false
}

func (e *evaluation) getAcceptedDomains() (domainSet, error) {
	return e.acceptedDomains.get(func() (domainSet, error) {
		ads, err := e.getAcceptedDomainList()
		if err != nil {
			return domainSet{}, err
		}
		s := domainSet{exact: map[string]bool{}}
		for _, a := range ads {
			d := strings.ToLower(a.DomainName)
			s.exact[d] = true
			if a.MatchSubDomains {
				s.subs = append(s.subs, d)
			}
		}
		return s, nil
	})
}

// allowedDomain reports whether a domain is in forwarding_allowed_domains
// (an entry also covers its subdomains).
func (e *evaluation) allowedDomain(domain string) bool {
	domain = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(domain), "*."))
	for _, a := range e.opt.AllowedDomains {
		if domain == a || strings.HasSuffix(domain, "."+a) {
			return true
		}
	}
	return false
}

// externalAddress reports whether an SMTP address is outside the accepted
// domains and not allowed.
func (e *evaluation) externalAddress(accepted domainSet, addr string) bool {
	_, dom, ok := strings.Cut(exchange.StripSMTPPrefix(strings.TrimSpace(addr)), "@")
	if !ok {
		return false // not an address: a recipient of the directory
	}
	return !accepted.has(dom) && !e.allowedDomain(dom)
}

// capObjects sorts the evidence and keeps the first maxObjects.
func capObjects(objs []object) ([]object, int) {
	sort.SliceStable(objs, func(i, j int) bool {
		if objs[i].Type != objs[j].Type {
			return objs[i].Type < objs[j].Type
		}
		if objs[i].Name != objs[j].Name {
			return objs[i].Name < objs[j].Name
		}
		return objs[i].Detail < objs[j].Detail
	})
	total := len(objs)
	if total > maxObjects {
		objs = objs[:maxObjects]
	}
	return objs, total
}

func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func containsFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

// missing returns the items of want that are not in have.
func missing(have, want []string) []string {
	var out []string
	for _, w := range want {
		if !containsFold(have, w) {
			out = append(out, w)
		}
	}
	return out
}

// getPlans returns the service plans provisioned in the tenant's live
// subscriptions (GET /subscribedSkus, provisioningStatus "Success" only).
func (e *evaluation) getPlans() (map[string]bool, error) {
	return e.plans.get(func() (map[string]bool, error) {
		skus, err := e.c.Graph.ListSubscribedSkus(e.ctx)
		if err != nil {
			return nil, err
		}
		return graph.ActivePlans(skus), nil
	})
}

// licensed checks the licence a control's requirement depends on before
// the control runs. A tenant without it gets "not licensed: <licence>"
// (unknown, missing_licence) with the requirement's own wording; when the
// subscriptions cannot be read, the control is unknown with the permission
// to grant, never reported as unlicensed.
func (e *evaluation) licensed(ctl control) (result, bool) {
	if ctl.Licence == nil {
		return result{}, true
	}
	plans, err := e.getPlans()
	if err != nil {
		r := unknown("the tenant's licences (GET /subscribedSkus)", err)
		if errors.Is(err, graph.ErrForbidden) {
			r.Summary = fmt.Sprintf("Could not check the licence %s needs (%s): GET /subscribedSkus needs the Microsoft Graph application permission LicenseAssignment.Read.All (or Organization.Read.All, Directory.Read.All) with admin consent. %v", ctl.ID, ctl.Licence.Name, err)
		}
		return r, false
	}
	for _, p := range ctl.Licence.Plans {
		if plans[strings.ToLower(p)] {
			return result{}, true
		}
	}
	return result{Status: statusUnknown, Reason: reasonLicence,
		Summary: fmt.Sprintf("not licensed: %s (no subscription has the service plan %s provisioned). %s", ctl.Licence.Name, strings.Join(ctl.Licence.Plans, " or "), ctl.Licence.Wording)}, false
}
