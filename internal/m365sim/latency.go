package m365sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Latency: a per-request service time, drawn from a log-normal distribution
// per endpoint (and, for Graph, per path prefix), so benchmarks measure wall
// time under realistic conditions instead of an emulator that answers in
// microseconds. It is off unless a test or benchmark turns it on
// (SetLatency): ordinary tests run at zero latency.
//
// Microsoft publishes no latency figures for these services: the defaults
// (RealisticLatency) are estimates, chosen so that neither path of a
// comparison is flattered, with the reasoning next to each figure. A
// log-normal is the usual shape of service response times (a floor, a
// median and a long right tail); it is given by its median and 95th
// percentile.

// LatencyDist is one log-normal service-time distribution.
type LatencyDist struct {
	Median time.Duration `json:"median"`
	P95    time.Duration `json:"p95"`
}

// Latency configures the emulator's latency model.
type Latency struct {
	// Dists by key: an endpoint family (EndpointGraph, EndpointExchange,
	// EndpointCompliance, EndpointLogin), or for Graph "graph " + a path
	// prefix under /v1.0 (the longest matching prefix wins), e.g.
	// "graph /v1.0/$batch". LatencyOutlook is the Outlook service time of
	// one mailbox request (direct or inside a batch).
	Dists map[string]LatencyDist `json:"dists"`
	// Scale multiplies every drawn latency (1 = as given; benchmarks use
	// less than 1 to keep tenant-scale runs short: ratios between paths are
	// unchanged).
	Scale float64 `json:"scale"`
	// Seed makes the draws reproducible (0 = random).
	Seed uint64 `json:"seed"`
}

// LatencyOutlook is the key of the Outlook service time of a mailbox
// request (messageRules), spent inside the per-mailbox concurrency slot.
const LatencyOutlook = "outlook"

// RealisticLatency returns the default figures.
func RealisticLatency() Latency {
	return Latency{Scale: 1, Dists: map[string]LatencyDist{
		// Exchange Online InvokeCommand (the REST endpoint behind the
		// ExchangeOnlineManagement module): every cmdlet is a full HTTPS
		// request through the front door to a PowerShell runspace next to
		// the mailbox, which loads the objects from the directory and the
		// mailbox store and serialises them. "Hundreds of milliseconds per
		// InvokeCommand" is what operators see (the figure this repository's
		// issue 15 starts from); a median of 300 ms with a tail to 900 ms is
		// the lower end of that, so the Exchange path is not made slower
		// than it is.
		EndpointExchange:   {Median: 300 * time.Millisecond, P95: 900 * time.Millisecond},
		EndpointCompliance: {Median: 300 * time.Millisecond, P95: 900 * time.Millisecond},
		// Microsoft Graph front door (gateway, token validation, routing)
		// plus the network round trip: a simple directory GET is commonly
		// around 100 ms.
		EndpointGraph: {Median: 100 * time.Millisecond, P95: 300 * time.Millisecond},
		// A $batch envelope costs the gateway round trip; its requests run
		// behind it (graph_batch.go), 4 at a time against Outlook.
		EndpointGraph + " /v1.0/$batch": {Median: 100 * time.Millisecond, P95: 300 * time.Millisecond},
		// Outlook's own service time for a small mailbox read (the rules of
		// one inbox, a few hundred bytes): taken at 80 ms median, with a
		// tail to 250 ms; deliberately not faster than the gateway's.
		LatencyOutlook: {Median: 80 * time.Millisecond, P95: 250 * time.Millisecond},
		// Token requests: once per hour per audience; 150 ms.
		EndpointLogin: {Median: 150 * time.Millisecond, P95: 400 * time.Millisecond},
	}}
}

type latencyModel struct {
	mu  sync.Mutex
	cfg Latency
	rng *rand.Rand
	on  bool
}

var (
	latencyMu     sync.Mutex
	latencyModels = map[*Server]*latencyModel{}
)

func latencyFor(s *Server) *latencyModel {
	latencyMu.Lock()
	defer latencyMu.Unlock()
	m := latencyModels[s]
	if m == nil {
		m = &latencyModel{}
		latencyModels[s] = m
	}
	return m
}

// SetLatency turns the latency model on with cfg (a zero Latency turns it
// off). Distributions without a P95 (or with P95 < Median) are constant.
func (s *Server) SetLatency(cfg Latency) {
	m := latencyFor(s)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg = cfg
	if m.cfg.Scale <= 0 {
		m.cfg.Scale = 1
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	m.rng = rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	m.on = len(cfg.Dists) > 0
}

// draw returns a latency for key (exact key, else the longest "graph "
// prefix of it, else its endpoint family); 0 when the model is off.
func (m *latencyModel) draw(key string) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.on {
		return 0
	}
	d, ok := m.cfg.Dists[key]
	if !ok {
		best := 0
		for k, v := range m.cfg.Dists {
			if strings.HasPrefix(k, EndpointGraph+" /") && strings.HasPrefix(key, k) && len(k) > best {
				d, best, ok = v, len(k), true
			}
		}
	}
	if !ok {
		fam, _, _ := strings.Cut(key, " ")
		if d, ok = m.cfg.Dists[fam]; !ok {
			return 0
		}
	}
	if d.Median <= 0 {
		return 0
	}
	v := float64(d.Median)
	if d.P95 > d.Median {
		// P95 = median * exp(1.645 sigma).
		sigma := math.Log(float64(d.P95)/float64(d.Median)) / 1.6448536
		v *= math.Exp(sigma * m.rng.NormFloat64())
	}
	return time.Duration(v * m.cfg.Scale)
}

// sleep waits for d or until the request is abandoned; false = abandoned.
func sleepFor(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// applyLatency is called by ServeHTTP before routing: the service time of
// the request's endpoint family (Graph: by path). Control routes have none.
func (s *Server) applyLatency(r *http.Request) bool {
	p := r.URL.Path
	var key string
	switch {
	case strings.HasPrefix(p, "/_sim/"):
		return true
	case strings.HasPrefix(p, "/v1.0/"):
		key = EndpointGraph + " " + p
	case strings.HasPrefix(p, "/exo/adminapi/"):
		key = EndpointExchange
	case strings.HasPrefix(p, "/scc/adminapi/"):
		key = EndpointCompliance
	default:
		key = EndpointLogin
	}
	return sleepFor(r, latencyFor(s).draw(key))
}

// controlLatency is POST /_sim/latency: {"realistic":true} for the
// defaults, "dists_ms" to set or override distributions (milliseconds),
// "scale" and "seed"; an empty body turns latency off.
func (s *Server) controlLatency(r *http.Request) error {
	var in struct {
		Realistic bool    `json:"realistic"`
		Scale     float64 `json:"scale"`
		Seed      uint64  `json:"seed"`
		DistsMS   map[string]struct {
			Median float64 `json:"median"`
			P95    float64 `json:"p95"`
		} `json:"dists_ms"`
	}
	if err := decodeStrict(r.Body, &in); err != nil {
		return err
	}
	cfg := Latency{Dists: map[string]LatencyDist{}}
	if in.Realistic {
		cfg = RealisticLatency()
	}
	for k, d := range in.DistsMS {
		if d.Median < 0 || d.P95 < 0 {
			return fmt.Errorf("dists_ms.%s: negative latency", k)
		}
		cfg.Dists[k] = LatencyDist{Median: time.Duration(d.Median * float64(time.Millisecond)), P95: time.Duration(d.P95 * float64(time.Millisecond))}
	}
	cfg.Scale, cfg.Seed = in.Scale, in.Seed
	s.SetLatency(cfg)
	return nil
}
