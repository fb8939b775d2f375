package m365sim

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/cmdletref"
)

// The InvokeCommand endpoint of Exchange Online and Security & Compliance.
//
// Microsoft documents the request shape for its Admin API
// (https://learn.microsoft.com/en-us/exchange/reference/admin-api-overview):
// POST /adminapi/beta/{tenantId}/InvokeCommand with
// {"CmdletInput":{"CmdletName":"...","Parameters":{...}}}. The broader cmdlet
// set, paging by @odata.nextLink and the error envelope follow what the
// ExchangeOnlineManagement v3 module and public tools (CIPP New-ExoRequest,
// ScubaGear Invoke-EXORestMethod) send and parse.

// ParamType is how a cmdlet parameter's value is bound.
type ParamType int

const (
	// TString binds a string.
	TString ParamType = iota
	// TBool binds $true/$false only: PowerShell refuses strings for [bool]
	// parameters ("Boolean parameters accept only Boolean values and numbers").
	TBool
	// TInt binds an integer (a JSON number or a numeric string).
	TInt
	// TStrings binds a multi-valued property: an array, a single string, or a
	// hashtable {"Add":[...],"Remove":[...]} that edits the current value.
	TStrings
	// TTimeSpan binds a .NET TimeSpan: "d.hh:mm:ss" or "hh:mm:ss".
	TTimeSpan
	// TSwitch binds a switch parameter (present = true).
	TSwitch
	// TResultSize binds "Unlimited" or a positive integer.
	TResultSize
)

func (t ParamType) String() string {
	return [...]string{"System.String", "System.Boolean", "System.Int32", "MultiValuedProperty", "System.TimeSpan", "SwitchParameter", "Unlimited"}[t]
}

// Param is what the emulator models of one cmdlet parameter: how its value
// is bound and validated. Which parameters exist, which are required, which
// sets they form and which values they accept come from Microsoft's cmdlet
// reference (package cmdletref), defined once there.
type Param struct {
	Type     ParamType
	Min, Max *int // integer range; for TStrings, element count
	MaxLen   int  // string length limit
	// Nullable lets a TString parameter take $null (JSON null), which
	// clears a property (Set-Mailbox -ForwardingSmtpAddress $null); it is
	// bound as nil.
	Nullable bool
	// Validate runs after binding; an error is reported as Exchange's
	// argument validation error for the parameter.
	Validate func(v any) error
}

// Cmdlet is one cmdlet the emulator implements.
type Cmdlet struct {
	Name string
	// Endpoints the cmdlet exists on (EndpointExchange, EndpointCompliance).
	Endpoints []string
	// Roles are the Exchange management roles, any one of which lets the
	// caller run the cmdlet (the RBAC check).
	Roles []string
	// Params are the parameters the emulator models, keyed by their name in
	// the cmdlet reference. A documented parameter missing here is refused
	// with errNotModelled.
	Params map[string]Param
	// Write marks cmdlets that change state (replication lag applies after).
	Write bool
	// Available, when set, tells whether the tenant's licences offer the
	// cmdlet at all; where it returns false the cmdlet is answered as one
	// the session does not have.
	Available func(t *Tenant) bool
	Run       func(c *Call) ([]Object, error)

	ref *cmdletref.Cmdlet // the cmdlet's entry in the cmdlet reference
}

// Call is one cmdlet invocation.
type Call struct {
	Server    *Server
	Tenant    *Tenant
	Principal *Principal
	Endpoint  string
	Cmdlet    *Cmdlet
	Params    map[string]any // bound, keyed by canonical parameter name
	// Lag is the replication lag for writes in this call.
	Lag time.Duration
	// Warnings are returned in @adminapi.warnings, as the service returns
	// what PowerShell prints as WARNING lines.
	Warnings []string
}

// Warn adds a warning to the response.
func (c *Call) Warn(msg string) { c.Warnings = append(c.Warnings, msg) }

// Has reports whether a parameter was passed.
func (c *Call) Has(name string) bool { _, ok := c.Params[name]; return ok }

// String returns a bound string parameter.
func (c *Call) String(name string) string { s, _ := c.Params[name].(string); return s }

// boundParam returns a bound parameter as the Go type its Param.Type binds
// to (bool for TBool, int for TInt, time.Duration for TTimeSpan). A mismatch
// is a simulator bug, reported as an internal error rather than a panic.
func boundParam[T any](c *Call, name string) (T, error) {
	v, ok := c.Params[name].(T)
	if !ok {
		return v, fmt.Errorf("m365sim: %s parameter %s is bound as %T, not %T", c.Cmdlet.Name, name, c.Params[name], v)
	}
	return v, nil
}

var cmdlets = map[string]*Cmdlet{}

// registerCmdlet adds a cmdlet to the table; each area's file calls it from init.
func registerCmdlet(c *Cmdlet) {
	k := strings.ToLower(c.Name)
	if _, dup := cmdlets[k]; dup {
		panic("m365sim: cmdlet registered twice: " + c.Name)
	}
	c.ref = refCmdlet(c.Name)
	cmdlets[k] = c
}

func lookupCmdlet(name, endpoint string) *Cmdlet {
	c := cmdlets[strings.ToLower(name)]
	if c == nil {
		return nil
	}
	for _, e := range c.Endpoints {
		if e == endpoint {
			return c
		}
	}
	return nil
}

// CmdletError is an Exchange error as the InvokeCommand endpoint reports it.
type CmdletError struct {
	Status    int
	Code      string // error.code, e.g. "NotFound"
	Exception string // the .NET exception type carried in details[].message
	Message   string
	// Stage is where the call failed, which decides the body's shape.
	Stage errorStage
}

// errorStage is where a call failed.
type errorStage int

const (
	// stageCmdlet (the zero value): the cmdlet ran and failed (not found,
	// validation, ...), or the endpoint refused the call: "Error executing
	// cmdlet".
	_ errorStage = iota
	// stageBinding: parameter binding failed before the cmdlet ran:
	// "Invalid Operation" (binding.go).
	stageBinding
	// stageNotModelled: m365sim refuses a documented parameter it does not
	// model (errNotModelled).
	stageNotModelled
)

func (e *CmdletError) Error() string { return e.Exception + ": " + e.Message }

// Errors the cmdlets return, with the exception types Exchange reports.
func errNotFound(identity string, t *Tenant) *CmdletError {
	return &CmdletError{Status: 404, Code: "NotFound",
		Exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
		Message:   fmt.Sprintf("The operation couldn't be performed because object '%s' couldn't be found on '%s'.", identity, dcName(t))}
}

func errAlreadyExists(kind, name string) *CmdletError {
	return &CmdletError{Status: 400, Code: "BadRequest",
		Exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAlreadyExistsException",
		Message:   fmt.Sprintf("The %s \"%s\" already exists. Specify a different name.", kind, name)}
}

func errInvalidParam(param, msg string) *CmdletError {
	return &CmdletError{Status: 400, Code: "BadRequest",
		Exception: "System.Management.Automation.ParameterBindingException",
		Message:   fmt.Sprintf("Cannot bind parameter '%s'. %s", param, msg)}
}

func errValidation(msg string) *CmdletError {
	return &CmdletError{Status: 400, Code: "BadRequest",
		Exception: "Microsoft.Exchange.Data.DataValidationException", Message: msg}
}

func errInvalidOperation(msg string) *CmdletError {
	return &CmdletError{Status: 400, Code: "BadRequest",
		Exception: "Microsoft.Exchange.Configuration.Tasks.InvalidOperationInDehydratedContextException", Message: msg}
}

// dcName is the directory server named in not-found errors.
func dcName(t *Tenant) string {
	return strings.ToUpper(t.Region) + "A001.PROD.OUTLOOK.COM"
}

type invokeBody struct {
	CmdletInput *struct {
		CmdletName string                     `json:"CmdletName"`
		Parameters map[string]json.RawMessage `json:"Parameters"`
	} `json:"CmdletInput"`
}

const maxPageSize = 1000

// serveInvoke handles POST .../adminapi/beta/{tenant}/InvokeCommand.
// admin, when set, runs the call as the control surface's administrator.
func (s *Server) serveInvoke(w http.ResponseWriter, r *http.Request, endpoint, path string, regional bool, admin *Principal) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	// adminapi / beta / {tenant} / InvokeCommand
	if len(parts) != 4 || parts[0] != "adminapi" || parts[1] != "beta" || !strings.EqualFold(parts[3], "InvokeCommand") {
		s.writeInvokeError(w, r, endpoint, "", &CmdletError{Status: 404, Code: "NotFound", Exception: "System.Web.HttpException", Message: "The resource you are looking for has been removed, had its name changed, or is temporarily unavailable."})
		return
	}
	tenantSeg := parts[2]
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.writeInvokeError(w, r, endpoint, "", &CmdletError{Status: 405, Code: "MethodNotAllowed", Exception: "System.Web.HttpException", Message: "The requested resource does not support http method '" + r.Method + "'."})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		s.writeInvokeError(w, r, endpoint, "", &CmdletError{Status: 400, Code: "BadRequest", Exception: "System.IO.IOException", Message: err.Error()})
		return
	}
	var in invokeBody
	cmdletName := ""
	if err := json.Unmarshal(body, &in); err == nil && in.CmdletInput != nil {
		cmdletName = in.CmdletInput.CmdletName
		if admin == nil {
			s.wire.record(endpoint, cmdletName, in.CmdletInput.Parameters)
		}
	}

	if admin == nil {
		latency, fault := s.faults.takeMethod(endpoint, r.Method, cmdletName)
		if latency > 0 {
			select {
			case <-time.After(latency):
			case <-r.Context().Done():
				return
			}
		}
		if fault != nil {
			s.stats.record(endpoint, cmdletName, fault.Status)
			s.failRequest(w, r, fault, func(f *Fault) { writeInvokeFault(w, r, f) })
			return
		}
	}

	audience := AudienceExchange
	if endpoint == EndpointCompliance {
		audience = AudienceCompliance
	}
	p := admin
	if p == nil {
		var err error
		p, err = s.authenticate(r, audience)
		if err != nil {
			s.stats.record(endpoint, cmdletName, 401)
			desc := ""
			if errors.Is(err, errTokenExpired) {
				desc = `, error_description="The access token is expired"`
			}
			w.Header().Set("WWW-Authenticate", `Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", token_types="app_asserted_user_v1 service_asserted_app_v1", error="invalid_token"`+desc)
			writeInvokeJSON(w, 401, invokeErrorBody("Unauthorized", &CmdletError{Status: 401, Code: "Unauthorized", Exception: "Microsoft.Exchange.Security.Authentication.BackendRehydrationException", Message: err.Error()}, r))
			return
		}
	}
	t := s.Tenant(tenantSeg)
	if t == nil || t != p.Tenant {
		s.stats.record(endpoint, cmdletName, 401)
		writeInvokeJSON(w, 401, invokeErrorBody("Unauthorized", &CmdletError{Status: 401, Code: "Unauthorized", Exception: "Microsoft.Exchange.Security.Authentication.TenantMismatchException", Message: "The tenant in the request URL does not match the tenant of the access token."}, r))
		return
	}
	// Security & Compliance answers the first call on the global host with a
	// 302 to the tenant's regional host ({region}.ps.compliance.protection.outlook.com,
	// a different origin; CIPP New-ExoRequest reads the Location of that
	// redirect and keeps the regional host per tenant). The emulator's
	// regional origin is its second listener.
	if endpoint == EndpointCompliance && !regional && admin == nil {
		s.stats.record(endpoint, cmdletName, http.StatusFound)
		loc := s.regionalURL + "/adminapi/beta/" + tenantSeg + "/InvokeCommand"
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusFound)
		return
	}
	if !p.Admin && !p.HasRole("Exchange.ManageAsApp") {
		s.stats.record(endpoint, cmdletName, 401)
		writeInvokeJSON(w, 401, invokeErrorBody("Unauthorized", &CmdletError{Status: 401, Code: "Unauthorized", Exception: "Microsoft.Exchange.Security.Authorization.UnauthorizedAccessException",
			Message: "The access token does not carry the Exchange.ManageAsApp application permission (Office 365 Exchange Online API). Grant it with admin consent."}, r))
		return
	}
	if admin == nil {
		key := t.ID
		if p.App != nil {
			key += "/" + p.App.ClientID
		}
		rate := s.exoRate.take(key, s.now())
		rate.setHeaders(w.Header())
		if rate.exceeded {
			s.stats.record(endpoint, cmdletName, http.StatusTooManyRequests)
			w.Header().Set("Retry-After", strconv.Itoa(rate.retryAfter(s.now())))
			w.Header().Set("Rate-Limit-Reason", fmt.Sprintf("The application has exceeded its limit of %d requests in the current window for this tenant.", rate.limit))
			writeInvokeJSON(w, http.StatusTooManyRequests, invokeErrorBody("TooManyRequests", &CmdletError{Status: http.StatusTooManyRequests, Code: "TooManyRequests", Exception: "Microsoft.Exchange.Net.Throttling",
				Message: "The request was throttled: the application's request budget for this tenant is used up until " + w.Header().Get("Rate-Limit-Reset") + "."}, r))
			return
		}
	}
	settleHydration(t, s.now())
	if in.CmdletInput == nil || cmdletName == "" {
		s.stats.record(endpoint, "", 400)
		writeInvokeJSON(w, 400, invokeErrorBody("BadRequest", &CmdletError{Status: 400, Code: "BadRequest", Exception: "Microsoft.Exchange.Admin.OData.Core.ODataException", Message: "The request body must be {\"CmdletInput\":{\"CmdletName\":...,\"Parameters\":{...}}}."}, r))
		return
	}
	c := lookupCmdlet(cmdletName, endpoint)
	if c != nil && c.Available != nil && !c.Available(t) {
		c = nil
	}
	if c == nil {
		// A cmdlet the session does not have is not recognised at all.
		s.writeForbidden(w, r, endpoint, cmdletName, &CmdletError{Status: 403, Code: "Forbidden", Exception: "System.Management.Automation.CommandNotFoundException",
			Message: fmt.Sprintf("The term '%s' is not recognized as a name of a cmdlet, function, script file, or executable program.", cmdletName)})
		return
	}
	if !p.Admin {
		if len(rbacRolesOf(p.App)) == 0 {
			// The error Connect-ExchangeOnline users meet when the app's
			// service principal has no Exchange-capable role.
			s.writeForbidden(w, r, endpoint, cmdletName, &CmdletError{Status: 403, Code: "Forbidden", Exception: "Microsoft.Exchange.Security.Authorization.RoleAssignmentNotFoundException",
				Message: fmt.Sprintf("The role assigned to application %s isn't supported in this scenario. Please check online documentation for assigning correct Directory Roles to Azure AD Application for EXO App-Only Authentication.", p.App.ClientID)})
			return
		}
		if !appHasAnyRole(p.App, c.Roles) {
			s.writeForbidden(w, r, endpoint, cmdletName, &CmdletError{Status: 403, Code: "Forbidden", Exception: "System.Management.Automation.CommandNotFoundException",
				Message: fmt.Sprintf("The term '%s' is not recognized as a name of a cmdlet, function, script file, or executable program.", c.Name)})
			return
		}
	}
	params, cerr := bindParams(c, endpoint, in.CmdletInput.Parameters)
	if cerr != nil {
		s.writeInvokeError(w, r, endpoint, c.Name, cerr)
		return
	}
	call := &Call{Server: s, Tenant: t, Principal: p, Endpoint: endpoint, Cmdlet: c, Params: params}
	if c.Write && admin == nil {
		call.Lag = s.faults.lagFor(endpoint)
	}
	if perr := checkRouting(call, r.Header.Get("X-AnchorMailbox")); perr != nil {
		s.stats.record(endpoint, c.Name, perr.Status)
		writeInvokeJSON(w, perr.Status, proxyErrorBody(perr, r))
		return
	}
	var results []Object
	if derr := checkDehydrated(call); derr != nil {
		err = derr
	} else {
		if c.Write && admin == nil {
			s.observeWrite(t.ID, endpoint, c.Name)
		}
		results, err = c.Run(call)
	}
	var ce *CmdletError
	if err != nil {
		var ok bool
		if ce, ok = err.(*CmdletError); !ok {
			ce = &CmdletError{Status: 500, Code: "InternalServerError", Exception: "System.Exception", Message: err.Error()}
		}
	} else if c.Write {
		s.changed()
	}
	// Applied, then failed: the call has run; its answer may be replaced.
	if admin == nil {
		if s.failAfterApply(w, r, endpoint, http.MethodPost, c.Name, c.Name, func(f *Fault) {
			s.stats.record(endpoint, c.Name, f.Status)
			writeInvokeFault(w, r, f)
		}) {
			return
		}
	}
	if ce != nil {
		s.writeInvokeError(w, r, endpoint, c.Name, ce)
		return
	}
	s.stats.record(endpoint, c.Name, 200)
	warnings := call.Warnings
	if admin == nil {
		warnings = append(warnings, s.faults.warnings(endpoint, c.Name)...)
	}
	s.writeInvokeResults(w, r, tenantSeg, results, warnings)
}

// writeInvokeFault answers an injected throttling or outage error.
func writeInvokeFault(w http.ResponseWriter, r *http.Request, f *Fault) {
	code := "TooManyRequests"
	msg := "Application is over its MailboxConcurrency limit."
	if f.Status != http.StatusTooManyRequests {
		code, msg = "ServiceUnavailable", "The service is temporarily unavailable. Please try again later."
	}
	writeInvokeJSON(w, f.Status, invokeErrorBody(code, &CmdletError{Status: f.Status, Code: code, Exception: "Microsoft.Exchange.Net.Throttling", Message: msg}, r))
}

// writeForbidden answers 403. Exchange Online's 403 for an unknown cmdlet or
// one the app's roles do not grant has no readable body: a run of NUL bytes
// labelled "Content-Encoding: gzip" although it is not gzip (captured from
// the live service by third-party clients; no Microsoft page documents the
// body, and its length varies; the emulator sends 10 bytes). A client that
// lets its HTTP stack decompress gets "gzip: invalid header" instead of the
// status. Security & Compliance answers a JSON 403 Forbidden that names the
// cmdlet.
func (s *Server) writeForbidden(w http.ResponseWriter, r *http.Request, endpoint, cmdlet string, e *CmdletError) {
	if endpoint == EndpointCompliance {
		s.writeInvokeError(w, r, endpoint, cmdlet, e)
		return
	}
	s.stats.record(endpoint, cmdlet, http.StatusForbidden)
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;charset=utf-8")
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("request-id", newRequestID())
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write(make([]byte, 10))
}

var selectRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)

// writeInvokeResults writes a success answer in the envelope the service
// uses, as captured from Exchange Online: "@odata.context" qualified with
// the tenant as the client sent it,
// "adminapi.warnings@odata.type":"#Collection(String)", the warnings in
// "@adminapi.warnings", type annotations on properties whose type is not
// plain JSON (annotate), and the headers Odata-Version: 4.0 and
// Preference-Applied: odata.include-annotations="*". The conventions behind
// them are OData JSON Format 4.01, "Control Information" and "Instance
// Annotations" (https://docs.oasis-open.org/odata/odata-json-format/v4.01/odata-json-format-v4.01.html).
// The body is gzip-compressed when the client accepts it, as the service's
// front end labels its answers (the 403 capture above carries the label).
func (s *Server) writeInvokeResults(w http.ResponseWriter, r *http.Request, tenantSeg string, results []Object, warnings []string) {
	q := r.URL.Query()
	var sel []string
	if v := q.Get("$select"); v != "" {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if !selectRe.MatchString(f) {
				writeInvokeJSON(w, 400, invokeErrorBody("BadRequest", &CmdletError{Status: 400, Code: "BadRequest", Exception: "Microsoft.OData.ODataException", Message: fmt.Sprintf("Term '%s' is not valid in a $select or $expand expression.", f)}, r))
				return
			}
			sel = append(sel, f)
		}
	}
	pageSize := maxPageSize
	for _, pref := range r.Header.Values("Prefer") {
		for _, part := range strings.Split(pref, ",") {
			part = strings.TrimSpace(part)
			if v, ok := strings.CutPrefix(part, "odata.maxpagesize="); ok {
				if n, err := strconv.Atoi(v); err == nil && n > 0 && n < pageSize {
					pageSize = n
				}
			}
		}
	}
	skip := 0
	if v := q.Get("$skiptoken"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeInvokeJSON(w, 400, invokeErrorBody("BadRequest", &CmdletError{Status: 400, Code: "BadRequest", Exception: "Microsoft.OData.ODataException", Message: "The skip token is invalid."}, r))
			return
		}
		skip = n
	}
	if skip > len(results) {
		skip = len(results)
	}
	end := min(skip+pageSize, len(results))
	page := results[skip:end]
	value := make([]Object, 0, len(page))
	for _, o := range page {
		value = append(value, annotate(project(o, sel)))
	}
	out := map[string]any{
		"@odata.context":               "https://outlook.office.com/adminapi/beta/" + tenantSeg + "/$metadata#Collection(Exchange.GenericHashTable)",
		"adminapi.warnings@odata.type": "#Collection(String)",
		"@adminapi.warnings":           pageWarnings(warnings, skip),
		"value":                        value,
	}
	if end < len(results) {
		u := *r.URL
		q := u.Query()
		q.Set("$skiptoken", strconv.Itoa(end))
		u.RawQuery = q.Encode()
		origin := s.url
		if r.Host != "" && r.TLS != nil {
			origin = "https://" + r.Host // the origin the client called: global or regional
		}
		out["@odata.nextLink"] = origin + u.EscapedPath() + "?" + u.RawQuery
	}
	h := w.Header()
	if h.Get("Rate-Limit-Limit") == "" {
		// The control surface's calls are not counted; they still carry
		// the headers of an untouched budget.
		rateState{limit: s.exoRate.limit, remaining: s.exoRate.limit, reset: s.now().Add(s.exoRate.window)}.setHeaders(h)
	}
	h.Set("Odata-Version", "4.0")
	h.Set("Preference-Applied", `odata.include-annotations="*"`)
	h.Set("request-id", newRequestID())
	h.Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		w.WriteHeader(200)
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(buf.Bytes())
		_ = zw.Close()
		return
	}
	w.WriteHeader(200)
	_, _ = w.Write(buf.Bytes())
}

func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(name, "gzip") {
				return true
			}
		}
	}
	return false
}

// pageWarnings returns the cmdlet's warnings on the first page only (the
// cmdlet runs again for every page; its warnings were already sent).
func pageWarnings(warnings []string, skip int) []string {
	if skip > 0 || warnings == nil {
		return []string{}
	}
	return warnings
}

// project keeps the selected properties (all when sel is empty).
func project(o Object, sel []string) Object {
	if len(sel) == 0 {
		return o
	}
	out := Object{}
	for _, f := range sel {
		for k, v := range o {
			if strings.EqualFold(k, f) {
				out[k] = v
			}
		}
	}
	return out
}

// scalarAnnotations are the type annotations the service puts on scalar
// properties whose .NET type JSON does not carry: DateTime values are
// annotated "X@data.type":"System.DateTime", Int16 ones
// "X@odata.type":"#Int16" (both captured from Exchange Online answers).
// The table names the properties the emulator serves with those types
// (DLPWaitOnSendTimeout is Int16 in the Set-OrganizationConfig reference).
var scalarAnnotations = map[string][2]string{
	"WhenCreated":                   {"@data.type", "System.DateTime"},
	"WhenChanged":                   {"@data.type", "System.DateTime"},
	"WhenCreatedUTC":                {"@data.type", "System.DateTime"},
	"WhenChangedUTC":                {"@data.type", "System.DateTime"},
	"UnifiedAuditLogFirstOptInDate": {"@data.type", "System.DateTime"},
	"DLPWaitOnSendTimeout":          {"@odata.type", "#Int16"},
}

// annotate adds the type annotations the service sends: collections are
// "#Collection(String)", scalars per scalarAnnotations.
func annotate(o Object) Object {
	out := make(Object, len(o)*2)
	for k, v := range o {
		out[k] = v
		switch v.(type) {
		case []string, []any:
			out[k+"@odata.type"] = "#Collection(String)"
		case nil:
		default:
			if a, ok := scalarAnnotations[k]; ok {
				out[k+a[0]] = a[1]
			}
		}
	}
	return out
}

// The error bodies of the InvokeCommand endpoint, as captured from the live
// service by public clients:
//
//   - cmdlet failures, e.g. 404 NotFound: error.message "Error executing
//     cmdlet", details[0].message "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The
//     operation couldn't be performed because object 'x' couldn't be found
//     on '...'.", innererror of the generic ODataServiceException type
//     wrapping DirectInvokeCmdletExecutionException (a public capture: an
//     Exchange Online Remove-Mailbox 404 body relayed verbatim in a public
//     troubleshooting script);
//   - binding failures (binding.go): error.message "Invalid Operation", the
//     reason in innererror.internalexception, a details entry only for an
//     unresolvable parameter set (rknightion/graph2otel
//     internal/exoclient/errors_test.go).
//
// innererror.type is always Microsoft.Exchange.Admin.OData.Core.ODataServiceException;
// the specific exception is in details[].message or in
// innererror.internalexception.type.
const (
	exODataService      = "Microsoft.Exchange.Admin.OData.Core.ODataServiceException"
	exDirectInvoke      = "Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException"
	msgErrorExecuting   = "Error executing cmdlet"
	msgInvalidOperation = "Invalid Operation"
)

// exceptionCodes are the "Ex..." prefixes seen in captured details
// messages; other exceptions get a stable code derived from their name.
var exceptionCodes = map[string]string{
	"Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException": "Ex6F9304",
}

func exceptionCode(exception string) string {
	if c, ok := exceptionCodes[exception]; ok {
		return c
	}
	return fmt.Sprintf("Ex%06X", hashCode(exception))
}

func invokeErrorBody(code string, e *CmdletError, _ *http.Request) map[string]any {
	warnings := func(m map[string]any) map[string]any {
		m["adminapi.warnings@odata.type"] = "#Collection(String)"
		m["@adminapi.warnings"] = []string{}
		return m
	}
	switch e.Stage {
	case stageNotModelled:
		return map[string]any{"error": map[string]any{"code": code, "message": e.Message}}
	case stageBinding:
		body := map[string]any{
			"code":    code,
			"message": msgInvalidOperation,
			"innererror": map[string]any{
				"message": msgInvalidOperation, "type": exODataService, "stacktrace": "",
				"internalexception": map[string]any{"message": e.Message, "type": e.Exception, "stacktrace": ""},
			},
		}
		if e.Exception == exAmbiguousParameterSet {
			body["details"] = []map[string]any{{"code": "Client", "target": "", "message": "|" + e.Exception + "|" + e.Message}}
			return map[string]any{"error": body}
		}
		return map[string]any{"error": warnings(body)}
	}
	return map[string]any{"error": warnings(map[string]any{
		"code":    code,
		"message": msgErrorExecuting,
		"details": []map[string]any{{
			"code":    "Client",
			"target":  "",
			"message": exceptionCode(e.Exception) + "|" + e.Exception + "|" + e.Message,
		}},
		"innererror": map[string]any{
			"message": msgErrorExecuting, "type": exODataService, "stacktrace": "",
			"internalexception": map[string]any{
				"message": "Exception of type '" + exDirectInvoke + "' was thrown.", "type": exDirectInvoke, "stacktrace": "",
			},
		},
	})}
}

func hashCode(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h & 0xFFFFFF
}

func (s *Server) writeInvokeError(w http.ResponseWriter, r *http.Request, endpoint, cmdlet string, e *CmdletError) {
	s.stats.record(endpoint, cmdlet, e.Status)
	code := e.Code
	if code == "" {
		code = http.StatusText(e.Status)
	}
	writeInvokeJSON(w, e.Status, invokeErrorBody(code, e, r))
}

func writeInvokeJSON(w http.ResponseWriter, status int, body any) {
	writeJSONContent(w, status, "application/json;odata.metadata=minimal;charset=utf-8", body)
}

func writeJSONContent(w http.ResponseWriter, status int, ctype string, body any) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("request-id", newRequestID())
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
}

// ParseTimeSpan parses .NET TimeSpan text: "[-]d.hh:mm:ss[.fffffff]",
// "hh:mm:ss" or a plain day count "d".
func ParseTimeSpan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty time span")
	}
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * 24 * time.Hour, nil
	}
	days := 0
	rest := s
	if i := strings.Index(s, "."); i >= 0 && i < strings.Index(s, ":") {
		d, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("bad time span %q", s)
		}
		days, rest = d, s[i+1:]
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		return 0, fmt.Errorf("bad time span %q", s)
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	sec, err3 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || err3 != nil || h > 23 || m > 59 || sec >= 60 {
		return 0, fmt.Errorf("bad time span %q", s)
	}
	return time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec*float64(time.Second)), nil
}

// FormatTimeSpan renders a duration as Exchange does: "90.00:00:00".
func FormatTimeSpan(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	h := int(d / time.Hour)
	d -= time.Duration(h) * time.Hour
	m := int(d / time.Minute)
	d -= time.Duration(m) * time.Minute
	sec := int(d / time.Second)
	if days > 0 {
		return fmt.Sprintf("%d.%02d:%02d:%02d", days, h, m, sec)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, sec)
}
