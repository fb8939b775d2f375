package exchange_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

type simClients struct {
	sim        *m365sim.Server
	exo        *exchange.Client
	compliance *exchange.Client
}

func newSimClients(t *testing.T, appID, secret string, edit func(*exchange.Config)) *simClients {
	t.Helper()
	s, err := m365sim.Start(m365sim.Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	hc, err := auth.NewHTTPClient(s.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	cred, err := auth.NewCredential(auth.Config{TenantID: m365sim.DemoTenantID, ClientID: appID, ClientSecret: secret, LoginURL: s.URL() + "/", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	retry := exchange.RetryPolicy{MaxRetries: 3, MaxWait: 20 * time.Second, BaseDelay: 10 * time.Millisecond}
	exoCfg := exchange.Config{BaseURL: s.URL() + "/exo", Resource: m365sim.AudienceExchange, TenantID: m365sim.DemoTenantID,
		Credential: cred, HTTPClient: hc, Retry: retry, HydrationWait: 20 * time.Second}
	sccCfg := exchange.Config{BaseURL: s.URL() + "/scc", Resource: m365sim.AudienceCompliance, TenantID: m365sim.DemoTenantID,
		Credential: cred, HTTPClient: hc, Retry: retry, Compliance: true, RegionalHosts: []string{s.RegionalHost()},
		InitialDomain: func(context.Context) (string, error) { return m365sim.DemoDomain, nil }}
	if edit != nil {
		edit(&exoCfg)
		edit(&sccCfg)
	}
	return &simClients{sim: s, exo: exchange.New(exoCfg), compliance: exchange.New(sccCfg)}
}

func adminClients(t *testing.T) *simClients {
	return newSimClients(t, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret, nil)
}

// Exchange's 403 body is unreadable (NUL bytes labelled gzip); the client
// still reports a typed forbidden error with the roles to grant.
func TestSimForbiddenWithUnreadableBody(t *testing.T) {
	c := newSimClients(t, m365sim.DemoReaderAppID, m365sim.DemoReaderSecret, nil)
	err := c.exo.SetOrganizationConfig(context.Background(), map[string]any{"AuditDisabled": false})
	var e *exchange.Error
	if !errors.Is(err, exchange.ErrForbidden) || !errors.As(err, &e) || e.Status != 403 {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(err.Error(), `"Organization Configuration"`) || strings.Contains(err.Error(), "gzip") {
		t.Fatalf("the error does not name the role, or leaks the transport failure: %v", err)
	}
	if _, err := c.exo.Invoke(context.Background(), "Get-Nothing", nil); !exchange.IsForbidden(err) {
		t.Fatalf("unknown cmdlet: %v", err)
	}
}

// Warnings are returned to the caller for New-/Set-, logged for the rest.
func TestSimWarningsReachTheCaller(t *testing.T) {
	c := adminClients(t)
	c.sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "New-RemoteDomain", Warning: "Created; mail flow picks it up within an hour."})
	c.sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-RemoteDomain", Warning: "a read's warning"})
	ctx, w := exchange.WithWarnings(context.Background())
	if err := c.exo.NewRemoteDomain(ctx, "Fabrikam", "fabrikam.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.exo.GetRemoteDomain(ctx, "Fabrikam"); err != nil {
		t.Fatal(err)
	}
	got := w.Warnings()
	if len(got) != 1 || got[0].Cmdlet != "New-RemoteDomain" || got[0].Message != "Created; mail flow picks it up within an hour." || got[0].Service != exchange.ServiceExchange {
		t.Fatalf("warnings %+v", got)
	}
}

// Routing: organization configuration on the organization mailbox (the
// unified audit log can be switched on), mailbox content on the mailbox's
// UPN, resolved once and only when the caller does not give the UPN.
func TestSimAnchorsPerCmdlet(t *testing.T) {
	c := adminClients(t)
	ctx := context.Background()
	if _, err := c.sim.Invoke(m365sim.DemoTenantID, m365sim.EndpointExchange, "Set-AdminAuditLogConfig", map[string]any{"UnifiedAuditLogIngestionEnabled": false}); err != nil {
		t.Fatal(err)
	}
	if err := c.exo.SetAdminAuditLogConfig(ctx, map[string]any{"UnifiedAuditLogIngestionEnabled": true}); err != nil {
		t.Fatalf("enabling unified audit log ingestion: %v", err)
	}
	ann, err := m365sim.AddMailbox(c.sim, m365sim.DemoTenantID, m365sim.MailboxSpec{UPN: "ann@contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m365sim.AddMailbox(c.sim, m365sim.DemoTenantID, m365sim.MailboxSpec{UPN: "bo@contoso.onmicrosoft.com", PrimarySmtpAddress: "bo.smith@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m365sim.AddMailbox(c.sim, m365sim.DemoTenantID, m365sim.MailboxSpec{UPN: "cy@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	guid, _ := ann["Guid"].(string)
	stats := c.sim.Stats()
	calls := func(f func() error) int {
		t.Helper()
		before := stats.Requests(m365sim.EndpointExchange, "")
		if err := f(); err != nil {
			t.Fatal(err)
		}
		return stats.Requests(m365sim.EndpointExchange, "") - before
	}
	if n := calls(func() error { _, err := c.exo.GetInboxRules(ctx, "ann@contoso.com"); return err }); n != 1 {
		t.Fatalf("inbox rules by UPN: %d calls", n)
	}
	if n := calls(func() error { _, err := c.exo.GetInboxRules(ctx, guid); return err }); n != 2 {
		t.Fatalf("inbox rules by GUID: %d calls, want a look-up and the call", n)
	}
	if n := calls(func() error { _, err := c.exo.GetMailbox(ctx, guid); return err }); n != 1 {
		t.Fatalf("the GUID is known now: %d calls", n)
	}
	if n := calls(func() error { return c.exo.SetMailbox(ctx, guid, map[string]any{"AuditEnabled": true}) }); n != 1 {
		t.Fatalf("Set-Mailbox by a known GUID: %d calls", n)
	}
	if n := calls(func() error { _, err := c.exo.GetMailbox(ctx, "ann"); return err }); n != 1 {
		t.Fatalf("the alias of a mailbox read before: %d calls", n)
	}
	if n := calls(func() error { _, err := c.exo.GetMailbox(ctx, "cy"); return err }); n != 1 {
		t.Fatalf("an alias, read with one listing: %d calls", n)
	}
	if n := calls(func() error { return c.exo.SetMailbox(ctx, "cy", map[string]any{"AuditEnabled": true}) }); n != 1 {
		t.Fatalf("Set-Mailbox by the alias read before: %d calls", n)
	}
	// A primary address that is not the UPN: the guess is corrected after
	// the service says the call needs another server.
	if n := calls(func() error { _, err := c.exo.GetMailbox(ctx, "bo.smith@contoso.com"); return err }); n != 3 {
		t.Fatalf("a primary SMTP address: %d calls", n)
	}
	if n := calls(func() error { _, err := c.exo.GetMailbox(ctx, "bo.smith@contoso.com"); return err }); n != 1 {
		t.Fatalf("the address is known now: %d calls", n)
	}
	if _, err := c.exo.GetMailbox(ctx, "ghost@contoso.com"); !exchange.IsNotFound(err) {
		t.Fatalf("missing mailbox: %v", err)
	}
	if got := stats.Statuses(m365sim.EndpointExchange, 400); got != 1 {
		t.Fatalf("%d routing errors, want only the corrected guess", got)
	}
}

// A dehydrated organization: the write runs Enable-OrganizationCustomization
// once, waits for it and goes through, with a warning saying so.
func TestSimDehydratedOrganization(t *testing.T) {
	c := adminClients(t)
	if err := c.sim.SetDehydrated(m365sim.DemoTenantID, true, 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ctx, w := exchange.WithWarnings(context.Background())
	if err := c.exo.SetOrganizationConfig(ctx, map[string]any{"AuditDisabled": true}); err != nil {
		t.Fatal(err)
	}
	if err := c.exo.SetAdminAuditLogConfig(ctx, map[string]any{"UnifiedAuditLogIngestionEnabled": true}); err != nil {
		t.Fatal(err)
	}
	org, err := c.exo.GetOrganizationConfig(ctx)
	if err != nil || org.IsDehydrated || !org.AuditDisabled {
		t.Fatalf("org %+v %v", org, err)
	}
	if n := c.sim.Stats().Requests(m365sim.EndpointExchange, "Enable-OrganizationCustomization"); n != 1 {
		t.Fatalf("Enable-OrganizationCustomization ran %d times", n)
	}
	got := w.Warnings()
	if len(got) != 1 || got[0].Cmdlet != "Enable-OrganizationCustomization" || !strings.Contains(got[0].Message, "dehydrated") || !strings.Contains(got[0].Message, "Set-OrganizationConfig") {
		t.Fatalf("warnings %+v", got)
	}
}

// A dehydrated organization that does not hydrate in time: a clear error.
func TestSimDehydratedOrganizationTimesOut(t *testing.T) {
	c := newSimClients(t, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret, func(cfg *exchange.Config) { cfg.HydrationWait = 2 * time.Second })
	if err := c.sim.SetDehydrated(m365sim.DemoTenantID, true, time.Hour); err != nil {
		t.Fatal(err)
	}
	err := c.exo.SetOrganizationConfig(context.Background(), map[string]any{"AuditDisabled": true})
	if !errors.Is(err, exchange.ErrDehydrated) || !strings.Contains(err.Error(), "has not taken effect") {
		t.Fatalf("err %v", err)
	}
}

// Security & Compliance redirects to the regional origin, which the client
// allows by configuration and remembers.
func TestSimComplianceRegionalHost(t *testing.T) {
	c := adminClients(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := c.compliance.ListProtectionAlerts(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.sim.Stats().Statuses(m365sim.EndpointCompliance, 302); n != 1 {
		t.Fatalf("%d redirects, want 1 (the regional host is remembered)", n)
	}
	// Without the regional host in the allow-list the redirect is refused
	// and nothing reaches the regional origin.
	strict := newSimClients(t, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret, func(cfg *exchange.Config) { cfg.RegionalHosts = []string{"*.ps.compliance.protection.outlook.com"} })
	_, err := strict.compliance.ListProtectionAlerts(ctx)
	if err == nil || !strings.Contains(err.Error(), "refusing redirect") || !strings.Contains(err.Error(), strict.sim.RegionalHost()) {
		t.Fatalf("err %v", err)
	}
	if n := strict.sim.Stats().Statuses(m365sim.EndpointCompliance, 200); n != 0 {
		t.Fatalf("%d calls answered by the regional origin", n)
	}
}

// max_retries is exact: 0 means one attempt; a negative value the default.
func TestSimMaxRetriesExact(t *testing.T) {
	for _, tc := range []struct {
		retries, faults, wantCalls int
		ok                         bool
	}{
		{0, 1, 1, false},
		{2, 2, 3, true},
		{2, 3, 3, false},
		{-1, 5, 6, true},
	} {
		c := newSimClients(t, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret, func(cfg *exchange.Config) {
			cfg.Retry = exchange.RetryPolicy{MaxRetries: tc.retries, MaxWait: time.Minute, BaseDelay: time.Millisecond}
		})
		c.sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-OrganizationConfig", Status: 429, Times: tc.faults})
		_, err := c.exo.GetOrganizationConfig(context.Background())
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, exchange.ErrThrottled)) {
			t.Fatalf("max_retries %d with %d 429s: %v", tc.retries, tc.faults, err)
		}
		if n := c.sim.Stats().Requests(m365sim.EndpointExchange, "Get-OrganizationConfig"); n != tc.wantCalls {
			t.Fatalf("max_retries %d with %d 429s: %d calls, want %d", tc.retries, tc.faults, n, tc.wantCalls)
		}
	}
}

// A token the service stops accepting mid-run is replaced once.
func TestSim401RetriedWithNewToken(t *testing.T) {
	c := adminClients(t)
	ctx := context.Background()
	if _, err := c.exo.GetOrganizationConfig(ctx); err != nil {
		t.Fatal(err)
	}
	tokens := c.sim.Stats().Requests(m365sim.EndpointLogin, "token")
	c.sim.ExpireTokens()
	// New-* too: a 401 means the call did not run.
	if err := c.exo.NewRemoteDomain(ctx, "Fabrikam", "fabrikam.com"); err != nil {
		t.Fatalf("after the token expired: %v", err)
	}
	if n := c.sim.Stats().Statuses(m365sim.EndpointExchange, 401); n != 1 {
		t.Fatalf("%d 401s", n)
	}
	if n := c.sim.Stats().Requests(m365sim.EndpointLogin, "token") - tokens; n != 1 {
		t.Fatalf("%d new tokens, want 1", n)
	}
}

// A 401 that a new token does not cure: a missing Exchange.ManageAsApp
// permission is told apart from a credential the service refuses.
func TestSim401MissingPermissionVsRejectedCredential(t *testing.T) {
	c := newSimClients(t, m365sim.DemoNoManageAsAppID, m365sim.DemoNoManageAsAppSecret, nil)
	_, err := c.exo.GetOrganizationConfig(context.Background())
	var e *exchange.Error
	if !errors.Is(err, exchange.ErrUnauthorized) || errors.Is(err, exchange.ErrTokenRejected) || !errors.As(err, &e) || !strings.Contains(e.Hint(), "Exchange.ManageAsApp") {
		t.Fatalf("missing permission: %v", err)
	}
	if n := c.sim.Stats().Statuses(m365sim.EndpointExchange, 401); n != 2 {
		t.Fatalf("%d 401s, want the call and one retry with a new token", n)
	}

	c = adminClients(t)
	c.sim.ExpireNextTokens(2, 0)
	_, err = c.exo.GetOrganizationConfig(context.Background())
	if !errors.Is(err, exchange.ErrTokenRejected) || errors.Is(err, exchange.ErrUnauthorized) || !errors.As(err, &e) || !strings.Contains(e.Hint(), "expired or been revoked") {
		t.Fatalf("rejected credential: %v", err)
	}
}
