// Command m365sim runs the Microsoft 365 emulator as a standalone server and
// drives its control surface.
//
//	m365sim serve  --state-dir DIR [--addr 127.0.0.1:0] [--fixture F] [--snapshot F] [--verbose]
//	m365sim invoke --state-dir DIR [--tenant ID] [--endpoint exchange|compliance] CMDLET [--params JSON]
//	m365sim graph  --state-dir DIR [--tenant ID] METHOD PATH [--body JSON]
//	m365sim fault  --state-dir DIR --endpoint E [--match CMDLET|PATH] [--status 429] [--retry-after S] [--times N] [--latency D]
//	m365sim lag    --state-dir DIR --endpoint E --seconds N
//	m365sim clear  --state-dir DIR
//	m365sim stats  --state-dir DIR
//	m365sim seed   --state-dir DIR [--tenant ID] NAME [--params JSON]
//	m365sim env    --state-dir DIR      (prints the provider's M365_* variables for the demo tenant)
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
	case "invoke", "graph", "fault", "lag", "clear", "stats", "seed", "env":
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
	fmt.Fprintln(os.Stderr, "usage: m365sim serve|invoke|graph|fault|lag|clear|stats|seed|env [flags] (see the package documentation)")
	os.Exit(2)
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	stateDir := fs.String("state-dir", "", "directory for url, ca.pem and admin.key (required)")
	fixture := fs.String("fixture", "", "tenant fixture JSON (default: the built-in Contoso tenant)")
	snapshot := fs.String("snapshot", "", "snapshot file: loaded at start, rewritten after every change")
	verbose := fs.Bool("verbose", false, "log every request")
	_ = fs.Parse(args)
	if *stateDir == "" {
		return fmt.Errorf("serve: --state-dir is required")
	}
	opts := m365sim.Options{Addr: *addr, StateDir: *stateDir, SnapshotPath: *snapshot}
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
	fmt.Printf("m365sim listening on %s (CA %s)\n", s.URL(), s.CAFile())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return s.Close()
}

func control(cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	stateDir := fs.String("state-dir", "", "the serve command's --state-dir (required)")
	tenant := fs.String("tenant", m365sim.DemoTenantID, "tenant id or domain")
	endpoint := fs.String("endpoint", "exchange", "endpoint family: exchange, compliance, graph, login")
	params := fs.String("params", "", "JSON object: cmdlet parameters or seeder options")
	body := fs.String("body", "", "JSON body for graph")
	match := fs.String("match", "", "fault: cmdlet name or Graph path prefix")
	status := fs.Int("status", 0, "fault: HTTP status to answer (429, 503, ...)")
	retryAfter := fs.Int("retry-after", 0, "fault: Retry-After seconds")
	times := fs.Int("times", 0, "fault: how many requests it hits (0 = until cleared)")
	latency := fs.Duration("latency", 0, "fault: added latency")
	seconds := fs.Float64("seconds", 0, "lag: replication lag in seconds")
	// Flags may come after the positional arguments.
	var pos []string
	rest := args
	for {
		_ = fs.Parse(rest)
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
		b, _ := json.Marshal(m365sim.Fault{Endpoint: *endpoint, Match: *match, Status: *status, Retry: *retryAfter, Times: *times, Latency: *latency})
		return c.do("POST", "/_sim/faults", b)
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
