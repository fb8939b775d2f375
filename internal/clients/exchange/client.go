// Package exchange is a client for the InvokeCommand REST endpoint that
// Exchange Online and Security & Compliance PowerShell (module v3) use:
// POST {base}/adminapi/beta/{tenantId}/InvokeCommand with
// {"CmdletInput":{"CmdletName":...,"Parameters":{...}}}. See
// https://learn.microsoft.com/en-us/exchange/reference/admin-api-overview.
package exchange

import (
	"bytes"
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

// The system mailbox used as routing anchor for app-only calls.
const systemMailbox = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}"

// MaxPageSize is the largest page the endpoint serves (Prefer: odata.maxpagesize).
const MaxPageSize = 1000

// RetryPolicy bounds retries of throttled and unavailable calls.
type RetryPolicy struct {
	MaxRetries int           // attempts after the first; default 5
	MaxWait    time.Duration // total time spent waiting; default 2m
	BaseDelay  time.Duration // first backoff when no Retry-After; default 1s
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxRetries <= 0 {
		p.MaxRetries = 5
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
	// InitialDomain returns the tenant's initial (*.onmicrosoft.com) domain,
	// needed for the Security & Compliance anchor header.
	InitialDomain func(ctx context.Context) (string, error)
	UserAgent     string
}

// Client calls cmdlets on one service for one tenant. It is safe for
// concurrent use.
type Client struct {
	cfg  Config
	http *http.Client

	mu       sync.RWMutex
	regional string // regional base URL learnt from the first redirect
}

// New returns a Client.
func New(cfg Config) *Client {
	cfg.Retry = cfg.Retry.withDefaults()
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	// Redirects are handled here: Go's client would turn the POST into a GET
	// and drop the body; the token must also only go to the service's hosts.
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
}

// Option changes one call.
type Option func(*options)

// Select asks the service for only these properties (?$select=).
func Select(fields ...string) Option { return func(o *options) { o.selectFields = fields } }

// PageSize sets Prefer: odata.maxpagesize (default and maximum 1000).
func PageSize(n int) Option { return func(o *options) { o.pageSize = n } }

// NotIdempotent marks a call that must not be repeated after a 503/504 (the
// service may have run it): New-* cmdlets.
func NotIdempotent() Option { f := false; return func(o *options) { o.idempotent = &f } }

// Object is one result object: property name to value as the service sent
// it (strings, bools, float64 numbers, []any, nested maps). Annotations
// (keys containing "@odata.") are removed.
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

// InvokeEach runs a cmdlet and calls fn for each result object as pages
// arrive, so large result sets are not held in memory at once.
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
	target := c.firstURL(o.selectFields)
	for page := 0; target != ""; page++ {
		res, err := c.do(ctx, cmdlet, target, body, o.pageSize, idempotent)
		if err != nil {
			return err
		}
		for _, obj := range res.Value {
			for k := range obj {
				if strings.Contains(k, "@odata.") {
					delete(obj, k)
				}
			}
			if err := fn(obj); err != nil {
				return err
			}
		}
		target = ""
		if res.NextLink != "" {
			if err := c.checkSameService(res.NextLink); err != nil {
				return fmt.Errorf("%s %s: refusing @odata.nextLink: %w", c.service(), cmdlet, err)
			}
			target = res.NextLink
		}
	}
	return nil
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
}

// do sends one page request, with retries and the Security & Compliance
// redirect.
func (c *Client) do(ctx context.Context, cmdlet, target string, body []byte, pageSize int, idempotent bool) (*response, error) {
	pol := c.cfg.Retry
	var waited time.Duration
	redirects := 0
	for attempt := 0; ; attempt++ {
		start := time.Now()
		resp, err := c.send(ctx, cmdlet, target, body, pageSize)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("%s %s: %w", c.service(), cmdlet, err)
		}
		respBody, rerr := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
		resp.Body.Close()
		tflog.Debug(ctx, "InvokeCommand", map[string]any{
			"service": c.service(), "cmdlet": cmdlet, "status": resp.StatusCode,
			"duration_ms": time.Since(start).Milliseconds(), "retry": attempt,
			"request_id": resp.Header.Get("request-id"),
		})
		if rerr != nil {
			return nil, fmt.Errorf("%s %s: reading response: %w", c.service(), cmdlet, rerr)
		}
		switch {
		case resp.StatusCode == http.StatusOK:
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
			if err := c.checkRedirect(loc); err != nil {
				return nil, fmt.Errorf("%s %s: refusing redirect: %w", c.service(), cmdlet, err)
			}
			redirects++
			c.learnRegional(loc)
			target = loc.String()
			attempt--
			continue
		}
		apiErr := c.parseError(cmdlet, resp, respBody)
		retryable := resp.StatusCode == http.StatusTooManyRequests ||
			(idempotent && (resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout))
		if !retryable || attempt >= pol.MaxRetries {
			if retryable {
				return nil, fmt.Errorf("%w (gave up after %d retries)", apiErr, attempt)
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

func (c *Client) send(ctx context.Context, cmdlet, target string, body []byte, pageSize int) (*http.Response, error) {
	tok, err := c.cfg.Credential.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{strings.TrimSuffix(c.cfg.Resource, "/") + "/.default"}})
	if err != nil {
		return nil, fmt.Errorf("getting a token for %s: %w", c.cfg.Resource, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	anchor := "APP:" + systemMailbox + "@" + c.cfg.TenantID
	if c.cfg.Compliance {
		if c.cfg.InitialDomain == nil {
			return nil, errors.New("the Security & Compliance client needs the tenant's initial domain")
		}
		d, err := c.cfg.InitialDomain(ctx)
		if err != nil {
			return nil, fmt.Errorf("finding the tenant's initial domain: %w", err)
		}
		anchor = "UPN:" + systemMailbox + "@" + d
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
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
	if json.Unmarshal(body, &eb) == nil {
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
	} else if len(body) > 0 {
		e.Message = strings.TrimSpace(string(body[:min(len(body), 300)]))
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	e.kind = classify(resp.StatusCode, e.Exception)
	return e
}

func (c *Client) checkSameService(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	return c.checkRedirect(u)
}

// checkRedirect allows the service's own host and its regional sub-hosts
// (eur01b.ps.compliance.protection.outlook.com for ps.compliance...), https only.
func (c *Client) checkRedirect(u *url.URL) error {
	base, err := url.Parse(c.cfg.BaseURL)
	if err != nil {
		return err
	}
	if u.Scheme != "https" {
		return fmt.Errorf("%s is not https", u.Redacted())
	}
	h, bh := strings.ToLower(u.Host), strings.ToLower(base.Host)
	if h != bh && !strings.HasSuffix(h, "."+bh) {
		return fmt.Errorf("host %s is not %s or one of its regional hosts", u.Host, base.Host)
	}
	return nil
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
