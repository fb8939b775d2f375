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

// Each entry point addresses its segment under the configured base URL and
// v1.0, as GraphServiceClient's do.
func TestRootEntryPointsAddressTheirSegment(t *testing.T) {
	c := newOffline(t)
	ctx := context.Background()
	cases := map[string]func() (*abstractions.RequestInformation, error){
		"/auditLogs/signIns": func() (*abstractions.RequestInformation, error) {
			return c.SDK.AuditLogs().SignIns().ToGetRequestInformation(ctx, nil)
		},
		"/identity/conditionalAccess/policies": func() (*abstractions.RequestInformation, error) {
			return c.SDK.Identity().ConditionalAccess().Policies().ToGetRequestInformation(ctx, nil)
		},
		"/identityProtection/riskyUsers": func() (*abstractions.RequestInformation, error) {
			return c.SDK.IdentityProtection().RiskyUsers().ToGetRequestInformation(ctx, nil)
		},
		"/organization": func() (*abstractions.RequestInformation, error) {
			return c.SDK.Organization().ToGetRequestInformation(ctx, nil)
		},
		"/policies/identitySecurityDefaultsEnforcementPolicy": func() (*abstractions.RequestInformation, error) {
			return c.SDK.Policies().IdentitySecurityDefaultsEnforcementPolicy().ToGetRequestInformation(ctx, nil)
		},
		"/subscribedSkus": func() (*abstractions.RequestInformation, error) {
			return c.SDK.SubscribedSkus().ToGetRequestInformation(ctx, nil)
		},
		"/users/admin%40contoso.example": func() (*abstractions.RequestInformation, error) {
			return c.SDK.Users().ByUserId("admin@contoso.example").ToGetRequestInformation(ctx, nil)
		},
	}
	for path, build := range cases {
		info, err := build()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		u, err := info.GetUri()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if got, want := u.String(), "https://graph.example.test/v1.0"+path; got != want {
			t.Errorf("request URL %q, want %q", got, want)
		}
	}
	if c.SDK.GetAdapter().GetBaseUrl() != "https://graph.example.test/v1.0" {
		t.Errorf("adapter base URL %q", c.SDK.GetAdapter().GetBaseUrl())
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
	b := c.SDK.Policies().IdentitySecurityDefaultsEnforcementPolicy()
	p, err := b.Get(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.GetIsEnabled() == nil || !*p.GetIsEnabled() || p.GetDisplayName() == nil {
		t.Fatalf("policy not parsed: %v %v", p.GetIsEnabled(), p.GetDisplayName())
	}
	off := false
	p.SetIsEnabled(&off)
	if _, err := b.Patch(ctx, p, nil); err != nil {
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
	if _, err := b.Patch(ctx, fresh, nil); err != nil {
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
