package m365sim

import (
	"math"
	"net/http"
	"sync"
	"time"
)

// The identity and access reports throttle: about 5 requests per 10 seconds
// per app per tenant
// (https://learn.microsoft.com/en-us/graph/throttling-limits#identity-and-access-reports-service-limits),
// answered with 429 TooManyRequests and Retry-After
// (https://learn.microsoft.com/en-us/graph/throttling). It is a token bucket
// per tenant and app: a burst of Requests, refilled evenly over Per.

// Microsoft's numbers, on by default.
const (
	DefaultReportRequests = 5
	DefaultReportPer      = 10 * time.Second
)

type reportLimiter struct {
	mu       sync.Mutex
	requests int
	per      time.Duration
	buckets  map[string]*tokenBucket
}

type tokenBucket struct {
	tokens float64
	at     time.Time
}

var (
	limitersMu     sync.Mutex
	reportLimiters = map[*Server]*reportLimiter{}
)

func limiterFor(s *Server) *reportLimiter {
	limitersMu.Lock()
	defer limitersMu.Unlock()
	l := reportLimiters[s]
	if l == nil {
		l = &reportLimiter{requests: DefaultReportRequests, per: DefaultReportPer, buckets: map[string]*tokenBucket{}}
		reportLimiters[s] = l
	}
	return l
}

// SetReportThrottle sets the reports throttle: requests per period per app
// per tenant. requests = 0 turns it off.
func (s *Server) SetReportThrottle(requests int, per time.Duration) {
	l := limiterFor(s)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests, l.per = requests, per
	l.buckets = map[string]*tokenBucket{}
}

// reportThrottle is the GraphRoute.Throttle of the report endpoints.
func reportThrottle(g *GraphCall) *GraphError {
	l := limiterFor(g.Server)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.requests <= 0 || l.per <= 0 {
		return nil
	}
	key := g.Tenant.ID
	if g.Principal.App != nil {
		key += "/" + g.Principal.App.ClientID
	}
	now := time.Now()
	b := l.buckets[key]
	if b == nil {
		b = &tokenBucket{tokens: float64(l.requests), at: now}
		l.buckets[key] = b
	}
	rate := float64(l.requests) / l.per.Seconds()
	b.tokens = math.Min(float64(l.requests), b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return nil
	}
	wait := int(math.Ceil((1 - b.tokens) / rate))
	return &GraphError{Status: http.StatusTooManyRequests, Code: "TooManyRequests",
		Message: "Too many requests. Please retry after the time given in the Retry-After header.", RetryAfter: max(wait, 1)}
}
