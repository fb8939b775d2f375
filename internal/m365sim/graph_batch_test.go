package m365sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// graphAs sends a Graph request with an app-only token of appID (faults,
// permissions and throttling apply, unlike GraphRequest's administrator).
func graphAs(t *testing.T, s *Server, appID, method, path string, body any) (int, http.Header, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, s.URL()+"/v1.0"+path, rd)
	req.Header.Set("Authorization", "Bearer "+token(t, s, appID, AudienceGraph))
	req.Header.Set("Content-Type", "application/json")
	resp, err := testClient(s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, resp.Header, out
}

type batchResp struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    map[string]any    `json:"body"`
}

func responsesOf(t *testing.T, out map[string]any) map[string]batchResp {
	t.Helper()
	b, _ := json.Marshal(out["responses"])
	var rs []batchResp
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatalf("responses: %v in %v", err, out)
	}
	m := map[string]batchResp{}
	for _, r := range rs {
		m[r.ID] = r
	}
	return m
}

func rulesSim(t *testing.T) (*Server, []Object) {
	t.Helper()
	s := startTest(t)
	objs, err := SeedMailboxes(s, DemoTenantID, MailboxSeed{Count: 30, Domain: "contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	// One external redirect, one internal forward (EX form in Exchange's view).
	if err := s.AddInboxRule(DemoTenantID, fmt.Sprint(objs[0]["UserPrincipalName"]), InboxRuleSpec{Name: "copy", RedirectTo: []string{"me@mail.example"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddInboxRule(DemoTenantID, fmt.Sprint(objs[1]["UserPrincipalName"]), InboxRuleSpec{Name: "team", ForwardTo: []string{fmt.Sprint(objs[2]["UserPrincipalName"])}}); err != nil {
		t.Fatal(err)
	}
	return s, objs
}

func rulesURL(o Object) string {
	return fmt.Sprintf("/users/%s/mailFolders/inbox/messageRules", o["ExternalDirectoryObjectId"])
}

// TestMessageRulesOneStoreTwoViews: messageRules shows the rules
// Get-InboxRule shows, recipients as emailAddress objects; without
// MailboxSettings.Read the answer is Outlook's 403 ErrorAccessDenied.
func TestMessageRulesOneStoreTwoViews(t *testing.T) {
	s, objs := rulesSim(t)
	code, _, out := graphAs(t, s, DemoAdminAppID, "GET", rulesURL(objs[0]), nil)
	if code != 403 || out["error"].(map[string]any)["code"] != "ErrorAccessDenied" {
		t.Fatalf("without MailboxSettings.Read: %d %v", code, out)
	}
	if err := s.GrantAppPermission(DemoTenantID, DemoAdminAppID, "MailboxSettings.Read"); err != nil {
		t.Fatal(err)
	}
	code, _, out = graphAs(t, s, DemoAdminAppID, "GET", rulesURL(objs[0]), nil)
	if code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	b, _ := json.Marshal(out["value"])
	if !strings.Contains(string(b), `"redirectTo":[{"emailAddress":{"address":"me@mail.example","name":"me@mail.example"}}]`) || !strings.Contains(string(b), `"displayName":"copy"`) || !strings.Contains(string(b), `"isEnabled":true`) {
		t.Errorf("Graph view: %s", b)
	}
	// The internal forward: Exchange renders the EX form, Graph the address.
	code, _, out = graphAs(t, s, DemoAdminAppID, "GET", "/users/"+fmt.Sprint(objs[1]["UserPrincipalName"])+"/mailFolders/inbox/messageRules", nil)
	b, _ = json.Marshal(out["value"])
	if code != 200 || !strings.Contains(string(b), `"address":"`+fmt.Sprint(objs[2]["PrimarySmtpAddress"])+`"`) {
		t.Errorf("by UPN, EX recipient: %d %s", code, b)
	}
	ex := invoke(t, s, s.URL()+"/exo/adminapi/beta/"+DemoTenantID+"/InvokeCommand", token(t, s, DemoAdminAppID, AudienceExchange), "Get-InboxRule", map[string]any{"Mailbox": fmt.Sprint(objs[1]["UserPrincipalName"])})
	if len(ex.Value) != 1 || !strings.Contains(fmt.Sprint(ex.Value[0]["ForwardTo"]), "[EX:") {
		t.Errorf("Exchange view: %+v", ex.Value)
	}
	if code, _, _ := graphAs(t, s, DemoAdminAppID, "GET", "/users/nobody@contoso.com/mailFolders/inbox/messageRules", nil); code != 404 {
		t.Errorf("unknown user: %d", code)
	}
	if code, _, _ := graphAs(t, s, DemoAdminAppID, "GET", rulesURL(objs[0])+"?$top=5", nil); code != 400 {
		t.Errorf("$top: %d, want 400", code)
	}
}

// TestBatchSemantics: the 20-request limit, duplicate ids, per-request
// status, dependsOn ordering and 424 for a failed dependency.
func TestBatchSemantics(t *testing.T) {
	s, objs := rulesSim(t)
	if err := s.GrantAppPermission(DemoTenantID, DemoAdminAppID, "MailboxSettings.Read"); err != nil {
		t.Fatal(err)
	}
	reqs := func(n int) []map[string]any {
		var out []map[string]any
		for i := 0; i < n; i++ {
			out = append(out, map[string]any{"id": fmt.Sprint(i + 1), "method": "GET", "url": rulesURL(objs[i])})
		}
		return out
	}
	if code, _, out := graphAs(t, s, DemoAdminAppID, "POST", "/$batch", map[string]any{"requests": reqs(21)}); code != 400 {
		t.Errorf("21 requests: %d %v", code, out)
	}
	code, _, out := graphAs(t, s, DemoAdminAppID, "POST", "/$batch", map[string]any{"requests": reqs(20)})
	rs := responsesOf(t, out)
	if code != 200 || len(rs) != 20 || rs["1"].Status != 200 || rs["20"].Status != 200 {
		t.Fatalf("20 requests: %d %v", code, out)
	}
	dup := reqs(2)
	dup[1]["id"] = "1"
	if code, _, _ := graphAs(t, s, DemoAdminAppID, "POST", "/$batch", map[string]any{"requests": dup}); code != 400 {
		t.Errorf("duplicate id: %d", code)
	}
	bad := reqs(1)
	bad[0]["dependsOn"] = []string{"9"}
	if code, _, _ := graphAs(t, s, DemoAdminAppID, "POST", "/$batch", map[string]any{"requests": bad}); code != 400 {
		t.Errorf("dependsOn an unknown id: %d", code)
	}
	abs := reqs(1)
	abs[0]["url"] = s.URL() + "/v1.0" + rulesURL(objs[0])
	if code, _, _ := graphAs(t, s, DemoAdminAppID, "POST", "/$batch", map[string]any{"requests": abs}); code != 400 {
		t.Errorf("absolute url: %d", code)
	}
	// 2 depends on 1 (a 404), 3 on 2: both 424; 4 runs.
	chain := []map[string]any{
		{"id": "1", "method": "GET", "url": "/users/nobody@contoso.com/mailFolders/inbox/messageRules"},
		{"id": "2", "method": "GET", "url": rulesURL(objs[0]), "dependsOn": []string{"1"}},
		{"id": "3", "method": "GET", "url": rulesURL(objs[1]), "dependsOn": []string{"2"}},
		{"id": "4", "method": "GET", "url": rulesURL(objs[2])},
	}
	_, _, out = graphAs(t, s, DemoAdminAppID, "POST", "/$batch", map[string]any{"requests": chain})
	rs = responsesOf(t, out)
	if rs["1"].Status != 404 || rs["2"].Status != 424 || rs["3"].Status != 424 || rs["4"].Status != 200 {
		t.Errorf("dependsOn: %+v", rs)
	}
	cycle := []map[string]any{
		{"id": "a", "method": "GET", "url": rulesURL(objs[0]), "dependsOn": []string{"b"}},
		{"id": "b", "method": "GET", "url": rulesURL(objs[1]), "dependsOn": []string{"a"}},
	}
	if code, _, _ := graphAs(t, s, DemoAdminAppID, "POST", "/$batch", map[string]any{"requests": cycle}); code != 400 {
		t.Errorf("cycle: %d", code)
	}
	// An inner request without the permission fails alone, by Outlook's code.
	s2, objs2 := rulesSim(t)
	_, _, out = graphAs(t, s2, DemoAdminAppID, "POST", "/$batch", map[string]any{"requests": []map[string]any{{"id": "1", "method": "GET", "url": rulesURL(objs2[0])}}})
	if r := responsesOf(t, out)["1"]; r.Status != 403 || r.Body["error"].(map[string]any)["code"] != "ErrorAccessDenied" {
		t.Errorf("inner 403: %+v", r)
	}
}

// TestBatchInnerThrottling: a 429 inside a batch carries its own
// Retry-After; Outlook's per-mailbox request budget and concurrency limit
// answer ApplicationThrottled.
func TestBatchInnerThrottling(t *testing.T) {
	s, objs := rulesSim(t)
	if err := s.GrantAppPermission(DemoTenantID, DemoAdminAppID, "MailboxSettings.Read"); err != nil {
		t.Fatal(err)
	}
	s.InjectFault(Fault{Endpoint: EndpointGraph, Match: "/users", Method: "GET", Status: 429, Retry: 3, Times: 2})
	var reqs []map[string]any
	for i := 0; i < 5; i++ {
		reqs = append(reqs, map[string]any{"id": fmt.Sprint(i + 1), "method": "GET", "url": rulesURL(objs[i])})
	}
	code, _, out := graphAs(t, s, DemoAdminAppID, "POST", "/$batch", map[string]any{"requests": reqs})
	throttled := 0
	for _, r := range responsesOf(t, out) {
		if r.Status == 429 {
			throttled++
			if r.Headers["Retry-After"] != "3" {
				t.Errorf("inner 429 without its Retry-After: %+v", r)
			}
		}
	}
	if code != 200 || throttled != 2 {
		t.Errorf("batch with 2 throttled requests: %d, %d throttled: %v", code, throttled, out)
	}

	// 2 requests per window per mailbox: the third is refused until the window ends.
	s.SetOutlookThrottle(2, time.Minute, 4)
	for i := 0; i < 2; i++ {
		if code, _, out := graphAs(t, s, DemoAdminAppID, "GET", rulesURL(objs[3]), nil); code != 200 {
			t.Fatalf("request %d: %d %v", i, code, out)
		}
	}
	code, h, out := graphAs(t, s, DemoAdminAppID, "GET", rulesURL(objs[3]), nil)
	if code != 429 || out["error"].(map[string]any)["code"] != "ApplicationThrottled" || h.Get("Retry-After") == "" {
		t.Errorf("over the mailbox budget: %d %v %v", code, h, out)
	}
	if code, _, _ := graphAs(t, s, DemoAdminAppID, "GET", rulesURL(objs[4]), nil); code != 200 {
		t.Errorf("another mailbox has its own budget: %d", code)
	}

	// Concurrency: with Outlook taking 200 ms, 6 parallel requests to one
	// mailbox get 2 MailboxConcurrency refusals.
	s.SetOutlookThrottle(DefaultOutlookRequests, DefaultOutlookWindow, DefaultOutlookConcurrency)
	s.SetLatency(Latency{Dists: map[string]LatencyDist{LatencyOutlook: {Median: 200 * time.Millisecond}}})
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _, _ := graphAs(t, s, DemoAdminAppID, "GET", rulesURL(objs[5]), nil)
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[200] != 4 || codes[429] != 2 {
		t.Errorf("6 concurrent requests to one mailbox: %v, want 4 x 200 and 2 x 429", codes)
	}
}

// TestLatencyModel: off by default; draws follow the configured median.
func TestLatencyModel(t *testing.T) {
	s := startTest(t)
	m := latencyFor(s)
	if d := m.draw(EndpointExchange); d != 0 {
		t.Errorf("latency on by default: %s", d)
	}
	cfg := RealisticLatency()
	cfg.Seed = 7
	s.SetLatency(cfg)
	var ds []time.Duration
	for i := 0; i < 401; i++ {
		ds = append(ds, m.draw(EndpointExchange))
	}
	below := 0
	for _, d := range ds {
		if d < 300*time.Millisecond {
			below++
		}
	}
	if below < 160 || below > 240 {
		t.Errorf("%d of 401 draws below the 300 ms median", below)
	}
	if d := m.draw(EndpointGraph + " /v1.0/$batch"); d <= 0 {
		t.Errorf("$batch: %s", d)
	}
	if d := m.draw(EndpointGraph + " /v1.0/organization"); d <= 0 {
		t.Errorf("graph family fallback: %s", d)
	}
	s.SetLatency(Latency{})
	if d := m.draw(EndpointExchange); d != 0 {
		t.Errorf("latency not turned off: %s", d)
	}
}

// The control surface sets the latency model and Outlook's limits.
func TestControlLatencyAndOutlookThrottle(t *testing.T) {
	s := startTest(t)
	ctl := func(path, body string) int {
		req, _ := http.NewRequest("POST", s.URL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.AdminKey())
		resp, err := testClient(s).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := ctl("/_sim/latency", `{"realistic":true,"scale":0.5,"seed":3,"dists_ms":{"exchange":{"median":40}}}`); c != 204 {
		t.Fatalf("latency: %d", c)
	}
	if d := latencyFor(s).draw(EndpointExchange); d != 20*time.Millisecond {
		t.Errorf("exchange override at scale 0.5: %s, want 20ms", d)
	}
	if d := latencyFor(s).draw(LatencyOutlook); d <= 0 {
		t.Errorf("realistic defaults kept: %s", d)
	}
	if c := ctl("/_sim/latency", `{"bogus":1}`); c != 400 {
		t.Errorf("unknown field: %d", c)
	}
	if c := ctl("/_sim/latency", `{}`); c != 204 || latencyFor(s).draw(EndpointExchange) != 0 {
		t.Errorf("latency off: %d", c)
	}
	if c := ctl("/_sim/outlook-throttle", `{"requests":1,"window_seconds":60,"concurrent":4}`); c != 204 {
		t.Fatalf("outlook-throttle: %d", c)
	}
	objs, err := SeedMailboxes(s, DemoTenantID, MailboxSeed{Count: 1, Domain: "contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.GrantAppPermission(DemoTenantID, DemoAdminAppID, "MailboxSettings.ReadWrite"); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := graphAs(t, s, DemoAdminAppID, "GET", rulesURL(objs[0]), nil); code != 200 {
		t.Errorf("first request: %d", code)
	}
	if code, _, _ := graphAs(t, s, DemoAdminAppID, "GET", rulesURL(objs[0]), nil); code != 429 {
		t.Errorf("second request over a budget of 1: %d", code)
	}
}

// TestGraphGlobalThrottle: Graph's per-app limit counts the batch envelope
// and each request inside it; over it every request of the app is refused
// with 429 and Retry-After until the window ends, and turning it off (0)
// lets them through again.
func TestGraphGlobalThrottle(t *testing.T) {
	s, objs := rulesSim(t)
	if err := s.GrantAppPermission(DemoTenantID, DemoAdminAppID, "MailboxSettings.Read"); err != nil {
		t.Fatal(err)
	}
	s.SetGraphGlobalThrottle(4, time.Minute)
	reqs := []map[string]any{{"id": "1", "method": "GET", "url": rulesURL(objs[0])}, {"id": "2", "method": "GET", "url": rulesURL(objs[1])}}
	code, _, out := graphAs(t, s, DemoAdminAppID, "POST", "/$batch", map[string]any{"requests": reqs})
	for id, r := range responsesOf(t, out) {
		if r.Status != 200 {
			t.Errorf("request %s inside the budget: %+v", id, r)
		}
	}
	if code != 200 {
		t.Fatalf("batch: %d %v", code, out)
	}
	// Envelope + 2 = 3 used: one direct request left, then the batch's
	// envelope itself is refused.
	if code, _, out := graphAs(t, s, DemoAdminAppID, "GET", rulesURL(objs[2]), nil); code != 200 {
		t.Fatalf("fourth request: %d %v", code, out)
	}
	code, h, out := graphAs(t, s, DemoAdminAppID, "POST", "/$batch", map[string]any{"requests": reqs})
	if code != 429 || h.Get("Retry-After") == "" || out["error"].(map[string]any)["code"] != "TooManyRequests" {
		t.Errorf("over the app's global budget: %d %v %v", code, h, out)
	}
	if n := s.Stats().Statuses(EndpointGraph, 429); n != 1 {
		t.Errorf("%d 429s counted, want 1", n)
	}
	s.SetGraphGlobalThrottle(0, 0)
	if code, _, out := graphAs(t, s, DemoAdminAppID, "GET", rulesURL(objs[3]), nil); code != 200 {
		t.Errorf("with the limit off: %d %v", code, out)
	}
}
