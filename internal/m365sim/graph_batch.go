package m365sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// JSON batching: POST /v1.0/$batch
// (https://learn.microsoft.com/en-us/graph/json-batching).
//
//   - The body is {"requests": [...]}, each request with id (required,
//     unique in the batch, not case sensitive), method (required), url
//     (required, relative to the version: "/users", never absolute),
//     headers (required with a body: Content-Type) and body, and an
//     optional dependsOn list of ids. Up to 20 requests.
//   - A malformed batch (no requests, more than 20, a duplicate or missing
//     id, a missing method or url, a body without Content-Type, a dependsOn
//     naming no request of the batch) is refused as a whole with 400; the
//     page says so for a duplicate id and gives the limit of 20 but not the
//     body of the answer, so the emulator uses the BadRequest envelope of
//     every Graph error with its own message. A batch inside a batch is
//     refused the same way (the stricter reading: the page shows none).
//   - The answer is 200 {"responses": [...]}: per request its id, status,
//     headers and body, in any order. Each request is authorised,
//     throttled and failed on its own: a 429 inside comes with its own
//     Retry-After header and only that request needs sending again
//     (https://learn.microsoft.com/en-us/graph/throttling).
//   - dependsOn orders execution: a request runs after the ones it names;
//     when one of them failed, it is not run and answers 424 Failed
//     Dependency (the page's wording). A dependency cycle is refused with
//     400 (the stricter reading; the page does not say).
//   - Graph dispatches at most 4 requests of a batch to Outlook at a time,
//     whatever mailboxes they target ("Outlook service limits for JSON
//     batching" at
//     https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits,
//     and Microsoft's answer at
//     https://learn.microsoft.com/en-us/answers/questions/1660054/send-4-reqeusts-at-the-same-time-but-still-get-app);
//     the emulator runs every batch's requests 4 at a time, so a batch of
//     20 mailbox reads takes about 5 Outlook service times.

const (
	maxBatchRequests    = 20
	batchDispatchWindow = 4
)

type batchItem struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      json.RawMessage   `json:"body,omitempty"`
	DependsOn []string          `json:"dependsOn,omitempty"`
}

type batchAnswer struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

func batchBad(msg string) *GraphError {
	return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: msg}
}

// parseBatch validates a batch body and returns its requests in an order
// that runs every dependency first.
func parseBatch(body []byte) ([]batchItem, *GraphError) {
	var in struct {
		Requests []batchItem `json:"requests"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, batchBad("Invalid batch payload format.")
	}
	switch n := len(in.Requests); {
	case n == 0:
		return nil, batchBad("Invalid batch payload format: the requests collection is empty.")
	case n > maxBatchRequests:
		return nil, batchBad(fmt.Sprintf("The batch contains %d requests; a JSON batch can contain at most %d.", n, maxBatchRequests))
	}
	ids := map[string]int{}
	for i, r := range in.Requests {
		if strings.TrimSpace(r.ID) == "" {
			return nil, batchBad("Invalid batch payload format: every request needs an id.")
		}
		if _, dup := ids[strings.ToLower(r.ID)]; dup {
			return nil, batchBad(fmt.Sprintf("Invalid batch payload format: the request id '%s' is not unique in the batch.", r.ID))
		}
		ids[strings.ToLower(r.ID)] = i
		switch strings.ToUpper(r.Method) {
		case http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		default:
			return nil, batchBad(fmt.Sprintf("Invalid batch payload format: request '%s' has no valid method.", r.ID))
		}
		u := strings.TrimSpace(r.URL)
		if u == "" || strings.Contains(strings.SplitN(u, "?", 2)[0], "://") {
			return nil, batchBad(fmt.Sprintf("Invalid batch payload format: request '%s' needs a relative url.", r.ID))
		}
		if p := strings.ToLower(strings.TrimPrefix(strings.SplitN(u, "?", 2)[0], "/")); p == "$batch" || strings.HasPrefix(p, "v1.0/") || strings.HasPrefix(p, "beta/") {
			return nil, batchBad(fmt.Sprintf("Invalid batch payload format: request '%s' has an invalid url '%s'.", r.ID, r.URL))
		}
		if len(r.Body) > 0 && !bytes.Equal(bytes.TrimSpace(r.Body), []byte("null")) {
			ct := ""
			for k, v := range r.Headers {
				if strings.EqualFold(k, "Content-Type") {
					ct = v
				}
			}
			if ct == "" {
				return nil, batchBad(fmt.Sprintf("Invalid batch payload format: request '%s' has a body but no Content-Type header.", r.ID))
			}
		}
	}
	for _, r := range in.Requests {
		for _, d := range r.DependsOn {
			if _, ok := ids[strings.ToLower(d)]; !ok {
				return nil, batchBad(fmt.Sprintf("Invalid batch payload format: request '%s' depends on '%s', which is not in the batch.", r.ID, d))
			}
		}
	}
	// Topological order (Kahn); what is left over is a cycle.
	order := make([]batchItem, 0, len(in.Requests))
	done := map[string]bool{}
	for len(order) < len(in.Requests) {
		progress := false
		for _, r := range in.Requests {
			if done[strings.ToLower(r.ID)] {
				continue
			}
			ready := true
			for _, d := range r.DependsOn {
				if !done[strings.ToLower(d)] {
					ready = false
				}
			}
			if ready {
				done[strings.ToLower(r.ID)] = true
				order = append(order, r)
				progress = true
			}
		}
		if !progress {
			return nil, batchBad("Invalid batch payload format: the dependsOn references form a cycle.")
		}
	}
	return order, nil
}

func init() {
	registerGraphRoute(&GraphRoute{
		Method: http.MethodPost, Pattern: "/$batch",
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			items, ge := parseBatch(g.Body)
			if ge != nil {
				return 0, nil, ge
			}
			return http.StatusOK, map[string]any{"responses": g.Server.runBatch(g.Request, items)}, nil
		},
	})
}

// runBatch executes the requests of a batch, at most batchDispatchWindow at
// a time, each after its dependencies.
func (s *Server) runBatch(outer *http.Request, items []batchItem) []batchAnswer {
	answers := make([]batchAnswer, len(items))
	doneCh := map[string]chan struct{}{}
	status := map[string]*int{}
	for i := range items {
		doneCh[strings.ToLower(items[i].ID)] = make(chan struct{})
		status[strings.ToLower(items[i].ID)] = new(int)
	}
	slots := make(chan struct{}, batchDispatchWindow)
	var wg sync.WaitGroup
	for i := range items {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			it := items[i]
			id := strings.ToLower(it.ID)
			defer close(doneCh[id])
			failed := ""
			for _, d := range it.DependsOn {
				<-doneCh[strings.ToLower(d)]
				if st := *status[strings.ToLower(d)]; st < 200 || st > 299 {
					failed = d
				}
			}
			if failed != "" {
				*status[id] = http.StatusFailedDependency
				body, _ := json.Marshal(map[string]any{"error": map[string]any{"code": "FailedDependency",
					"message": fmt.Sprintf("The request depends on request '%s', which failed.", failed)}})
				answers[i] = batchAnswer{ID: it.ID, Status: http.StatusFailedDependency, Headers: map[string]string{"Content-Type": "application/json"}, Body: body}
				return
			}
			slots <- struct{}{}
			a := s.runBatchItem(outer, it)
			<-slots
			*status[id] = a.Status
			answers[i] = a
		}(i)
	}
	wg.Wait()
	return answers
}

// runBatchItem runs one request of a batch through the Graph router with
// the batch's token: permissions, throttling and faults apply to it alone.
func (s *Server) runBatchItem(outer *http.Request, it batchItem) batchAnswer {
	target := s.url + "/v1.0/" + strings.TrimPrefix(strings.TrimSpace(it.URL), "/")
	var body *bytes.Reader
	if len(it.Body) > 0 {
		body = bytes.NewReader(it.Body)
	} else {
		body = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(outer.Context(), strings.ToUpper(it.Method), target, body)
	if err != nil {
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": "BadRequest", "message": "Invalid request URL."}})
		return batchAnswer{ID: it.ID, Status: http.StatusBadRequest, Headers: map[string]string{"Content-Type": "application/json"}, Body: b}
	}
	for k, v := range it.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Authorization", outer.Header.Get("Authorization"))
	if cid := outer.Header.Get("client-request-id"); cid != "" {
		req.Header.Set("client-request-id", cid)
	}
	rec := httptest.NewRecorder()
	s.serveGraph(rec, req, nil)
	a := batchAnswer{ID: it.ID, Status: rec.Code, Headers: map[string]string{}}
	for _, h := range []string{"Content-Type", "Retry-After", "Location", "ETag"} {
		if v := rec.Header().Get(h); v != "" {
			a.Headers[h] = v
		}
	}
	if b := bytes.TrimSpace(rec.Body.Bytes()); len(b) > 0 {
		if json.Valid(b) {
			a.Body = append(json.RawMessage(nil), b...)
		} else {
			q, _ := json.Marshal(string(b))
			a.Body = q
		}
	}
	if len(a.Headers) == 0 {
		a.Headers = nil
	}
	return a
}
