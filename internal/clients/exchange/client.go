// Package exchange is a client for the InvokeCommand REST endpoint that
// Exchange Online and Security & Compliance PowerShell (module v3) use:
// POST {base}/adminapi/beta/{tenantId}/InvokeCommand with
// {"CmdletInput":{"CmdletName":...,"Parameters":{...}}}. Microsoft documents
// the shape for its Admin API
// (https://learn.microsoft.com/en-us/exchange/reference/admin-api-overview);
// the broader cmdlet set, paging, routing and error envelope follow what the
// ExchangeOnlineManagement v3 module and public tools (CIPP New-ExoRequest,
// ScubaGear Invoke-EXORestMethod) send and parse.
package exchange

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Service names used in errors.
const (
	ServiceExchange   = "Exchange Online"
	ServiceCompliance = "Security & Compliance"
)

// MaxPageSize is the largest page the endpoint serves (Prefer: odata.maxpagesize).
const MaxPageSize = 1000

// DefaultMaxRetries is the number of retries when RetryPolicy.MaxRetries is
// negative (unset).
const DefaultMaxRetries = 5

// RetryPolicy bounds retries of throttled and unavailable calls.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt, exactly:
	// 0 means none. A negative value means DefaultMaxRetries.
	MaxRetries int
	MaxWait    time.Duration // total time spent waiting; default 2m
	BaseDelay  time.Duration // first backoff when no Retry-After; default 1s
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxRetries < 0 {
		p.MaxRetries = DefaultMaxRetries
	}
	if p.MaxWait <= 0 {
		p.MaxWait = 2 * time.Minute
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = time.Second
	}
	return p
}

// Config configures a Client.
type Config struct {
	// BaseURL of the service, e.g. https://outlook.office365.com or
	// https://ps.compliance.protection.outlook.com.
	BaseURL string
	// Resource is the token audience, e.g. https://outlook.office365.com.
	Resource   string
	TenantID   string
	Credential azcore.TokenCredential
	HTTPClient *http.Client
	Retry      RetryPolicy
	// Compliance selects Security & Compliance behaviour: the UPN anchor on
	// the initial domain and the redirect to the tenant's regional host.
	Compliance bool
	// RegionalHosts are the hosts besides BaseURL's own that the service may
	// redirect to or page on, and that therefore receive the access token:
	// "host", "host:port", or "*.domain" for any subdomain (port 443).
	// Anything else is refused before a request is sent to it.
	RegionalHosts []string
	// InitialDomain returns the tenant's initial (*.onmicrosoft.com) domain,
	// needed for the Security & Compliance anchor header.
	InitialDomain func(ctx context.Context) (string, error)
	// HydrationWait bounds how long a write refused by a dehydrated
	// organization waits for Enable-OrganizationCustomization to take
	// effect; default 5 minutes.
	HydrationWait time.Duration
	UserAgent     string
}

// Client calls cmdlets on one service for one tenant. It is safe for
// concurrent use.
type Client struct {
	cfg  Config
	http *http.Client

	mu       sync.RWMutex
	regional string // regional base URL learnt from the first redirect

	mailboxes upnCache // mailbox identity -> UPN, for routing

	hydrationMu        sync.Mutex
	hydrationRequested bool
}

// New returns a Client.
func New(cfg Config) *Client {
	cfg.Retry = cfg.Retry.withDefaults()
	if cfg.HydrationWait <= 0 {
		cfg.HydrationWait = 5 * time.Minute
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	// Redirects are handled here: Go's client would turn the POST into a GET
	// and drop the body; the token must also only go to allowed hosts.
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{cfg: cfg, http: &c}
}

func (c *Client) service() string {
	if c.cfg.Compliance {
		return ServiceCompliance
	}
	return ServiceExchange
}

// Options for one call.
type options struct {
	selectFields []string
	pageSize     int
	idempotent   *bool
	noRouteCache bool
}

// Option changes one call.
type Option func(*options)

// Select asks the service for only these properties (?$select=).
func Select(fields ...string) Option { return func(o *options) { o.selectFields = fields } }

// PageSize sets Prefer: odata.maxpagesize (default and maximum 1000).
func PageSize(n int) Option { return func(o *options) { o.pageSize = n } }

// NoRouteCache keeps a Get-Mailbox listing out of the client's identity ->
// UPN routing cache: for callers that address the listed mailboxes by UPN
// (which needs no look-up), so a tenant-wide listing does not leave one
// cache entry per mailbox behind.
func NoRouteCache() Option { return func(o *options) { o.noRouteCache = true } }

// NotIdempotent marks a call that must not be repeated after a 503/504 (the
// service may have run it): New-* cmdlets.
func NotIdempotent() Option { f := false; return func(o *options) { o.idempotent = &f } }

// Object is one result object: property name to value as the service sent
// it (strings, bools, float64 numbers, []any, nested maps). Annotations
// (keys containing "@odata." or "@data.") are removed.
type Object map[string]any

// Invoke runs a cmdlet and returns every result object, following paging.
func (c *Client) Invoke(ctx context.Context, cmdlet string, params map[string]any, opts ...Option) ([]Object, error) {
	var all []Object
	err := c.InvokeEach(ctx, cmdlet, params, func(o Object) error {
		all = append(all, o)
		return nil
	}, opts...)
	return all, err
}

// call is one InvokeEach in progress.
type call struct {
	cmdlet     string
	body       []byte
	sel        []string
	pageSize   int
	idempotent bool
	noCache    bool
	fn         func(Object) error
}

// InvokeEach runs a cmdlet and calls fn for each result object as pages
// arrive, so large result sets are not held in memory at once.
//
// Routing (X-AnchorMailbox) is chosen per cmdlet (anchor.go). A write that
// a dehydrated organization refuses runs Enable-OrganizationCustomization
// once and is sent again when that has taken effect (hydration.go).
func (c *Client) InvokeEach(ctx context.Context, cmdlet string, params map[string]any, fn func(Object) error, opts ...Option) error {
	o := options{pageSize: MaxPageSize}
	for _, opt := range opts {
		opt(&o)
	}
	if o.pageSize <= 0 || o.pageSize > MaxPageSize {
		o.pageSize = MaxPageSize
	}
	idempotent := !strings.HasPrefix(strings.ToLower(cmdlet), "new-")
	if o.idempotent != nil {
		idempotent = *o.idempotent
	}
	if params == nil {
		params = map[string]any{}
	}
	body, err := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	if err != nil {
		return fmt.Errorf("%s %s: encoding parameters: %w", c.service(), cmdlet, err)
	}
	cl := &call{cmdlet: cmdlet, body: body, sel: o.selectFields, pageSize: o.pageSize, idempotent: idempotent, noCache: o.noRouteCache, fn: fn}
	anchor, err := c.anchorFor(ctx, cmdlet, params)
	if err != nil {
		return err
	}
	pages, err := c.pages(ctx, cl, anchor)
	if pages == 0 && errors.Is(err, ErrRouting) {
		// The mailbox is not where the anchor said (a guessed or stale
		// UPN): look it up and send the call once more.
		if a, ok := c.reroute(ctx, cmdlet, params, anchor); ok {
			pages, err = c.pages(ctx, cl, a)
		}
	}
	if pages == 0 && errors.Is(err, ErrDehydrated) && !c.cfg.Compliance {
		err = c.afterHydration(ctx, cmdlet, func() error {
			_, err := c.pages(ctx, cl, anchor)
			return err
		})
	}
	return err
}

// pages runs one call to the end, page by page; it returns how many pages
// were delivered to fn.
func (c *Client) pages(ctx context.Context, cl *call, anchor string) (int, error) {
	target := c.firstURL(cl.sel)
	pages := 0
	for target != "" {
		res, err := c.do(ctx, cl.cmdlet, anchor, target, cl.body, cl.pageSize, cl.idempotent)
		if err != nil {
			return pages, err
		}
		c.warnings(ctx, cl.cmdlet, res.Warnings)
		single := len(res.Value) == 1 && res.NextLink == "" && pages == 0
		for _, obj := range res.Value {
			for k := range obj {
				if strings.Contains(k, "@odata.") || strings.Contains(k, "@data.") {
					delete(obj, k)
				}
			}
			if !cl.noCache && strings.EqualFold(cl.cmdlet, "Get-Mailbox") {
				c.mailboxes.remember(obj, single)
			}
			if err := cl.fn(obj); err != nil {
				return pages + 1, err
			}
		}
		pages++
		target = ""
		if res.NextLink != "" {
			u, err := url.Parse(res.NextLink)
			if err == nil {
				err = c.checkHost(u)
			}
			if err != nil {
				return pages, fmt.Errorf("%s %s: refusing @odata.nextLink: %w", c.service(), cl.cmdlet, err)
			}
			target = res.NextLink
		}
	}
	return pages, nil
}

func (c *Client) base() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.regional != "" {
		return c.regional
	}
	return strings.TrimSuffix(c.cfg.BaseURL, "/")
}

func (c *Client) firstURL(sel []string) string {
	u := c.base() + "/adminapi/beta/" + url.PathEscape(c.cfg.TenantID) + "/InvokeCommand"
	if len(sel) > 0 {
		u += "?$select=" + url.QueryEscape(strings.Join(sel, ","))
	}
	return u
}

type response struct {
	Value    []Object `json:"value"`
	NextLink string   `json:"@odata.nextLink"`
	Warnings []string `json:"@adminapi.warnings"`
}

// do sends one page request, with retries, one retry of a 401 with a fresh
// token, and the Security & Compliance redirect.
func (c *Client) do(ctx context.Context, cmdlet, anchor, target string, body []byte, pageSize int, idempotent bool) (*response, error) {
	pol := c.cfg.Retry
	var waited time.Duration
	redirects := 0
	refreshed := false // a 401 was answered by fetching a new token
	for attempt := 0; ; attempt++ {
		start := time.Now()
		tok, err := c.token(ctx, refreshed && attempt == 0)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if refreshed {
				// The service refused the token and no new one can be had:
				// the credential itself has expired or been revoked.
				return nil, &Error{Service: c.service(), Cmdlet: cmdlet, Status: http.StatusUnauthorized,
					Message: "the service rejected the access token and a new one could not be fetched: " + err.Error(), kind: ErrTokenRejected}
			}
			return nil, fmt.Errorf("%s %s: getting a token for %s: %w", c.service(), cmdlet, c.cfg.Resource, err)
		}
		resp, err := c.send(ctx, cmdlet, anchor, target, body, pageSize, tok)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("%s %s: %w", c.service(), cmdlet, err)
		}
		// The status decides; the body may be unreadable (Exchange's 403 is
		// NUL bytes labelled gzip), which for an error only loses detail.
		respBody, rerr := readBody(resp)
		tflog.Debug(ctx, "InvokeCommand", map[string]any{
			"service": c.service(), "cmdlet": cmdlet, "status": resp.StatusCode,
			"duration_ms": time.Since(start).Milliseconds(), "retry": attempt,
			"request_id": resp.Header.Get("request-id"), "rate_limit_remaining": resp.Header.Get("Rate-Limit-Remaining"),
		})
		switch {
		case resp.StatusCode == http.StatusOK:
			if rerr != nil {
				return nil, fmt.Errorf("%s %s: reading response: %w", c.service(), cmdlet, rerr)
			}
			var out response
			if err := json.Unmarshal(respBody, &out); err != nil {
				return nil, fmt.Errorf("%s %s: decoding response: %w", c.service(), cmdlet, err)
			}
			return &out, nil
		case resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusMovedPermanently ||
			resp.StatusCode == http.StatusTemporaryRedirect || resp.StatusCode == http.StatusPermanentRedirect:
			loc, err := resp.Location()
			if err != nil || redirects >= 3 {
				return nil, fmt.Errorf("%s %s: bad redirect (status %d)", c.service(), cmdlet, resp.StatusCode)
			}
			if err := c.checkHost(loc); err != nil {
				return nil, fmt.Errorf("%s %s: refusing redirect: %w", c.service(), cmdlet, err)
			}
			redirects++
			c.learnRegional(loc)
			target = loc.String()
			attempt--
			continue
		case resp.StatusCode == http.StatusUnauthorized && !refreshed:
			// The cached token may have expired or been revoked before its
			// time: fetch a new one and try once more. A 401 means the call
			// did not run, so this is safe for New-* too.
			tflog.Debug(ctx, "InvokeCommand 401: retrying with a new token", map[string]any{"service": c.service(), "cmdlet": cmdlet})
			refreshed = true
			attempt = -1
			continue
		}
		if rerr != nil {
			respBody = nil
		}
		apiErr := c.parseError(cmdlet, resp, respBody)
		if resp.StatusCode == http.StatusUnauthorized {
			apiErr.kind = classifyUnauthorized(tok)
		}
		retryable := resp.StatusCode == http.StatusTooManyRequests ||
			(idempotent && (resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout))
		if !retryable || attempt >= pol.MaxRetries {
			if retryable && attempt > 0 {
				return nil, fmt.Errorf("%w (gave up after %d retries)", apiErr, attempt)
			}
			if retryable {
				return nil, fmt.Errorf("%w (not retried: max_retries is %d)", apiErr, pol.MaxRetries)
			}
			return nil, apiErr
		}
		delay := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if delay <= 0 {
			delay = pol.BaseDelay << attempt
		}
		// Jitter spreads clients that were throttled together.
		delay += time.Duration(rand.Int64N(int64(delay/4) + 1))
		if waited+delay > pol.MaxWait {
			return nil, fmt.Errorf("%w (retrying would exceed the retry budget of %s)", apiErr, pol.MaxWait)
		}
		tflog.Debug(ctx, "InvokeCommand retry", map[string]any{"service": c.service(), "cmdlet": cmdlet, "status": resp.StatusCode, "delay_ms": delay.Milliseconds(), "retry": attempt + 1})
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		waited += delay
	}
}

// token returns an access token; fresh bypasses the credential's cache.
// azidentity (MSAL) skips its cache when claims are requested, so a fresh
// token asks for one issued now: the claims challenge format of continuous
// access evaluation
// (https://learn.microsoft.com/entra/identity-platform/claims-challenge).
// A credential that cannot take claims (the Azure CLI) is asked again
// without.
func (c *Client) token(ctx context.Context, fresh bool) (string, error) {
	opts := policy.TokenRequestOptions{Scopes: []string{strings.TrimSuffix(c.cfg.Resource, "/") + "/.default"}}
	if fresh {
		withClaims := opts
		withClaims.Claims = fmt.Sprintf(`{"access_token":{"nbf":{"essential":true,"value":"%d"}}}`, time.Now().Unix())
		if tok, err := c.cfg.Credential.GetToken(ctx, withClaims); err == nil {
			return tok.Token, nil
		} else if !strings.Contains(err.Error(), "--claims-challenge") {
			return "", err
		}
	}
	tok, err := c.cfg.Credential.GetToken(ctx, opts)
	if err != nil {
		return "", err
	}
	return tok.Token, nil
}

func (c *Client) send(ctx context.Context, cmdlet, anchor, target string, body []byte, pageSize int, tok string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	// Asking for gzip ourselves keeps Go's transport from decompressing on
	// its own: then an error answer whose body is not what its label says
	// still reaches us with its status.
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("X-AnchorMailbox", anchor)
	req.Header.Set("Prefer", "odata.maxpagesize="+strconv.Itoa(pageSize))
	req.Header.Set("X-CmdletName", cmdlet)
	req.Header.Set("X-ResponseFormat", "json")
	req.Header.Set("X-ClientApplication", "m365harden")
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	return c.http.Do(req)
}

// readBody reads and closes a response body, inflating it when it is
// labelled gzip. A body that is not what its label says is an error.
func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	rd := io.LimitReader(resp.Body, 256<<20)
	if strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
		raw, err := io.ReadAll(rd)
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("the body is labelled gzip but is not: %w", err)
		}
		defer zr.Close()
		return io.ReadAll(io.LimitReader(zr, 256<<20))
	}
	return io.ReadAll(rd)
}

// retryAfter parses Retry-After as seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now)
	}
	return 0
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"details"`
		InnerError struct {
			Type              string `json:"type"`
			Message           string `json:"message"`
			InternalException struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"internalexception"`
		} `json:"innererror"`
	} `json:"error"`
}

// parseError reads the service's error body. error.message is generic
// ("Error executing cmdlet", "Invalid Operation"); the specific exception
// and text are in details[].message ("Ex6F9304|<type>|<text>", or
// "|<type>|<text>" for a parameter set that cannot be resolved) or, when
// there are no details (a bad enumeration value), only in
// innererror.internalexception. innererror.type itself is always the
// generic Microsoft.Exchange.Admin.OData.Core.ODataServiceException.
func (c *Client) parseError(cmdlet string, resp *http.Response, body []byte) *Error {
	e := &Error{Service: c.service(), Cmdlet: cmdlet, Status: resp.StatusCode, RequestID: resp.Header.Get("request-id")}
	var eb errorBody
	if len(body) > 0 && json.Unmarshal(body, &eb) == nil {
		e.Code = eb.Error.Code
		e.Message = eb.Error.Message
		for _, d := range eb.Error.Details {
			parts := strings.SplitN(d.Message, "|", 3)
			if len(parts) == 3 {
				e.Exception, e.Message = parts[1], parts[2]
				break
			}
			if d.Message != "" {
				e.Message = d.Message
			}
		}
		if ie := eb.Error.InnerError.InternalException; e.Exception == "" && ie.Type != "" {
			e.Exception = ie.Type
			if ie.Message != "" {
				e.Message = ie.Message
			}
		}
		if e.Exception == "" && eb.Error.InnerError.Type != "" {
			e.Exception = eb.Error.InnerError.Type
		}
	} else if len(bytes.Trim(body, "\x00 \r\n\t")) > 0 {
		e.Message = strings.TrimSpace(string(body[:min(len(body), 300)]))
	}
	if e.Message == "" && resp.StatusCode == http.StatusForbidden && !c.cfg.Compliance {
		// Exchange Online's 403 carries no readable detail.
		e.Message = "the cmdlet is not available to this app (it does not exist, or none of the app's roles includes it)"
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	e.kind = classify(resp.StatusCode, e.Exception)
	return e
}

// checkHost allows https to the service's own host and the configured
// regional hosts, nothing else: the token goes wherever a request goes.
func (c *Client) checkHost(u *url.URL) error {
	if u.Scheme != "https" {
		return fmt.Errorf("%s is not https", u.Redacted())
	}
	base, err := url.Parse(c.cfg.BaseURL)
	if err != nil {
		return err
	}
	if hostPort(u) == hostPort(base) {
		return nil
	}
	for _, p := range c.cfg.RegionalHosts {
		if hostMatches(strings.ToLower(strings.TrimSpace(p)), u) {
			return nil
		}
	}
	allowed := append([]string{base.Host}, c.cfg.RegionalHosts...)
	return fmt.Errorf("host %s is not one the %s client may send its token to (%s)", u.Host, c.service(), strings.Join(allowed, ", "))
}

// hostPort is the lower-case host:port of an https URL.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
	}
	return strings.ToLower(u.Hostname()) + ":" + port
}

// hostMatches matches "host", "host:port" or "*.domain" (subdomains, port
// 443) against a URL.
func hostMatches(pattern string, u *url.URL) bool {
	if pattern == "" {
		return false
	}
	if suffix, ok := strings.CutPrefix(pattern, "*."); ok {
		host := strings.ToLower(u.Hostname())
		return strings.HasSuffix(host, "."+suffix) && hostPort(u) == host+":443"
	}
	if !strings.Contains(pattern, ":") {
		pattern += ":443"
	}
	return pattern == hostPort(u)
}

func (c *Client) learnRegional(loc *url.URL) {
	i := strings.Index(loc.Path, "/adminapi/")
	if i < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.regional = loc.Scheme + "://" + loc.Host + loc.Path[:i]
}
