package m365sim

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Microsoft Graph v1.0.
//
// Errors use Graph's documented envelope
// (https://learn.microsoft.com/en-us/graph/errors):
// {"error":{"code":"...","message":"...","innerError":{"date","request-id","client-request-id"}}}.
// msgraph-sdk-go dereferences error.message, so every error carries one.
// Paging uses absolute @odata.nextLink URLs on the emulator's own origin
// (https://learn.microsoft.com/en-us/graph/paging).

// GraphRoute is one Graph operation.
type GraphRoute struct {
	Method string
	// Pattern is the path under /v1.0 with {name} segments, e.g.
	// "/identity/conditionalAccess/policies/{id}".
	Pattern string
	// Beta: the route is served under /beta instead of /v1.0.
	Beta bool
	// AnyOf lists the application permissions, any one of which allows the
	// call (the "Permissions" table of the operation's reference page).
	AnyOf []string
	// Denied, when set, is the operation's answer to a token without any of
	// AnyOf; nil = the directory's Authorization_RequestDenied. Graph's
	// workloads answer a missing permission differently (see scopesMissing
	// and the sign-in logs' route).
	Denied func(anyOf []string) *GraphError
	// Licence, when set, names the service plan the tenant needs; without it
	// the call fails as Graph does for that API.
	Licence func(t *Tenant) *GraphError
	// Query lists the OData system query options the handler implements
	// (e.g. "$filter"); nil = $select, $top and $skiptoken. Any other
	// option is refused (checkQueryOptions).
	Query []string
	// Write marks operations that change state (replication lag applies).
	Write bool
	// Throttle, when set, is asked before the handler runs (not for the
	// control surface's administrator); a non-nil error is the answer.
	Throttle func(g *GraphCall) *GraphError
	Handler  func(g *GraphCall) (int, any, *GraphError)

	re    *regexp.Regexp
	names []string
}

// GraphCall is one Graph request.
type GraphCall struct {
	Server    *Server
	Tenant    *Tenant
	Principal *Principal
	Request   *http.Request
	Vars      map[string]string
	Body      []byte
	Lag       time.Duration
}

// GraphError is a Graph error response.
type GraphError struct {
	Status  int
	Code    string
	Message string
	// RetryAfter, when set, is sent as a Retry-After header.
	RetryAfter int
}

func (e *GraphError) Error() string { return e.Code + ": " + e.Message }

var graphRoutes []*GraphRoute

// registerGraphRoute adds a Graph operation; each area's file calls it from init.
func registerGraphRoute(r *GraphRoute) {
	names := []string{}
	pat := regexp.MustCompile(`\{([a-zA-Z]+)\}`).ReplaceAllStringFunc(regexp.QuoteMeta(r.Pattern), func(m string) string {
		return m
	})
	// QuoteMeta escaped the braces; put capture groups in their place.
	pat = regexp.MustCompile(`\\\{([a-zA-Z]+)\\\}`).ReplaceAllStringFunc(pat, func(m string) string {
		names = append(names, strings.Trim(m, `\{}`))
		return `([^/]+)`
	})
	r.re = regexp.MustCompile(`(?i)^` + pat + `$`)
	r.names = names
	graphRoutes = append(graphRoutes, r)
}

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request, admin *Principal) {
	ver := "/v1.0"
	if strings.HasPrefix(r.URL.Path, "/beta/") {
		ver = "/beta"
	}
	path := strings.TrimPrefix(r.URL.Path, ver)
	op := r.Method + " " + ver + routeLabel(path)
	if admin == nil {
		latency, fault := s.faults.takeMethod(EndpointGraph, r.Method, ver+path)
		if latency > 0 {
			select {
			case <-time.After(latency):
			case <-r.Context().Done():
				return
			}
		}
		if fault != nil {
			s.graphFault(w, r, op, fault)
			return
		}
	}
	var route *GraphRoute
	var m []string
	methodMismatch := false
	for _, gr := range graphRoutes {
		if gr.Beta != (ver == "/beta") {
			continue
		}
		if mm := gr.re.FindStringSubmatch(path); mm != nil {
			if gr.Method != r.Method {
				methodMismatch = true
				continue
			}
			route, m = gr, mm
			break
		}
	}
	if route == nil {
		if methodMismatch {
			s.writeGraphError(w, r, op, &GraphError{Status: 405, Code: "Request_BadRequest", Message: "Specified HTTP method is not allowed for the request target."})
			return
		}
		// Graph's answer for a path it does not know.
		s.writeGraphError(w, r, op, &GraphError{Status: 400, Code: "BadRequest", Message: fmt.Sprintf("Resource not found for the segment '%s'.", lastSegment(path))})
		return
	}
	p := admin
	if p == nil {
		var err error
		p, err = s.authenticate(r, AudienceGraph)
		if err != nil {
			code, msg := "InvalidAuthenticationToken", "Access token validation failure. Invalid audience."
			if err == errNoToken {
				msg = "Access token is empty."
			} else if !strings.Contains(err.Error(), "audience") {
				msg = "Access token validation failure: " + err.Error()
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
			s.writeGraphError(w, r, op, &GraphError{Status: 401, Code: code, Message: msg})
			return
		}
	}
	if admin == nil && p.App != nil {
		if ge := graphGlobalFor(s).take(p.App.ClientID, time.Now()); ge != nil {
			s.writeGraphError(w, r, op, ge)
			return
		}
	}
	if !p.Admin && len(route.AnyOf) > 0 {
		ok := false
		for _, perm := range route.AnyOf {
			if p.HasRole(perm) {
				ok = true
				break
			}
		}
		if !ok {
			if route.Denied != nil {
				s.writeGraphError(w, r, op, route.Denied(route.AnyOf))
				return
			}
			// Graph's answer when the token lacks the permission; the
			// emulator names the permissions that would allow the call.
			s.writeGraphError(w, r, op, &GraphError{Status: 403, Code: "Authorization_RequestDenied",
				Message: "Insufficient privileges to complete the operation. Requires one of the application permissions: " + strings.Join(route.AnyOf, ", ") + "."})
			return
		}
	}
	if ge := checkQueryOptions(route, r); ge != nil {
		s.writeGraphError(w, r, op, ge)
		return
	}
	if route.Licence != nil {
		if ge := route.Licence(p.Tenant); ge != nil {
			s.writeGraphError(w, r, op, ge)
			return
		}
	}
	vars := map[string]string{}
	for i, n := range route.names {
		vars[n] = m[i+1]
	}
	body, gerr := readGraphBody(r)
	if gerr != nil {
		s.writeGraphError(w, r, op, gerr)
		return
	}
	call := &GraphCall{Server: s, Tenant: p.Tenant, Principal: p, Request: r, Vars: vars, Body: body}
	if route.Throttle != nil && admin == nil {
		if ge := route.Throttle(call); ge != nil {
			s.writeGraphError(w, r, op, ge)
			return
		}
	}
	if route.Write && admin == nil {
		call.Lag = s.faults.lagFor(EndpointGraph)
		s.observeWrite(p.Tenant.ID, EndpointGraph, op)
	}
	status, out, ge := route.Handler(call)
	if ge != nil {
		s.writeGraphError(w, r, op, ge)
		return
	}
	if route.Write {
		s.changed()
	}
	// Applied, then failed: the request has run; its answer may be replaced.
	if admin == nil && s.failAfterApply(w, r, EndpointGraph, r.Method, ver+path, op, func(f *Fault) { s.graphFault(w, r, op, f) }) {
		return
	}
	s.stats.record(EndpointGraph, op, status)
	if out == nil {
		w.Header().Set("request-id", newRequestID())
		w.WriteHeader(status)
		return
	}
	writeJSONContent(w, status, "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8", out)
}

// scopesMissing is the answer of Identity Protection and conditional access
// to a token without the operation's permission: 403 AccessDenied "You
// cannot perform the requested operation, required scopes are missing in the
// token." Microsoft does not document the body; public captures show it for
// conditional access (https://github.com/AlexFilipin/ConditionalAccess/issues/10,
// https://github.com/hugobatista/zerotrust-ca-powertoys/issues/8) and the same
// message for riskDetections
// (https://github.com/microsoftgraph/msgraph-beta-sdk-dotnet/issues/723).
// Unlike the directory's answer it does not name the permission; the code
// differs from the Identity Protection licence 403 (code Forbidden, see
// graph_risk.go), so a client can tell the two apart by code.
func scopesMissing([]string) *GraphError {
	return &GraphError{Status: http.StatusForbidden, Code: "AccessDenied",
		Message: "You cannot perform the requested operation, required scopes are missing in the token."}
}

// The OData system query options Graph documents
// (https://learn.microsoft.com/en-us/graph/query-parameters): support
// "varies from one API operation to another" and each operation's page lists
// the ones it supports.
var odataQueryOptions = map[string]string{
	"$count": "Count", "$expand": "Expand", "$filter": "Filter", "$format": "Format", "$orderby": "OrderBy",
	"$search": "Search", "$select": "Select", "$skip": "Skip", "$skiptoken": "SkipToken", "$top": "Top",
}

// checkQueryOptions refuses the $ query options the operation does not
// serve, so a request never gets a silently unfiltered or unsorted answer.
// An option Graph knows but the operation does not allow gets the captured
// 400 "The query specified in the URI is not valid. Query option 'Expand'
// is not allowed. ..."
// (https://github.com/microsoftgraph/microsoft-graph-docs-contrib/pull/8527,
// https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/2556).
// For a $ option OData does not define, Microsoft documents no answer; the
// emulator takes the stricter reading and refuses it too, with OData's
// "The query parameter '$x' is not supported." Parameters without $ are left
// alone (custom query options, e.g. api-version, are not system options).
func checkQueryOptions(route *GraphRoute, r *http.Request) *GraphError {
	allowed := route.Query
	if allowed == nil {
		allowed = []string{"$select", "$top", "$skiptoken"}
	}
	for k := range r.URL.Query() {
		if !strings.HasPrefix(k, "$") {
			continue
		}
		name, known := odataQueryOptions[strings.ToLower(k)]
		if !known {
			return &GraphError{Status: 400, Code: "BadRequest", Message: fmt.Sprintf("The query parameter '%s' is not supported.", k)}
		}
		ok := false
		for _, a := range allowed {
			if strings.EqualFold(a, k) {
				ok = true
				break
			}
		}
		if !ok {
			return &GraphError{Status: 400, Code: "BadRequest", Message: fmt.Sprintf("The query specified in the URI is not valid. Query option '%s' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.", name)}
		}
	}
	return nil
}

// routeLabel replaces GUID segments so counters group by operation.
var guidRe = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func routeLabel(path string) string { return guidRe.ReplaceAllString(path, "{id}") }

func lastSegment(path string) string {
	path = strings.TrimSuffix(path, "/")
	if i := strings.LastIndex(path, "/"); i >= 0 {
		return path[i+1:]
	}
	return path
}

func (s *Server) writeGraphError(w http.ResponseWriter, r *http.Request, op string, e *GraphError) {
	s.stats.record(EndpointGraph, op, e.Status)
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	writeJSONContent(w, e.Status, "application/json", map[string]any{"error": map[string]any{
		"code":    e.Code,
		"message": e.Message,
		"innerError": map[string]any{
			"date":              s.now().UTC().Format("2006-01-02T15:04:05"),
			"request-id":        newRequestID(),
			"client-request-id": r.Header.Get("client-request-id"),
		},
	}})
}

// List writes a collection with server-side paging: top is the page size
// the client asked for (at most maxTop, the operation's documented maximum;
// larger is refused), skip where this page starts.
func (g *GraphCall) List(items []Object, context string, defaultTop, maxTop int) (int, any, *GraphError) {
	return g.ListFunc(len(items), func(i int) Object { return items[i] }, context, defaultTop, maxTop)
}

// ListFunc is List for a collection of n items built on demand: only the
// items of the requested page are materialised (large logs stay compact).
func (g *GraphCall) ListFunc(n int, item func(i int) Object, context string, defaultTop, maxTop int) (int, any, *GraphError) {
	q := g.Request.URL.Query()
	top := defaultTop
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, nil, &GraphError{Status: 400, Code: "BadRequest", Message: fmt.Sprintf("Invalid value '%s' for $top query option found.", v)}
		}
		// A page size above the operation's documented maximum is refused,
		// not capped: the paging guide
		// (https://learn.microsoft.com/en-us/graph/paging) leaves page sizes
		// to each operation, whose page gives the maximum, and no page says
		// what a larger $top does, so the emulator takes the stricter
		// reading. The wording follows the directory's answer to $top=1000
		// (not documented either).
		if n > maxTop {
			return 0, nil, &GraphError{Status: 400, Code: "BadRequest", Message: fmt.Sprintf("Invalid page size specified: '%d'. Must be between 1 and %d inclusive.", n, maxTop)}
		}
		top = n
	}
	skip := 0
	if v := q.Get("$skiptoken"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, nil, &GraphError{Status: 400, Code: "BadRequest", Message: "The $skiptoken is invalid."}
		}
		skip = n
	}
	sel, gerr := parseSelect(q.Get("$select"))
	if gerr != nil {
		return 0, nil, gerr
	}
	skip = min(skip, n)
	end := min(skip+top, n)
	page := make([]Object, 0, end-skip)
	for i := skip; i < end; i++ {
		page = append(page, selectGraph(item(i), sel))
	}
	out := map[string]any{"@odata.context": g.Server.url + "/v1.0/$metadata#" + context, "value": page}
	if end < n {
		u := *g.Request.URL
		qq := u.Query()
		qq.Set("$skiptoken", strconv.Itoa(end))
		if qq.Get("$top") == "" {
			qq.Set("$top", strconv.Itoa(top))
		}
		u.RawQuery = qq.Encode()
		out["@odata.nextLink"] = g.Server.url + u.EscapedPath() + "?" + u.RawQuery
	}
	return 200, out, nil
}

var graphFieldRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(/[A-Za-z][A-Za-z0-9]*)?$`)

func parseSelect(v string) ([]string, *GraphError) {
	if v == "" {
		return nil, nil
	}
	var out []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if !graphFieldRe.MatchString(f) {
			return nil, &GraphError{Status: 400, Code: "BadRequest", Message: fmt.Sprintf("Parsing OData Select and Expand failed: Term '%s' is not valid in a $select or $expand expression.", f)}
		}
		out = append(out, f)
	}
	return out, nil
}

// selectGraph keeps id and the selected properties.
func selectGraph(o Object, sel []string) Object {
	if len(sel) == 0 {
		return o
	}
	out := Object{}
	if id, ok := o["id"]; ok {
		out["id"] = id
	}
	for _, f := range sel {
		f = strings.Split(f, "/")[0]
		for k, v := range o {
			if strings.EqualFold(k, f) {
				out[k] = v
			}
		}
	}
	return out
}

// readGraphBody reads a request body, inflating it when kiota sent it
// gzip-compressed (its default compression middleware does).
func readGraphBody(r *http.Request) ([]byte, *GraphError) {
	if r.Body == nil {
		return nil, nil
	}
	rd := io.LimitReader(r.Body, 4<<20)
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return nil, &GraphError{Status: 400, Code: "BadRequest", Message: "The request body is not valid gzip."}
		}
		defer zr.Close()
		rd = zr
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, &GraphError{Status: 400, Code: "BadRequest", Message: "Could not read the request body."}
	}
	return b, nil
}
