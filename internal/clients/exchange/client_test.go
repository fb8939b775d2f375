package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

type staticToken struct{ scopes []string }

func (s *staticToken) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	s.scopes = o.Scopes
	return azcore.AccessToken{Token: "test-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func newTestClient(t *testing.T, h http.HandlerFunc, compliance bool) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	c := New(Config{
		BaseURL: srv.URL, Resource: "https://outlook.office365.com", TenantID: "tid",
		Credential: &staticToken{}, HTTPClient: srv.Client(), Compliance: compliance,
		InitialDomain: func(context.Context) (string, error) { return "contoso.onmicrosoft.com", nil },
		Retry:         RetryPolicy{MaxRetries: 3, MaxWait: 10 * time.Second, BaseDelay: 10 * time.Millisecond},
	})
	return c, srv
}

func writeValue(w http.ResponseWriter, value []map[string]any, next string) {
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal")
	body := map[string]any{"value": value}
	if next != "" {
		body["@odata.nextLink"] = next
	}
	_ = json.NewEncoder(w).Encode(body)
}

func writeErr(w http.ResponseWriter, status int, exception, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": "X", "message": "Error executing cmdlet",
		"details": []map[string]any{{"code": "Client", "message": "Ex123456|" + exception + "|" + msg}},
	}})
}

func TestInvokeRequestShapeAndPaging(t *testing.T) {
	var calls atomic.Int32
	var srvURL string
	c, srv := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		var in struct {
			CmdletInput struct {
				CmdletName string
				Parameters map[string]any
			}
		}
		if err := json.Unmarshal(body, &in); err != nil || in.CmdletInput.CmdletName != "Get-Mailbox" || in.CmdletInput.Parameters["ResultSize"] != "Unlimited" {
			t.Errorf("body %s", body)
		}
		if r.Method != "POST" || !strings.HasSuffix(r.URL.Path, "/adminapi/beta/tid/InvokeCommand") {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer test-token" {
			t.Errorf("authorization %q", got)
		}
		if got := r.Header.Get("X-AnchorMailbox"); got != "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@tid" {
			t.Errorf("anchor %q", got)
		}
		if got := r.Header.Get("Prefer"); got != "odata.maxpagesize=1000" {
			t.Errorf("prefer %q", got)
		}
		if n == 1 {
			if r.URL.Query().Get("$select") != "Name,Guid" {
				t.Errorf("select %q", r.URL.RawQuery)
			}
			writeValue(w, []map[string]any{{"Name": "a", "Name@odata.type": "#String"}}, srvURL+"/adminapi/beta/tid/InvokeCommand?$skiptoken=1")
			return
		}
		writeValue(w, []map[string]any{{"Name": "b"}}, "")
	}, false)
	srvURL = srv.URL
	objs, err := c.Invoke(context.Background(), "Get-Mailbox", map[string]any{"ResultSize": "Unlimited"}, Select("Name", "Guid"))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || objs[0].String("Name") != "a" || objs[1].String("Name") != "b" || objs[0].Has("Name@odata.type") {
		t.Fatalf("objects %+v", objs)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d calls", calls.Load())
	}
}

func TestInvokeRefusesForeignNextLink(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeValue(w, []map[string]any{{"Name": "a"}}, "https://attacker.example/steal")
	}, false)
	_, err := c.Invoke(context.Background(), "Get-Mailbox", nil)
	if err == nil || !strings.Contains(err.Error(), "attacker.example") {
		t.Fatalf("err = %v", err)
	}
}

func TestInvokeErrorClassification(t *testing.T) {
	RegisterRoles("Set-Thing", "Thing Management")
	cases := []struct {
		status    int
		exception string
		kind      error
	}{
		{404, "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", ErrNotFound},
		{400, "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAlreadyExistsException", ErrConflict},
		{400, "System.Management.Automation.ParameterBindingException", ErrInvalidParameter},
		{403, "System.Management.Automation.CommandNotFoundException", ErrForbidden},
		{401, "", ErrUnauthorized},
		// The kind comes from the exception type, not the status or text.
		{400, "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d %s", tc.status, shortException(tc.exception)), func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				writeErr(w, tc.status, tc.exception, "text that says nothing about the kind")
			}, false)
			_, err := c.Invoke(context.Background(), "Set-Thing", nil)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err %v is not %v", err, tc.kind)
			}
			var e *Error
			if !errors.As(err, &e) || e.Status != tc.status || e.Cmdlet != "Set-Thing" {
				t.Fatalf("err %#v", err)
			}
			if tc.kind == ErrForbidden && !strings.Contains(err.Error(), `"Thing Management"`) {
				t.Fatalf("forbidden error does not name the role: %v", err)
			}
		})
	}
}

func TestInvokeRetries(t *testing.T) {
	t.Run("429 with Retry-After, then success", func(t *testing.T) {
		var calls atomic.Int32
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) <= 2 {
				w.Header().Set("Retry-After", "0")
				writeErr(w, 429, "", "throttled")
				return
			}
			writeValue(w, nil, "")
		}, false)
		if _, err := c.Invoke(context.Background(), "New-Thing", nil); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 3 {
			t.Fatalf("%d calls, want 3", calls.Load())
		}
	})
	t.Run("503 is not retried for New-*", func(t *testing.T) {
		var calls atomic.Int32
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			writeErr(w, 503, "", "unavailable")
		}, false)
		_, err := c.Invoke(context.Background(), "New-Thing", nil)
		if !errors.Is(err, ErrUnavailable) || calls.Load() != 1 {
			t.Fatalf("err %v after %d calls", err, calls.Load())
		}
	})
	t.Run("503 is retried for Set-*, bounded", func(t *testing.T) {
		var calls atomic.Int32
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			writeErr(w, 503, "", "unavailable")
		}, false)
		_, err := c.Invoke(context.Background(), "Set-Thing", nil)
		if err == nil || !strings.Contains(err.Error(), "gave up after 3 retries") || calls.Load() != 4 {
			t.Fatalf("err %v after %d calls", err, calls.Load())
		}
	})
	t.Run("Retry-After beyond the budget fails at once", func(t *testing.T) {
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			writeErr(w, 429, "", "throttled")
		}, false)
		start := time.Now()
		_, err := c.Invoke(context.Background(), "Get-Thing", nil)
		if !errors.Is(err, ErrThrottled) || time.Since(start) > 5*time.Second || !strings.Contains(err.Error(), "retry budget") {
			t.Fatalf("err %v after %s", err, time.Since(start))
		}
	})
	t.Run("context cancellation stops the wait", func(t *testing.T) {
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "5")
			writeErr(w, 429, "", "throttled")
		}, false)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := c.Invoke(ctx, "Get-Thing", nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v", err)
		}
	})
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if d := retryAfter("7", now); d != 7*time.Second {
		t.Fatalf("seconds: %v", d)
	}
	if d := retryAfter(now.Add(30*time.Second).Format(http.TimeFormat), now); d != 30*time.Second {
		t.Fatalf("date: %v", d)
	}
	if d := retryAfter("soon", now); d != 0 {
		t.Fatalf("garbage: %v", d)
	}
}

func TestComplianceRedirectIsFollowedAndRemembered(t *testing.T) {
	var paths []string
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		if got := r.Header.Get("X-AnchorMailbox"); got != "UPN:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.onmicrosoft.com" {
			t.Errorf("anchor %q", got)
		}
		if !strings.HasPrefix(r.URL.Path, "/region1/") {
			w.Header().Set("Location", "https://"+r.Host+"/region1"+r.URL.Path)
			w.WriteHeader(http.StatusFound)
			return
		}
		if b, _ := io.ReadAll(r.Body); !strings.Contains(string(b), "Get-ProtectionAlert") {
			t.Errorf("the redirected request lost its body: %s", b)
		}
		writeValue(w, nil, "")
	}, true)
	for i := 0; i < 2; i++ {
		if _, err := c.Invoke(context.Background(), "Get-ProtectionAlert", nil); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"/adminapi/beta/tid/InvokeCommand", "/region1/adminapi/beta/tid/InvokeCommand", "/region1/adminapi/beta/tid/InvokeCommand"}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Fatalf("paths %v, want %v", paths, want)
	}
}

func TestComplianceRedirectToForeignHostIsRefused(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://evil.example/adminapi/beta/tid/InvokeCommand")
		w.WriteHeader(http.StatusFound)
	}, true)
	if _, err := c.Invoke(context.Background(), "Get-ProtectionAlert", nil); err == nil || !strings.Contains(err.Error(), "refusing redirect") {
		t.Fatalf("err = %v", err)
	}
}

// The admin API's error bodies as the live service sends them (shapes of
// public captures): error.message and innererror.type are generic; the
// exception and its text are in details or, for a bad enumeration value,
// only in innererror.internalexception.
func TestInvokeErrorBodiesOfTheAdminAPI(t *testing.T) {
	const generic = "Microsoft.Exchange.Admin.OData.Core.ODataServiceException"
	cases := []struct {
		name, body    string
		status        int
		kind          error
		exception     string
		messagePrefix string
	}{
		{
			name:   "unknown parameter",
			status: 400,
			body: `{"error":{"code":"BadRequest","message":"Invalid Operation","details":[{"code":"Client","target":"","message":"|Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException|Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. Identity"}],` +
				`"innererror":{"message":"Invalid Operation","type":"` + generic + `","stacktrace":"","internalexception":{"message":"Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. Identity","type":"Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException","stacktrace":""}}}}`,
			kind: ErrInvalidParameter, exception: "Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException",
			messagePrefix: "Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. Identity",
		},
		{
			name:   "bad enumeration value: no details",
			status: 400,
			body: `{"error":{"code":"BadRequest","message":"Invalid Operation","innererror":{"message":"Invalid Operation","type":"` + generic + `","stacktrace":"",` +
				`"internalexception":{"message":"Cannot process argument transformation on parameter 'RetentionDuration'. Cannot convert value \"SevenDays\" to type \"UnifiedAuditLogRetentionDuration\".","type":"Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException","stacktrace":""}},` +
				`"adminapi.warnings@odata.type":"#Collection(String)","@adminapi.warnings":[]}}`,
			kind: ErrInvalidParameter, exception: "Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException",
			messagePrefix: "Cannot process argument transformation on parameter 'RetentionDuration'.",
		},
		{
			name:   "not found: the details win over the generic internal exception",
			status: 404,
			body: `{"error":{"code":"NotFound","message":"Error executing cmdlet","details":[{"code":"Client","target":"","message":"Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'x' couldn't be found on 'AMSPR01A001.PROD.OUTLOOK.COM'."}],` +
				`"innererror":{"message":"Error executing cmdlet","type":"` + generic + `","stacktrace":"","internalexception":{"message":"Exception of type 'Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException' was thrown.","type":"Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException","stacktrace":""}},` +
				`"adminapi.warnings@odata.type":"#Collection(String)","@adminapi.warnings":[]}}`,
			kind: ErrNotFound, exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
			messagePrefix: "The operation couldn't be performed because object 'x'",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;charset=utf-8")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}, true)
			_, err := c.Invoke(context.Background(), "Set-UnifiedAuditLogRetentionPolicy", nil)
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, tc.kind) {
				t.Fatalf("err %v, want kind %v", err, tc.kind)
			}
			if e.Exception != tc.exception || !strings.HasPrefix(e.Message, tc.messagePrefix) {
				t.Fatalf("exception %q message %q", e.Exception, e.Message)
			}
			if strings.Contains(err.Error(), "Invalid Operation") || strings.Contains(err.Error(), "ODataServiceException") {
				t.Fatalf("the user sees the generic text instead of the reason: %v", err)
			}
		})
	}
}

// The token goes only to the service's own host and the configured
// regional hosts: a redirect elsewhere is refused before anything is sent.
func TestRedirectOutsideTheAllowListSendsNoToken(t *testing.T) {
	var regionalCalls, regionalTokens atomic.Int32
	regional := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		regionalCalls.Add(1)
		if r.Header.Get("Authorization") != "" {
			regionalTokens.Add(1)
		}
		writeValue(w, nil, "")
	}))
	t.Cleanup(regional.Close)
	for _, allow := range [][]string{nil, {"*.ps.compliance.protection.outlook.com"}, {strings.TrimPrefix(regional.URL, "https://")}} {
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", regional.URL+"/adminapi/beta/tid/InvokeCommand")
			w.WriteHeader(http.StatusFound)
		}, true)
		c.cfg.RegionalHosts = allow
		regionalCalls.Store(0)
		regionalTokens.Store(0)
		_, err := c.Invoke(context.Background(), "Get-ProtectionAlert", nil)
		if len(allow) == 1 && allow[0] == strings.TrimPrefix(regional.URL, "https://") {
			if err != nil || regionalTokens.Load() != 1 {
				t.Fatalf("allowed regional host: err %v, %d tokens sent", err, regionalTokens.Load())
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "refusing redirect") || regionalCalls.Load() != 0 {
			t.Fatalf("allow-list %v: err %v, %d requests reached the other host", allow, err, regionalCalls.Load())
		}
	}
}

func TestHostAllowList(t *testing.T) {
	c := New(Config{BaseURL: "https://ps.compliance.protection.outlook.com", RegionalHosts: []string{"*.ps.compliance.protection.outlook.com", "127.0.0.1:4443"}})
	for raw, ok := range map[string]bool{
		"https://ps.compliance.protection.outlook.com/adminapi":            true,
		"https://eur01b.ps.compliance.protection.outlook.com/adminapi":     true,
		"https://EUR01B.PS.Compliance.Protection.Outlook.com:443/x":        true,
		"https://eur01b.ps.compliance.protection.outlook.com:8443/x":       false,
		"http://eur01b.ps.compliance.protection.outlook.com/x":             false,
		"https://ps.compliance.protection.outlook.com.evil.example/x":      false,
		"https://evil.example/eur01b.ps.compliance.protection.outlook.com": false,
		"https://xps.compliance.protection.outlook.com/x":                  false,
		"https://127.0.0.1:4443/adminapi":                                  true,
		"https://127.0.0.1:4444/adminapi":                                  false,
		"https://127.0.0.1/adminapi":                                       false,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.checkHost(u) == nil; got != ok {
			t.Errorf("%s: allowed %v, want %v", raw, got, ok)
		}
	}
}

// failingRefresh hands out one token, then fails as a revoked credential
// does.
type failingRefresh struct{ calls atomic.Int32 }

func (f *failingRefresh) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if f.calls.Add(1) > 1 {
		return azcore.AccessToken{}, errors.New("AADSTS7000222: The provided client secret keys for app 'x' are expired.")
	}
	return azcore.AccessToken{Token: "test-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestUnauthorizedWithCredentialThatCannotRefresh(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeErr(w, 401, "", "token expired")
	}))
	t.Cleanup(srv.Close)
	cred := &failingRefresh{}
	c := New(Config{BaseURL: srv.URL, Resource: "https://outlook.office365.com", TenantID: "tid", Credential: cred, HTTPClient: srv.Client()})
	_, err := c.Invoke(context.Background(), "Get-OrganizationConfig", nil)
	var e *Error
	if !errors.Is(err, ErrTokenRejected) || !errors.As(err, &e) || !strings.Contains(err.Error(), "AADSTS7000222") || !strings.Contains(e.Hint(), "expired") {
		t.Fatalf("err %v", err)
	}
	if calls.Load() != 1 || cred.calls.Load() != 2 {
		t.Fatalf("%d requests, %d token requests", calls.Load(), cred.calls.Load())
	}
}

// An error answer whose body is labelled gzip but is not: the status
// decides.
func TestUnreadableErrorBodyKeepsTheStatus(t *testing.T) {
	RegisterRoles("Set-Gizmo", "Gizmo Management")
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(403)
		_, _ = w.Write(make([]byte, 12))
	}, false)
	_, err := c.Invoke(context.Background(), "Set-Gizmo", nil)
	if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), `"Gizmo Management"`) || strings.Contains(err.Error(), "\x00") {
		t.Fatalf("err %q", err)
	}
}
