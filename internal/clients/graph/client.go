// Package graph sets up msgraph-sdk-go for the provider: the configured base
// URL and allowed hosts (the plain constructor silently drops the token for
// hosts it does not know), a transport that trusts the configured CA, retry
// settings, debug logging, error classification and the tenant's initial
// domain.
package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	azauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// Config configures a Client.
type Config struct {
	// BaseURL is the Graph root without the version, e.g. https://graph.microsoft.com.
	BaseURL string
	// Resource is the token audience, e.g. https://graph.microsoft.com.
	Resource   string
	Credential azcore.TokenCredential
	// Transport is the base transport (TLS settings); nil = http.DefaultTransport.
	Transport http.RoundTripper
	// MaxRetries is how many times a 429 (any method) or 503/504 (not POST)
	// is retried, exactly; 0 = never.
	MaxRetries int
	// MaxWait bounds the total time spent waiting between retries of one
	// request, Retry-After included.
	MaxWait time.Duration
	// UserAgent leads the User-Agent header of every request
	// ("m365harden/{version} terraform/{version}"); the SDK appends its own
	// product token after it. Empty = the SDK's alone.
	UserAgent string
}

// Client wraps the Graph service client.
type Client struct {
	// adapter sends every request (request.go builds them).
	adapter abstractions.RequestAdapter
	// batch is what JSON batching needs (batch.go).
	batch batchConfig

	domainMu      sync.Mutex
	initialDomain string
}

// New builds a Graph client for cfg.
func New(cfg Config) (*Client, error) {
	base, err := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/"))
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("graph endpoint %q is not a URL", cfg.BaseURL)
	}
	if base.Scheme != "https" {
		return nil, fmt.Errorf("graph endpoint %q must use https", cfg.BaseURL)
	}
	scopes := []string{strings.TrimSuffix(cfg.Resource, "/") + "/.default"}
	// The allowed hosts validator compares host names: the configured host
	// gets the token, nothing else does.
	auth, err := azauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cfg.Credential, scopes, []string{base.Hostname()})
	if err != nil {
		return nil, err
	}
	parent := cfg.Transport
	if parent == nil {
		parent = http.DefaultTransport
	}
	maxWait := cfg.MaxWait
	if maxWait <= 0 {
		maxWait = 2 * time.Minute
	}
	maxRetries := cfg.MaxRetries
	if maxRetries < 0 {
		maxRetries = 0
	}
	// kiota's default middleware minus its retry handler (see retryHandler).
	// Request bodies go uncompressed: a retried request re-sends the body it
	// kept, and Graph accepts uncompressed bodies.
	opts := clientOptions()
	mws := []khttp.Middleware{
		userAgentHandler(cfg.UserAgent),
		msgraphcore.NewGraphTelemetryHandler(&opts),
		retryHandler{maxRetries: maxRetries, maxWait: maxWait, cred: cfg.Credential, scopes: scopes},
		khttp.NewRedirectHandler(),
		khttp.NewCompressionHandlerWithOptions(khttp.NewCompressionOptions(false)),
		khttp.NewParametersNameDecodingHandler(),
		khttp.NewUserAgentHandler(),
		khttp.NewHeadersInspectionHandler(),
		logHandler{},
	}
	hc := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(parent, mws...), Timeout: requestTimeout}
	adapter, err := msgraphcore.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, opts, nil, nil, hc)
	if err != nil {
		return nil, err
	}
	adapter.SetBaseUrl(base.String() + "/v1.0")
	registerSerializers(adapter)
	return &Client{adapter: adapter, batch: batchConfig{adapter: adapter, maxRetries: maxRetries, maxWait: maxWait}}, nil
}

// userAgentHandler puts the provider's product tokens first in the
// User-Agent header; kiota's UserAgentHandler, later in the chain, appends
// "kiota-go/{version}" to what it finds. Runs before retries, so every
// attempt carries it.
type userAgentHandler string

func (ua userAgentHandler) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	if ua != "" {
		req.Header.Set("User-Agent", string(ua))
	}
	return p.Next(req, i)
}

// logHandler logs each attempt at debug level: method, path, status,
// duration and the retry attempt. Never headers (they carry the token).
type logHandler struct{}

func (logHandler) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := p.Next(req, i)
	fields := map[string]any{"method": req.Method, "path": req.URL.Path, "duration_ms": time.Since(start).Milliseconds(), "retry": req.Header.Get("Retry-Attempt")}
	if resp != nil {
		fields["status"] = resp.StatusCode
		fields["request_id"] = resp.Header.Get("request-id")
	}
	if err != nil {
		fields["error"] = err.Error()
	}
	tflog.Debug(req.Context(), "Graph request", fields)
	return resp, err
}

// InitialDomain returns the tenant's initial (*.onmicrosoft.com) domain from
// GET /organization, fetched once and remembered.
func (c *Client) InitialDomain(ctx context.Context) (string, error) {
	c.domainMu.Lock()
	defer c.domainMu.Unlock()
	if c.initialDomain != "" {
		return c.initialDomain, nil
	}
	// Plain JSON (getJSON): models.Organization would link the models its
	// navigation properties reach, for one domain name.
	info := abstractions.NewRequestInformation()
	info.Method = abstractions.GET
	info.UrlTemplate = "{+baseurl}/organization"
	var orgs struct {
		Value []struct {
			VerifiedDomains []struct {
				Name      string `json:"name"`
				IsInitial bool   `json:"isInitial"`
			} `json:"verifiedDomains"`
		} `json:"value"`
	}
	if err := c.getJSON(ctx, "GET /organization", info, &orgs); err != nil {
		return "", err
	}
	for _, o := range orgs.Value {
		for _, d := range o.VerifiedDomains {
			if d.IsInitial && d.Name != "" {
				c.initialDomain = d.Name
				return c.initialDomain, nil
			}
		}
	}
	return "", errors.New("GET /organization returned no initial domain")
}

// Kinds of Graph failure.
var (
	ErrNotFound   = errors.New("not found")
	ErrForbidden  = errors.New("forbidden")
	ErrThrottled  = errors.New("throttled")
	ErrConflict   = errors.New("conflict")
	ErrBadRequest = errors.New("bad request")
	ErrLicence    = errors.New("licence required")
	// ErrTokenRejected: Graph refused the access token (401) even after a new
	// one was fetched: the credential has expired or been revoked, or the
	// app belongs to another tenant. A missing permission is ErrForbidden.
	ErrTokenRejected = errors.New("access token rejected")
)

// Error is a failed Graph call.
type Error struct {
	Operation string
	Status    int
	Code      string
	Message   string
	RequestID string
	kind      error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("Microsoft Graph %s: HTTP %d %s: %s", e.Operation, e.Status, e.Code, e.Message)
	if e.RequestID != "" {
		s += " [request-id " + e.RequestID + "]"
	}
	return s
}

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.kind }

// permissionCodes are the 403 codes Graph's workloads use for a token
// without the operation's permission: the directory's
// Authorization_RequestDenied, the audit logs'
// Authentication_MSGraphPermissionMissing ("Calling principal does not have
// required MSGraph permissions AuditLog.Read.All",
// https://github.com/microsoftgraph/microsoft-graph-explorer-v4/issues/2731)
// and AccessDenied ("required scopes are missing in the token", conditional
// access and Identity Protection,
// https://github.com/AlexFilipin/ConditionalAccess/issues/10). Classified by
// code, never by message text.
// requestTimeout bounds one Graph request (the HTTP client's timeout).
const requestTimeout = 5 * time.Minute

// withRequestDeadline gives ctx the request timeout as a deadline the
// caller cancels when the request is done. Without one, kiota's request
// adapter derives context.WithTimeout(ctx, requestTimeout) itself and drops
// its cancel function (kiota-http-go NetHttpRequestAdapter.prepareContext),
// so every request leaves a timer context registered on ctx for 5 minutes:
// memory that grows with the number of requests a long caller (a
// tenant-wide batch scan) sends under one context.
func withRequestDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, requestTimeout)
}

var permissionCodes = map[string]bool{
	"Authorization_RequestDenied":             true,
	"Authentication_MSGraphPermissionMissing": true,
	"AccessDenied":                            true,
}

// Describe turns an SDK error into an *Error classified by status and code.
// Other errors are wrapped with the operation.
func Describe(err error, operation string) error {
	if err == nil {
		return nil
	}
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) {
		return fmt.Errorf("Microsoft Graph %s: %w", operation, err) //nolint:staticcheck // ST1005: "Microsoft Graph" is a product name
	}
	e := &Error{Operation: operation, Status: oe.ResponseStatusCode}
	if me := oe.GetErrorEscaped(); me != nil {
		if me.GetCode() != nil {
			e.Code = *me.GetCode()
		}
		if me.GetMessage() != nil {
			e.Message = *me.GetMessage()
		}
		if ie := me.GetInnerError(); ie != nil && ie.GetRequestId() != nil {
			e.RequestID = *ie.GetRequestId()
		}
	}
	switch {
	case e.Code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant" || e.Code == "Authentication_RequestFromUnsupportedUserRole":
		e.kind = ErrLicence
	case e.Status == 403 && permissionCodes[e.Code]:
		e.kind = ErrForbidden
	case e.Status == 404 || e.Code == "Request_ResourceNotFound" || e.Code == "ResourceNotFound":
		e.kind = ErrNotFound
	case e.Status == 401:
		// The retry handler already sent the request again with a new token:
		// the credential itself is refused. Graph answers a token without the
		// permission with 403, not 401.
		e.kind = ErrTokenRejected
	case e.Status == 403:
		e.kind = ErrForbidden
	case e.Status == 429:
		e.kind = ErrThrottled
	case e.Status == 409:
		e.kind = ErrConflict
	case e.Status == 400:
		e.kind = ErrBadRequest
	}
	return e
}

// IsNotFound reports whether err is a Graph not-found error.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
