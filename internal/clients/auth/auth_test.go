package auth

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/golang-jwt/jwt/v5"

	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

const graphScope = m365sim.AudienceGraph + "/.default"

func startSim(t *testing.T) (*m365sim.Server, Config) {
	t.Helper()
	s, err := m365sim.Start(m365sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	hc, err := NewHTTPClient(s.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	return s, Config{TenantID: m365sim.DemoTenantID, ClientID: m365sim.DemoAdminAppID, LoginURL: s.URL() + "/", HTTPClient: hc}
}

func getToken(t *testing.T, cfg Config, scope string) (azcore.AccessToken, error) {
	t.Helper()
	cred, err := NewCredential(cfg)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
}

func checkToken(t *testing.T, tok azcore.AccessToken, appID, aud string) {
	t.Helper()
	var claims jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(tok.Token, &claims); err != nil {
		t.Fatalf("token: %v", err)
	}
	if claims["tid"] != m365sim.DemoTenantID || claims["appid"] != appID {
		t.Fatalf("tid/appid = %v/%v, want %s/%s", claims["tid"], claims["appid"], m365sim.DemoTenantID, appID)
	}
	if auds, _ := claims.GetAudience(); len(auds) != 1 || auds[0] != aud {
		t.Fatalf("aud = %v, want %s", auds, aud)
	}
	if time.Until(tok.ExpiresOn) < 30*time.Minute {
		t.Fatalf("expires on %v", tok.ExpiresOn)
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAuthClientSecret(t *testing.T) {
	_, base := startSim(t)
	cfg := base
	cfg.ClientSecret = m365sim.DemoAdminSecret
	for _, aud := range []string{m365sim.AudienceGraph, m365sim.AudienceExchange, m365sim.AudienceCompliance} {
		tok, err := getToken(t, cfg, aud+"/.default")
		if err != nil {
			t.Fatal(err)
		}
		checkToken(t, tok, m365sim.DemoAdminAppID, aud)
	}
	// kiota asks for CAE tokens: the request then carries a claims field.
	cred, err := NewCredential(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cae, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{graphScope}, EnableCAE: true})
	if err != nil {
		t.Fatal(err)
	}
	checkToken(t, cae, m365sim.DemoAdminAppID, m365sim.AudienceGraph)
	// By domain, too.
	cfg.TenantID = m365sim.DemoDomain
	tok, err := getToken(t, cfg, graphScope)
	if err != nil {
		t.Fatal(err)
	}
	checkToken(t, tok, m365sim.DemoAdminAppID, m365sim.AudienceGraph)
}

func TestAuthWrongSecret(t *testing.T) {
	_, cfg := startSim(t)
	const secret = "Wr0ng~secret-value-that-must-not-leak"
	cfg.ClientSecret = secret
	_, err := getToken(t, cfg, graphScope)
	if err == nil {
		t.Fatal("a wrong secret got a token")
	}
	if !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("error without AADSTS7000215: %v", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("the error leaks the secret: %v", err)
	}
}

func TestAuthCertificate(t *testing.T) {
	s, base := startSim(t)
	certPEM, keyPEM, pfx, err := m365sim.GenerateTestCertificate("m365harden pipeline")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RegisterAppCertificate(m365sim.DemoTenantID, m365sim.DemoAdminAppID, certPEM); err != nil {
		t.Fatal(err)
	}
	const password = "pfx-p@ss"
	pfxPass, err := m365sim.EncodeTestPFX(certPEM, keyPEM, password)
	if err != nil {
		t.Fatal(err)
	}
	pemBoth := append(append([]byte(nil), certPEM...), keyPEM...)
	cases := []struct {
		name                  string
		value, path, password string
	}{
		{"PEM text", string(pemBoth), "", ""},
		{"PEM path", "", writeFile(t, "cert.pem", pemBoth), ""},
		{"PFX base64", base64.StdEncoding.EncodeToString(pfx), "", ""},
		{"PFX path", "", writeFile(t, "cert.pfx", pfx), ""},
		{"PFX base64 with password", base64.StdEncoding.EncodeToString(pfxPass), "", password},
		{"PFX path with password", "", writeFile(t, "cert-pw.pfx", pfxPass), password},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			cfg.ClientCertificate, cfg.ClientCertificatePath, cfg.ClientCertificatePassword = tc.value, tc.path, tc.password
			tok, err := getToken(t, cfg, m365sim.AudienceExchange+"/.default")
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, tok, m365sim.DemoAdminAppID, m365sim.AudienceExchange)
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		cfg := base
		cfg.ClientCertificate, cfg.ClientCertificatePassword = base64.StdEncoding.EncodeToString(pfxPass), "not-the-password"
		_, err := NewCredential(cfg)
		if err == nil || strings.Contains(err.Error(), "not-the-password") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		cfg := base
		cfg.ClientCertificatePath = filepath.Join(t.TempDir(), "nope.pfx")
		if _, err := NewCredential(cfg); err == nil || !strings.Contains(err.Error(), "nope.pfx") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unregistered certificate", func(t *testing.T) {
		other, otherKey, _, _ := m365sim.GenerateTestCertificate("other")
		cfg := base
		cfg.ClientCertificate = string(other) + string(otherKey)
		if _, err := getToken(t, cfg, graphScope); err == nil || !strings.Contains(err.Error(), "AADSTS700027") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestAuthOIDC(t *testing.T) {
	s, base := startSim(t)
	tok, err := s.IssueFederatedAssertion(m365sim.GitHubDemoSubject, DefaultOIDCAudience, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(*Config){
		"token string":       func(c *Config) { c.OIDCToken = tok },
		"token file":         func(c *Config) { c.OIDCTokenFilePath = writeFile(t, "token", []byte(tok+"\n")) },
		"GitHub request URL": func(c *Config) { c.OIDCRequestURL, c.OIDCRequestToken = s.GitHubRequestURL(), s.GitHubRequestToken() },
	}
	for name, set := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := base
			cfg.UseOIDC = true
			set(&cfg)
			at, err := getToken(t, cfg, graphScope)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, at, m365sim.DemoAdminAppID, m365sim.AudienceGraph)
		})
	}
	t.Run("wrong request token", func(t *testing.T) {
		cfg := base
		cfg.UseOIDC, cfg.OIDCRequestURL, cfg.OIDCRequestToken = true, s.GitHubRequestURL(), "wrong-request-token-xyz"
		_, err := getToken(t, cfg, graphScope)
		if err == nil || strings.Contains(err.Error(), "wrong-request-token-xyz") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("request URL not https", func(t *testing.T) {
		cfg := base
		cfg.UseOIDC, cfg.OIDCRequestURL, cfg.OIDCRequestToken = true, strings.Replace(s.GitHubRequestURL(), "https://", "http://", 1), s.GitHubRequestToken()
		if _, err := getToken(t, cfg, graphScope); err == nil || !strings.Contains(err.Error(), "oidc_request_url must use https") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("wrong subject", func(t *testing.T) {
		other, _ := s.IssueFederatedAssertion("repo:someone/else:ref:refs/heads/main", DefaultOIDCAudience, 10*time.Minute)
		cfg := base
		cfg.UseOIDC, cfg.OIDCToken = true, other
		if _, err := getToken(t, cfg, graphScope); err == nil || !strings.Contains(err.Error(), "AADSTS700213") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("two token sources", func(t *testing.T) {
		cfg := base
		cfg.UseOIDC, cfg.OIDCToken, cfg.OIDCTokenFilePath = true, tok, "/x"
		if _, err := NewCredential(cfg); err == nil || !strings.Contains(err.Error(), "oidc_token_file_path") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestAuthManagedIdentity(t *testing.T) {
	s, base := startSim(t)
	t.Setenv("IDENTITY_ENDPOINT", s.ManagedIdentityEndpoint())
	t.Setenv("IDENTITY_HEADER", s.ManagedIdentityHeader())
	cfg := Config{UseMSI: true, HTTPClient: base.HTTPClient}
	tok, err := getToken(t, cfg, m365sim.AudienceCompliance+"/.default")
	if err != nil {
		t.Fatal(err)
	}
	checkToken(t, tok, m365sim.DemoMSIAppID, m365sim.AudienceCompliance)
}

func TestAuthMethod(t *testing.T) {
	if _, err := (Config{}).Method(); err == nil || !strings.Contains(err.Error(), "client_secret") || !strings.Contains(err.Error(), "use_msi") {
		t.Fatalf("none: %v", err)
	}
	_, err := (Config{ClientSecret: "s3cr3t-value", UseMSI: true}).Method()
	if err == nil || !strings.Contains(err.Error(), "client_secret, use_msi") || strings.Contains(err.Error(), "s3cr3t-value") {
		t.Fatalf("two: %v", err)
	}
	if _, err := (Config{OIDCToken: "x"}).Method(); err == nil || !strings.Contains(err.Error(), "use_oidc") {
		t.Fatalf("oidc without use_oidc: %v", err)
	}
	for want, c := range map[string]Config{
		MethodClientSecret:      {ClientSecret: "x"},
		MethodClientCertificate: {ClientCertificatePath: "x"},
		MethodOIDC:              {UseOIDC: true},
		MethodMSI:               {UseMSI: true},
		MethodCLI:               {UseCLI: true},
	} {
		if got, err := c.Method(); err != nil || got != want {
			t.Fatalf("Method() = %q, %v; want %q", got, err, want)
		}
	}
	if _, err := NewCredential(Config{ClientSecret: "x", ClientID: "a"}); err == nil || !strings.Contains(err.Error(), "tenant_id") {
		t.Fatalf("missing tenant: %v", err)
	}
	if _, err := NewCredential(Config{TenantID: "t", ClientID: "a", ClientSecret: "x", LoginURL: "http://127.0.0.1:1/"}); err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("http login_url: %v", err)
	}
}

func TestAuthHTTPClientCA(t *testing.T) {
	if _, err := NewHTTPClient(""); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing-ca.pem")
	if _, err := NewHTTPClient(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("missing file: %v", err)
	}
	junk := writeFile(t, "junk.pem", []byte("not a certificate"))
	if _, err := NewHTTPClient(junk); err == nil || !strings.Contains(err.Error(), junk) {
		t.Fatalf("junk file: %v", err)
	}
}

func TestAuthEnvironments(t *testing.T) {
	pub, err := LookupEnvironment("")
	if err != nil || pub.Name != "public" {
		t.Fatal(pub, err)
	}
	if pub.GraphResource != m365sim.AudienceGraph || pub.ExchangeResource != m365sim.AudienceExchange || pub.ComplianceResource != m365sim.AudienceCompliance {
		t.Fatalf("public resources differ from the emulator's audiences: %+v", pub)
	}
	for _, n := range []string{"public", "usgovernment", "dod", "china", "DoD"} {
		e, err := LookupEnvironment(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{e.LoginURL, e.GraphURL, e.ExchangeURL, e.ComplianceURL, e.GraphResource, e.ExchangeResource, e.ComplianceResource} {
			if !strings.HasPrefix(u, "https://") {
				t.Fatalf("%s: %q", n, u)
			}
		}
	}
	if _, err := LookupEnvironment("germany"); err == nil || !strings.Contains(err.Error(), "usgovernment") {
		t.Fatalf("unknown: %v", err)
	}
}
