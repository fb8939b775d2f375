package m365sim

import (
	"math"
	"net/http"
	"sync"
	"time"
)

// Microsoft Graph's global limit: 130,000 requests per 10 seconds per app
// across all tenants, on top of every service's own limits ("the first
// limit to be reached triggers throttling behavior";
// https://learn.microsoft.com/en-us/graph/throttling-limits). The page
// documents no other per-app or per-app-per-tenant limit for Outlook
// resources such as messageRules: Outlook's are per app and mailbox
// (graph_message_rules.go) and the dispatch of a batch's requests 4 at a
// time (graph_batch.go).
//
// Requests inside a JSON batch are evaluated individually
// (https://learn.microsoft.com/en-us/graph/json-batching); the page does
// not say whether the batch envelope counts as well, so the emulator counts
// both (the stricter reading). The throttled answer is 429 with
// Retry-After (https://learn.microsoft.com/en-us/graph/throttling); its
// body is not documented for this limit, so the emulator sends Graph's
// generic TooManyRequests error. The window is a fixed 10 seconds per app,
// starting at the app's first request in it.

const (
	DefaultGraphGlobalRequests = 130000
	DefaultGraphGlobalWindow   = 10 * time.Second
)

type graphGlobalLimiter struct {
	mu       sync.Mutex
	requests int
	window   time.Duration
	apps     map[string]*rateWindow
}

var (
	graphGlobalMu       sync.Mutex
	graphGlobalLimiters = map[*Server]*graphGlobalLimiter{}
)

func graphGlobalFor(s *Server) *graphGlobalLimiter {
	graphGlobalMu.Lock()
	defer graphGlobalMu.Unlock()
	l := graphGlobalLimiters[s]
	if l == nil {
		l = &graphGlobalLimiter{requests: DefaultGraphGlobalRequests, window: DefaultGraphGlobalWindow, apps: map[string]*rateWindow{}}
		graphGlobalLimiters[s] = l
	}
	return l
}

// SetGraphGlobalThrottle sets Graph's global limit: requests per window per
// app across all tenants (requests = 0 turns it off; tests lower it to
// reach it).
func (s *Server) SetGraphGlobalThrottle(requests int, window time.Duration) {
	l := graphGlobalFor(s)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests, l.window = requests, window
	l.apps = map[string]*rateWindow{}
}

// take counts one request of an app; over the limit it returns the 429.
func (l *graphGlobalLimiter) take(appID string, now time.Time) *GraphError {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.requests <= 0 || l.window <= 0 {
		return nil
	}
	w := l.apps[appID]
	if w == nil || now.Sub(w.start) >= l.window {
		w = &rateWindow{start: now}
		l.apps[appID] = w
	}
	if w.used >= l.requests {
		wait := int(math.Ceil(w.start.Add(l.window).Sub(now).Seconds()))
		return &GraphError{Status: http.StatusTooManyRequests, Code: "TooManyRequests", Message: "Too many requests.", RetryAfter: max(wait, 1)}
	}
	w.used++
	return nil
}
