package graph

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

type noCredential struct{}

func (noCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "offline", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func newOffline(t *testing.T) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: "https://graph.example.test/", Resource: "https://graph.example.test", Credential: noCredential{}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Each endpoint addresses its resource under the configured base URL and
// v1.0, as the SDK's request builders do: ids escaped as one path segment,
// OData options as $-named query parameters.
func TestEndpointsAddressTheirResource(t *testing.T) {
	c := newOffline(t)
	cases := map[string]*abstractions.RequestInformation{
		"/auditLogs/signIns?%24filter=createdDateTime%20ge%202026-01-01T00%3A00%3A00Z&%24select=id,userId&%24top=1000": at[models.SignInCollectionResponseable](c, "/auditLogs/signIns", nil).info(abstractions.GET,
			&query{Filter: "createdDateTime ge 2026-01-01T00:00:00Z", Select: []string{"id", "userId"}, Top: SignInPageSize}),
		"/identity/conditionalAccess/policies":                                           caPolicies(c).info(abstractions.GET, nil),
		"/identity/conditionalAccess/policies/a%2Fb":                                     caPolicy(c, "a/b").info(abstractions.PATCH, nil),
		"/policies/identitySecurityDefaultsEnforcementPolicy":                            securityDefaults(c).info(abstractions.GET, nil),
		"/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2": authMethodConfig(c, "fido2").info(abstractions.GET, nil),
		"/identityProtection/riskyUsers?%24top=500":                                      at[models.RiskyUserCollectionResponseable](c, "/identityProtection/riskyUsers", nil).info(abstractions.GET, &query{Top: RiskPageSize}),
		"/users/admin%40contoso.example?%24select=id":                                    userInfo("admin@contoso.example"),
	}
	for path, info := range cases {
		info.PathParameters["baseurl"] = c.adapter.GetBaseUrl()
		u, err := info.GetUri()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if got, want := u.String(), "https://graph.example.test/v1.0"+path; got != want {
			t.Errorf("request URL %q, want %q", got, want)
		}
	}
	next := caPolicies(c).info(abstractions.GET, nil)
	next.PathParameters["request-raw-url"] = "https://graph.example.test/v1.0/identity/conditionalAccess/policies?$skiptoken=X"
	if u, err := next.GetUri(); err != nil || u.String() != "https://graph.example.test/v1.0/identity/conditionalAccess/policies?$skiptoken=X" {
		t.Errorf("next link sent as %v (%v)", u, err)
	}
	if c.adapter.GetBaseUrl() != "https://graph.example.test/v1.0" {
		t.Errorf("adapter base URL %q", c.adapter.GetBaseUrl())
	}
}

// The backing store is enabled as GraphServiceClient enables it: a model
// read from Graph and then changed serialises the changed property only,
// so a PATCH built from it does not send back what was read.
func TestRootSendsOnlyChangedProperties(t *testing.T) {
	var patched []byte
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy" {
			http.NotFound(w, r)
			return
		}
		if r.Method == http.MethodPatch {
			patched, _ = io.ReadAll(r.Body)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"00000000-0000-0000-0000-000000000000","displayName":"Security Defaults","description":"read","isEnabled":true}`)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	c, err := New(Config{BaseURL: srv.URL, Resource: "https://" + u.Host, Credential: noCredential{}, Transport: srv.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b := securityDefaults(c)
	p, err := b.Get(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.GetIsEnabled() == nil || !*p.GetIsEnabled() || p.GetDisplayName() == nil {
		t.Fatalf("policy not parsed: %v %v", p.GetIsEnabled(), p.GetDisplayName())
	}
	off := false
	p.SetIsEnabled(&off)
	if err := b.Patch(ctx, p); err != nil {
		t.Fatal(err)
	}
	// What was read is not sent back (without the backing store the body
	// would carry id, displayName and description, and Graph refuses a
	// PATCH of read-only properties).
	for _, prop := range []string{`"id"`, `"displayName"`, `"description"`} {
		if strings.Contains(string(patched), prop) {
			t.Errorf("PATCH body %s sends back %s, which was read", patched, prop)
		}
	}
	fresh := models.NewIdentitySecurityDefaultsEnforcementPolicy()
	fresh.SetIsEnabled(&off)
	if err := b.Patch(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(patched), `"isEnabled":false`) || strings.Contains(string(patched), `"displayName"`) {
		t.Errorf("PATCH body %s, want isEnabled and nothing unset", patched)
	}
}

// The telemetry header names the msgraph-sdk-go version actually built in,
// as GetDefaultClientOptions does.
func TestClientOptionsNameTheSDKVersion(t *testing.T) {
	mod, err := os.ReadFile("../../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(sdkModule) + ` v(\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod does not require " + sdkModule)
	}
	if got := clientOptions().GraphServiceLibraryVersion; got != string(m[1]) {
		t.Fatalf("library version %q, go.mod requires %s", got, m[1])
	}
}
