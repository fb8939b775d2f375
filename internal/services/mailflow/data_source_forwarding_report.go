package mailflow

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

var _ datasource.DataSourceWithConfigure = &forwardingReportDataSource{}

// Routes a finding can come from.
const (
	routeRemoteDomain        = "remote_domain"
	routeOutboundPolicy      = "outbound_spam_policy"
	routeForwardingSmtp      = "mailbox_forwarding_smtp_address"
	routeForwardingAddress   = "mailbox_forwarding_address"
	routeRuleForwardTo       = "inbox_rule_forward_to"
	routeRuleRedirectTo      = "inbox_rule_redirect_to"
	routeRuleForwardAsAttach = "inbox_rule_forward_as_attachment_to"
)

var reportRoutes = []string{routeRemoteDomain, routeOutboundPolicy, routeForwardingSmtp, routeForwardingAddress, routeRuleForwardTo, routeRuleRedirectTo, routeRuleForwardAsAttach}

// Concurrency of the two inbox-rule paths.
//
// Get-InboxRule: Microsoft documents no concurrency limit for Exchange
// Online's REST (InvokeCommand) cmdlets
// (https://learn.microsoft.com/en-us/powershell/exchange/exchange-online-powershell-v2
// says only that REST cmdlets retry transient failures and throttling);
// Exchange Online throttles per user and tenant with budgets it does not
// publish, so the default stays at 4 calls in flight.
//
// Graph batches: Outlook's documented limit is 4 concurrent requests per
// app per mailbox and 10,000 requests per 10 minutes per app per mailbox
// (https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits);
// requests inside a batch are evaluated individually against those limits
// (https://learn.microsoft.com/en-us/graph/json-batching). Every batch the
// report sends reads 20 different mailboxes and every mailbox is read once,
// so no mailbox ever has more than one request in flight, whatever the
// number of batches. The global limit is 130,000 requests per 10 seconds
// per app across all tenants (same throttling-limits page): 32 batches of
// 20 in flight, each taking at least a gateway round trip, stay orders of
// magnitude below it. Hence a larger default for batches than for
// Get-InboxRule calls.
const (
	defaultRuleConcurrency  = 4
	maxRuleConcurrency      = 16
	defaultBatchConcurrency = 16
	maxBatchConcurrency     = 32
)

// allowEntryRe is an allow-list entry: an SMTP address or a domain,
// optionally "*." for its subdomains.
var allowEntryRe = regexp.MustCompile(`^(?:[^@\s]+@)?(?:\*\.)?` + domainLabel + `(?:\.` + domainLabel + `)+$`)

// NewForwardingReportDataSource returns m365harden_forwarding_report.
func NewForwardingReportDataSource() datasource.DataSource { return &forwardingReportDataSource{} }

type forwardingReportDataSource struct {
	clients *clients.Set
}

func (d *forwardingReportDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_forwarding_report"
}

func (d *forwardingReportDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Everything that can send mail outside the organization, across the routes Microsoft offers (CIS 6.4.1 asks for a manual review of them): remote domains that allow auto-forwarding, outbound spam filter policies that allow it, mailboxes with `ForwardingSmtpAddress`/`ForwardingAddress` outside the accepted domains, and inbox rules that forward, redirect or forward as attachment to external recipients. Transport rules are covered by their own resource.\n\n" +
			"**Cost.** One `Get-AcceptedDomain`, one `Get-RemoteDomain`, one `Get-HostedOutboundSpamFilterPolicy`, one `Get-Mailbox` per 1,000 mailboxes, and one `Get-Mailbox -Filter` per distinct `ForwardingAddress` recipient the listing does not show to be a mailbox of the tenant. With `scan_inbox_rules` (the default) the inbox rules are read through Microsoft Graph when the app has the `MailboxSettings.Read` application permission: `GET /users/{id}/mailFolders/inbox/messageRules`, 20 mailboxes per JSON batch (`POST /$batch`), so a 10,000-mailbox tenant costs about 13 Exchange calls and 500 Graph requests. Requests Graph throttles inside a batch (429) are sent again alone after their `Retry-After`, within the provider's `max_retries` and `max_retry_wait_seconds`. Without the permission (Graph refuses the first batch with 403) the report falls back to one `Get-InboxRule` **per mailbox** (needs the `Mail Recipients` role): 10,000 calls for 10,000 mailboxes. `inbox_rules_source` says which path ran. Batches run `graph_batch_concurrency` at a time (default 16: each batch reads 20 different mailboxes, so Outlook's limit of 4 concurrent requests per mailbox is never reached), `Get-InboxRule` calls `inbox_rule_concurrency` at a time (default 4); set `scan_inbox_rules = false` for the cheap checks only.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{MarkdownDescription: "The tenant ID.", Computed: true},
			"allowed_targets": schema.SetAttribute{
				MarkdownDescription: "Approved forwarding targets: SMTP addresses (`alex@partner.example`), domains (`partner.example`) or a domain with its subdomains (`*.partner.example`), in lower case. Findings whose target matches have `allowed = true`; remote domain findings match on the domain.",
				ElementType:         types.StringType, Optional: true,
				Validators: []validator.Set{setvalidator.ValueStringsAre(
					stringvalidator.RegexMatches(allowEntryRe, "must be an SMTP address, a domain or *.domain"),
					stringvalidator.RegexMatches(lowerCaseRe, "must be in lower case"),
				)},
			},
			"allowed_outbound_policies": schema.SetAttribute{
				MarkdownDescription: "Names of custom outbound spam filter policies that are meant to allow forwarding (for the senders their rule scopes). Their findings have `allowed = true`. The Default policy is never allowed.",
				ElementType:         types.StringType, Optional: true,
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthBetween(1, 64), stringvalidator.NoneOfCaseInsensitive(defaultOutboundPolicy))},
			},
			"scan_inbox_rules": schema.BoolAttribute{
				MarkdownDescription: "Read every mailbox's inbox rules: through Microsoft Graph (`messageRules`, 20 mailboxes per JSON batch) when the app has `MailboxSettings.Read`, else with `Get-InboxRule -Mailbox` (one call per mailbox; needs the `Mail Recipients` role, which Global Reader lacks). Default `true`.",
				Optional:            true,
			},
			"inbox_rule_concurrency": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many `Get-InboxRule` calls run at once on the Exchange path, 1 to %d. Default %d.", maxRuleConcurrency, defaultRuleConcurrency),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, maxRuleConcurrency)},
			},
			"graph_batch_concurrency": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many Graph JSON batches (`POST /$batch`, 20 `messageRules` reads of 20 different mailboxes each) run at once on the Graph path, 1 to %d. Default %d. Each mailbox is read once, so Outlook's limit of 4 concurrent requests per app per mailbox is not reached at any value; lower it when other apps share the tenant's Graph budget.", maxBatchConcurrency, defaultBatchConcurrency),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, maxBatchConcurrency)},
			},
			"accepted_domains": schema.SetAttribute{
				MarkdownDescription: "The organization's accepted domains (`Get-AcceptedDomain`), in lower case: targets in them (or their subdomains where `MatchSubDomains` is on) are internal.",
				ElementType:         types.StringType, Computed: true,
			},
			"mailboxes_scanned": schema.Int64Attribute{MarkdownDescription: "How many mailboxes were read.", Computed: true},
			"inbox_rules_source": schema.StringAttribute{
				MarkdownDescription: "Where inbox rules were read: `graph` (Microsoft Graph `messageRules` in JSON batches; the app has `MailboxSettings.Read`), `exchange` (`Get-InboxRule` per mailbox: the fallback when Graph refuses the first batch for want of the permission) or `none` (`scan_inbox_rules = false`).",
				Computed:            true,
			},
			"not_allowed_count": schema.Int64Attribute{MarkdownDescription: "How many findings are not in the allow-lists: `0` is the hardened state.", Computed: true},
			"findings": schema.ListNestedAttribute{
				MarkdownDescription: "One entry per route that sends (or lets mail be sent) outside the organization, sorted by route, mailbox and target.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"route":   schema.StringAttribute{MarkdownDescription: "Where the forward is set: " + quoteList(reportRoutes) + ".", Computed: true},
					"mailbox": schema.StringAttribute{MarkdownDescription: "The mailbox's user principal name for mailbox and inbox rule findings; empty otherwise.", Computed: true},
					"target":  schema.StringAttribute{MarkdownDescription: "Where mail goes: the external address, the recipient's name for `mailbox_forwarding_address` (a mail user or contact, not a mailbox of the tenant), the remote domain's `DomainName`, or `*` for an outbound policy.", Computed: true},
					"source":  schema.StringAttribute{MarkdownDescription: "The object that sets it: the inbox rule's name, the remote domain's name or the outbound policy's name; empty for mailbox settings.", Computed: true},
					"detail":  schema.StringAttribute{MarkdownDescription: "More about it, e.g. `AutoForwardingMode=On` or `DeliverToMailboxAndForward=true`.", Computed: true},
					"enabled": schema.BoolAttribute{MarkdownDescription: "Whether it is in effect (an inbox rule can be disabled and re-enabled by its owner).", Computed: true},
					"allowed": schema.BoolAttribute{MarkdownDescription: "Whether the target is in `allowed_targets` (or the policy in `allowed_outbound_policies`).", Computed: true},
				}},
			},
		},
	}
}

func (d *forwardingReportDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// domainSet answers "is this domain one of ours" for accepted domains.
type domainSet struct {
	exact map[string]bool
	subs  []string // domains whose subdomains also match
}

func (s domainSet) has(domain string) bool {
	domain = strings.ToLower(domain)
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

// allowList matches targets against the user's allow-list.
type allowList struct {
	addresses, domains map[string]bool
	wildcards          []string
}

func newAllowList(entries []string) allowList {
	a := allowList{addresses: map[string]bool{}, domains: map[string]bool{}}
	for _, e := range entries {
		e = strings.ToLower(e)
		switch {
		case strings.Contains(e, "@"):
			a.addresses[e] = true
		case strings.HasPrefix(e, "*."):
			a.wildcards = append(a.wildcards, strings.TrimPrefix(e, "*."))
		default:
			a.domains[e] = true
		}
	}
	return a
}

// matchDomain reports whether a domain (or a remote domain pattern such as
// *.partner.example) is allowed.
func (a allowList) matchDomain(domain string) bool {
	domain = strings.ToLower(domain)
	if a.domains[domain] {
		return true
	}
	for _, w := range a.wildcards {
		if domain == w || domain == "*."+w || strings.HasSuffix(domain, "."+w) {
			return true
		}
	}
	return false
}

func (a allowList) matchAddress(addr string) bool {
	addr = strings.ToLower(addr)
	if a.addresses[addr] {
		return true
	}
	_, dom, ok := strings.Cut(addr, "@")
	return ok && a.matchDomain(dom)
}

// parseRuleRecipient extracts the address from an inbox rule recipient as
// Get-InboxRule renders it: `"Name" [SMTP:addr]` is a one-off address,
// `"Name" [EX:/o=...]` a recipient of the organization's directory
// (internal); a bare address is taken as is.
func parseRuleRecipient(s string) (addr string, directory bool) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "["); i >= 0 && strings.HasSuffix(s, "]") {
		inner := s[i+1 : len(s)-1]
		typ, val, ok := strings.Cut(inner, ":")
		if ok && strings.EqualFold(typ, "SMTP") {
			return strings.TrimSpace(val), false
		}
		if ok && strings.EqualFold(typ, "EX") {
			return val, true
		}
		return inner, false
	}
	return strings.Trim(s, `"`), false
}

type finding struct {
	Route   types.String `tfsdk:"route"`
	Mailbox types.String `tfsdk:"mailbox"`
	Target  types.String `tfsdk:"target"`
	Source  types.String `tfsdk:"source"`
	Detail  types.String `tfsdk:"detail"`
	Enabled types.Bool   `tfsdk:"enabled"`
	Allowed types.Bool   `tfsdk:"allowed"`
}

func newFinding(route, mailbox, target, source, detail string, enabled, allowed bool) finding {
	return finding{types.StringValue(route), types.StringValue(mailbox), types.StringValue(target), types.StringValue(source),
		types.StringValue(detail), types.BoolValue(enabled), types.BoolValue(allowed)}
}

// reportOptions are the inputs of one report run.
type reportOptions struct {
	Allow          allowList
	AllowPolicies  map[string]bool
	ScanInboxRules bool
	// Concurrency is the Get-InboxRule calls in flight, GraphConcurrency
	// the Graph batches in flight (0: defaultBatchConcurrency).
	Concurrency      int
	GraphConcurrency int
}

// reportResult is what a report run found.
type reportResult struct {
	AcceptedDomains []string
	Mailboxes       int
	Findings        []finding
	// RulesSource is where inbox rules were read: graph, exchange or none.
	RulesSource string
	// Throttled counts the 429s received inside Graph batches.
	Throttled int
}

// nameKey hashes a mailbox name or identity (case-insensitively) to key the
// ForwardingAddress targets still to resolve. A collision could only hide a
// ForwardingAddress finding whose target hashes like the name of a mailbox
// listed after it: 1 in 2^64 per pair.
func nameKey(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strings.ToLower(s)))
	return h.Sum64()
}

// runForwardingReport collects the findings. It streams Get-Mailbox pages
// into a bounded pool of inbox rule readers (Graph batches or Get-InboxRule
// calls), so memory holds the findings and the ForwardingAddress targets
// still to resolve, not the mailboxes: it does not grow with their number.
func runForwardingReport(ctx context.Context, c *exchange.Client, g *graph.Client, opt reportOptions) (*reportResult, error) {
	res := &reportResult{}
	accepted := domainSet{exact: map[string]bool{}}
	ads, err := c.ListAcceptedDomains(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing accepted domains: %w", err)
	}
	for _, a := range ads {
		dn := strings.ToLower(a.DomainName)
		accepted.exact[dn] = true
		if a.MatchSubDomains {
			accepted.subs = append(accepted.subs, dn)
		}
		res.AcceptedDomains = append(res.AcceptedDomains, dn)
	}
	external := func(addr string) bool {
		_, dom, ok := strings.Cut(addr, "@")
		return !ok || !accepted.has(dom)
	}

	rds, err := c.ListRemoteDomains(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing remote domains: %w", err)
	}
	for _, rd := range rds {
		if rd.AutoForwardEnabled && !accepted.has(strings.TrimPrefix(rd.DomainName, "*.")) {
			allowed := rd.DomainName != "*" && opt.Allow.matchDomain(rd.DomainName)
			res.Findings = append(res.Findings, newFinding(routeRemoteDomain, "", strings.ToLower(rd.DomainName), rd.Name, "AutoForwardEnabled=true", true, allowed))
		}
	}
	pols, err := c.ListOutboundSpamPolicies(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing outbound spam filter policies: %w", err)
	}
	for _, p := range pols {
		mode := canonicalEnum(autoForwardingModes, p.AutoForwardingMode)
		if mode == "Off" {
			continue
		}
		detail := "AutoForwardingMode=" + mode
		if mode == "Automatic" {
			detail += " (" + common.AutomaticForwardingEvidence + ")"
		}
		allowed := !p.IsDefault && opt.AllowPolicies[strings.ToLower(p.Name)]
		res.Findings = append(res.Findings, newFinding(routeOutboundPolicy, "", "*", p.Name, detail, true, allowed))
	}

	var (
		mu sync.Mutex
		// ForwardingAddress findings not yet known to name a mailbox of the
		// tenant, by hashed target: a mailbox listed after the one that
		// forwards resolves them as the listing passes; the rest are looked
		// up after it (resolveForwardingAddresses). Memory follows the
		// forwards, not the mailboxes.
		pending = map[uint64][]finding{}
	)
	add := func(f finding) {
		mu.Lock()
		res.Findings = append(res.Findings, f)
		mu.Unlock()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var firstErr error
	var errOnce sync.Once
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	if opt.GraphConcurrency < 1 {
		opt.GraphConcurrency = defaultBatchConcurrency
	}
	work := make(chan mailboxJob, max(opt.Concurrency, opt.GraphConcurrency)*graph.MaxBatchRequests)
	scan := &rulesScan{exo: c, graph: g, concurrency: opt.Concurrency, graphConcurrency: opt.GraphConcurrency, emit: func(upn string, rules []ruleView) {
		for _, r := range rules {
			for _, route := range []struct {
				name string
				to   []ruleRecipient
			}{{routeRuleForwardTo, r.forwardTo}, {routeRuleRedirectTo, r.redirectTo}, {routeRuleForwardAsAttach, r.fwAt}} {
				for _, rc := range route.to {
					if rc.directory || !external(rc.addr) {
						continue
					}
					add(newFinding(route.name, upn, strings.ToLower(rc.addr), r.name, "", r.enabled, opt.Allow.matchAddress(rc.addr)))
				}
			}
		}
	}}
	res.RulesSource = rulesSourceNone
	scanDone := make(chan struct{})
	if opt.ScanInboxRules {
		go func() {
			defer close(scanDone)
			src, err := scan.run(ctx, work)
			res.RulesSource = src
			if err != nil {
				fail(err)
			}
			// Drain what the listing still sends after a failure.
			for range work {
			}
		}()
	} else {
		close(scanDone)
	}
	listErr := c.ListMailboxes(ctx, exchange.MailboxQuery{NoRouteCache: true, Fields: []string{"Identity", "Name", "Guid", "ExternalDirectoryObjectId", "UserPrincipalName", "PrimarySmtpAddress", "ForwardingAddress", "ForwardingSmtpAddress", "DeliverToMailboxAndForward"}}, func(mb *exchange.Mailbox) error {
		res.Mailboxes++
		upn := mb.UserPrincipalName
		if upn == "" {
			upn = mb.PrimarySmtpAddress
		}
		mu.Lock()
		delete(pending, nameKey(mb.Name))
		delete(pending, nameKey(mb.Identity))
		mu.Unlock()
		detail := fmt.Sprintf("DeliverToMailboxAndForward=%t", mb.DeliverToMailboxAndForward)
		if a := mb.ForwardingSmtpAddress; a != "" && external(a) {
			add(newFinding(routeForwardingSmtp, upn, strings.ToLower(a), "", detail, true, opt.Allow.matchAddress(a)))
		}
		if a := mb.ForwardingAddress; a != "" && !(strings.Contains(a, "@") && !external(a)) && !strings.EqualFold(a, mb.Name) && !strings.EqualFold(a, mb.Identity) {
			k := nameKey(a)
			mu.Lock()
			pending[k] = append(pending[k], newFinding(routeForwardingAddress, upn, a, "", detail+"; the recipient is not a mailbox of the tenant (a mail user or contact)", true, strings.Contains(a, "@") && opt.Allow.matchAddress(a)))
			mu.Unlock()
		}
		if opt.ScanInboxRules {
			select {
			case work <- mailboxJob{upn: upn, objectID: mb.ExternalDirectoryObjectId, guid: mb.Guid}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	close(work)
	<-scanDone
	res.Throttled = int(scan.throttled.Load())
	if firstErr != nil {
		return nil, firstErr
	}
	if listErr != nil {
		return nil, fmt.Errorf("listing mailboxes: %w", listErr)
	}
	found, err := resolveForwardingAddresses(ctx, c, pending)
	if err != nil {
		return nil, err
	}
	res.Findings = append(res.Findings, found...)
	sort.Slice(res.Findings, func(i, j int) bool {
		a, b := res.Findings[i], res.Findings[j]
		if a.Route.ValueString() != b.Route.ValueString() {
			return a.Route.ValueString() < b.Route.ValueString()
		}
		if a.Mailbox.ValueString() != b.Mailbox.ValueString() {
			return a.Mailbox.ValueString() < b.Mailbox.ValueString()
		}
		if a.Target.ValueString() != b.Target.ValueString() {
			return a.Target.ValueString() < b.Target.ValueString()
		}
		return a.Source.ValueString() < b.Source.ValueString()
	})
	sort.Strings(res.AcceptedDomains)
	return res, nil
}

// resolveForwardingAddresses keeps the ForwardingAddress findings whose
// target is not a mailbox of the tenant: one Get-Mailbox -Filter (Alias or
// Name, as Get-Mailbox renders ForwardingAddress) per distinct target the
// listing left unresolved. A target no mailbox matches is a mail user or
// contact: a finding.
func resolveForwardingAddresses(ctx context.Context, c *exchange.Client, pending map[uint64][]finding) ([]finding, error) {
	var out []finding
	for _, fs := range pending {
		target := fs[0].Target.ValueString()
		n := 0
		err := c.InvokeEach(ctx, "Get-Mailbox", map[string]any{"Filter": "Alias -eq " + exchange.QuoteOPATH(target) + " -or Name -eq " + exchange.QuoteOPATH(target), "ResultSize": 1},
			func(exchange.Object) error { n++; return nil }, exchange.Select("Name"), exchange.NoRouteCache())
		if err != nil {
			return nil, fmt.Errorf("looking up the ForwardingAddress recipient %q: %w", target, err)
		}
		if n == 0 {
			out = append(out, fs...)
		}
	}
	return out, nil
}

func (d *forwardingReportDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m forwardingReportModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	opt := reportOptions{
		Allow:            newAllowList(stringsOf(ctx, m.AllowedTargets, &resp.Diagnostics)),
		AllowPolicies:    map[string]bool{},
		ScanInboxRules:   m.ScanInboxRules.IsNull() || m.ScanInboxRules.ValueBool(),
		Concurrency:      defaultRuleConcurrency,
		GraphConcurrency: defaultBatchConcurrency,
	}
	for _, p := range stringsOf(ctx, m.AllowedOutboundPolicies, &resp.Diagnostics) {
		opt.AllowPolicies[strings.ToLower(p)] = true
	}
	if known(m.InboxRuleConcurrency) {
		opt.Concurrency = int(m.InboxRuleConcurrency.ValueInt64())
	}
	if known(m.GraphBatchConcurrency) {
		opt.GraphConcurrency = int(m.GraphBatchConcurrency.ValueInt64())
	}
	res, err := runForwardingReport(ctx, d.clients.Exchange, d.clients.Graph, opt)
	if err != nil {
		summary := "Building the forwarding report failed"
		if errors.Is(err, exchange.ErrForbidden) && opt.ScanInboxRules {
			summary += " (Get-InboxRule needs the Mail Recipients role; set scan_inbox_rules = false to skip inbox rules)"
		}
		common.AddAPIError(&resp.Diagnostics, summary, err)
		return
	}
	tflog.Debug(ctx, "forwarding report", map[string]any{"mailboxes": res.Mailboxes, "findings": len(res.Findings), "inbox_rules_source": res.RulesSource, "graph_429s": res.Throttled})
	notAllowed := 0
	for _, f := range res.Findings {
		if !f.Allowed.ValueBool() {
			notAllowed++
		}
	}
	m.ID = types.StringValue(d.clients.TenantID)
	m.AcceptedDomains = setOf(res.AcceptedDomains)
	m.MailboxesScanned = types.Int64Value(int64(res.Mailboxes))
	m.InboxRulesSource = types.StringValue(res.RulesSource)
	m.NotAllowedCount = types.Int64Value(int64(notAllowed))
	if res.Findings == nil {
		res.Findings = []finding{}
	}
	m.Findings = res.Findings
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

type forwardingReportModel struct {
	ID                      types.String `tfsdk:"id"`
	AllowedTargets          types.Set    `tfsdk:"allowed_targets"`
	AllowedOutboundPolicies types.Set    `tfsdk:"allowed_outbound_policies"`
	ScanInboxRules          types.Bool   `tfsdk:"scan_inbox_rules"`
	InboxRuleConcurrency    types.Int64  `tfsdk:"inbox_rule_concurrency"`
	GraphBatchConcurrency   types.Int64  `tfsdk:"graph_batch_concurrency"`
	AcceptedDomains         types.Set    `tfsdk:"accepted_domains"`
	MailboxesScanned        types.Int64  `tfsdk:"mailboxes_scanned"`
	InboxRulesSource        types.String `tfsdk:"inbox_rules_source"`
	NotAllowedCount         types.Int64  `tfsdk:"not_allowed_count"`
	Findings                []finding    `tfsdk:"findings"`
}
