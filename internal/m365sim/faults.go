package m365sim

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fault is an injected failure, delay or warning, as real networks and
// services produce them. Faults match by endpoint family and, optionally, by
// operation (a cmdlet name for Exchange and Security & Compliance, a path
// prefix such as "/v1.0/organization" or "/organization" for Graph, "token"
// or "msi" for login) and HTTP method.
//
// A fault hits before the request runs (the default: a 429 or 503 the
// service answers without doing anything), or, with AfterApply, after the
// request has been executed: the change is made and the answer the client
// gets is replaced by an error, a hang or a dropped connection. That is what
// a gateway timeout or a connection reset after a write looks like to a
// client ("applied, then failed"); a client must not assume a failed write
// did nothing.
type Fault struct {
	Endpoint string `json:"endpoint"`        // login, graph, exchange, compliance; "" = all
	Match    string `json:"match,omitempty"` // cmdlet name or Graph path prefix; "" = all
	// Method limits the fault to one HTTP method (Graph: GET, POST, PATCH,
	// DELETE); "" = all. InvokeCommand is always POST.
	Method string `json:"method,omitempty"`
	Status int    `json:"status,omitempty"`      // 429, 503, 504...; 0 = no error (latency or warning only)
	Retry  int    `json:"retry_after,omitempty"` // Retry-After seconds sent with the error
	// Mode is how the answer fails: "" (an HTTP error with Status),
	// "timeout" (the connection is held without an answer for HoldFor, then
	// closed) or "drop" (the connection is closed without an answer).
	Mode string `json:"mode,omitempty"`
	// HoldFor bounds a "timeout" fault (default 30s); the server also stops
	// waiting when the client gives up.
	HoldFor time.Duration `json:"hold_for,omitempty"`
	// AfterApply runs the request first and replaces its answer.
	AfterApply bool `json:"after_apply,omitempty"`
	// Times is how many requests it hits; 0 = until cleared.
	Times int `json:"times,omitempty"`
	// Probability, when set (0 < p <= 1), makes each matching request hit
	// with that probability; Times still bounds the hits.
	Probability float64       `json:"probability,omitempty"`
	Latency     time.Duration `json:"latency,omitempty"` // added before answering
	// Warning is added to the @adminapi.warnings of matching Exchange and
	// Security & Compliance answers (a test device: the service prints
	// WARNING lines whose text depends on the tenant and the call).
	Warning string `json:"warning,omitempty"`
}

// Fault modes.
const (
	FaultModeStatus  = ""
	FaultModeTimeout = "timeout"
	FaultModeDrop    = "drop"
)

type activeFault struct {
	Fault
	used int
}

type faultTable struct {
	mu     sync.Mutex
	faults []*activeFault
	lag    map[string]time.Duration
	rng    *rand.Rand
}

func newFaultTable() *faultTable {
	return &faultTable{lag: map[string]time.Duration{}, rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
}

func (t *faultTable) add(f Fault) {
	t.mu.Lock()
	defer t.mu.Unlock()
	// Graph paths may be given without the version segment, as a user reads
	// them in Microsoft's reference ("/identity/conditionalAccess/policies").
	if f.Endpoint == EndpointGraph && strings.HasPrefix(f.Match, "/") && !strings.HasPrefix(strings.ToLower(f.Match), "/v1.0/") && f.Match != "/v1.0" && !strings.HasPrefix(strings.ToLower(f.Match), "/beta/") {
		f.Match = "/v1.0" + f.Match
	}
	f.Method = strings.ToUpper(f.Method)
	t.faults = append(t.faults, &activeFault{Fault: f})
}

func (t *faultTable) clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.faults = nil
	t.lag = map[string]time.Duration{}
}

func (t *faultTable) seed(seed uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

func (f *activeFault) matches(endpoint, method, op string) bool {
	return (f.Endpoint == "" || f.Endpoint == endpoint) &&
		(f.Method == "" || method == "" || f.Method == method) &&
		(f.Match == "" || strings.EqualFold(f.Match, op) || (strings.HasPrefix(f.Match, "/") && strings.HasPrefix(strings.ToLower(op), strings.ToLower(f.Match))))
}

// fires decides whether a matching fault hits this request (probability)
// and counts the use; the caller holds t.mu.
func (t *faultTable) fires(f *activeFault) bool {
	if f.Probability > 0 && f.Probability < 1 && t.rng.Float64() >= f.Probability {
		return false
	}
	f.used++
	return true
}

func (t *faultTable) prune() {
	kept := t.faults[:0]
	for _, f := range t.faults {
		if f.Times == 0 || f.used < f.Times {
			kept = append(kept, f)
		}
	}
	t.faults = kept
}

// take returns the latency to add and the error fault (if any) that hits a
// request before it runs, consuming one use of each fault that fires.
func (t *faultTable) take(endpoint, op string) (time.Duration, *Fault) {
	return t.takeMethod(endpoint, "", op)
}

func (t *faultTable) takeMethod(endpoint, method, op string) (time.Duration, *Fault) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var latency time.Duration
	var hit *Fault
	for _, f := range t.faults {
		if f.AfterApply || f.Warning != "" || !f.matches(endpoint, method, op) {
			continue
		}
		hasError := f.Status != 0 || f.Mode != FaultModeStatus
		if hasError && hit != nil {
			continue
		}
		if !t.fires(f) {
			continue
		}
		latency += f.Latency
		if hasError {
			cp := f.Fault
			hit = &cp
		}
	}
	t.prune()
	return latency, hit
}

// takeAfter returns the fault (if any) that replaces the answer of a request
// that has been executed.
func (t *faultTable) takeAfter(endpoint, method, op string) *Fault {
	t.mu.Lock()
	defer t.mu.Unlock()
	var hit *Fault
	for _, f := range t.faults {
		if !f.AfterApply || f.Warning != "" || !f.matches(endpoint, method, op) {
			continue
		}
		if t.fires(f) {
			cp := f.Fault
			hit = &cp
			break
		}
	}
	t.prune()
	return hit
}

// warnings returns the injected warnings for an Exchange answer.
func (t *faultTable) warnings(endpoint, op string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, f := range t.faults {
		if f.Warning != "" && f.matches(endpoint, http.MethodPost, op) && t.fires(f) {
			out = append(out, f.Warning)
		}
	}
	t.prune()
	return out
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

// SeedFaults makes probabilistic faults repeatable.
func (s *Server) SeedFaults(seed uint64) { s.faults.seed(seed) }

// SetReplicationLag makes writes on an endpoint family invisible to reads for d:
// a Get right after a New answers 404, a Get right after a Set answers the old
// value, as the real services do while they replicate.
func (s *Server) SetReplicationLag(endpoint string, d time.Duration) { s.faults.setLag(endpoint, d) }

// ClearFaults removes all faults and replication lag.
func (s *Server) ClearFaults() { s.faults.clear() }

// failAfterApply replaces the answer of an executed request when an
// after-apply fault matches. It reports whether it answered (or dropped)
// the request. label names the operation in the counters; write answers an
// HTTP error fault and counts it.
func (s *Server) failAfterApply(w http.ResponseWriter, r *http.Request, endpoint, method, op, label string, write func(f *Fault)) bool {
	f := s.faults.takeAfter(endpoint, method, op)
	if f == nil {
		return false
	}
	s.stats.recordAfterApply(endpoint)
	if f.Mode != FaultModeStatus {
		s.stats.record(endpoint, label, 0) // no answer
	}
	s.failRequest(w, r, f, write)
	return true
}

// graphFault answers a Graph request with an injected fault.
func (s *Server) graphFault(w http.ResponseWriter, r *http.Request, op string, f *Fault) {
	if f.Mode != FaultModeStatus {
		s.stats.record(EndpointGraph, op, 0)
	}
	s.failRequest(w, r, f, func(f *Fault) {
		ge := &GraphError{Status: f.Status, Code: "TooManyRequests", Message: "Too many requests. Please retry after the time given in the Retry-After header.", RetryAfter: f.Retry}
		if f.Status != http.StatusTooManyRequests {
			ge.Code, ge.Message = "ServiceUnavailable", "The service is currently unavailable. Please try again later."
		}
		s.writeGraphError(w, r, op, ge)
	})
}

// failRequest answers a request with a fault: an HTTP error (write), a hang
// or a dropped connection.
func (s *Server) failRequest(w http.ResponseWriter, r *http.Request, f *Fault, write func(f *Fault)) {
	switch f.Mode {
	case FaultModeTimeout:
		hold := f.HoldFor
		if hold <= 0 {
			hold = 30 * time.Second
		}
		select {
		case <-time.After(hold):
		case <-r.Context().Done():
		}
		dropConnection(w)
	case FaultModeDrop:
		dropConnection(w)
	default:
		if f.Retry > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.Retry))
		}
		write(f)
	}
}

// dropConnection closes the client's connection without an answer. Hijack
// works on HTTP/1.1 (the emulator does not offer h2); otherwise aborting the
// handler makes net/http reset the stream.
func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// Stats counts requests per endpoint family and per operation.
type Stats struct {
	mu       sync.Mutex
	requests map[string]int // "exchange", "exchange Get-Mailbox", "graph GET /v1.0/organization"
	statuses map[string]int // "exchange 429"
	// opStatuses: "graph GET /v1.0/users/{id}/mailFolders/inbox/messageRules 429"
	// (kept out of Snapshot, whose keys tests list).
	opStatuses map[string]int
	total      atomic.Int64
}

func newStats() *Stats {
	return &Stats{requests: map[string]int{}, statuses: map[string]int{}, opStatuses: map[string]int{}}
}

func (s *Stats) record(endpoint, op string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[endpoint]++
	if op != "" {
		s.requests[endpoint+" "+op]++
		s.opStatuses[endpoint+" "+op+" "+strconv.Itoa(status)]++
	}
	s.statuses[endpoint+" "+strconv.Itoa(status)]++
	s.total.Add(1)
}

// recordAfterApply counts answers replaced by an after-apply fault (the
// request itself was counted with the status it would have had).
func (s *Stats) recordAfterApply(endpoint string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses[endpoint+" after-apply"]++
}

// AfterApply returns how many answers on an endpoint family an after-apply
// fault replaced.
func (s *Stats) AfterApply(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statuses[endpoint+" after-apply"]
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

// OpStatuses returns how many responses to one operation of an endpoint
// family ("Get-InboxRule", "POST /v1.0/$batch") had that status.
func (s *Stats) OpStatuses(endpoint, op string, status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opStatuses[endpoint+" "+op+" "+strconv.Itoa(status)]
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
	s.opStatuses = map[string]int{}
}
