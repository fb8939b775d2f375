package m365sim

// WriteEvent is a write request from a client that the emulator is about to
// run: an Exchange Online or Security & Compliance cmdlet that changes
// something, or a Graph request to a route that writes.
type WriteEvent struct {
	Tenant   string // tenant ID
	Endpoint string // EndpointExchange, EndpointCompliance or EndpointGraph
	Op       string // cmdlet name, or Graph method and path ("POST /v1.0/identity/conditionalAccess/policies")
}

// ObserveWrites calls fn for every write request from a client, once its
// caller is authenticated and its parameters are bound, just before it runs
// (control-surface changes are not reported). fn runs on the request's
// goroutine; while it blocks, the request waits, and the write then runs
// whether or not the client is still waiting for the answer: a service that
// has received a request carries it out even if the caller hangs up. This is
// a test instrument, not modelled behaviour: tests use it to act at a chosen
// write (an interruption, an out-of-band change). nil stops observing.
func (s *Server) ObserveWrites(fn func(WriteEvent)) {
	if fn == nil {
		s.writeObserver.Store(nil)
		return
	}
	s.writeObserver.Store(&fn)
}

// observeWrite reports a client's write to the observer, if any.
func (s *Server) observeWrite(tenantID, endpoint, op string) {
	if fn := s.writeObserver.Load(); fn != nil {
		(*fn)(WriteEvent{Tenant: tenantID, Endpoint: endpoint, Op: op})
	}
}
