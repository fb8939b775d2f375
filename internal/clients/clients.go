// Package clients builds the provider's shared, configured set of API
// clients: one credential, one Graph client, one Exchange Online client and
// one Security & Compliance client per provider configuration.
package clients

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// Config is everything needed to build a Set.
type Config struct {
	Auth        auth.Config
	Environment string
	// Endpoint overrides (base URLs); empty = the environment's.
	LoginURL, GraphURL, ExchangeURL, ComplianceURL string
	// CAFile is an extra PEM CA bundle to trust (TLS-inspecting proxies, m365sim).
	CAFile string
	// MaxRetries and MaxRetryWait bound retries on 429/503/504. MaxRetries
	// is exact (0 = no retry); the provider fills in its default.
	MaxRetries   int
	MaxRetryWait time.Duration
	// ComplianceRegionalHosts overrides the environment's allow-list of hosts
	// Security & Compliance may redirect to (and send the token to); nil =
	// the environment's.
	ComplianceRegionalHosts []string
	// UserAgent is sent to Microsoft Graph, Exchange Online and Security &
	// Compliance: "m365harden/{provider version} terraform/{CLI version}",
	// so tenant administrators can tell the provider's calls apart in their
	// logs.
	UserAgent string
}

// Set is the configured clients, shared by every resource and data source.
type Set struct {
	TenantID    string
	Environment auth.Environment
	Graph       *graph.Client
	Exchange    *exchange.Client
	Compliance  *exchange.Client
	// ConsistencyTimeout bounds how long a read after a write waits for the
	// service to show the write (replication lag).
	ConsistencyTimeout time.Duration
}

// New builds the clients. It makes no network calls: tokens are fetched on
// first use, so `terraform validate` and plans that touch nothing stay offline.
func New(cfg Config) (*Set, error) {
	env, err := auth.LookupEnvironment(cfg.Environment)
	if err != nil {
		return nil, err
	}
	if cfg.LoginURL != "" {
		env.LoginURL = cfg.LoginURL
	}
	for _, ep := range []struct{ name, v string }{{"login", cfg.LoginURL}, {"graph", cfg.GraphURL}, {"exchange", cfg.ExchangeURL}, {"compliance", cfg.ComplianceURL}} {
		if ep.v != "" && !strings.HasPrefix(ep.v, "https://") {
			return nil, fmt.Errorf("endpoints.%s = %q: endpoints must use https", ep.name, ep.v)
		}
	}
	graphURL, exoURL, sccURL := pick(cfg.GraphURL, env.GraphURL), pick(cfg.ExchangeURL, env.ExchangeURL), pick(cfg.ComplianceURL, env.ComplianceURL)

	hc, err := auth.NewHTTPClient(cfg.CAFile)
	if err != nil {
		return nil, err
	}
	a := cfg.Auth
	a.LoginURL = env.LoginURL
	a.HTTPClient = hc
	cred, err := auth.NewCredential(a)
	if err != nil {
		return nil, err
	}
	g, err := graph.New(graph.Config{BaseURL: graphURL, Resource: env.GraphResource, Credential: cred, Transport: hc.Transport, MaxRetries: cfg.MaxRetries, MaxWait: cfg.MaxRetryWait, UserAgent: cfg.UserAgent})
	if err != nil {
		return nil, err
	}
	retry := exchange.RetryPolicy{MaxRetries: cfg.MaxRetries, MaxWait: cfg.MaxRetryWait}
	regional := env.ComplianceRegionalHosts
	if cfg.ComplianceRegionalHosts != nil {
		regional = cfg.ComplianceRegionalHosts
	}
	exoHTTP := &http.Client{Transport: hc.Transport, Timeout: 10 * time.Minute}
	return &Set{
		TenantID:    a.TenantID,
		Environment: env,
		Graph:       g,
		Exchange: exchange.New(exchange.Config{
			BaseURL: exoURL, Resource: env.ExchangeResource, TenantID: a.TenantID,
			Credential: cred, HTTPClient: exoHTTP, Retry: retry, UserAgent: cfg.UserAgent,
		}),
		Compliance: exchange.New(exchange.Config{
			BaseURL: sccURL, Resource: env.ComplianceResource, TenantID: a.TenantID,
			Credential: cred, HTTPClient: exoHTTP, Retry: retry, UserAgent: cfg.UserAgent,
			Compliance: true, InitialDomain: g.InitialDomain, RegionalHosts: regional,
		}),
		ConsistencyTimeout: 3 * time.Minute,
	}, nil
}

func pick(override, def string) string {
	if override != "" {
		return strings.TrimSuffix(override, "/")
	}
	return def
}
