package m365sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/cmdletref"
)

// TestConformance holds every cmdlet m365sim serves against Microsoft's
// cmdlet reference (package cmdletref, deviations applied). For each cmdlet
// and endpoint it checks the table (every modelled parameter is documented
// for the endpoint's service, with a compatible type) and then calls the
// emulator:
//
//   - an undocumented parameter gets the service's 400
//     AmbiguousParameterSetException body;
//   - every documented parameter the emulator does not model gets the loud
//     501 "m365sim does not model";
//   - for every parameter set the emulator can bind, leaving out any one
//     required parameter gets the 400 (unless another set still fits), and
//     the required parameters alone pass binding;
//   - for every parameter with a documented value list, a value outside it
//     gets the bad-enum 400 (no details; reason in
//     innererror.internalexception), and every listed value passes binding.
//
// It fails when m365sim accepts a parameter or value the reference does not
// list, or disagrees on required parameters.
func TestConformance(t *testing.T) {
	s := startTest(t)
	var st conformanceStats
	names := make([]string, 0, len(cmdlets))
	for _, c := range cmdlets {
		names = append(names, c.Name)
	}
	sort.Strings(names)
	for _, name := range names {
		c := cmdlets[strings.ToLower(name)]
		for _, ep := range c.Endpoints {
			t.Run(name+"@"+ep, func(t *testing.T) {
				st.cmdlets++
				checkCmdletTable(t, c, ep, &st)
				checkCmdletLive(t, s, c, ep, &st)
			})
		}
	}
	t.Logf("conformance: %d cmdlet/endpoint pairs (%d cmdlets), %d modelled parameters (%d with value lists, %d values), %d documented parameters refused as not modelled, %d calls",
		st.cmdlets, len(names), st.modelled, st.enums, st.values, st.notModelled, st.calls)
}

type conformanceStats struct {
	cmdlets, modelled, enums, values, notModelled, calls int
}

// typeCompatible reports whether an emulator binding can stand for a
// reference type. Identity-like and other structured types bind as strings.
func typeCompatible(p ParamType, refType string) bool {
	switch refType {
	case "SwitchParameter":
		return p == TSwitch
	case "Boolean", "System.Boolean", "$true | $false":
		return p == TBool
	case "Int32", "Int64", "UInt16", "UInt32", "UInt64", "System.Int32", "System.UInt64":
		return p == TInt
	case "Unlimited":
		return p == TResultSize
	case "EnhancedTimeSpan", "TimeSpan":
		return p == TTimeSpan
	case "MultiValuedProperty", "ProxyAddressCollection":
		return p == TStrings
	}
	if strings.HasSuffix(refType, "[]") {
		return p == TStrings
	}
	return p == TString
}

func checkCmdletTable(t *testing.T, c *Cmdlet, ep string, st *conformanceStats) {
	t.Helper()
	svc := serviceOf(ep)
	rc := cmdletref.Load().Cmdlet(c.Name)
	if rc == nil {
		t.Fatalf("%s is not in the cmdlet reference", c.Name)
	}
	if !rc.AppliesTo(svc) {
		t.Errorf("%s is served on %s, but the reference says it is available in %v", c.Name, ep, rc.Services)
	}
	for name, p := range c.Params {
		st.modelled++
		rp := rc.Param(name)
		switch {
		case rp == nil:
			t.Errorf("m365sim models -%s of %s, which the reference does not document", name, c.Name)
			continue
		case rp.Name != name:
			t.Errorf("m365sim models -%s of %s under another spelling than the reference's -%s", name, c.Name, rp.Name)
		case !rp.AppliesTo(svc):
			t.Errorf("m365sim models -%s of %s on %s, but the reference documents it for %v only", name, c.Name, svc, rp.Services)
		}
		if !typeCompatible(p.Type, rp.Type) {
			t.Errorf("-%s of %s binds as %s, the reference's type is %s", name, c.Name, p.Type, rp.Type)
		}
		if rp.Values != nil {
			st.enums++
			st.values += len(rp.Values)
			if p.Type != TString && p.Type != TStrings && (p.Type != TInt || !numericValues(rp.Values)) {
				t.Errorf("-%s of %s has a value list but binds as %s", name, c.Name, p.Type)
			}
		}
	}
}

// probeResult is an InvokeCommand answer, classified.
type probeResult struct {
	Status int
	Body   struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Details []struct {
				Message string `json:"message"`
			} `json:"details"`
			InnerError struct {
				Type              string `json:"type"`
				InternalException struct {
					Type    string `json:"type"`
					Message string `json:"message"`
				} `json:"internalexception"`
			} `json:"innererror"`
		} `json:"error"`
	}
	Raw string
}

func (r probeResult) bindingError() bool {
	return r.Status == 400 && r.Body.Error.Message == msgInvalidOperation
}

func (r probeResult) notModelled() bool {
	return r.Status == 501 && r.Body.Error.Code == "M365SimNotModelled"
}

// ambiguous reports whether the answer is the captured
// AmbiguousParameterSetException 400 naming the given text.
func (r probeResult) ambiguous(want string) bool {
	e := r.Body.Error
	return r.bindingError() && len(e.Details) == 1 &&
		strings.HasPrefix(e.Details[0].Message, "|"+exAmbiguousParameterSet+"|") && strings.Contains(e.Details[0].Message, want) &&
		e.InnerError.Type == exODataService && e.InnerError.InternalException.Type == exAmbiguousParameterSet
}

// badEnum reports whether the answer is the captured bad-enum 400 for the
// parameter: no details, the reason only in innererror.internalexception.
func (r probeResult) badEnum(param string) bool {
	e := r.Body.Error
	return r.bindingError() && e.Details == nil && e.InnerError.Type == exODataService &&
		e.InnerError.InternalException.Type == exParameterTransformation &&
		strings.HasPrefix(e.InnerError.InternalException.Message, "Cannot process argument transformation on parameter '"+param+"'.")
}

// probe runs a cmdlet through the control surface (as an administrator: no
// RBAC, faults or lag) and returns the raw answer.
func probe(t *testing.T, s *Server, ep, cmdlet string, params map[string]any) probeResult {
	t.Helper()
	body, err := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/_sim/tenants/"+DemoTenantID+"/invoke/"+ep, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.AdminKey())
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	out := probeResult{Status: rec.Code, Raw: rec.Body.String()}
	if rec.Code != http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &out.Body); err != nil {
			t.Fatalf("%s: status %d with a body that is not JSON: %q", cmdlet, rec.Code, rec.Body.String())
		}
	}
	return out
}

// sampleValue returns a value the emulator binds for the parameter (the
// first documented value for a list; otherwise the first candidate its
// validation accepts), or false when none binds.
func sampleValue(c *Cmdlet, name string) (any, bool) {
	p, modelled := c.Params[name]
	rp := c.ref.Param(name)
	if !modelled {
		return "x", true // refused before its value is looked at
	}
	var cands []any
	strs := []string{"x", "contoso.com", "soc@contoso.com", "5.7.1", "1", "en-US", "2030-01-01T00:00:00Z"}
	if rp.Values != nil {
		strs = append([]string{rp.Values[0]}, strs...)
	}
	switch p.Type {
	case TString:
		for _, v := range strs {
			cands = append(cands, v)
		}
	case TStrings:
		for _, v := range strs {
			cands = append(cands, []string{v})
		}
	case TBool, TSwitch:
		cands = []any{true}
	case TInt:
		n := 1
		if p.Min != nil {
			n = *p.Min
		}
		cands = []any{n}
	case TResultSize:
		cands = []any{"Unlimited"}
	case TTimeSpan:
		cands = []any{"90.00:00:00"}
	}
	for _, v := range cands {
		raw, _ := json.Marshal(v)
		if _, err := bindValue(name, p, rp, raw); err == nil {
			return v, true
		}
	}
	return nil, false
}

// callFor builds a call with the set's required parameters.
func callFor(t *testing.T, c *Cmdlet, set *cmdletref.Set) (map[string]any, bool) {
	t.Helper()
	params := map[string]any{}
	for _, n := range set.Required() {
		v, ok := sampleValue(c, n)
		if !ok {
			t.Errorf("no sample value binds for -%s of %s", n, c.Name)
			return nil, false
		}
		params[n] = v
	}
	return params, true
}

// fitsSomeSet is the test's own reading of the reference: the names are all
// in one set that has all its required parameters among them.
func fitsSomeSet(sets []*cmdletref.Set, names []string) bool {
	for _, s := range sets {
		ok := true
		for _, n := range names {
			if s.Param(n) == nil {
				ok = false
				break
			}
		}
		for _, r := range s.Required() {
			if !containsFold(names, r) {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// bindableSet returns a set containing the parameter whose required
// parameters the emulator all models.
func bindableSet(c *Cmdlet, sets []*cmdletref.Set, param string) *cmdletref.Set {
	for _, s := range sets {
		if param != "" && s.Param(param) == nil {
			continue
		}
		ok := true
		for _, r := range s.Required() {
			if _, m := c.Params[r]; !m {
				ok = false
			}
		}
		if ok {
			return s
		}
	}
	return nil
}

func checkCmdletLive(t *testing.T, s *Server, c *Cmdlet, ep string, st *conformanceStats) {
	t.Helper()
	svc := serviceOf(ep)
	sets := c.ref.SetsFor(svc)
	call := func(params map[string]any) probeResult {
		st.calls++
		return probe(t, s, ep, c.Name, params)
	}
	base := bindableSet(c, sets, "")
	if base == nil {
		t.Fatalf("m365sim cannot bind any parameter set of %s: each requires a parameter it does not model", c.Name)
	}

	// An undocumented parameter.
	if params, ok := callFor(t, c, base); ok {
		params["M365SimNoSuchParameter"] = "x"
		if r := call(params); !r.ambiguous("Invalid cmdlet parameters specified. M365SimNoSuchParameter") {
			t.Errorf("undocumented parameter: got %d %s, want the AmbiguousParameterSetException 400", r.Status, r.Raw)
		}
	}

	// Documented parameters: not modelled -> 501; modelled -> values.
	for _, rp := range c.ref.ParamsFor(svc) {
		set := bindableSet(c, sets, rp.Name)
		if _, modelled := c.Params[rp.Name]; !modelled {
			st.notModelled++
			if set == nil {
				set = setWith(sets, rp.Name)
			}
			if set == nil {
				t.Errorf("-%s of %s is in no parameter set", rp.Name, c.Name)
				continue
			}
			params := map[string]any{rp.Name: "x"}
			for _, r := range set.Required() {
				if _, ok := params[r]; !ok {
					v, _ := sampleValue(c, r)
					params[r] = v
				}
			}
			r := call(params)
			if !r.notModelled() || !strings.Contains(r.Body.Error.Message, "m365sim does not model -") {
				t.Errorf("documented but not modelled -%s: got %d %s, want m365sim's 501", rp.Name, r.Status, r.Raw)
			}
			continue
		}
		if rp.Values == nil {
			continue
		}
		if set == nil {
			t.Errorf("-%s of %s is modelled but no set containing it can be bound", rp.Name, c.Name)
			continue
		}
		params, ok := callFor(t, c, set)
		if !ok {
			continue
		}
		bogus := "M365SimNotAValue"
		var v any = bogus
		if c.Params[rp.Name].Type == TStrings {
			v = []string{bogus}
		}
		params[rp.Name] = v
		if r := call(params); !r.badEnum(rp.Name) {
			t.Errorf("-%s %s: got %d %s, want the bad-enum 400", rp.Name, bogus, r.Status, r.Raw)
		}
		for _, val := range rp.Values {
			var v any = val
			if c.Params[rp.Name].Type == TStrings {
				v = []string{val}
			}
			p2, _ := callFor(t, c, set)
			p2[rp.Name] = v
			if r := call(p2); r.bindingError() || r.notModelled() {
				t.Errorf("-%s %s (documented): got %d %s", rp.Name, val, r.Status, r.Raw)
			}
		}
	}

	// Required parameters, set by set.
	for _, set := range sets {
		if bindableSet(c, []*cmdletref.Set{set}, "") == nil {
			continue
		}
		params, ok := callFor(t, c, set)
		if !ok {
			continue
		}
		if r := call(params); r.bindingError() || r.notModelled() {
			t.Errorf("set %s with its required parameters %v: got %d %s", set.Name, set.Required(), r.Status, r.Raw)
		}
		for _, req := range set.Required() {
			less := map[string]any{}
			var names []string
			for k, v := range params {
				if k != req {
					less[k] = v
					names = append(names, k)
				}
			}
			r := call(less)
			if fitsSomeSet(sets, names) {
				if r.bindingError() {
					t.Errorf("without -%s another set fits %v, but m365sim refused: %s", req, names, r.Raw)
				}
			} else if !r.ambiguous(msgAmbiguousParameterSet) || !strings.Contains(r.Body.Error.Details[0].Message, req) {
				t.Errorf("set %s without required -%s: got %d %s, want the AmbiguousParameterSetException 400 naming it", set.Name, req, r.Status, r.Raw)
			}
		}
	}
}

func setWith(sets []*cmdletref.Set, param string) *cmdletref.Set {
	for _, s := range sets {
		if s.Param(param) != nil {
			return s
		}
	}
	return nil
}

// The bodies of the three binding-stage answers, exactly.
func TestBindingErrorBodies(t *testing.T) {
	s := startTest(t)
	r := probe(t, s, EndpointCompliance, "Get-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "x"})
	want := fmt.Sprintf("|%s|%s Invalid cmdlet parameters specified. Identity", exAmbiguousParameterSet, msgAmbiguousParameterSet)
	if !r.ambiguous("Identity") || r.Body.Error.Details[0].Message != want || r.Body.Error.Code != "BadRequest" {
		t.Errorf("unknown parameter: %d %s", r.Status, r.Raw)
	}
	if strings.Contains(r.Raw, "adminapi.warnings") {
		t.Errorf("the captured unknown-parameter body has no warnings annotation: %s", r.Raw)
	}

	r = probe(t, s, EndpointExchange, "Set-HostedOutboundSpamFilterPolicy", map[string]any{"Identity": "Default", "AutoForwardingMode": "Sometimes"})
	if !r.badEnum("AutoForwardingMode") || !strings.Contains(r.Body.Error.InnerError.InternalException.Message,
		`Cannot convert value "Sometimes" to type "AutoForwardingMode". Error: "Unable to match the identifier name Sometimes to a valid enumerator name. Specify one of the following enumerator names and try again: Automatic, Off, On"`) {
		t.Errorf("bad enum: %d %s", r.Status, r.Raw)
	}
	if strings.Contains(r.Raw, `"details"`) || !strings.Contains(r.Raw, `"@adminapi.warnings":[]`) {
		t.Errorf("bad enum body must have no details and carry the warnings annotation: %s", r.Raw)
	}

	r = probe(t, s, EndpointExchange, "Set-OrganizationConfig", map[string]any{"AuditDisabled": "yes"})
	if !r.badEnum("AuditDisabled") || !strings.Contains(r.Body.Error.InnerError.InternalException.Message, "Boolean parameters accept only Boolean values") {
		t.Errorf("string for a bool: %d %s", r.Status, r.Raw)
	}

	r = probe(t, s, EndpointCompliance, "Set-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "x", "Priority": 1})
	if !r.ambiguous("Missing mandatory parameters: RetentionDuration") {
		t.Errorf("missing required: %d %s", r.Status, r.Raw)
	}

	// Two parameters of different sets (Get-Mailbox -Identity is in the
	// Identity set, -Anr in AnrSet).
	r = probe(t, s, EndpointExchange, "Get-Mailbox", map[string]any{"Identity": "x", "Anr": "y"})
	if r.Status != 501 {
		// -Anr is not modelled, but the set check comes first.
		if !r.ambiguous("cannot be used together") {
			t.Errorf("mixed sets: %d %s", r.Status, r.Raw)
		}
	} else {
		t.Errorf("mixed sets must fail set resolution before the not-modelled check: %s", r.Raw)
	}

	// The not-modelled refusal is loud and cannot pass for a service answer.
	r = probe(t, s, EndpointExchange, "Set-Mailbox", map[string]any{"Identity": "x", "LitigationHoldEnabled": true})
	if !r.notModelled() || !strings.Contains(r.Body.Error.Message, "m365sim does not model -LitigationHoldEnabled of Set-Mailbox") {
		t.Errorf("not modelled: %d %s", r.Status, r.Raw)
	}

	// A cmdlet failure keeps the captured not-found shape.
	r = probe(t, s, EndpointExchange, "Get-Mailbox", map[string]any{"Identity": "nobody@contoso.com"})
	e := r.Body.Error
	if r.Status != 404 || e.Code != "NotFound" || e.Message != msgErrorExecuting || len(e.Details) != 1 ||
		!strings.HasPrefix(e.Details[0].Message, "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'nobody@contoso.com' couldn't be found on ") ||
		e.InnerError.Type != exODataService || e.InnerError.InternalException.Type != exDirectInvoke {
		t.Errorf("not found: %d %s", r.Status, r.Raw)
	}
}

// numericValues reports whether a value list holds only integers (an
// integer parameter with a documented list, such as -KeySize 1024|2048).
func numericValues(vals []string) bool {
	for _, v := range vals {
		if _, err := strconv.Atoi(v); err != nil {
			return false
		}
	}
	return len(vals) > 0
}
