// Command m365sim runs the Microsoft 365 emulator as a standalone server and
// drives its control surface.
//
//	m365sim serve  --state-dir DIR [--addr 127.0.0.1:0] [--fixture F] [--snapshot F] [--verbose]
//	m365sim invoke --state-dir DIR [--tenant ID] [--endpoint exchange|compliance] CMDLET [--params JSON]
//	m365sim graph  --state-dir DIR [--tenant ID] METHOD PATH [--body JSON]
//	m365sim fault  --state-dir DIR --endpoint E [--cmdlet CMDLET | --path PATH] [--method M] [--status 429] [--retry-after S]
//	               [--after-apply] [--mode timeout|drop] [--hold D] [--times N] [--probability P] [--latency D] [--warning TEXT]
//	m365sim lag    --state-dir DIR --endpoint E --seconds N
//	m365sim tokens --state-dir DIR [--expire-issued] [--expire-next N [--valid-for D]]
//	m365sim ratelimit --state-dir DIR --limit N [--window D]     (InvokeCommand budget per tenant and app; --limit 0 restores 30000 per 10m)
//	m365sim dehydrate --state-dir DIR [--tenant ID] [--dehydrated=false] [--hydration-delay D]
//	m365sim latency --state-dir DIR [--realistic] [--dist KEY=MEDIAN[,P95]]... [--scale F] [--seed N]
//	               (per-request latency per endpoint; no --realistic and no --dist turns it off)
//	m365sim outlook-throttle --state-dir DIR [--requests 10000] [--window 10m] [--concurrent 4]
//	               (Outlook's limits per app per mailbox; 0 turns that limit off)
//	m365sim clear  --state-dir DIR
//	m365sim stats  --state-dir DIR
//	m365sim seed   --state-dir DIR [--tenant ID] NAME [--params JSON]
//	m365sim env    --state-dir DIR      (prints the provider's M365_* variables for the demo tenant)
//
// Latency (m365sim.RealisticLatency's estimates at a tenth, with Exchange
// at a constant 50 ms):
//
//	m365sim latency --state-dir DIR --realistic --scale 0.1 --dist exchange=500ms
//
// Examples of faults: a 503 after New-TransportRule has been applied, once:
//
//	m365sim fault --state-dir DIR --endpoint exchange --cmdlet New-TransportRule --status 503 --times 1 --after-apply
//
// a dropped connection after 30 % of conditional access creations:
//
//	m365sim fault --state-dir DIR --endpoint graph --method POST --path /identity/conditionalAccess/policies --mode drop --after-apply --probability 0.3
//
// serve writes DIR/url, DIR/ca.pem and DIR/admin.key once it listens; the
// other subcommands read them to reach the control surface.
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "serve":
		err = serve(args)
	case "invoke", "graph", "fault", "lag", "tokens", "ratelimit", "dehydrate", "latency", "outlook-throttle", "clear", "stats", "seed", "env":
		err = control(cmd, args)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "m365sim:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: m365sim serve|invoke|graph|fault|lag|tokens|ratelimit|dehydrate|latency|outlook-throttle|clear|stats|seed|env [flags] (see the package documentation)")
	os.Exit(2)
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	regionalAddr := fs.String("regional-addr", "", "listen address of the regional Security & Compliance origin (default: the same host, a free port)")
	stateDir := fs.String("state-dir", "", "directory for url, ca.pem and admin.key (required)")
	fixture := fs.String("fixture", "", "tenant fixture JSON (default: the built-in Contoso tenant)")
	snapshot := fs.String("snapshot", "", "snapshot file: loaded at start, rewritten after every change")
	verbose := fs.Bool("verbose", false, "log every request")
	_ = fs.Parse(args)
	if *stateDir == "" {
		return fmt.Errorf("serve: --state-dir is required")
	}
	opts := m365sim.Options{Addr: *addr, RegionalAddr: *regionalAddr, StateDir: *stateDir, SnapshotPath: *snapshot}
	if *fixture != "" {
		f, err := m365sim.LoadFixture(*fixture)
		if err != nil {
			return err
		}
		opts.Fixture = f
	}
	if *verbose {
		opts.Logf = log.Printf
	}
	s, err := m365sim.Start(opts)
	if err != nil {
		return err
	}
	fmt.Printf("m365sim listening on %s, regional Security & Compliance on %s (CA %s)\n", s.URL(), s.RegionalURL(), s.CAFile())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return s.Close()
}

func control(cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	stateDir := fs.String("state-dir", "", "the serve command's --state-dir (required)")
	tenant := fs.String("tenant", m365sim.DemoTenantID, "tenant id or domain")
	endpoint := fs.String("endpoint", "exchange", "endpoint family: exchange, compliance, graph, login")
	params := fs.String("params", "", "JSON object: cmdlet parameters or seeder options")
	body := fs.String("body", "", "JSON body for graph")
	match := fs.String("match", "", "fault: cmdlet name or Graph path prefix")
	cmdlet := fs.String("cmdlet", "", "fault: the cmdlet (Exchange, Security & Compliance)")
	gpath := fs.String("path", "", "fault: the Graph path prefix, e.g. /identity/conditionalAccess/policies")
	method := fs.String("method", "", "fault: the HTTP method (Graph)")
	status := fs.Int("status", 0, "fault: HTTP status to answer (429, 503, ...)")
	retryAfter := fs.Int("retry-after", 0, "fault: Retry-After seconds")
	times := fs.Int("times", 0, "fault: how many requests it hits (0 = until cleared)")
	probability := fs.Float64("probability", 0, "fault: the chance that a matching request is hit (0 < p <= 1)")
	afterApply := fs.Bool("after-apply", false, "fault: run the request, then replace its answer")
	mode := fs.String("mode", "", "fault: timeout (hold the connection, then close it) or drop (close it); default an HTTP error")
	hold := fs.Duration("hold", 0, "fault: how long a timeout holds the connection (default 30s)")
	warning := fs.String("warning", "", "fault: a warning to add to the answers (Exchange, Security & Compliance)")
	latency := fs.Duration("latency", 0, "fault: added latency")
	seconds := fs.Float64("seconds", 0, "lag: replication lag in seconds")
	expireIssued := fs.Bool("expire-issued", false, "tokens: every token issued so far is rejected as expired")
	expireNext := fs.Int("expire-next", 0, "tokens: the next N tokens stop working after --valid-for")
	validFor := fs.Duration("valid-for", 0, "tokens: how long the next tokens work (0 = not at all)")
	limit := fs.Int("limit", 0, "ratelimit: InvokeCommand requests per window per tenant and app (0 = the default)")
	window := fs.Duration("window", 0, "ratelimit: the window (default 10m)")
	dehydrated := fs.Bool("dehydrated", true, "dehydrate: the tenant's state")
	hydrationDelay := fs.Duration("hydration-delay", 0, "dehydrate: how long Enable-OrganizationCustomization takes to take effect (0 = the default; negative = at once)")
	realistic := fs.Bool("realistic", false, "latency: start from m365sim's realistic defaults (RealisticLatency)")
	var dists latencyDists
	fs.Var(&dists, "dist", "latency: KEY=MEDIAN[,P95] (durations), repeatable; KEY is exchange, compliance, graph, login, outlook or \"graph /v1.0/PATH-PREFIX\"")
	scale := fs.Float64("scale", 1, "latency: multiplies every drawn latency")
	seed := fs.Uint64("seed", 0, "latency: seed of the draws (0 = random)")
	requests := fs.Int("requests", m365sim.DefaultOutlookRequests, "outlook-throttle: requests per window per app per mailbox (0 = off)")
	concurrent := fs.Int("concurrent", m365sim.DefaultOutlookConcurrency, "outlook-throttle: concurrent requests per app per mailbox (0 = off)")
	// Flags may come after the positional arguments.
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if *stateDir == "" {
		return fmt.Errorf("%s: --state-dir is required", cmd)
	}
	c, err := newControlClient(*stateDir)
	if err != nil {
		return err
	}
	switch cmd {
	case "invoke":
		if len(pos) != 1 {
			return fmt.Errorf("invoke: give one cmdlet name")
		}
		p := map[string]any{}
		if *params != "" {
			if err := json.Unmarshal([]byte(*params), &p); err != nil {
				return fmt.Errorf("--params: %w", err)
			}
		}
		b, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": pos[0], "Parameters": p}})
		return c.do("POST", "/_sim/tenants/"+*tenant+"/invoke/"+*endpoint, b)
	case "graph":
		if len(pos) != 2 {
			return fmt.Errorf("graph: give METHOD and PATH")
		}
		var b []byte
		if *body != "" {
			b = []byte(*body)
		}
		return c.do(strings.ToUpper(pos[0]), "/_sim/tenants/"+*tenant+"/graph/v1.0"+pos[1], b)
	case "fault":
		f, err := faultFromFlags(*endpoint, *match, *cmdlet, *gpath, *method, *status, *retryAfter, *times, *probability, *afterApply, *mode, *hold, *warning, *latency)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(f)
		return c.do("POST", "/_sim/faults", b)
	case "tokens":
		if !*expireIssued && *expireNext <= 0 {
			return fmt.Errorf("tokens: give --expire-issued or --expire-next N")
		}
		b, _ := json.Marshal(map[string]any{"expire_issued": *expireIssued, "expire_next": *expireNext, "valid_for_seconds": validFor.Seconds()})
		return c.do("POST", "/_sim/tokens", b)
	case "ratelimit":
		b, _ := json.Marshal(map[string]any{"limit": *limit, "window_seconds": window.Seconds()})
		return c.do("POST", "/_sim/ratelimit", b)
	case "dehydrate":
		b, _ := json.Marshal(map[string]any{"dehydrated": *dehydrated, "hydration_delay_seconds": hydrationDelay.Seconds()})
		return c.do("POST", "/_sim/tenants/"+*tenant+"/dehydrated", b)
	case "latency":
		if *scale <= 0 {
			return fmt.Errorf("latency: --scale must be above 0")
		}
		b, _ := json.Marshal(map[string]any{"realistic": *realistic, "scale": *scale, "seed": *seed, "dists_ms": dists.ms()})
		return c.do("POST", "/_sim/latency", b)
	case "outlook-throttle":
		w := *window
		if w == 0 {
			w = m365sim.DefaultOutlookWindow
		}
		if *requests < 0 || *concurrent < 0 || w < 0 {
			return fmt.Errorf("outlook-throttle: --requests, --window and --concurrent cannot be negative")
		}
		b, _ := json.Marshal(map[string]any{"requests": *requests, "window_seconds": w.Seconds(), "concurrent": *concurrent})
		return c.do("POST", "/_sim/outlook-throttle", b)
	case "lag":
		b, _ := json.Marshal(map[string]any{"endpoint": *endpoint, "seconds": *seconds})
		return c.do("POST", "/_sim/lag", b)
	case "clear":
		return c.do("DELETE", "/_sim/faults", nil)
	case "stats":
		return c.do("GET", "/_sim/stats", nil)
	case "seed":
		if len(pos) != 1 {
			return fmt.Errorf("seed: give the seeder name")
		}
		b := []byte(*params)
		if len(b) == 0 {
			b = []byte("{}")
		}
		return c.do("POST", "/_sim/tenants/"+*tenant+"/seed/"+pos[0], b)
	case "env":
		fmt.Printf("export M365_TENANT_ID=%s\nexport M365_CLIENT_ID=%s\nexport M365_CLIENT_SECRET=%s\n", m365sim.DemoTenantID, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret)
		fmt.Printf("export M365_LOGIN_ENDPOINT=%s/\nexport M365_GRAPH_ENDPOINT=%s\nexport M365_EXCHANGE_ENDPOINT=%s/exo\nexport M365_COMPLIANCE_ENDPOINT=%s/scc\nexport M365_CA_FILE=%s\n", c.url, c.url, c.url, c.url, filepath.Join(*stateDir, "ca.pem"))
		if regional, err := os.ReadFile(filepath.Join(*stateDir, "regional_url")); err == nil {
			fmt.Printf("export M365_COMPLIANCE_REGIONAL_HOSTS=%s\n", strings.TrimPrefix(strings.TrimSpace(string(regional)), "https://"))
		}
		return nil
	}
	return nil
}

type controlClient struct {
	url, key string
	http     *http.Client
}

func newControlClient(dir string) (*controlClient, error) {
	url, err := os.ReadFile(filepath.Join(dir, "url"))
	if err != nil {
		return nil, fmt.Errorf("is m365sim serving with --state-dir %s? %w", dir, err)
	}
	key, err := os.ReadFile(filepath.Join(dir, "admin.key"))
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return &controlClient{
		url: strings.TrimSpace(string(url)), key: strings.TrimSpace(string(key)),
		http: &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}},
	}, nil
}

func (c *controlClient) do(method, path string, body []byte) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if len(out) > 0 {
		var pretty bytes.Buffer
		if json.Indent(&pretty, out, "", "  ") == nil {
			out = pretty.Bytes()
		}
		fmt.Println(strings.TrimSpace(string(out)))
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	return nil
}

// latencyDists is the latency command's repeatable --dist KEY=MEDIAN[,P95].
type latencyDists map[string][2]time.Duration

func (d *latencyDists) String() string { return fmt.Sprint(map[string][2]time.Duration(*d)) }

func (d *latencyDists) Set(v string) error {
	key, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(key) == "" {
		return fmt.Errorf("want KEY=MEDIAN[,P95], got %q", v)
	}
	medianText, p95Text, hasP95 := strings.Cut(val, ",")
	median, err := time.ParseDuration(strings.TrimSpace(medianText))
	if err != nil || median < 0 {
		return fmt.Errorf("%s: the median is a duration such as 300ms, got %q", key, medianText)
	}
	p95 := time.Duration(0)
	if hasP95 {
		if p95, err = time.ParseDuration(strings.TrimSpace(p95Text)); err != nil || p95 < median {
			return fmt.Errorf("%s: the 95th percentile is a duration not below the median, got %q", key, p95Text)
		}
	}
	if *d == nil {
		*d = latencyDists{}
	}
	(*d)[strings.TrimSpace(key)] = [2]time.Duration{median, p95}
	return nil
}

// ms is the control surface's dists_ms.
func (d latencyDists) ms() map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for k, v := range d {
		out[k] = map[string]float64{"median": float64(v[0]) / float64(time.Millisecond), "p95": float64(v[1]) / float64(time.Millisecond)}
	}
	return out
}

// faultFromFlags builds a fault from the fault command's flags: --cmdlet
// and --path are the readable spellings of --match.
func faultFromFlags(endpoint, match, cmdlet, path, method string, status, retryAfter, times int, probability float64, afterApply bool, mode string, hold time.Duration, warning string, latency time.Duration) (m365sim.Fault, error) {
	set := 0
	for _, v := range []string{match, cmdlet, path} {
		if v != "" {
			set++
		}
	}
	if set > 1 {
		return m365sim.Fault{}, fmt.Errorf("fault: give one of --match, --cmdlet and --path")
	}
	if cmdlet != "" && endpoint != m365sim.EndpointExchange && endpoint != m365sim.EndpointCompliance {
		return m365sim.Fault{}, fmt.Errorf("fault: --cmdlet needs --endpoint exchange or compliance")
	}
	if path != "" && endpoint != m365sim.EndpointGraph {
		return m365sim.Fault{}, fmt.Errorf("fault: --path needs --endpoint graph")
	}
	switch mode {
	case m365sim.FaultModeStatus, m365sim.FaultModeTimeout, m365sim.FaultModeDrop:
	default:
		return m365sim.Fault{}, fmt.Errorf("fault: --mode is timeout or drop")
	}
	if mode == m365sim.FaultModeStatus && status == 0 && warning == "" && latency == 0 {
		return m365sim.Fault{}, fmt.Errorf("fault: give --status, --mode, --warning or --latency")
	}
	if probability < 0 || probability > 1 {
		return m365sim.Fault{}, fmt.Errorf("fault: --probability is between 0 and 1")
	}
	return m365sim.Fault{Endpoint: endpoint, Match: match + cmdlet + path, Method: strings.ToUpper(method), Status: status, Retry: retryAfter,
		Mode: mode, HoldFor: hold, AfterApply: afterApply, Times: times, Probability: probability, Latency: latency, Warning: warning}, nil
}
