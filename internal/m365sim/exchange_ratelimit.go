package m365sim

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The InvokeCommand rate limit and its headers.
//
// Every InvokeCommand answer carries Rate-Limit-Limit, Rate-Limit-Remaining
// and Rate-Limit-Reset; the remaining count goes down with each call, and a
// call made when it is exhausted is answered 429 with Retry-After. The
// headers are the ones Microsoft documents for the Outlook REST endpoints on
// the same hosts ("Rate-Limit-Limit: the maximum number of requests ...;
// Rate-Limit-Remaining: the number of requests remaining in the current
// rate limit window; Rate-Limit-Reset: the time at which the current rate
// limit window resets in UTC time"; a 429 carries Retry-After and a
// Rate-Limit-Reason header,
// https://devblogs.microsoft.com/microsoft365dev/throttling-coming-to-outlook-api-and-microsoft-graph/).
// Answers captured from the adminapi endpoint by public tools show
// Rate-Limit-Limit: 30000 and a Rate-Limit-Reset with milliseconds. The
// window length of the adminapi budget is not published: the emulator uses
// the 10 minutes Microsoft documents for the Outlook REST budget (a longer
// window is the stricter reading for the same limit). The budget is kept
// per tenant and app, as the documented one is per app.
const (
	DefaultExchangeRateLimit  = 30000
	DefaultExchangeRateWindow = 10 * time.Minute
)

type exchangeRateLimiter struct {
	mu      sync.Mutex
	limit   int
	window  time.Duration
	windows map[string]*rateWindow
}

type rateWindow struct {
	start time.Time
	used  int
}

func newExchangeRateLimiter() *exchangeRateLimiter {
	return &exchangeRateLimiter{limit: DefaultExchangeRateLimit, window: DefaultExchangeRateWindow, windows: map[string]*rateWindow{}}
}

// rateState is one call's place in its window.
type rateState struct {
	limit     int
	remaining int
	reset     time.Time
	exceeded  bool
}

// take counts one call for key at now.
func (l *exchangeRateLimiter) take(key string, now time.Time) rateState {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windows[key]
	if w == nil || !now.Before(w.start.Add(l.window)) {
		w = &rateWindow{start: now}
		l.windows[key] = w
	}
	st := rateState{limit: l.limit, reset: w.start.Add(l.window)}
	if w.used >= l.limit {
		st.exceeded = true
		return st
	}
	w.used++
	st.remaining = l.limit - w.used
	return st
}

func (st rateState) setHeaders(h http.Header) {
	h.Set("Rate-Limit-Limit", strconv.Itoa(st.limit))
	h.Set("Rate-Limit-Remaining", strconv.Itoa(st.remaining))
	h.Set("Rate-Limit-Reset", st.reset.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// retryAfter is the whole seconds until the window resets (at least 1).
func (st rateState) retryAfter(now time.Time) int {
	return max(1, int(math.Ceil(st.reset.Sub(now).Seconds())))
}

// SetExchangeRateLimit sets the InvokeCommand budget per tenant and app
// (Exchange Online and Security & Compliance alike) and starts new windows,
// so a test can reach the limit cheaply. limit <= 0 restores the default.
func (s *Server) SetExchangeRateLimit(limit int, window time.Duration) {
	l := s.exoRate
	l.mu.Lock()
	defer l.mu.Unlock()
	if limit <= 0 {
		limit, window = DefaultExchangeRateLimit, DefaultExchangeRateWindow
	}
	if window <= 0 {
		window = DefaultExchangeRateWindow
	}
	l.limit, l.window = limit, window
	l.windows = map[string]*rateWindow{}
}
