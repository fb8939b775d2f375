package m365sim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t thumbprints
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func startLoginSim(t *testing.T) (*Server, *http.Client) {
	t.Helper()
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CAPEM()) {
		t.Fatal("cannot parse the CA")
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return s, c
}

type loginResp struct {
	status int
	header http.Header
	body   map[string]any
}

func (r loginResp) aadsts() float64 {
	codes, _ := r.body["error_codes"].([]any)
	if len(codes) == 0 {
		return 0
	}
	f, _ := codes[0].(float64)
	return f
}

func doLogin(t *testing.T, c *http.Client, req *http.Request) loginResp {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := loginResp{status: resp.StatusCode, header: resp.Header, body: map[string]any{}}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out.body); err != nil {
			t.Fatalf("%s %s: body is not JSON: %s", req.Method, req.URL, b)
		}
	}
	return out
}

func postToken(t *testing.T, s *Server, c *http.Client, tenant string, form url.Values) loginResp {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/"+tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return doLogin(t, c, req)
}

func getLogin(t *testing.T, c *http.Client, u string, hdr map[string]string) loginResp {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return doLogin(t, c, req)
}

func secretForm(clientID, secret, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "scope": {scope}}
}

func assertionForm(clientID, assertion, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "scope": {scope},
		"client_assertion_type": {clientAssertionTypeJWT}, "client_assertion": {assertion}}
}

func accessClaimsOf(t *testing.T, tok string) jwt.MapClaims {
	t.Helper()
	var claims jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &claims); err != nil {
		t.Fatalf("access token: %v", err)
	}
	return claims
}

// checkSuccess checks a token response issued to the demo admin app.
func checkSuccess(t *testing.T, r loginResp, aud string) {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d: %v", r.status, r.body)
	}
	if r.body["token_type"] != "Bearer" || r.body["expires_in"] != float64(3599) || r.body["ext_expires_in"] != float64(3599) {
		t.Fatalf("unexpected token response %v", r.body)
	}
	tok, _ := r.body["access_token"].(string)
	claims := accessClaimsOf(t, tok)
	if claims["tid"] != DemoTenantID || claims["appid"] != DemoAdminAppID {
		t.Fatalf("tid/appid = %v/%v", claims["tid"], claims["appid"])
	}
	if auds, _ := claims.GetAudience(); len(auds) != 1 || auds[0] != aud {
		t.Fatalf("aud = %v, want %s", auds, aud)
	}
}

func checkAADError(t *testing.T, r loginResp, status int, code string, aadsts float64) {
	t.Helper()
	if r.status != status || r.body["error"] != code || r.aadsts() != aadsts {
		t.Fatalf("got %d %v %v, want %d %s %v: %v", r.status, r.body["error"], r.aadsts(), status, code, aadsts, r.body["error_description"])
	}
	desc, _ := r.body["error_description"].(string)
	if !strings.HasPrefix(desc, "AADSTS") || !strings.Contains(desc, "Trace ID:") {
		t.Fatalf("error_description %q", desc)
	}
	for _, k := range []string{"timestamp", "trace_id", "correlation_id"} {
		if r.body[k] == "" || r.body[k] == nil {
			t.Fatalf("missing %s in %v", k, r.body)
		}
	}
}

func TestLoginOpenIDConfiguration(t *testing.T) {
	s, c := startLoginSim(t)
	for _, tenant := range []string{DemoTenantID, DemoDomain, "contoso.com"} {
		r := getLogin(t, c, s.URL()+"/"+tenant+"/v2.0/.well-known/openid-configuration", nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %v", tenant, r.status, r.body)
		}
		if r.body["issuer"] != s.URL()+"/"+DemoTenantID+"/v2.0" ||
			r.body["token_endpoint"] != s.URL()+"/"+DemoTenantID+"/oauth2/v2.0/token" ||
			r.body["authorization_endpoint"] != s.URL()+"/"+DemoTenantID+"/oauth2/v2.0/authorize" ||
			r.body["jwks_uri"] != s.URL()+"/"+DemoTenantID+"/discovery/v2.0/keys" {
			t.Fatalf("%s: %v", tenant, r.body)
		}
	}
	r := getLogin(t, c, s.URL()+"/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration", nil)
	checkAADError(t, r, 400, "invalid_tenant", 90002)

	keys := getLogin(t, c, s.URL()+"/"+DemoDomain+"/discovery/v2.0/keys", nil)
	ks, _ := keys.body["keys"].([]any)
	if keys.status != 200 || len(ks) != 1 {
		t.Fatalf("keys: %d %v", keys.status, keys.body)
	}
	if k, ok := ks[0].(map[string]any); !ok || k["kid"] != s.keyID || k["kty"] != "RSA" {
		t.Fatalf("keys: %d %v", keys.status, keys.body)
	}
}

func TestLoginClientSecret(t *testing.T) {
	s, c := startLoginSim(t)
	ok := []struct {
		name, tenant, scope, aud string
	}{
		{"graph by id", DemoTenantID, "https://graph.microsoft.com/.default", AudienceGraph},
		{"graph by domain", DemoDomain, "https://graph.microsoft.com/.default", AudienceGraph},
		{"graph app id uri", DemoTenantID, graphAppID + "/.default", AudienceGraph},
		{"exchange", DemoTenantID, "https://outlook.office365.com/.default", AudienceExchange},
		{"compliance", DemoTenantID, "https://ps.compliance.protection.outlook.com/.default", AudienceCompliance},
		{"graph trailing slash", DemoTenantID, "https://graph.microsoft.com//.default", AudienceGraph},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			checkSuccess(t, postToken(t, s, c, tc.tenant, secretForm(DemoAdminAppID, DemoAdminSecret, tc.scope)), tc.aud)
		})
	}
	t.Run("claims accepted", func(t *testing.T) {
		f := secretForm(DemoAdminAppID, DemoAdminSecret, "https://graph.microsoft.com/.default")
		f.Set("claims", `{"access_token":{"xms_cc":{"values":["CP1"]}}}`)
		checkSuccess(t, postToken(t, s, c, DemoTenantID, f), AudienceGraph)
	})

	graph := "https://graph.microsoft.com/.default"
	bad := []struct {
		name   string
		tenant string
		form   url.Values
		status int
		code   string
		aadsts float64
	}{
		{"wrong secret", DemoTenantID, secretForm(DemoAdminAppID, "nope", graph), 401, "invalid_client", 7000215},
		{"secret of another app", DemoTenantID, secretForm(DemoAdminAppID, DemoReaderSecret, graph), 401, "invalid_client", 7000215},
		{"managed identity has no secret", DemoTenantID, secretForm(DemoMSIAppID, "x", graph), 401, "invalid_client", 7000215},
		{"unknown app", DemoTenantID, secretForm("99999999-9999-4999-8999-999999999999", "x", graph), 400, "unauthorized_client", 700016},
		{"unknown tenant", "fabrikam.onmicrosoft.com", secretForm(DemoAdminAppID, DemoAdminSecret, graph), 400, "invalid_request", 90002},
		{"unknown resource", DemoTenantID, secretForm(DemoAdminAppID, DemoAdminSecret, "https://management.azure.com/.default"), 400, "invalid_resource", 500011},
		{"scope without .default", DemoTenantID, secretForm(DemoAdminAppID, DemoAdminSecret, "https://graph.microsoft.com/User.Read.All"), 400, "invalid_scope", 1002012},
		{"two resources", DemoTenantID, secretForm(DemoAdminAppID, DemoAdminSecret, graph+" https://outlook.office365.com/.default"), 400, "invalid_scope", 700022},
		{"no credential", DemoTenantID, url.Values{"grant_type": {"client_credentials"}, "client_id": {DemoAdminAppID}, "scope": {graph}}, 401, "invalid_client", 7000218},
		{"no grant_type", DemoTenantID, url.Values{"client_id": {DemoAdminAppID}, "client_secret": {DemoAdminSecret}, "scope": {graph}}, 400, "invalid_request", 900144},
		{"no scope", DemoTenantID, url.Values{"grant_type": {"client_credentials"}, "client_id": {DemoAdminAppID}, "client_secret": {DemoAdminSecret}}, 400, "invalid_request", 900144},
		{"password grant", DemoTenantID, url.Values{"grant_type": {"password"}, "client_id": {DemoAdminAppID}, "scope": {graph}}, 400, "unsupported_grant_type", 70003},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := postToken(t, s, c, tc.tenant, tc.form)
			checkAADError(t, r, tc.status, tc.code, tc.aadsts)
			if desc, _ := r.body["error_description"].(string); strings.Contains(desc, DemoAdminSecret) || strings.Contains(desc, "nope") {
				t.Fatalf("the error echoes a secret: %s", desc)
			}
		})
	}
	t.Run("GET is refused", func(t *testing.T) {
		r := getLogin(t, c, s.URL()+"/"+DemoTenantID+"/oauth2/v2.0/token", nil)
		checkAADError(t, r, 405, "invalid_request", 900561)
	})
}

// certAssertion builds a client assertion the way MSAL does.
func certAssertion(t *testing.T, certPEM []byte, key any, method jwt.SigningMethod, claims jwt.MapClaims) string {
	t.Helper()
	b, _ := pem.Decode(certPEM)
	tok := jwt.NewWithClaims(method, claims)
	if method.Alg() == "RS256" {
		sum := sha1.Sum(b.Bytes) //nolint:gosec // thumbprint
		tok.Header["x5t"] = base64.StdEncoding.EncodeToString(sum[:])
	} else {
		sum := sha256.Sum256(b.Bytes)
		tok.Header["x5t#S256"] = base64.StdEncoding.EncodeToString(sum[:])
	}
	signed, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func parseKeyPEM(t *testing.T, keyPEM []byte) *rsa.PrivateKey {
	t.Helper()
	b, _ := pem.Decode(keyPEM)
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("key PEM holds a %T, not an RSA private key", k)
	}
	return rk
}

func TestLoginCertificateAssertion(t *testing.T) {
	s, c := startLoginSim(t)
	certPEM, keyPEM, _, err := GenerateTestCertificate("m365harden pipeline")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RegisterAppCertificate(DemoDomain, DemoAdminAppID, certPEM); err != nil {
		t.Fatal(err)
	}
	key := parseKeyPEM(t, keyPEM)
	otherCert, otherKeyPEM, _, _ := GenerateTestCertificate("not registered")
	otherKey := parseKeyPEM(t, otherKeyPEM)
	endpoint := s.URL() + "/" + DemoTenantID + "/oauth2/v2.0/token"
	now := time.Now()
	claims := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"aud": endpoint, "iss": DemoAdminAppID, "sub": DemoAdminAppID, "jti": newRequestID(),
			"nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
		if mod != nil {
			mod(c)
		}
		return c
	}
	graph := "https://graph.microsoft.com/.default"

	t.Run("PS256 x5t#S256", func(t *testing.T) {
		a := certAssertion(t, certPEM, key, jwt.SigningMethodPS256, claims(nil))
		checkSuccess(t, postToken(t, s, c, DemoTenantID, assertionForm(DemoAdminAppID, a, graph)), AudienceGraph)
	})
	t.Run("RS256 x5t by domain", func(t *testing.T) {
		a := certAssertion(t, certPEM, key, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) { c["aud"] = s.URL() + "/" + DemoDomain + "/oauth2/v2.0/token" }))
		checkSuccess(t, postToken(t, s, c, DemoDomain, assertionForm(DemoAdminAppID, a, "https://outlook.office365.com/.default")), AudienceExchange)
	})

	bad := []struct {
		name      string
		clientID  string
		assertion string
		status    int
		code      string
		aadsts    float64
	}{
		{"unregistered certificate", DemoAdminAppID, certAssertion(t, otherCert, otherKey, jwt.SigningMethodPS256, claims(nil)), 401, "invalid_client", 700027},
		{"registered thumbprint, wrong key", DemoAdminAppID, certAssertion(t, certPEM, otherKey, jwt.SigningMethodPS256, claims(nil)), 401, "invalid_client", 700027},
		{"app without certificate", DemoReaderAppID, certAssertion(t, certPEM, key, jwt.SigningMethodPS256, claims(func(c jwt.MapClaims) { c["iss"], c["sub"] = DemoReaderAppID, DemoReaderAppID })), 401, "invalid_client", 700027},
		{"expired", DemoAdminAppID, certAssertion(t, certPEM, key, jwt.SigningMethodPS256, claims(func(c jwt.MapClaims) {
			c["exp"] = now.Add(-time.Hour).Unix()
			c["nbf"] = now.Add(-2 * time.Hour).Unix()
		})), 400, "invalid_client", 700024},
		{"not yet valid", DemoAdminAppID, certAssertion(t, certPEM, key, jwt.SigningMethodPS256, claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix(); c["exp"] = now.Add(2 * time.Hour).Unix() })), 400, "invalid_client", 700024},
		{"no exp", DemoAdminAppID, certAssertion(t, certPEM, key, jwt.SigningMethodPS256, claims(func(c jwt.MapClaims) { delete(c, "exp") })), 400, "invalid_request", 50027},
		{"wrong audience", DemoAdminAppID, certAssertion(t, certPEM, key, jwt.SigningMethodPS256, claims(func(c jwt.MapClaims) {
			c["aud"] = "https://login.microsoftonline.com/" + DemoTenantID + "/oauth2/v2.0/token"
		})), 400, "invalid_request", 50027},
		{"sub differs from iss", DemoAdminAppID, certAssertion(t, certPEM, key, jwt.SigningMethodPS256, claims(func(c jwt.MapClaims) { c["sub"] = DemoReaderAppID })), 401, "invalid_client", 50048},
		{"no jti", DemoAdminAppID, certAssertion(t, certPEM, key, jwt.SigningMethodPS256, claims(func(c jwt.MapClaims) { delete(c, "jti") })), 400, "invalid_request", 50027},
		{"garbage", DemoAdminAppID, "not.a.jwt", 400, "invalid_request", 50027},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			checkAADError(t, postToken(t, s, c, DemoTenantID, assertionForm(tc.clientID, tc.assertion, graph)), tc.status, tc.code, tc.aadsts)
		})
	}
	t.Run("wrong assertion type", func(t *testing.T) {
		f := assertionForm(DemoAdminAppID, certAssertion(t, certPEM, key, jwt.SigningMethodPS256, claims(nil)), graph)
		f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
		checkAADError(t, postToken(t, s, c, DemoTenantID, f), 400, "invalid_request", 90100)
	})

	t.Run("register errors", func(t *testing.T) {
		if err := s.RegisterAppCertificate("nope.onmicrosoft.com", DemoAdminAppID, certPEM); err == nil {
			t.Fatal("unknown tenant accepted")
		}
		if err := s.RegisterAppCertificate(DemoTenantID, "nope", certPEM); err == nil {
			t.Fatal("unknown app accepted")
		}
		if err := s.RegisterAppCertificate(DemoTenantID, DemoAdminAppID, keyPEM); err == nil {
			t.Fatal("a key accepted as a certificate")
		}
	})
}

func TestLoginOIDCFederated(t *testing.T) {
	s, c := startLoginSim(t)
	graph := "https://graph.microsoft.com/.default"
	good, err := s.IssueFederatedAssertion(GitHubDemoSubject, FederatedTokenAudience, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	checkSuccess(t, postToken(t, s, c, DemoTenantID, assertionForm(DemoAdminAppID, good, graph)), AudienceGraph)

	// The fixture's "builtin" credential was replaced by the real issuer.
	app := s.Tenant(DemoTenantID).App(DemoAdminAppID)
	if len(app.FederatedCredentials) != 1 || app.FederatedCredentials[0].Issuer != s.FederatedIssuer() || app.FederatedCredentials[0].KeyPEM != string(s.FederatedIssuerKeyPEM()) {
		t.Fatalf("built-in credential not registered: %+v", app.FederatedCredentials)
	}

	mustIssue := func(sub, aud string, life time.Duration) string {
		tok, err := s.IssueFederatedAssertion(sub, aud, life)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	// A token from another issuer, and one claiming our issuer but signed by another key.
	strangerKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	sign := func(iss string) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": iss, "sub": GitHubDemoSubject, "aud": FederatedTokenAudience,
			"exp": time.Now().Add(5 * time.Minute).Unix(), "iat": time.Now().Unix()})
		str, _ := tok.SignedString(strangerKey)
		return str
	}
	bad := []struct {
		name      string
		clientID  string
		assertion string
		code      string
		aadsts    float64
	}{
		{"wrong subject", DemoAdminAppID, mustIssue("repo:m365harden/demo:pull_request", FederatedTokenAudience, 5*time.Minute), "invalid_request", 700213},
		{"wrong audience", DemoAdminAppID, mustIssue(GitHubDemoSubject, "https://github.com/m365harden", 5*time.Minute), "invalid_request", 700212},
		{"unknown issuer", DemoAdminAppID, sign("https://token.actions.githubusercontent.com"), "invalid_request", 700211},
		{"forged signature", DemoAdminAppID, sign(s.FederatedIssuer()), "invalid_request", 50027},
		{"app without federated credentials", DemoReaderAppID, good, "invalid_request", 70021},
		{"expired", DemoAdminAppID, mustIssue(GitHubDemoSubject, FederatedTokenAudience, -time.Hour), "invalid_client", 700024},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			checkAADError(t, postToken(t, s, c, DemoTenantID, assertionForm(tc.clientID, tc.assertion, graph)), 400, tc.code, tc.aadsts)
		})
	}
}

func TestLoginOIDCGitHubEndpoint(t *testing.T) {
	s, c := startLoginSim(t)
	u := s.GitHubRequestURL() + "&audience=" + url.QueryEscape(FederatedTokenAudience)
	if r := getLogin(t, c, u, nil); r.status != 401 {
		t.Fatalf("no request token: %d", r.status)
	}
	if r := getLogin(t, c, u, map[string]string{"Authorization": "Bearer wrong"}); r.status != 401 {
		t.Fatalf("wrong request token: %d", r.status)
	}
	r := getLogin(t, c, u, map[string]string{"Authorization": "bearer " + s.GitHubRequestToken()})
	tok, _ := r.body["value"].(string)
	if r.status != 200 || tok == "" {
		t.Fatalf("%d %v", r.status, r.body)
	}
	claims := accessClaimsOf(t, tok)
	if claims["sub"] != GitHubDemoSubject || claims["iss"] != s.FederatedIssuer() || claims["repository"] != "m365harden/demo" {
		t.Fatalf("claims %v", claims)
	}
	if auds, _ := claims.GetAudience(); len(auds) != 1 || auds[0] != FederatedTokenAudience {
		t.Fatalf("aud %v", auds)
	}
	checkSuccess(t, postToken(t, s, c, DemoTenantID, assertionForm(DemoAdminAppID, tok, "https://outlook.office365.com/.default")), AudienceExchange)
}

func TestLoginManagedIdentity(t *testing.T) {
	s, c := startLoginSim(t)
	hdr := map[string]string{"X-IDENTITY-HEADER": s.ManagedIdentityHeader()}
	base := s.ManagedIdentityEndpoint() + "?api-version=2019-08-01&resource="
	r := getLogin(t, c, base+url.QueryEscape("https://graph.microsoft.com"), hdr)
	if r.status != 200 || r.body["client_id"] != DemoMSIAppID || r.body["token_type"] != "Bearer" || r.body["resource"] != "https://graph.microsoft.com" {
		t.Fatalf("%d %v", r.status, r.body)
	}
	if exp, _ := r.body["expires_on"].(string); exp == "" {
		t.Fatalf("expires_on %v", r.body["expires_on"])
	}
	tok, ok := r.body["access_token"].(string)
	if !ok {
		t.Fatalf("access_token %v", r.body["access_token"])
	}
	claims := accessClaimsOf(t, tok)
	if claims["appid"] != DemoMSIAppID || claims["tid"] != DemoTenantID {
		t.Fatalf("claims %v", claims)
	}
	r = getLogin(t, c, base+url.QueryEscape(AudienceCompliance)+"&client_id="+DemoMSIAppID, hdr)
	if r.status != 200 || r.body["client_id"] != DemoMSIAppID {
		t.Fatalf("by client_id: %d %v", r.status, r.body)
	}
	for name, tc := range map[string]struct {
		u      string
		hdr    map[string]string
		status int
	}{
		"no header":        {base + "https://graph.microsoft.com", nil, 401},
		"wrong header":     {base + "https://graph.microsoft.com", map[string]string{"X-IDENTITY-HEADER": "x"}, 401},
		"old api-version":  {strings.Replace(base, "2019-08-01", "2017-09-01", 1) + "https://graph.microsoft.com", hdr, 400},
		"no resource":      {s.ManagedIdentityEndpoint() + "?api-version=2019-08-01", hdr, 400},
		"unknown resource": {base + "https://vault.azure.net", hdr, 400},
		"not an identity":  {base + "https://graph.microsoft.com&client_id=" + DemoAdminAppID, hdr, 400},
	} {
		t.Run(name, func(t *testing.T) {
			if r := getLogin(t, c, tc.u, tc.hdr); r.status != tc.status {
				t.Fatalf("status %d, want %d: %v", r.status, tc.status, r.body)
			}
		})
	}
}

func TestLoginFaults(t *testing.T) {
	s, c := startLoginSim(t)
	s.InjectFault(Fault{Endpoint: EndpointLogin, Match: "token", Status: 429, Retry: 7, Times: 1})
	form := secretForm(DemoAdminAppID, DemoAdminSecret, "https://graph.microsoft.com/.default")
	r := postToken(t, s, c, DemoTenantID, form)
	checkAADError(t, r, 429, "temporarily_unavailable", 90055)
	if r.header.Get("Retry-After") != "7" {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	s.InjectFault(Fault{Endpoint: EndpointLogin, Status: 503, Times: 1})
	r = postToken(t, s, c, DemoTenantID, form)
	checkAADError(t, r, 503, "temporarily_unavailable", 90006)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After on 503")
	}
	checkSuccess(t, postToken(t, s, c, DemoTenantID, form), AudienceGraph)
	if n := s.Stats().Requests(EndpointLogin, "token"); n != 3 {
		t.Fatalf("token requests counted %d", n)
	}
	if n := s.Stats().Statuses(EndpointLogin, 429); n != 1 {
		t.Fatalf("429s counted %d", n)
	}
}

func TestLoginTestCertificatePFX(t *testing.T) {
	certPEM, keyPEM, pfx, err := GenerateTestCertificate("pfx")
	if err != nil || len(certPEM) == 0 || len(keyPEM) == 0 || len(pfx) == 0 {
		t.Fatal(err)
	}
	if _, err := EncodeTestPFX(certPEM, keyPEM, "pässword"); err != nil {
		t.Fatal(err)
	}
	if _, err := EncodeTestPFX(keyPEM, keyPEM, ""); err == nil {
		t.Fatal("a key accepted as a certificate")
	}
}
