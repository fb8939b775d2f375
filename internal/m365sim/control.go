package m365sim

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"
)

// The control surface changes a tenant out of band (as another administrator
// or an attacker would), seeds data and injects faults. In-process callers use
// the Go methods; the standalone server exposes the same over /_sim/ routes,
// authenticated with the admin key:
//
//	POST   /_sim/tenants/{tenant}/invoke/{exchange|compliance}  InvokeCommand body, run as an administrator
//	ANY    /_sim/tenants/{tenant}/graph/{v1.0|beta}/...         a Graph request, run as an administrator
//	POST   /_sim/faults                                         a Fault (JSON): before or after the request is applied, by count or probability
//	POST   /_sim/lag                                            {"endpoint":"exchange","seconds":5}
//	DELETE /_sim/faults                                         clear faults and lag
//	POST   /_sim/tokens                                         {"expire_issued":true} or {"expire_next":1,"valid_for_seconds":0}
//	POST   /_sim/ratelimit                                      {"limit":30000,"window_seconds":600} (InvokeCommand budget per tenant and app)
//	POST   /_sim/latency                                        {"realistic":true,"scale":1,"dists_ms":{"exchange":{"median":300,"p95":900}}} ({} = off; latency.go)
//	POST   /_sim/outlook-throttle                               {"requests":10000,"window_seconds":600,"concurrent":4} (per app per mailbox)
//	POST   /_sim/tenants/{tenant}/dehydrated                    {"dehydrated":true,"hydration_delay_seconds":10}
//	GET    /_sim/stats                                          request counters
//	DELETE /_sim/stats                                          reset counters

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if subtle.ConstantTimeCompare([]byte(key), []byte(s.adminKey)) != 1 {
		writeJSONContent(w, 401, "application/json", map[string]string{"error": "the control surface needs the admin key (Authorization: Bearer <admin.key>)"})
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/_sim")
	switch {
	case path == "/faults" && r.Method == http.MethodPost:
		var f Fault
		if err := decodeStrict(r.Body, &f); err != nil {
			writeJSONContent(w, 400, "application/json", map[string]string{"error": err.Error()})
			return
		}
		s.InjectFault(f)
		w.WriteHeader(204)
	case path == "/faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		w.WriteHeader(204)
	case path == "/lag" && r.Method == http.MethodPost:
		var l struct {
			Endpoint string  `json:"endpoint"`
			Seconds  float64 `json:"seconds"`
		}
		if err := decodeStrict(r.Body, &l); err != nil {
			writeJSONContent(w, 400, "application/json", map[string]string{"error": err.Error()})
			return
		}
		s.SetReplicationLag(l.Endpoint, time.Duration(l.Seconds*float64(time.Second)))
		w.WriteHeader(204)
	case path == "/tokens" && r.Method == http.MethodPost:
		var tk struct {
			ExpireIssued    bool    `json:"expire_issued"`
			ExpireNext      int     `json:"expire_next"`
			ValidForSeconds float64 `json:"valid_for_seconds"`
		}
		if err := decodeStrict(r.Body, &tk); err != nil {
			writeJSONContent(w, 400, "application/json", map[string]string{"error": err.Error()})
			return
		}
		if tk.ExpireIssued {
			s.ExpireTokens()
		}
		if tk.ExpireNext > 0 {
			s.ExpireNextTokens(tk.ExpireNext, time.Duration(tk.ValidForSeconds*float64(time.Second)))
		}
		w.WriteHeader(204)
	case path == "/ratelimit" && r.Method == http.MethodPost:
		var rl struct {
			Limit         int     `json:"limit"`
			WindowSeconds float64 `json:"window_seconds"`
		}
		if err := decodeStrict(r.Body, &rl); err != nil {
			writeJSONContent(w, 400, "application/json", map[string]string{"error": err.Error()})
			return
		}
		s.SetExchangeRateLimit(rl.Limit, time.Duration(rl.WindowSeconds*float64(time.Second)))
		w.WriteHeader(204)
	case path == "/latency" && r.Method == http.MethodPost:
		if err := s.controlLatency(r); err != nil {
			writeJSONContent(w, 400, "application/json", map[string]string{"error": err.Error()})
			return
		}
		w.WriteHeader(204)
	case path == "/outlook-throttle" && r.Method == http.MethodPost:
		var ot struct {
			Requests      int     `json:"requests"`
			WindowSeconds float64 `json:"window_seconds"`
			Concurrent    int     `json:"concurrent"`
		}
		if err := decodeStrict(r.Body, &ot); err != nil {
			writeJSONContent(w, 400, "application/json", map[string]string{"error": err.Error()})
			return
		}
		s.SetOutlookThrottle(ot.Requests, time.Duration(ot.WindowSeconds*float64(time.Second)), ot.Concurrent)
		w.WriteHeader(204)
	case path == "/stats" && r.Method == http.MethodGet:
		writeJSONContent(w, 200, "application/json", s.stats.Snapshot())
	case path == "/stats" && r.Method == http.MethodDelete:
		s.stats.Reset()
		w.WriteHeader(204)
	case strings.HasPrefix(path, "/tenants/"):
		rest := strings.TrimPrefix(path, "/tenants/")
		tid, rest, _ := strings.Cut(rest, "/")
		t := s.Tenant(tid)
		if t == nil {
			writeJSONContent(w, 404, "application/json", map[string]string{"error": "no tenant " + tid})
			return
		}
		admin := &Principal{Tenant: t, Admin: true}
		switch {
		case rest == "invoke/exchange" || rest == "invoke/compliance":
			ep := strings.TrimPrefix(rest, "invoke/")
			s.serveInvoke(w, r, ep, "/adminapi/beta/"+t.ID+"/InvokeCommand", true, admin)
		case strings.HasPrefix(rest, "graph/v1.0/"), strings.HasPrefix(rest, "graph/beta/"):
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/" + strings.TrimPrefix(rest, "graph/")
			s.serveGraph(w, r2, admin)
		case rest == "dehydrated" && r.Method == http.MethodPost:
			var d struct {
				Dehydrated            bool    `json:"dehydrated"`
				HydrationDelaySeconds float64 `json:"hydration_delay_seconds"`
			}
			if err := decodeStrict(r.Body, &d); err != nil {
				writeJSONContent(w, 400, "application/json", map[string]string{"error": err.Error()})
				return
			}
			if err := s.SetDehydrated(t.ID, d.Dehydrated, time.Duration(d.HydrationDelaySeconds*float64(time.Second))); err != nil {
				writeJSONContent(w, 400, "application/json", map[string]string{"error": err.Error()})
				return
			}
			w.WriteHeader(204)
		case strings.HasPrefix(rest, "seed/"):
			s.serveSeed(w, r, t, strings.TrimPrefix(rest, "seed/"))
		default:
			http.NotFound(w, r)
		}
	default:
		http.NotFound(w, r)
	}
}

func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Seeders reachable over /_sim/tenants/{t}/seed/{name}: each area registers
// its own (mailboxes, sign-in history, ...). The body is the seeder's JSON
// options; the answer is the seeder's JSON summary.
var controlSeeders = map[string]func(s *Server, t *Tenant, body []byte) (any, error){}

func registerControlSeeder(name string, f func(s *Server, t *Tenant, body []byte) (any, error)) {
	controlSeeders[name] = f
}

func (s *Server) serveSeed(w http.ResponseWriter, r *http.Request, t *Tenant, name string) {
	f := controlSeeders[name]
	if f == nil || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	out, err := f(s, t, body)
	if err != nil {
		writeJSONContent(w, 400, "application/json", map[string]string{"error": err.Error()})
		return
	}
	s.changed()
	writeJSONContent(w, 200, "application/json", out)
}

// Seed runs a registered seeder in-process.
func (s *Server) Seed(tenantID, name string, options any) (any, error) {
	t := s.Tenant(tenantID)
	if t == nil {
		return nil, fmt.Errorf("no tenant %s", tenantID)
	}
	f := controlSeeders[name]
	if f == nil {
		return nil, fmt.Errorf("no seeder %q", name)
	}
	b, err := json.Marshal(options)
	if err != nil {
		return nil, err
	}
	out, err := f(s, t, b)
	if err == nil {
		s.changed()
	}
	return out, err
}

// Invoke runs a cmdlet as an administrator, out of band: no faults, no
// replication lag, every role. It returns the objects the cmdlet returned or
// the Exchange error.
func (s *Server) Invoke(tenantID, endpoint, cmdlet string, params map[string]any) ([]Object, error) {
	t := s.Tenant(tenantID)
	if t == nil {
		return nil, fmt.Errorf("no tenant %s", tenantID)
	}
	if params == nil {
		params = map[string]any{}
	}
	body, err := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	if err != nil {
		return nil, err
	}
	var all []Object
	skip := ""
	for {
		target := "/_sim/tenants/" + t.ID + "/invoke/" + endpoint
		if skip != "" {
			target += "?$skiptoken=" + url.QueryEscape(skip)
		}
		req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
		rec := httptest.NewRecorder()
		s.serveInvoke(rec, req, endpoint, "/adminapi/beta/"+t.ID+"/InvokeCommand", true, &Principal{Tenant: t, Admin: true})
		var out struct {
			Value    []Object `json:"value"`
			NextLink string   `json:"@odata.nextLink"`
			Error    *struct {
				Message string `json:"message"`
				Details []struct {
					Message string `json:"message"`
				} `json:"details"`
				InnerError struct {
					InternalException struct {
						Message string `json:"message"`
						Type    string `json:"type"`
					} `json:"internalexception"`
				} `json:"innererror"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			if rec.Code == http.StatusForbidden {
				// Exchange's 403 has no readable body (writeForbidden).
				return nil, fmt.Errorf("%s: status 403: the cmdlet is not recognised", cmdlet)
			}
			return nil, fmt.Errorf("%s: status %d: %s", cmdlet, rec.Code, rec.Body.String())
		}
		if rec.Code != 200 {
			msg := rec.Body.String()
			switch {
			case out.Error == nil:
			case len(out.Error.Details) > 0:
				msg = out.Error.Details[0].Message
			case out.Error.InnerError.InternalException.Type != "":
				// A binding error carries its reason only here.
				ie := out.Error.InnerError.InternalException
				msg = "|" + ie.Type + "|" + ie.Message
			default:
				msg = out.Error.Message
			}
			return nil, fmt.Errorf("%s: status %d: %s", cmdlet, rec.Code, msg)
		}
		for _, o := range out.Value {
			for k := range o {
				if strings.Contains(k, "@odata.") {
					delete(o, k)
				}
			}
			all = append(all, o)
		}
		if out.NextLink == "" {
			return all, nil
		}
		// The link's query is URL-encoded ("%24skiptoken=1000").
		next, err := url.Parse(out.NextLink)
		if err != nil || next.Query().Get("$skiptoken") == "" {
			return nil, fmt.Errorf("%s: bad @odata.nextLink %q", cmdlet, out.NextLink)
		}
		skip = next.Query().Get("$skiptoken")
	}
}

// GraphRequest runs a Graph request as an administrator, out of band. path is
// under /v1.0 (e.g. "/policies/identitySecurityDefaultsEnforcementPolicy"),
// or starts with /beta/ for a beta route.
func (s *Server) GraphRequest(tenantID, method, path string, body any) (int, []byte, error) {
	t := s.Tenant(tenantID)
	if t == nil {
		return 0, nil, fmt.Errorf("no tenant %s", tenantID)
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	if !strings.HasPrefix(path, "/beta/") {
		path = "/v1.0" + path
	}
	req := httptest.NewRequest(method, path, rd)
	rec := httptest.NewRecorder()
	s.serveGraph(rec, req, &Principal{Tenant: t, Admin: true})
	return rec.Code, rec.Body.Bytes(), nil
}
