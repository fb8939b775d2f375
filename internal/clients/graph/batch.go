package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// JSON batching (https://learn.microsoft.com/en-us/graph/json-batching):
// up to 20 requests in one POST /$batch. The batch itself goes through the
// client's middleware (token, retry of a throttled batch as a whole, logs);
// the requests inside it each have their own status: a 200 batch can hold
// 429s, which only those requests need sending again, after their own
// Retry-After (https://learn.microsoft.com/en-us/graph/throttling).

// MaxBatchRequests is Graph's limit of requests per batch.
const MaxBatchRequests = 20

// batchConfig is what batching needs from the client: the request adapter
// (to send the batch through the configured middleware) and the retry
// budget (max_retries, max_retry_wait_seconds) for throttled requests
// inside a batch.
type batchConfig struct {
	adapter    abstractions.RequestAdapter
	maxRetries int
	maxWait    time.Duration
}

// BatchRequest is one request of a batch: a GET of url, relative to the
// version ("/users/{id}/...").
type BatchRequest struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// BatchResponse is the answer to one request of a batch.
type BatchResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// sendBatch posts one batch of GETs (at most MaxBatchRequests) and returns
// the answers by id. A batch Graph refuses as a whole is an *Error.
func (c *Client) sendBatch(ctx context.Context, reqs []BatchRequest) (map[string]BatchResponse, error) {
	if len(reqs) == 0 || len(reqs) > MaxBatchRequests {
		return nil, fmt.Errorf("a JSON batch holds 1 to %d requests, not %d", MaxBatchRequests, len(reqs))
	}
	type item struct {
		ID     string `json:"id"`
		Method string `json:"method"`
		URL    string `json:"url"`
	}
	items := make([]item, len(reqs))
	for i, r := range reqs {
		items[i] = item{ID: r.ID, Method: http.MethodGet, URL: r.URL}
	}
	body, err := json.Marshal(map[string]any{"requests": items})
	if err != nil {
		return nil, err
	}
	ri := abstractions.NewRequestInformation()
	ri.Method = abstractions.POST
	ri.UrlTemplate = "{+baseurl}/$batch"
	ri.Headers.TryAdd("Accept", "application/json")
	ri.SetStreamContentAndContentType(body, "application/json")
	ctx, cancel := withRequestDeadline(ctx)
	defer cancel()
	raw, err := c.batch.adapter.SendPrimitive(ctx, ri, "[]byte", abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue})
	if err != nil {
		return nil, Describe(err, "POST /$batch")
	}
	b, _ := raw.([]byte)
	var out struct {
		Responses []BatchResponse `json:"responses"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("Microsoft Graph POST /$batch: reading the answer: %w", err) //nolint:staticcheck // ST1005: product name
	}
	m := make(map[string]BatchResponse, len(out.Responses))
	for _, r := range out.Responses {
		m[r.ID] = r
	}
	return m, nil
}

// BatchGet sends GETs in one batch and re-sends only the requests answered
// 429, after the longest Retry-After among them (else an exponential
// back-off), at most max_retries times and while the total wait stays
// within max_retry_wait_seconds. It returns an answer per request (a
// request still throttled when the budget is spent keeps its 429) and the
// number of 429s received.
func (c *Client) BatchGet(ctx context.Context, reqs []BatchRequest) (map[string]BatchResponse, int, error) {
	answers := make(map[string]BatchResponse, len(reqs))
	pending := reqs
	var waited time.Duration
	throttledTotal := 0
	for attempt := 0; ; attempt++ {
		got, err := c.sendBatch(ctx, pending)
		if err != nil {
			return nil, throttledTotal, err
		}
		var again []BatchRequest
		var delay time.Duration
		for _, r := range pending {
			a, ok := got[r.ID]
			if !ok {
				a = BatchResponse{ID: r.ID, Status: 0}
			}
			answers[r.ID] = a
			if a.Status == http.StatusTooManyRequests {
				throttledTotal++
				again = append(again, r)
				d := retryDelay(&http.Response{Header: http.Header{"Retry-After": {a.Headers["Retry-After"]}}}, attempt+1)
				delay = max(delay, d)
			}
		}
		if len(again) == 0 {
			return answers, throttledTotal, nil
		}
		if attempt >= c.batch.maxRetries || waited+delay > c.batch.maxWait {
			tflog.Debug(ctx, "Graph batch: throttled requests left after the retry budget", map[string]any{"throttled": len(again), "retries": attempt, "waited_s": waited.Seconds()})
			return answers, throttledTotal, nil
		}
		waited += delay
		tflog.Debug(ctx, "Graph batch: re-sending throttled requests", map[string]any{"throttled": len(again), "retry": attempt + 1, "delay_s": delay.Seconds()})
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, throttledTotal, ctx.Err()
		case <-t.C:
		}
		pending = again
	}
}

// ResponseError is the error of a failed answer inside a batch, classified
// by status and code as Describe classifies a failed call; nil for 2xx.
func ResponseError(a BatchResponse, operation string) error {
	if a.Status >= 200 && a.Status <= 299 {
		return nil
	}
	if a.Status == 0 {
		return fmt.Errorf("Microsoft Graph %s: no answer in the batch", operation) //nolint:staticcheck // ST1005: product name
	}
	var body struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				RequestID string `json:"request-id"`
			} `json:"innerError"`
		} `json:"error"`
	}
	_ = json.Unmarshal(a.Body, &body)
	oe := odataerrors.NewODataError()
	oe.ResponseStatusCode = a.Status
	me := odataerrors.NewMainError()
	code, msg := body.Error.Code, body.Error.Message
	if msg == "" {
		msg = "HTTP " + strconv.Itoa(a.Status)
	}
	me.SetCode(&code)
	me.SetMessage(&msg)
	if rid := body.Error.InnerError.RequestID; rid != "" {
		ie := odataerrors.NewInnerError()
		ie.SetRequestId(&rid)
		me.SetInnerError(ie)
	}
	oe.SetErrorEscaped(me)
	return Describe(oe, operation)
}
