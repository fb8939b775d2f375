package graph

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	khttp "github.com/microsoft/kiota-http-go"
)

// retryHandler replaces kiota's retry handler, which re-sends a POST on 503
// and 504 (an answer that may come after the service created the object, so
// the retry creates a second one), turns MaxRetries 0 into its default of 3
// and cannot bound the next wait, only the time already spent.
//
//   - 429 is retried for every method: a throttled request was refused, not
//     run ("the requests fail",
//     https://learn.microsoft.com/en-us/graph/throttling).
//   - 503 and 504 are retried only for methods that can be repeated without
//     a second effect: GET, HEAD, OPTIONS, PUT, DELETE, and PATCH, because
//     every PATCH this client sends sets absolute values (a policy's whole
//     managed state, isEnabled). Never POST: a create answered 503/504 may
//     have been applied; the caller looks the object up instead.
//   - At most maxRetries retries (0 = none), each waiting Retry-After
//     (seconds or an HTTP date) or an exponential back-off; a wait that would
//     take the total past maxWait is not started: the answer is returned.
//   - A 401 is sent once more with a freshly issued token (not from the
//     credential's cache): an access token can be revoked before it expires
//     (https://learn.microsoft.com/en-us/entra/identity/conditional-access/concept-continuous-access-evaluation).
//     A 401 after that reaches the caller as ErrTokenRejected.
type retryHandler struct {
	maxRetries int
	maxWait    time.Duration
	cred       azcore.TokenCredential
	scopes     []string
}

func retriable(method string, status int) bool {
	switch status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return method != http.MethodPost
	}
	return false
}

func retryDelay(resp *http.Response, attempt int) time.Duration {
	if ra := strings.TrimSpace(resp.Header.Get("Retry-After")); ra != "" {
		if s, err := strconv.ParseFloat(ra, 64); err == nil && s >= 0 {
			return time.Duration(s * float64(time.Second))
		}
		if t, err := http.ParseTime(ra); err == nil {
			if d := time.Until(t); d > 0 {
				return d
			}
			return 0
		}
	}
	// No Retry-After: 1 s, 2 s, 4 s... with up to 250 ms of jitter.
	return time.Duration(1<<(attempt-1))*time.Second + time.Duration(rand.Int64N(int64(250*time.Millisecond))) //nolint:gosec // jitter
}

func drain(resp *http.Response) {
	if resp != nil && resp.Body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
	}
}

func (h retryHandler) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	reset := func() {
		if body != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
			req.ContentLength = int64(len(body))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
	}
	reset()
	var waited time.Duration
	attempt, refreshed := 0, false
	for {
		resp, err := p.Next(req, i)
		if err != nil {
			return resp, err
		}
		switch {
		case resp.StatusCode == http.StatusUnauthorized && !refreshed && h.cred != nil:
			refreshed = true
			tok, terr := h.freshToken(ctx)
			if terr != nil {
				tflog.Debug(ctx, "Graph 401: no new token", map[string]any{"error": terr.Error()})
				return resp, nil
			}
			tflog.Debug(ctx, "Graph 401: retrying once with a new token", map[string]any{"method": req.Method, "path": req.URL.Path})
			drain(resp)
			req.Header.Set("Authorization", "Bearer "+tok)
			reset()
			continue
		case retriable(req.Method, resp.StatusCode) && attempt < h.maxRetries:
			delay := retryDelay(resp, attempt+1)
			if waited+delay > h.maxWait {
				tflog.Debug(ctx, "Graph retry: the wait would exceed max_retry_wait_seconds", map[string]any{"method": req.Method, "path": req.URL.Path, "status": resp.StatusCode, "waited_s": waited.Seconds(), "retry_after": resp.Header.Get("Retry-After")})
				return resp, nil
			}
			attempt++
			waited += delay
			tflog.Debug(ctx, "Graph retry", map[string]any{"method": req.Method, "path": req.URL.Path, "status": resp.StatusCode, "retry": attempt, "delay_s": delay.Seconds()})
			drain(resp)
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
			req.Header.Set("Retry-Attempt", strconv.Itoa(attempt))
			reset()
			continue
		}
		return resp, nil
	}
}

// freshToken asks the credential for a token issued now: a claims request
// (the nbf claim) makes azidentity bypass its cache. Credentials that do
// not take claims (Azure CLI) answer from a new run instead.
func (h retryHandler) freshToken(ctx context.Context) (string, error) {
	opts := policy.TokenRequestOptions{Scopes: h.scopes, EnableCAE: true}
	withClaims := opts
	withClaims.Claims = fmt.Sprintf(`{"access_token":{"nbf":{"essential":true,"value":"%d"}}}`, time.Now().Unix())
	if tok, err := h.cred.GetToken(ctx, withClaims); err == nil {
		return tok.Token, nil
	} else if !strings.Contains(err.Error(), "--claims-challenge") {
		return "", err
	}
	tok, err := h.cred.GetToken(ctx, opts)
	if err != nil {
		return "", err
	}
	return tok.Token, nil
}
