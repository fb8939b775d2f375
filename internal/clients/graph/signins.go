package graph

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// Sign-in logs (GET /auditLogs/signIns,
// https://learn.microsoft.com/en-us/graph/api/signin-list): pages of up to
// 1,000 events, newest first, filtered on the server. The identity and
// access reports allow about 5 requests per 10 seconds per app per tenant
// (https://learn.microsoft.com/en-us/graph/throttling-limits#identity-and-access-reports-service-limits),
// so page requests are paced by a client-side token bucket; a 429 that
// still comes is retried by kiota's retry handler after its Retry-After.

// SignInPageSize is the service's maximum (and default) page size.
const SignInPageSize = 1000

// ReportRateEnv overrides the pacing of report requests: "N/duration"
// (e.g. "5/10s", Microsoft's limit and the default) or "0" to turn pacing
// off.
const ReportRateEnv = "M365HARDEN_GRAPH_REPORT_RATE"

// SignIn is one sign-in event with the fields an investigator needs.
type SignIn struct {
	ID                    string
	CreatedDateTime       time.Time
	UserPrincipalName     string
	UserID                string
	UserDisplayName       string
	AppDisplayName        string
	AppID                 string
	IPAddress             string
	ClientAppUsed         string
	City                  string
	State                 string
	CountryOrRegion       string
	ErrorCode             int
	FailureReason         string
	RiskLevelDuringSignIn string
	RiskLevelAggregated   string
	RiskState             string
	RiskDetail            string
	ConditionalAccess     string
}

// SignInFields are the signIn properties SignIn carries ($select).
var SignInFields = []string{
	"id", "createdDateTime", "userPrincipalName", "userId", "userDisplayName", "appDisplayName", "appId",
	"ipAddress", "clientAppUsed", "location", "status", "riskLevelDuringSignIn", "riskLevelAggregated",
	"riskState", "riskDetail", "conditionalAccessStatus",
}

// ListStats describes a paged listing.
type ListStats struct {
	Pages  int
	Events int
	// Paced is the time spent waiting for the report pacer.
	Paced time.Duration
}

// EachSignIn streams the sign-ins matching filter (an OData $filter, sent to
// Graph), newest first, page by page: fn sees each event once and nothing
// is kept, so memory does not grow with the window. fn returning
// ErrStopPaging ends the listing without error.
func (c *Client) EachSignIn(ctx context.Context, filter string, fn func(*SignIn) error) (ListStats, error) {
	var st ListStats
	q := &query{Select: SignInFields, Top: SignInPageSize, Filter: filter}
	b := at[models.SignInCollectionResponseable](c, "/auditLogs/signIns", models.CreateSignInCollectionResponseFromDiscriminatorValue)
	pacer := c.reportPacer()
	var next *string
	for {
		waited, err := pacer.wait(ctx)
		st.Paced += waited
		if err != nil {
			return st, err
		}
		var resp models.SignInCollectionResponseable
		if next == nil {
			resp, err = b.Get(ctx, q)
		} else {
			resp, err = b.Next(ctx, *next)
		}
		if err != nil {
			return st, Describe(err, "GET /auditLogs/signIns")
		}
		st.Pages++
		for _, s := range resp.GetValue() {
			st.Events++
			if err := fn(signInFrom(s)); err != nil {
				if errors.Is(err, ErrStopPaging) {
					return st, nil
				}
				return st, err
			}
		}
		next = resp.GetOdataNextLink()
		if next == nil || *next == "" {
			return st, nil
		}
	}
}

// ErrStopPaging ends an Each* listing early.
var ErrStopPaging = errors.New("stop paging")

func signInFrom(s models.SignInable) *SignIn {
	out := &SignIn{
		ID: str(s.GetId()), UserPrincipalName: str(s.GetUserPrincipalName()), UserID: str(s.GetUserId()),
		UserDisplayName: str(s.GetUserDisplayName()), AppDisplayName: str(s.GetAppDisplayName()), AppID: str(s.GetAppId()),
		IPAddress: str(s.GetIpAddress()), ClientAppUsed: str(s.GetClientAppUsed()),
		RiskLevelDuringSignIn: enumStr(s.GetRiskLevelDuringSignIn()), RiskLevelAggregated: enumStr(s.GetRiskLevelAggregated()),
		RiskState: enumStr(s.GetRiskState()), RiskDetail: enumStr(s.GetRiskDetail()), ConditionalAccess: enumStr(s.GetConditionalAccessStatus()),
	}
	if t := s.GetCreatedDateTime(); t != nil {
		out.CreatedDateTime = t.UTC()
	}
	if l := s.GetLocation(); l != nil {
		out.City, out.State, out.CountryOrRegion = str(l.GetCity()), str(l.GetState()), str(l.GetCountryOrRegion())
	}
	if st := s.GetStatus(); st != nil {
		if st.GetErrorCode() != nil {
			out.ErrorCode = int(*st.GetErrorCode())
		}
		out.FailureReason = str(st.GetFailureReason())
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func enumStr[E fmt.Stringer](p *E) string {
	if p == nil {
		return ""
	}
	return (*p).String()
}

// ODataString quotes a string literal for $filter (” escapes ').
func ODataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ODataTime formats a time literal for $filter.
func ODataTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// asLicence marks a 403 whose code is not a permission code as a licence
// error: Identity Protection answers a tenant without the licence with a
// plain 403 Forbidden, unlike sign-in logs'
// Authentication_RequestFromNonPremiumTenantOrB2CTenant, and a token
// without the permission with AccessDenied (permissionCodes).
func asLicence(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Status == 403 && e.kind != ErrLicence && !permissionCodes[e.Code] {
		e.kind = ErrLicence
	}
	return err
}

// IsLicence reports whether err says the tenant lacks a licence.
func IsLicence(err error) bool { return errors.Is(err, ErrLicence) }

// IsForbidden reports whether err is a permission error.
func IsForbidden(err error) bool { return errors.Is(err, ErrForbidden) }

// Report pacing: a token bucket per client (one app in one tenant), a
// little slower than the service's own bucket so timing jitter does not
// turn into 429s.
type pacer struct {
	mu     sync.Mutex
	burst  float64
	rate   float64 // tokens per second; 0 = no pacing
	tokens float64
	at     time.Time
}

// SetReportRate sets the pacing of report requests: requests per period.
// requests = 0 turns pacing off.
func (c *Client) SetReportRate(requests int, per time.Duration) {
	p := c.reportPacer()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.configure(requests, per)
}

func (p *pacer) configure(requests int, per time.Duration) {
	p.burst, p.rate, p.tokens, p.at = 0, 0, 0, time.Time{}
	if requests > 0 && per > 0 {
		p.burst = float64(requests)
		p.rate = float64(requests) / (per.Seconds() * 1.05)
		p.tokens = p.burst
		p.at = time.Now()
	}
}

var (
	pacersMu sync.Mutex
	pacers   = map[*Client]*pacer{}
)

func (c *Client) reportPacer() *pacer {
	pacersMu.Lock()
	defer pacersMu.Unlock()
	if p := pacers[c]; p != nil {
		return p
	}
	p := &pacer{}
	n, per := 5, 10*time.Second
	if v := os.Getenv(ReportRateEnv); v != "" {
		if pn, pper, err := ParseReportRate(v); err == nil {
			n, per = pn, pper
		}
	}
	p.configure(n, per)
	pacers[c] = p
	return p
}

// ParseReportRate parses "N/duration" or "0".
func ParseReportRate(v string) (int, time.Duration, error) {
	if strings.TrimSpace(v) == "0" {
		return 0, 0, nil
	}
	ns, ds, ok := strings.Cut(v, "/")
	n, err := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err != nil || n < 0 {
		return 0, 0, fmt.Errorf("%s=%q: want N/duration such as 5/10s, or 0", ReportRateEnv, v)
	}
	d, err := time.ParseDuration(strings.TrimSpace(ds))
	if err != nil || d <= 0 {
		return 0, 0, fmt.Errorf("%s=%q: want N/duration such as 5/10s, or 0", ReportRateEnv, v)
	}
	return n, d, nil
}

// wait takes a token, sleeping until one is there; it returns the time waited.
func (p *pacer) wait(ctx context.Context) (time.Duration, error) {
	p.mu.Lock()
	if p.rate == 0 {
		p.mu.Unlock()
		return 0, nil
	}
	now := time.Now()
	p.tokens = math.Min(p.burst, p.tokens+now.Sub(p.at).Seconds()*p.rate)
	p.at = now
	p.tokens--
	var d time.Duration
	if p.tokens < 0 {
		d = time.Duration(-p.tokens / p.rate * float64(time.Second))
	}
	p.mu.Unlock()
	if d == 0 {
		return 0, nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return d, nil
	case <-ctx.Done():
		return d, ctx.Err()
	}
}
