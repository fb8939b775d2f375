package m365sim

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fault is an injected failure or delay. Faults match by endpoint family and,
// optionally, by operation (a cmdlet name for Exchange and Security &
// Compliance, a path prefix such as "/v1.0/organization" for Graph).
type Fault struct {
	Endpoint string        `json:"endpoint"`              // login, graph, exchange, compliance; "" = all
	Match    string        `json:"match,omitempty"`       // cmdlet name or Graph path prefix; "" = all
	Status   int           `json:"status,omitempty"`      // 429, 503, 504...; 0 = no error (latency only)
	Retry    int           `json:"retry_after,omitempty"` // Retry-After seconds sent with the error
	Times    int           `json:"times,omitempty"`       // how many requests it hits; 0 = until cleared
	Latency  time.Duration `json:"latency,omitempty"`     // added before answering
}

type activeFault struct {
	Fault
	used int
}

type faultTable struct {
	mu     sync.Mutex
	faults []*activeFault
	lag    map[string]time.Duration
}

func newFaultTable() *faultTable {
	return &faultTable{lag: map[string]time.Duration{}}
}

func (t *faultTable) add(f Fault) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.faults = append(t.faults, &activeFault{Fault: f})
}

func (t *faultTable) clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.faults = nil
	t.lag = map[string]time.Duration{}
}

// take returns the latency to add and the error fault (if any) for a request,
// consuming one use of each matching counted fault.
func (t *faultTable) take(endpoint, op string) (time.Duration, *Fault) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var latency time.Duration
	var hit *Fault
	kept := t.faults[:0]
	for _, f := range t.faults {
		match := (f.Endpoint == "" || f.Endpoint == endpoint) &&
			(f.Match == "" || strings.EqualFold(f.Match, op) || (strings.HasPrefix(f.Match, "/") && strings.HasPrefix(op, f.Match)))
		if match && (f.Status == 0 || hit == nil) {
			latency += f.Latency
			if f.Status != 0 {
				cp := f.Fault
				hit = &cp
			}
			f.used++
		}
		if f.Times == 0 || f.used < f.Times {
			kept = append(kept, f)
		}
	}
	t.faults = kept
	return latency, hit
}

func (t *faultTable) setLag(endpoint string, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lag[endpoint] = d
}

func (t *faultTable) lagFor(endpoint string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lag[endpoint]
}

// InjectFault adds a fault.
func (s *Server) InjectFault(f Fault) { s.faults.add(f) }

// SetReplicationLag makes writes on an endpoint family invisible to reads for d:
// a Get right after a New answers 404, a Get right after a Set answers the old
// value, as the real services do while they replicate.
func (s *Server) SetReplicationLag(endpoint string, d time.Duration) { s.faults.setLag(endpoint, d) }

// ClearFaults removes all faults and replication lag.
func (s *Server) ClearFaults() { s.faults.clear() }

// Stats counts requests per endpoint family and per operation.
type Stats struct {
	mu       sync.Mutex
	requests map[string]int // "exchange", "exchange Get-Mailbox", "graph GET /v1.0/organization"
	statuses map[string]int // "exchange 429"
	total    atomic.Int64
}

func newStats() *Stats {
	return &Stats{requests: map[string]int{}, statuses: map[string]int{}}
}

func (s *Stats) record(endpoint, op string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[endpoint]++
	if op != "" {
		s.requests[endpoint+" "+op]++
	}
	s.statuses[endpoint+" "+strconv.Itoa(status)]++
	s.total.Add(1)
}

// Requests returns how many requests hit an endpoint family, or one operation
// when op is given ("Get-OrganizationConfig", "GET /v1.0/organization").
func (s *Stats) Requests(endpoint, op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if op == "" {
		return s.requests[endpoint]
	}
	return s.requests[endpoint+" "+op]
}

// Statuses returns how many responses on an endpoint family had that status.
func (s *Stats) Statuses(endpoint string, status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statuses[endpoint+" "+strconv.Itoa(status)]
}

// Snapshot returns a copy of all counters.
func (s *Stats) Snapshot() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.requests)+len(s.statuses))
	for k, v := range s.requests {
		out[k] = v
	}
	for k, v := range s.statuses {
		out["status "+k] = v
	}
	return out
}

// Reset zeroes all counters.
func (s *Stats) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = map[string]int{}
	s.statuses = map[string]int{}
}
