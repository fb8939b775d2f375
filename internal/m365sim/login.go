package m365sim

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is a SHA-1 thumbprint by definition (RFC 7515 4.7)
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Login: Microsoft Entra ID's v2.0 endpoints for the client credentials flow,
// a managed identity endpoint (App Service form) and a built-in OIDC issuer
// that stands in for GitHub Actions, so workload identity federation can be
// tested end to end.

const (
	// FederatedTokenAudience is the audience Entra ID expects in federated
	// tokens. https://learn.microsoft.com/graph/api/resources/federatedidentitycredential
	FederatedTokenAudience = "api://AzureADTokenExchange"
	// BuiltinIssuer in a fixture's FederatedCredential.Issuer is replaced at
	// start by the emulator's own issuer (FederatedIssuer) and key.
	BuiltinIssuer = "builtin"
	// GitHubDemoSubject is the subject of the tokens the built-in GitHub
	// Actions endpoint issues (a push to main of m365harden/demo).
	GitHubDemoSubject = "repo:m365harden/demo:ref:refs/heads/main"

	clientAssertionTypeJWT = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// Graph and Exchange Online first-party app ids: a scope may name the
	// resource by app id instead of its URI.
	graphAppID    = "00000003-0000-0000-c000-000000000000"
	exchangeAppID = "00000002-0000-0ff1-ce00-000000000000"
	// assertionSkew tolerates small clock differences on nbf/exp.
	assertionSkew = 5 * time.Minute
)

// loginState is per-server login data that Server's struct has no field for.
type loginState struct {
	oidcKey     *rsa.PrivateKey
	oidcKeyPEM  []byte
	oidcKeyID   string
	githubToken string
	msiHeader   string
}

var loginStates sync.Map // *Server -> *loginState

func (s *Server) login() *loginState {
	if v, ok := loginStates.Load(s); ok {
		if st, ok := v.(*loginState); ok {
			return st
		}
		panic(fmt.Sprintf("m365sim: loginStates holds %T, not *loginState", v))
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("m365sim: cannot generate the federated issuer key: " + err.Error())
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		panic("m365sim: " + err.Error())
	}
	sum := sha256.Sum256(der)
	st := &loginState{
		oidcKey:     key,
		oidcKeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		oidcKeyID:   base64.RawURLEncoding.EncodeToString(sum[:12]),
		githubToken: randomHex(24),
		msiHeader:   randomHex(24),
	}
	v, _ := loginStates.LoadOrStore(s, st)
	got, ok := v.(*loginState)
	if !ok {
		panic(fmt.Sprintf("m365sim: loginStates holds %T, not *loginState", v))
	}
	return got
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// initLogin is called once by Start, after the URL is known: it creates the
// built-in issuer and registers it on every app whose fixture lists a
// federated credential with Issuer "builtin".
func (s *Server) initLogin() {
	st := s.login()
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[*Tenant]bool{}
	for _, t := range s.tenants {
		if seen[t] {
			continue
		}
		seen[t] = true
		for i := range t.Apps {
			for j := range t.Apps[i].FederatedCredentials {
				fc := &t.Apps[i].FederatedCredentials[j]
				if fc.Issuer != BuiltinIssuer {
					continue
				}
				fc.Issuer = s.FederatedIssuer()
				fc.KeyPEM = string(st.oidcKeyPEM)
				if fc.Subject == "" {
					fc.Subject = GitHubDemoSubject
				}
				if fc.Audience == "" {
					fc.Audience = FederatedTokenAudience
				}
			}
		}
	}
}

// FederatedIssuer is the issuer URL of the emulator's built-in OIDC issuer.
func (s *Server) FederatedIssuer() string { return s.URL() + "/_oidc/issuer" }

// FederatedIssuerKeyPEM is the public key (PEM) of the built-in issuer.
func (s *Server) FederatedIssuerKeyPEM() []byte {
	return append([]byte(nil), s.login().oidcKeyPEM...)
}

// GitHubRequestToken authenticates requests to the emulated GitHub Actions
// ID token endpoint (what ACTIONS_ID_TOKEN_REQUEST_TOKEN holds in a job).
func (s *Server) GitHubRequestToken() string { return s.login().githubToken }

// GitHubRequestURL is the emulated ACTIONS_ID_TOKEN_REQUEST_URL. Like
// GitHub's, it already has a query, so clients append "&audience=...".
func (s *Server) GitHubRequestURL() string {
	return s.URL() + "/_oidc/github/token?api-version=2.0"
}

// ManagedIdentityHeader is the secret the managed identity endpoint expects
// in X-IDENTITY-HEADER (App Service's IDENTITY_HEADER).
func (s *Server) ManagedIdentityHeader() string { return s.login().msiHeader }

// ManagedIdentityEndpoint is the value for IDENTITY_ENDPOINT.
func (s *Server) ManagedIdentityEndpoint() string { return s.URL() + "/msi/token" }

// IssueFederatedAssertion signs a token from the built-in issuer, as an
// external identity provider (GitHub Actions, Kubernetes...) would.
func (s *Server) IssueFederatedAssertion(subject, audience string, lifetime time.Duration) (string, error) {
	return s.issueFederated(subject, audience, lifetime, nil)
}

func (s *Server) issueFederated(subject, audience string, lifetime time.Duration, extra map[string]any) (string, error) {
	st := s.login()
	now := s.now()
	claims := jwt.MapClaims{
		"iss": s.FederatedIssuer(),
		"sub": subject,
		"aud": audience,
		"iat": now.Unix(),
		"nbf": now.Add(-5 * time.Second).Unix(),
		"exp": now.Add(lifetime).Unix(),
		"jti": newRequestID(),
	}
	for k, v := range extra {
		claims[k] = v
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = st.oidcKeyID
	return tok.SignedString(st.oidcKey)
}

// RegisterAppCertificate adds a certificate (PEM) to an app registration's
// key credentials; client assertions signed by its key are then accepted.
func (s *Server) RegisterAppCertificate(tenantID, clientID string, certPEM []byte) error {
	certs, err := parseCertificates(string(certPEM))
	if err != nil {
		return err
	}
	if len(certs) == 0 {
		return errors.New("no CERTIFICATE block in the PEM data")
	}
	t := s.Tenant(tenantID)
	if t == nil {
		return fmt.Errorf("unknown tenant %s", tenantID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	app := t.App(clientID)
	if app == nil {
		return fmt.Errorf("tenant %s has no app %s", tenantID, clientID)
	}
	if app.CertificatePEM != "" && !strings.HasSuffix(app.CertificatePEM, "\n") {
		app.CertificatePEM += "\n"
	}
	app.CertificatePEM += string(certPEM)
	return nil
}

// appCopy returns a copy of an app registration, read under the lock that
// RegisterAppCertificate writes under.
func (s *Server) appCopy(t *Tenant, clientID string) *AppSpec {
	s.mu.RLock()
	defer s.mu.RUnlock()
	app := t.App(clientID)
	if app == nil {
		return nil
	}
	cp := *app
	cp.FederatedCredentials = append([]FederatedCredential(nil), app.FederatedCredentials...)
	return &cp
}

// ---------------------------------------------------------------------------
// Routing

func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/_oidc/github/token":
		s.loginEndpoint(w, r, "github", s.serveGitHubToken)
		return
	case p == "/_oidc/issuer/.well-known/openid-configuration":
		s.loginEndpoint(w, r, "issuer-configuration", s.serveIssuerConfiguration)
		return
	case p == "/_oidc/issuer/keys":
		s.loginEndpoint(w, r, "issuer-keys", s.serveIssuerKeys)
		return
	}
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) < 2 {
		http.NotFound(w, r)
		return
	}
	tenant, rest := parts[0], strings.Join(parts[1:], "/")
	switch rest {
	case "v2.0/.well-known/openid-configuration":
		s.loginEndpoint(w, r, "openid-configuration", func(w http.ResponseWriter, r *http.Request) int {
			return s.serveOpenIDConfiguration(w, r, tenant)
		})
	case "discovery/v2.0/keys":
		s.loginEndpoint(w, r, "keys", func(w http.ResponseWriter, r *http.Request) int {
			return s.serveKeys(w, r, tenant)
		})
	case "oauth2/v2.0/token":
		s.loginEndpoint(w, r, "token", func(w http.ResponseWriter, r *http.Request) int {
			return s.serveToken(w, r, tenant)
		})
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveManagedIdentity(w http.ResponseWriter, r *http.Request) {
	s.loginEndpoint(w, r, "msi", s.serveMSIToken)
}

// loginEndpoint applies injected faults and counts the request.
func (s *Server) loginEndpoint(w http.ResponseWriter, r *http.Request, op string, h func(http.ResponseWriter, *http.Request) int) {
	status := http.StatusOK
	defer func() { s.stats.record(EndpointLogin, op, status) }()
	latency, fault := s.faults.take(EndpointLogin, op)
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			status = 499
			return
		}
	}
	if fault != nil {
		status = fault.Status
		s.failRequest(w, r, fault, func(f *Fault) { s.writeFault(w, r, f) })
		return
	}
	status = h(w, r)
}

// writeFault answers an injected error the way the token service does when
// it is throttled or unavailable: an AADSTS body and Retry-After.
func (s *Server) writeFault(w http.ResponseWriter, r *http.Request, f *Fault) {
	retry := f.Retry
	if retry == 0 && (f.Status == http.StatusTooManyRequests || f.Status == http.StatusServiceUnavailable) {
		retry = 1
	}
	if retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retry))
	}
	switch f.Status {
	case http.StatusTooManyRequests:
		s.writeAADError(w, r, f.Status, "temporarily_unavailable", 90055, "TenantThrottlingError - There are too many incoming requests. Retry the request after the interval in Retry-After.")
	case http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		s.writeAADError(w, r, f.Status, "temporarily_unavailable", 90006, "ExternalServerRetryableError - The service is temporarily unavailable.")
	default:
		s.writeAADError(w, r, f.Status, "server_error", 50000, "TokenIssuanceError - There's an issue with the sign-in service.")
	}
}

// ---------------------------------------------------------------------------
// Errors

// aadError is a token service error. The body shape is documented at
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes
// ("Handling error codes in your application").
type aadError struct {
	status int
	code   string // OAuth error: invalid_client, invalid_request...
	aadsts int
	msg    string
}

func (e *aadError) Error() string { return fmt.Sprintf("AADSTS%d: %s", e.aadsts, e.msg) }

func newAADError(status int, code string, aadsts int, format string, args ...any) *aadError {
	return &aadError{status: status, code: code, aadsts: aadsts, msg: fmt.Sprintf(format, args...)}
}

func (s *Server) writeAADError(w http.ResponseWriter, r *http.Request, status int, code string, aadsts int, msg string) {
	traceID := newRequestID()
	corrID := r.Header.Get("client-request-id")
	if corrID == "" {
		corrID = newRequestID()
	}
	ts := s.now().UTC().Format("2006-01-02 15:04:05Z")
	body := map[string]any{
		"error": code,
		"error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			aadsts, msg, traceID, corrID, ts),
		"error_codes":    []int{aadsts},
		"timestamp":      ts,
		"trace_id":       traceID,
		"correlation_id": corrID,
		"error_uri":      fmt.Sprintf("%s/error?code=%d", s.URL(), aadsts),
	}
	w.Header().Set("x-ms-request-id", traceID)
	writeLoginJSON(w, status, body)
}

func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, e *aadError) int {
	s.writeAADError(w, r, e.status, e.code, e.aadsts, e.msg)
	return e.status
}

func writeLoginJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func tenantNotFound(tenant string) *aadError {
	// AADSTS90002 InvalidTenantName.
	// https://learn.microsoft.com/entra/identity-platform/reference-error-codes
	return newAADError(http.StatusBadRequest, "invalid_request", 90002,
		"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant)
}

// ---------------------------------------------------------------------------
// Discovery

func (s *Server) serveOpenIDConfiguration(w http.ResponseWriter, r *http.Request, tenant string) int {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return s.writeErr(w, r, newAADError(http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts GET requests. Received a %s request.", r.Method))
	}
	t := s.Tenant(tenant)
	if t == nil {
		e := tenantNotFound(tenant)
		e.code = "invalid_tenant"
		return s.writeErr(w, r, e)
	}
	// Microsoft answers with the tenant id in every URL, whichever alias
	// (domain or id) was asked for; MSAL requires the issuer's scheme and
	// host to equal the authority's.
	base := s.URL() + "/" + t.ID
	cfg := map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                base + "/v2.0",
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     s.URL() + "/oidc/userinfo",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"claims_supported":                      []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"},
		"kerberos_endpoint":                     base + "/kerberos",
		"tenant_region_scope":                   tenantRegionScope(t.Region),
		"cloud_instance_name":                   "microsoftonline.com",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          "graph.microsoft.com",
		"rbac_url":                              "https://pas.windows.net",
	}
	writeLoginJSON(w, http.StatusOK, cfg)
	return http.StatusOK
}

func tenantRegionScope(region string) string {
	switch {
	case strings.HasPrefix(region, "eur"):
		return "EU"
	case strings.HasPrefix(region, "apc"), strings.HasPrefix(region, "jpn"), strings.HasPrefix(region, "aus"):
		return "AS"
	default:
		return "NA"
	}
}

func (s *Server) serveKeys(w http.ResponseWriter, r *http.Request, tenant string) int {
	t := s.Tenant(tenant)
	if t == nil {
		e := tenantNotFound(tenant)
		e.code = "invalid_tenant"
		return s.writeErr(w, r, e)
	}
	jwk := rsaJWK(&s.signKey.PublicKey, s.keyID)
	jwk["issuer"] = s.URL() + "/" + t.ID + "/v2.0"
	writeLoginJSON(w, http.StatusOK, map[string]any{"keys": []any{jwk}})
	return http.StatusOK
}

func rsaJWK(pub *rsa.PublicKey, kid string) map[string]any {
	return map[string]any{
		"kty": "RSA",
		"use": "sig",
		"kid": kid,
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

func (s *Server) serveIssuerConfiguration(w http.ResponseWriter, r *http.Request) int {
	writeLoginJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.FederatedIssuer(),
		"jwks_uri":                              s.FederatedIssuer() + "/keys",
		"subject_types_supported":               []string{"public"},
		"response_types_supported":              []string{"id_token"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claims_supported":                      []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "repository_owner"},
	})
	return http.StatusOK
}

func (s *Server) serveIssuerKeys(w http.ResponseWriter, r *http.Request) int {
	st := s.login()
	writeLoginJSON(w, http.StatusOK, map[string]any{"keys": []any{rsaJWK(&st.oidcKey.PublicKey, st.oidcKeyID)}})
	return http.StatusOK
}

// ---------------------------------------------------------------------------
// GitHub Actions ID token endpoint

// serveGitHubToken mimics ACTIONS_ID_TOKEN_REQUEST_URL: a GET with
// "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" and an optional
// &audience=, answered with {"value":"<jwt>"}.
// https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
func (s *Server) serveGitHubToken(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodGet {
		writeLoginJSON(w, http.StatusMethodNotAllowed, map[string]any{"message": "Method not allowed"})
		return http.StatusMethodNotAllowed
	}
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || subtle.ConstantTimeCompare([]byte(tok), []byte(s.GitHubRequestToken())) != 1 {
		writeLoginJSON(w, http.StatusUnauthorized, map[string]any{"message": "Bad credentials: the request token is missing or invalid"})
		return http.StatusUnauthorized
	}
	aud := r.URL.Query().Get("audience")
	if aud == "" {
		aud = "https://github.com/m365harden" // GitHub's default: the owner's URL
	}
	jwtStr, err := s.issueFederated(GitHubDemoSubject, aud, 5*time.Minute, map[string]any{
		"ref":                "refs/heads/main",
		"ref_type":           "branch",
		"repository":         "m365harden/demo",
		"repository_owner":   "m365harden",
		"event_name":         "push",
		"workflow":           "harden",
		"job_workflow_ref":   "m365harden/demo/.github/workflows/harden.yml@refs/heads/main",
		"runner_environment": "github-hosted",
	})
	if err != nil {
		writeLoginJSON(w, http.StatusInternalServerError, map[string]any{"message": err.Error()})
		return http.StatusInternalServerError
	}
	writeLoginJSON(w, http.StatusOK, map[string]any{"value": jwtStr})
	return http.StatusOK
}

// ---------------------------------------------------------------------------
// Token endpoint

// serveToken implements the client credentials grant.
// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, tenant string) int {
	if r.Method != http.MethodPost {
		return s.writeErr(w, r, newAADError(http.StatusMethodNotAllowed, "invalid_request", 900561,
			"BadResourceRequestInvalidRequest - The endpoint only accepts POST requests. Received a %s request.", r.Method))
	}
	if err := r.ParseForm(); err != nil {
		return s.writeErr(w, r, newAADError(http.StatusBadRequest, "invalid_request", 90004, "InvalidRequestFormat - The request isn't properly formatted: %v", err))
	}
	f := r.PostForm
	t := s.Tenant(tenant)
	if t == nil {
		return s.writeErr(w, r, tenantNotFound(tenant))
	}
	grant := f.Get("grant_type")
	if grant == "" {
		return s.writeErr(w, r, missingParam("grant_type"))
	}
	if grant != "client_credentials" {
		return s.writeErr(w, r, newAADError(http.StatusBadRequest, "unsupported_grant_type", 70003,
			"The app requested an unsupported grant type '%s'.", grant))
	}
	clientID, secret := f.Get("client_id"), f.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok { // client_secret_basic
		if clientID == "" {
			clientID = u
		}
		if secret == "" {
			secret = p
		}
	}
	if clientID == "" {
		return s.writeErr(w, r, missingParam("client_id"))
	}
	scope := f.Get("scope")
	if scope == "" {
		return s.writeErr(w, r, missingParam("scope"))
	}
	app := s.appCopy(t, clientID)
	if app == nil {
		return s.writeErr(w, r, newAADError(http.StatusBadRequest, "unauthorized_client", 700016,
			"Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
			clientID, t.DisplayName))
	}
	if e := s.authenticateClient(r, t, app, secret); e != nil {
		return s.writeErr(w, r, e)
	}
	audience, e := resolveScope(scope, t)
	if e != nil {
		return s.writeErr(w, r, e)
	}
	// A "claims" parameter (CAE client capabilities, xms_cc) is accepted:
	// it does not change app-only tokens. It must be JSON when present.
	if c := f.Get("claims"); c != "" && !json.Valid([]byte(c)) {
		return s.writeErr(w, r, newAADError(http.StatusBadRequest, "invalid_request", 90100, "InvalidRequestParameter - The parameter 'claims' is not valid JSON."))
	}
	tok, _, err := s.issueToken(t, app, audience)
	if err != nil {
		return s.writeErr(w, r, newAADError(http.StatusInternalServerError, "server_error", 50000, "TokenIssuanceError - %v", err))
	}
	w.Header().Set("x-ms-request-id", newRequestID())
	if id := r.Header.Get("client-request-id"); id != "" {
		w.Header().Set("client-request-id", id)
	}
	secs := int(TokenLifetime / time.Second)
	writeLoginJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     secs,
		"ext_expires_in": secs,
		"access_token":   tok,
	})
	return http.StatusOK
}

func missingParam(name string) *aadError {
	return newAADError(http.StatusBadRequest, "invalid_request", 900144,
		"The request body must contain the following parameter: '%s'.", name)
}

// resolveScope maps a client credentials scope ("<resource>/.default") to the
// token audience. Client credentials take exactly one resource, with
// /.default. https://learn.microsoft.com/entra/identity-platform/scopes-oidc#the-default-scope
func resolveScope(scope string, t *Tenant) (string, *aadError) {
	var resources []string
	for _, sc := range strings.Fields(scope) {
		switch strings.ToLower(sc) {
		case "openid", "profile", "email", "offline_access":
			continue
		}
		resources = append(resources, sc)
	}
	if len(resources) == 0 {
		return "", newAADError(http.StatusBadRequest, "invalid_scope", 70011,
			"The provided value for the input parameter 'scope' is not valid. The scope '%s' is not valid.", scope)
	}
	if len(resources) > 1 {
		return "", newAADError(http.StatusBadRequest, "invalid_scope", 700022,
			"InvalidMultipleResourcesScope - The provided value for the input parameter scope '%s' isn't valid because it contains more than one resource.", scope)
	}
	sc := resources[0]
	lower := strings.ToLower(sc)
	if !strings.HasSuffix(lower, "/.default") {
		return "", newAADError(http.StatusBadRequest, "invalid_scope", 1002012,
			"The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", sc)
	}
	resource := strings.TrimSuffix(sc[:len(sc)-len("/.default")], "/")
	if aud := audienceForResource(resource); aud != "" {
		return aud, nil
	}
	return "", newAADError(http.StatusBadRequest, "invalid_resource", 500011,
		"The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
		resource, t.DisplayName)
}

// audienceForResource maps an application ID URI or app id to one of the
// audiences the emulator serves, or "".
func audienceForResource(resource string) string {
	switch strings.ToLower(strings.TrimSuffix(resource, "/")) {
	case AudienceGraph, graphAppID:
		return AudienceGraph
	case AudienceExchange, exchangeAppID:
		return AudienceExchange
	case AudienceCompliance:
		return AudienceCompliance
	}
	return ""
}

// authenticateClient checks the client secret or client assertion.
func (s *Server) authenticateClient(r *http.Request, t *Tenant, app *AppSpec, secret string) *aadError {
	f := r.PostForm
	assertion, assertionType := f.Get("client_assertion"), f.Get("client_assertion_type")
	switch {
	case secret != "" && assertion != "":
		return newAADError(http.StatusBadRequest, "invalid_request", 90023,
			"InvalidRequest - Only one client credential may be presented: 'client_secret' or 'client_assertion'.")
	case secret != "":
		// https://learn.microsoft.com/entra/identity-platform/reference-error-codes (AADSTS7000215)
		if app.ClientSecret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(app.ClientSecret)) != 1 {
			return newAADError(http.StatusUnauthorized, "invalid_client", 7000215,
				"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ClientID)
		}
		return nil
	case assertion != "":
		if assertionType == "" {
			return missingParam("client_assertion_type")
		}
		if assertionType != clientAssertionTypeJWT {
			return newAADError(http.StatusBadRequest, "invalid_request", 90100,
				"InvalidRequestParameter - The parameter 'client_assertion_type' is not valid: it must be '%s'.", clientAssertionTypeJWT)
		}
		return s.checkAssertion(r, t, app, assertion)
	default:
		return newAADError(http.StatusUnauthorized, "invalid_client", 7000218,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
	}
}

func invalidJWT(reason string, args ...any) *aadError {
	// AADSTS50027 InvalidJwtToken.
	return newAADError(http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed: "+reason, args...)
}

func (s *Server) checkAssertion(r *http.Request, t *Tenant, app *AppSpec, assertion string) *aadError {
	var claims jwt.MapClaims
	tok, _, err := jwt.NewParser().ParseUnverified(assertion, &claims)
	if err != nil {
		return invalidJWT("%v", err)
	}
	iss, _ := claims["iss"].(string)
	if iss == "" {
		return invalidJWT("the 'iss' claim is missing.")
	}
	if strings.EqualFold(iss, app.ClientID) {
		return s.checkCertificateAssertion(r, t, app, tok, assertion)
	}
	return s.checkFederatedAssertion(app, claims, assertion)
}

// checkCertificateAssertion validates a private_key_jwt assertion signed by
// the key of a certificate registered on the app: header alg PS256 (or
// RS256) with x5t#S256 (or x5t), claims aud = token endpoint, iss = sub =
// client id, exp, nbf, jti.
// https://learn.microsoft.com/entra/identity-platform/certificate-credentials
func (s *Server) checkCertificateAssertion(r *http.Request, t *Tenant, app *AppSpec, unverified *jwt.Token, assertion string) *aadError {
	certs, err := parseCertificates(app.CertificatePEM)
	if err != nil || len(certs) == 0 {
		return newAADError(http.StatusUnauthorized, "invalid_client", 700027,
			"Client assertion failed signature validation. (Reason - The key was not found.) No certificate is registered on application '%s'.", app.ClientID)
	}
	var cert *x509.Certificate
	x5tS256, _ := unverified.Header["x5t#S256"].(string)
	x5t, _ := unverified.Header["x5t"].(string)
	if x5tS256 == "" && x5t == "" {
		return newAADError(http.StatusUnauthorized, "invalid_client", 700027,
			"Client assertion failed signature validation. (Reason - The assertion has neither an 'x5t' nor an 'x5t#S256' header.)")
	}
	for _, c := range certs {
		s256 := sha256.Sum256(c.Raw)
		s1 := sha1.Sum(c.Raw) //nolint:gosec // thumbprint, not a signature
		if (x5tS256 != "" && thumbprintEqual(x5tS256, s256[:])) || (x5t != "" && thumbprintEqual(x5t, s1[:])) {
			cert = c
			break
		}
	}
	if cert == nil {
		return newAADError(http.StatusUnauthorized, "invalid_client", 700027,
			"The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'.]",
			firstNonEmpty(x5tS256, x5t), app.ClientID)
	}
	now := s.now()
	if now.After(cert.NotAfter) || now.Before(cert.NotBefore) {
		return newAADError(http.StatusUnauthorized, "invalid_client", 700027,
			"Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '%s']", firstNonEmpty(x5tS256, x5t))
	}
	var claims jwt.MapClaims
	_, err = jwt.ParseWithClaims(assertion, &claims, func(*jwt.Token) (any, error) { return cert.PublicKey, nil },
		jwt.WithValidMethods([]string{"PS256", "RS256"}), jwt.WithoutClaimsValidation())
	if err != nil {
		return newAADError(http.StatusUnauthorized, "invalid_client", 700027,
			"Client assertion failed signature validation. (Reason - %v)", err)
	}
	sub, _ := claims["sub"].(string)
	iss, _ := claims["iss"].(string)
	if sub != iss {
		return newAADError(http.StatusUnauthorized, "invalid_client", 50048,
			"SubjectMismatchesIssuer - Subject mismatches Issuer claim in the client assertion.")
	}
	if jti, _ := claims["jti"].(string); jti == "" {
		return invalidJWT("the 'jti' claim is missing.")
	}
	auds, _ := claims.GetAudience()
	if !s.audienceIsTokenEndpoint(auds, r, t) {
		return invalidJWT("unexpected audience %v; the audience must be the token endpoint %s.", []string(auds), s.URL()+"/"+t.ID+"/oauth2/v2.0/token")
	}
	return s.checkTimes(claims, true)
}

func (s *Server) audienceIsTokenEndpoint(auds jwt.ClaimStrings, r *http.Request, t *Tenant) bool {
	accepted := []string{
		s.URL() + "/" + t.ID + "/oauth2/v2.0/token",
		s.URL() + r.URL.Path,
	}
	for _, a := range auds {
		for _, want := range accepted {
			if strings.EqualFold(strings.TrimSuffix(a, "/"), want) {
				return true
			}
		}
	}
	return false
}

// checkTimes enforces exp (required) and nbf, allowing a small clock skew.
func (s *Server) checkTimes(claims jwt.MapClaims, requireExp bool) *aadError {
	now := s.now()
	exp, err := claims.GetExpirationTime()
	if err != nil || (exp == nil && requireExp) {
		return invalidJWT("the 'exp' claim is missing or not a number.")
	}
	nbf, err := claims.GetNotBefore()
	if err != nil {
		return invalidJWT("the 'nbf' claim is not a number.")
	}
	expired := exp != nil && now.After(exp.Time.Add(assertionSkew))
	early := nbf != nil && now.Add(assertionSkew).Before(nbf.Time)
	if expired || early {
		var expStr, nbfStr string
		if exp != nil {
			expStr = exp.UTC().Format(time.RFC1123)
		}
		if nbf != nil {
			nbfStr = nbf.UTC().Format(time.RFC1123)
		}
		return newAADError(http.StatusBadRequest, "invalid_client", 700024,
			"Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s.",
			now.UTC().Format("2006-01-02T15:04:05.0000000Z"), nbfStr, expStr)
	}
	return nil
}

// checkFederatedAssertion validates a token from an external issuer against
// the app's federated identity credentials: issuer, signature, subject and
// audience (api://AzureADTokenExchange) must match one credential.
// https://learn.microsoft.com/entra/workload-id/workload-identity-federation
// Error texts as Entra answers them, e.g. AADSTS70021 in
// https://azure.github.io/azure-workload-identity/docs/troubleshooting.html
func (s *Server) checkFederatedAssertion(app *AppSpec, unverified jwt.MapClaims, assertion string) *aadError {
	iss, _ := unverified["iss"].(string)
	sub, _ := unverified["sub"].(string)
	audsC, _ := unverified.GetAudience()
	auds := []string(audsC)
	audStr := strings.Join(auds, ",")
	if len(app.FederatedCredentials) == 0 {
		return newAADError(http.StatusBadRequest, "invalid_request", 70021,
			"No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'. https://docs.microsoft.com/azure/active-directory/develop/workload-identity-federation", iss, sub, audStr)
	}
	var byIssuer []FederatedCredential
	for _, fc := range app.FederatedCredentials {
		if fc.Issuer == iss { // issuer matching is exact (case-sensitive)
			byIssuer = append(byIssuer, fc)
		}
	}
	if len(byIssuer) == 0 {
		return newAADError(http.StatusBadRequest, "invalid_request", 700211,
			"No matching federated identity record found for presented assertion issuer '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation", iss)
	}
	var claims jwt.MapClaims
	verified := false
	var lastErr error
	for _, fc := range byIssuer {
		key, err := parsePublicKey(fc.KeyPEM)
		if err != nil {
			lastErr = err
			continue
		}
		_, err = jwt.ParseWithClaims(assertion, &claims, func(*jwt.Token) (any, error) { return key, nil },
			jwt.WithValidMethods([]string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}), jwt.WithoutClaimsValidation())
		if err == nil {
			verified = true
			break
		}
		lastErr = err
	}
	if !verified {
		return invalidJWT("External ID token from issuer '%s' failed signature verification. (%v)", iss, lastErr)
	}
	if e := s.checkTimes(claims, true); e != nil {
		return e
	}
	var bySubject []FederatedCredential
	for _, fc := range byIssuer {
		if fc.Subject == sub { // subject matching is exact (case-sensitive)
			bySubject = append(bySubject, fc)
		}
	}
	if len(bySubject) == 0 {
		return newAADError(http.StatusBadRequest, "invalid_request", 700213,
			"No matching federated identity record found for presented assertion subject '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation", sub)
	}
	for _, fc := range bySubject {
		want := fc.Audience
		if want == "" {
			want = FederatedTokenAudience
		}
		for _, a := range auds {
			if a == want {
				return nil
			}
		}
	}
	return newAADError(http.StatusBadRequest, "invalid_request", 700212,
		"No matching federated identity record found for presented assertion audience '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation", audStr)
}

func thumbprintEqual(header string, sum []byte) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(header); err == nil && subtle.ConstantTimeCompare(b, sum) == 1 {
			return true
		}
	}
	return false
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

func parseCertificates(pemData string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := []byte(pemData)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// parsePublicKey reads a PEM public key, RSA public key or certificate.
func parsePublicKey(pemData string) (crypto.PublicKey, error) {
	b, _ := pem.Decode([]byte(pemData))
	if b == nil {
		return nil, errors.New("no PEM data in the federated credential's key")
	}
	switch b.Type {
	case "PUBLIC KEY":
		return x509.ParsePKIXPublicKey(b.Bytes)
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(b.Bytes)
	case "CERTIFICATE":
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		return c.PublicKey, nil
	}
	return nil, fmt.Errorf("unsupported PEM block %q in the federated credential's key", b.Type)
}

// ---------------------------------------------------------------------------
// Managed identity (App Service form)

// serveMSIToken answers GET /msi/token?api-version=2019-08-01&resource=...
// with X-IDENTITY-HEADER, as App Service's local token service does:
// {"access_token","expires_on","resource","token_type","client_id"}.
// https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
func (s *Server) serveMSIToken(w http.ResponseWriter, r *http.Request) int {
	msiErr := func(status int, msg string) int {
		writeLoginJSON(w, status, map[string]any{"statusCode": status, "message": msg, "correlationId": newRequestID()})
		return status
	}
	if r.Method != http.MethodGet {
		return msiErr(http.StatusMethodNotAllowed, "The managed identity endpoint only accepts GET requests.")
	}
	h := r.Header.Get("X-IDENTITY-HEADER")
	if h == "" || subtle.ConstantTimeCompare([]byte(h), []byte(s.ManagedIdentityHeader())) != 1 {
		return msiErr(http.StatusUnauthorized, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.")
	}
	q := r.URL.Query()
	if v := q.Get("api-version"); v != "2019-08-01" {
		return msiErr(http.StatusBadRequest, fmt.Sprintf("The api-version '%s' is not supported: use 2019-08-01.", v))
	}
	resource := q.Get("resource")
	if resource == "" {
		return msiErr(http.StatusBadRequest, "The 'resource' query parameter is required.")
	}
	audience := audienceForResource(strings.TrimSuffix(strings.TrimSuffix(resource, "/.default"), "/"))
	if audience == "" {
		return msiErr(http.StatusBadRequest, fmt.Sprintf("AADSTS500011: The resource principal named %s was not found in the tenant.", resource))
	}
	if q.Get("mi_res_id") != "" {
		return msiErr(http.StatusBadRequest, "Selecting a managed identity by mi_res_id is not supported by the emulator: use client_id.")
	}
	clientID := q.Get("client_id")
	objectID := firstNonEmpty(q.Get("principal_id"), q.Get("object_id"))
	var t *Tenant
	var app *AppSpec
	for _, spec := range s.opts.Fixture.Tenants {
		tt := s.Tenant(spec.ID)
		if tt == nil {
			continue
		}
		s.mu.RLock()
		for i := range tt.Apps {
			a := &tt.Apps[i]
			if !a.ManagedIdentity {
				continue
			}
			if (clientID == "" && objectID == "") || strings.EqualFold(a.ClientID, clientID) || (objectID != "" && strings.EqualFold(a.ObjectID, objectID)) {
				cp := *a
				app = &cp
				break
			}
		}
		s.mu.RUnlock()
		if app != nil {
			t = tt
			break
		}
		if clientID == "" && objectID == "" {
			break // the system-assigned identity lives in the first tenant
		}
	}
	if app == nil {
		return msiErr(http.StatusBadRequest, "No managed identity matching the requested identity is assigned to this resource.")
	}
	tok, exp, err := s.issueToken(t, app, audience)
	if err != nil {
		return msiErr(http.StatusInternalServerError, err.Error())
	}
	writeLoginJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"expires_on":   strconv.FormatInt(exp.Unix(), 10),
		"resource":     resource,
		"token_type":   "Bearer",
		"client_id":    app.ClientID,
	})
	return http.StatusOK
}
