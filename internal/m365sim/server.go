// Package m365sim is a stateful emulator of the Microsoft 365 endpoints the
// provider talks to: Microsoft Entra ID login (OAuth 2.0 client credentials),
// Microsoft Graph v1.0, and the Exchange Online and Security & Compliance
// InvokeCommand REST endpoints. It serves them all from one TLS origin on
// loopback, with a certificate authority it generates, and checks tokens,
// permissions, licences and parameters the way the real services do.
//
// Paths on the one origin:
//
//	/{tenant}/v2.0/.well-known/openid-configuration   login metadata
//	/{tenant}/oauth2/v2.0/token                        token endpoint
//	/{tenant}/discovery/v2.0/keys                      token signing keys
//	/msi/token                                         managed identity endpoint (App Service style)
//	/v1.0/...                                          Microsoft Graph
//	/beta/...                                          Microsoft Graph beta (the few routes marked Beta)
//	/exo/adminapi/beta/{tenant}/InvokeCommand          Exchange Online
//	/scc/adminapi/beta/{tenant}/InvokeCommand          Security & Compliance (302 to the regional origin)
//	/_sim/...                                          control surface (admin key)
//
// A second TLS origin on loopback (RegionalURL, another port) stands for the
// tenant's regional Security & Compliance host
// ({region}.ps.compliance.protection.outlook.com): the global host answers
// the first InvokeCommand with a 302 there, so clients exercise their host
// allow-list and remember the regional host per tenant.
//
//	{regional}/adminapi/beta/{tenant}/InvokeCommand   Security & Compliance, regional
package m365sim

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Server.
type Options struct {
	// Addr to listen on; default 127.0.0.1:0 (a free port).
	Addr string
	// RegionalAddr is where the regional Security & Compliance origin
	// listens; default the same host as Addr, a free port.
	RegionalAddr string
	// Fixture with the tenants; default DefaultFixture().
	Fixture *Fixture
	// StateDir receives ca.pem, admin.key and url; default a temp dir.
	StateDir string
	// SnapshotPath, when set, is loaded at start if it exists and rewritten
	// (atomically) after every change.
	SnapshotPath string
	// AdminKey authenticates the /_sim control routes; default random.
	AdminKey string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logf receives one line per request; default discards.
	Logf func(format string, args ...any)
}

// Server is a running emulator.
type Server struct {
	opts     Options
	now      func() time.Time
	listener net.Listener
	httpSrv  *http.Server
	url      string
	// The regional Security & Compliance origin.
	regionalListener net.Listener
	regionalSrv      *http.Server
	regionalURL      string
	caPEM            []byte
	caFile           string
	adminKey         string

	signKey *rsa.PrivateKey
	keyID   string

	mu      sync.RWMutex
	tenants map[string]*Tenant // by lower-case id and by lower-case domain

	faults    *faultTable
	stats     *Stats
	tokenLife *tokenLifetimes
	exoRate   *exchangeRateLimiter
	wire      wireLog // distinct calls from clients (wire.go)

	writeObserver atomic.Pointer[func(WriteEvent)] // observe.go

	snapMu sync.Mutex
}

// Start creates and starts an emulator.
func Start(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Fixture == nil {
		opts.Fixture = DefaultFixture()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if err := opts.Fixture.validate(); err != nil {
		return nil, err
	}
	if opts.StateDir == "" {
		d, err := os.MkdirTemp("", "m365sim-")
		if err != nil {
			return nil, err
		}
		opts.StateDir = d
	}
	if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
		return nil, err
	}
	if opts.AdminKey == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		opts.AdminKey = hex.EncodeToString(b)
	}
	s := &Server{
		opts:      opts,
		now:       opts.Now,
		adminKey:  opts.AdminKey,
		tenants:   map[string]*Tenant{},
		faults:    newFaultTable(),
		stats:     newStats(),
		tokenLife: newTokenLifetimes(),
		exoRate:   newExchangeRateLimiter(),
	}
	for _, spec := range opts.Fixture.Tenants {
		s.addTenant(newTenant(spec, s.now))
	}
	if opts.SnapshotPath != "" {
		if err := s.loadSnapshot(opts.SnapshotPath); err != nil {
			return nil, err
		}
	}

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	ca, err := newCertAuthority(host)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s.caPEM = ca.caPEM
	s.signKey = ca.tokenKey
	s.keyID = ca.tokenKeyID
	s.caFile = filepath.Join(opts.StateDir, "ca.pem")
	if err := writeFileAtomic(s.caFile, s.caPEM, 0o644); err != nil {
		ln.Close()
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(opts.StateDir, "admin.key"), []byte(s.adminKey), 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{ca.serverCert}, MinVersion: tls.VersionTLS12}
	s.listener = tls.NewListener(ln, tlsCfg)
	s.url = "https://" + ln.Addr().String()
	// The regional origin: same host, another port (its own origin).
	raddr := opts.RegionalAddr
	if raddr == "" {
		raddr = net.JoinHostPort(host, "0")
	}
	rln, err := net.Listen("tcp", raddr)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s.regionalListener = tls.NewListener(rln, tlsCfg)
	s.regionalURL = "https://" + rln.Addr().String()
	s.initLogin() // built-in OIDC issuer; see login.go
	for name, v := range map[string]string{"url": s.url, "regional_url": s.regionalURL} {
		if err := writeFileAtomic(filepath.Join(opts.StateDir, name), []byte(v), 0o644); err != nil {
			ln.Close()
			rln.Close()
			return nil, err
		}
	}
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	s.regionalSrv = &http.Server{Handler: http.HandlerFunc(s.serveRegional), ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	go func() { _ = s.httpSrv.Serve(s.listener) }()
	go func() { _ = s.regionalSrv.Serve(s.regionalListener) }()
	return s, nil
}

func (s *Server) addTenant(t *Tenant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tenants[strings.ToLower(t.ID)] = t
	s.tenants[strings.ToLower(t.InitialDomain)] = t
	for _, d := range t.Domains {
		s.tenants[strings.ToLower(d)] = t
	}
}

// URL is the origin, e.g. https://127.0.0.1:40123.
func (s *Server) URL() string { return s.url }

// CAFile is the path of the PEM file with the emulator's CA certificate.
func (s *Server) CAFile() string { return s.caFile }

// CAPEM returns the CA certificate.
func (s *Server) CAPEM() []byte { return append([]byte(nil), s.caPEM...) }

// AdminKey authenticates the control routes.
func (s *Server) AdminKey() string { return s.adminKey }

// StateDir is where the CA, admin key and URL files are.
func (s *Server) StateDir() string { return s.opts.StateDir }

// RegionalURL is the origin standing for the regional Security & Compliance
// host, e.g. https://127.0.0.1:40124.
func (s *Server) RegionalURL() string { return s.regionalURL }

// RegionalHost is RegionalURL's host:port, for a client's allow-list of
// hosts Security & Compliance may redirect to.
func (s *Server) RegionalHost() string { return strings.TrimPrefix(s.regionalURL, "https://") }

// Endpoints returns the base URLs to put in the provider's endpoints block.
func (s *Server) Endpoints() map[string]string {
	return map[string]string{
		EndpointLogin:      s.url + "/",
		EndpointGraph:      s.url,
		EndpointExchange:   s.url + "/exo",
		EndpointCompliance: s.url + "/scc",
	}
}

// Tenant returns the tenant with that id or domain, or nil.
func (s *Server) Tenant(idOrDomain string) *Tenant {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tenants[strings.ToLower(idOrDomain)]
}

// Stats returns the request counters.
func (s *Server) Stats() *Stats { return s.stats }

// Close stops the server and writes a final snapshot.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.httpSrv.Shutdown(ctx)
	if rerr := s.regionalSrv.Shutdown(ctx); rerr != nil && err == nil {
		err = rerr
	}
	if s.opts.SnapshotPath != "" {
		if serr := s.saveSnapshot(); serr != nil && err == nil {
			err = serr
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// ServeHTTP routes a request to the login, Graph, Exchange or control handlers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	defer func() {
		s.opts.Logf("%s %s -> %d (%s)", r.Method, r.URL.Path, rec.status, s.now().Sub(start).Round(time.Millisecond))
	}()
	p := r.URL.Path
	if !s.applyLatency(r) { // latency.go; off unless SetLatency
		return
	}
	switch {
	case strings.HasPrefix(p, "/_sim/"):
		s.serveControl(rec, r)
	case strings.HasPrefix(p, "/v1.0/"), strings.HasPrefix(p, "/beta/"):
		s.serveGraph(rec, r, nil)
	case strings.HasPrefix(p, "/exo/adminapi/"):
		s.serveInvoke(rec, r, EndpointExchange, strings.TrimPrefix(p, "/exo"), false, nil)
	case strings.HasPrefix(p, "/scc/adminapi/"):
		s.serveInvoke(rec, r, EndpointCompliance, strings.TrimPrefix(p, "/scc"), false, nil)
	case p == "/msi/token":
		s.serveManagedIdentity(rec, r)
	default:
		s.serveLogin(rec, r)
	}
}

// serveRegional serves the regional Security & Compliance origin: only
// InvokeCommand lives there.
func (s *Server) serveRegional(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	defer func() {
		s.opts.Logf("regional %s %s -> %d (%s)", r.Method, r.URL.Path, rec.status, s.now().Sub(start).Round(time.Millisecond))
	}()
	if !strings.HasPrefix(r.URL.Path, "/adminapi/") {
		http.NotFound(rec, r)
		return
	}
	s.serveInvoke(rec, r, EndpointCompliance, r.URL.Path, true, nil)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (Hijack, for
// faults that drop it).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b)
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}
