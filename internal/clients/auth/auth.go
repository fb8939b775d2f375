// Package auth builds the Microsoft Entra ID credential the provider uses for
// Microsoft Graph, Exchange Online and Security & Compliance, from the
// provider's authentication attributes.
package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Authentication methods, named after the attribute that selects them.
const (
	MethodClientSecret      = "client_secret"
	MethodClientCertificate = "client_certificate"
	MethodOIDC              = "use_oidc"
	MethodMSI               = "use_msi"
	MethodCLI               = "use_cli"
)

// DefaultOIDCAudience is the audience Entra ID expects in federated tokens
// from an external issuer (public cloud).
// https://learn.microsoft.com/graph/api/resources/federatedidentitycredential
const DefaultOIDCAudience = "api://AzureADTokenExchange"

// methodsHelp names the attributes, for errors.
const methodsHelp = "client_secret, client_certificate / client_certificate_path, use_oidc (with oidc_token, oidc_token_file_path, or oidc_request_url + oidc_request_token), use_msi, use_cli"

// Config is the provider's authentication configuration.
type Config struct {
	TenantID, ClientID, ClientSecret string
	// ClientCertificate is a PFX (PKCS#12) file encoded in base64, or PEM
	// text with the certificate and its private key.
	ClientCertificate string
	// ClientCertificatePath is a PFX or PEM file.
	ClientCertificatePath     string
	ClientCertificatePassword string

	UseOIDC bool
	// One of: a token, a file holding a token (read on each request, as
	// Kubernetes rotates it), or the GitHub Actions request URL and token.
	OIDCToken                        string
	OIDCTokenFilePath                string
	OIDCRequestURL, OIDCRequestToken string
	// OIDCAudience is the audience asked of the GitHub Actions endpoint;
	// default api://AzureADTokenExchange.
	OIDCAudience string

	UseMSI bool
	UseCLI bool

	// LoginURL overrides the authority host (https only), e.g. the
	// emulator's origin or a national cloud's login host.
	LoginURL string
	// HTTPClient is the transport for the token requests, e.g. one that
	// trusts an extra CA (see NewHTTPClient).
	HTTPClient *http.Client
}

// Method returns the one configured authentication method, or an error that
// names the attributes when none or several are configured.
func (c Config) Method() (string, error) {
	var set []string
	if c.ClientSecret != "" {
		set = append(set, MethodClientSecret)
	}
	if c.ClientCertificate != "" || c.ClientCertificatePath != "" {
		set = append(set, MethodClientCertificate)
	}
	if c.UseOIDC {
		set = append(set, MethodOIDC)
	}
	if c.UseMSI {
		set = append(set, MethodMSI)
	}
	if c.UseCLI {
		set = append(set, MethodCLI)
	}
	switch len(set) {
	case 0:
		if c.OIDCToken != "" || c.OIDCTokenFilePath != "" || c.OIDCRequestURL != "" || c.OIDCRequestToken != "" {
			return "", errors.New("oidc_token, oidc_token_file_path, oidc_request_url and oidc_request_token take effect only with use_oidc = true")
		}
		return "", fmt.Errorf("no authentication method is configured: set exactly one of %s", methodsHelp)
	case 1:
		return set[0], nil
	default:
		return "", fmt.Errorf("several authentication methods are configured (%s): set exactly one of %s", strings.Join(set, ", "), methodsHelp)
	}
}

// NewCredential builds the azidentity credential for the configured method.
// Errors never contain a secret, a password or a token. A credential the
// identity platform refuses is asked for once (see rejectOnce).
func NewCredential(c Config) (azcore.TokenCredential, error) {
	cred, err := newCredential(c)
	if err != nil {
		return nil, err
	}
	return newRejectOnce(cred), nil
}

func newCredential(c Config) (azcore.TokenCredential, error) {
	method, err := c.Method()
	if err != nil {
		return nil, err
	}
	opts, disableDiscovery, err := c.clientOptions()
	if err != nil {
		return nil, err
	}
	needIDs := func() error {
		var missing []string
		if c.TenantID == "" {
			missing = append(missing, "tenant_id")
		}
		if c.ClientID == "" {
			missing = append(missing, "client_id")
		}
		if len(missing) > 0 {
			return fmt.Errorf("%s requires %s", method, strings.Join(missing, " and "))
		}
		return nil
	}
	switch method {
	case MethodClientSecret:
		if err := needIDs(); err != nil {
			return nil, err
		}
		return azidentity.NewClientSecretCredential(c.TenantID, c.ClientID, c.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})

	case MethodClientCertificate:
		if err := needIDs(); err != nil {
			return nil, err
		}
		certs, key, err := c.loadCertificate()
		if err != nil {
			return nil, err
		}
		return azidentity.NewClientCertificateCredential(c.TenantID, c.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})

	case MethodOIDC:
		if err := needIDs(); err != nil {
			return nil, err
		}
		get, err := c.assertionSource()
		if err != nil {
			return nil, err
		}
		return azidentity.NewClientAssertionCredential(c.TenantID, c.ClientID, get,
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})

	case MethodMSI:
		// A managed identity ignores the authority host: the token comes
		// from the host's identity endpoint (IDENTITY_ENDPOINT/IDENTITY_HEADER
		// on App Service, IMDS elsewhere).
		mo := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
		if c.ClientID != "" {
			mo.ID = azidentity.ClientID(c.ClientID)
		}
		return azidentity.NewManagedIdentityCredential(mo)

	case MethodCLI:
		// `az account get-access-token` uses the CLI's own login and cloud.
		return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: c.TenantID})
	}
	return nil, fmt.Errorf("unsupported authentication method %q", method)
}

func (c Config) clientOptions() (azcore.ClientOptions, bool, error) {
	var opts azcore.ClientOptions
	if c.HTTPClient != nil {
		opts.Transport = c.HTTPClient
	}
	if c.LoginURL == "" {
		return opts, false, nil
	}
	u, err := url.Parse(c.LoginURL)
	if err != nil || u.Host == "" {
		return opts, false, fmt.Errorf("login_url %q is not a valid URL", c.LoginURL)
	}
	if u.Scheme != "https" {
		return opts, false, fmt.Errorf("login_url %q must use https (MSAL refuses any other scheme)", c.LoginURL)
	}
	host := c.LoginURL
	if !strings.HasSuffix(host, "/") {
		host += "/"
	}
	opts.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: host}
	// Instance discovery calls the real login.microsoftonline.com first: skip
	// it for any authority that is not Microsoft's.
	return opts, !microsoftAuthorityHosts[strings.ToLower(u.Hostname())], nil
}

// loadCertificate reads the PFX or PEM certificate and key.
func (c Config) loadCertificate() ([]*x509.Certificate, any, error) {
	var data []byte
	var source string
	switch {
	case c.ClientCertificate != "" && c.ClientCertificatePath != "":
		return nil, nil, errors.New("set only one of client_certificate and client_certificate_path")
	case c.ClientCertificatePath != "":
		source = "client_certificate_path " + c.ClientCertificatePath
		b, err := os.ReadFile(c.ClientCertificatePath)
		if err != nil {
			return nil, nil, fmt.Errorf("cannot read %s: %w", source, errors.Unwrap(err))
		}
		data = b
	default:
		source = "client_certificate"
		v := strings.TrimSpace(c.ClientCertificate)
		if strings.HasPrefix(v, "-----BEGIN") {
			data = []byte(v)
		} else {
			b, err := decodeBase64(v)
			if err != nil {
				return nil, nil, errors.New("client_certificate is neither PEM text nor a base64-encoded PFX file")
			}
			data = b
		}
	}
	var password []byte
	if c.ClientCertificatePassword != "" {
		password = []byte(c.ClientCertificatePassword)
	}
	certs, key, err := azidentity.ParseCertificates(data, password)
	if err != nil {
		// The parser's message names no secret; keep it for the cause
		// (wrong password, no private key...).
		return nil, nil, fmt.Errorf("cannot load the certificate from %s (check the file format and client_certificate_password): %s", source, scrub(err.Error(), c.ClientCertificatePassword))
	}
	return certs, key, nil
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// assertionSource returns the function that yields the federated token.
func (c Config) assertionSource() (func(context.Context) (string, error), error) {
	n := 0
	if c.OIDCToken != "" {
		n++
	}
	if c.OIDCTokenFilePath != "" {
		n++
	}
	if c.OIDCRequestURL != "" || c.OIDCRequestToken != "" {
		n++
	}
	if n != 1 {
		return nil, errors.New("use_oidc requires exactly one of oidc_token, oidc_token_file_path, or oidc_request_url + oidc_request_token")
	}
	switch {
	case c.OIDCToken != "":
		tok := strings.TrimSpace(c.OIDCToken)
		return func(context.Context) (string, error) { return tok, nil }, nil
	case c.OIDCTokenFilePath != "":
		path := c.OIDCTokenFilePath
		return func(context.Context) (string, error) {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("cannot read oidc_token_file_path %s: %w", path, errors.Unwrap(err))
			}
			tok := strings.TrimSpace(string(b))
			if tok == "" {
				return "", fmt.Errorf("oidc_token_file_path %s is empty", path)
			}
			return tok, nil
		}, nil
	default:
		if c.OIDCRequestURL == "" || c.OIDCRequestToken == "" {
			return nil, errors.New("use_oidc with a request URL requires both oidc_request_url and oidc_request_token")
		}
		u, err := url.Parse(c.OIDCRequestURL)
		if err != nil || u.Host == "" {
			return nil, errors.New("oidc_request_url is not a valid URL")
		}
		if !strings.EqualFold(u.Scheme, "https") {
			// The request carries oidc_request_token, a bearer secret: like
			// every other endpoint it goes over TLS only.
			return nil, fmt.Errorf("oidc_request_url must use https, like every other endpoint (it carries oidc_request_token); got scheme %q", u.Scheme)
		}
		audience := c.OIDCAudience
		if audience == "" {
			audience = DefaultOIDCAudience
		}
		q := u.Query()
		q.Set("audience", audience)
		u.RawQuery = q.Encode()
		reqURL, reqToken := u.String(), c.OIDCRequestToken
		client := c.HTTPClient
		if client == nil {
			client = &http.Client{Timeout: 30 * time.Second}
		}
		return func(ctx context.Context) (string, error) {
			return fetchGitHubToken(ctx, client, reqURL, reqToken)
		}, nil
	}
}

// fetchGitHubToken asks the GitHub Actions ID token endpoint for a token:
// GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=..., "Authorization: bearer
// $ACTIONS_ID_TOKEN_REQUEST_TOKEN", answer {"value":"<jwt>"}.
// https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
func fetchGitHubToken(ctx context.Context, client *http.Client, reqURL, reqToken string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, reqURL, nil)
	if err != nil {
		return "", errors.New("oidc_request_url: cannot build the request")
	}
	req.Header.Set("Authorization", "Bearer "+reqToken)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("requesting an ID token from oidc_request_url: %s", scrub(err.Error(), reqToken))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("oidc_request_url answered %s: %s", resp.Status, scrub(strings.TrimSpace(string(body)), reqToken))
	}
	var out struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Value == "" {
		return "", errors.New("oidc_request_url answered without a token in \"value\"")
	}
	return out.Value, nil
}

// scrub removes a secret from a message, defensively.
func scrub(msg, secret string) string {
	if secret == "" {
		return msg
	}
	return strings.ReplaceAll(msg, secret, "***")
}

// NewHTTPClient returns a client that trusts the system roots plus, when
// extraCAFile is set, the PEM certificates in that file.
func NewHTTPClient(extraCAFile string) (*http.Client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if extraCAFile != "" {
		b, err := os.ReadFile(extraCAFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read the CA file %s: %w", extraCAFile, errors.Unwrap(err))
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("the CA file %s holds no PEM certificate", extraCAFile)
		}
	}
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("http.DefaultTransport is a %T, not an *http.Transport", http.DefaultTransport)
	}
	tr := base.Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}, nil
}
