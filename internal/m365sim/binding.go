package m365sim

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/m365harden/terraform-provider-m365harden/internal/cmdletref"
)

// Parameter binding of InvokeCommand calls, against Microsoft's cmdlet
// reference (package cmdletref: the documented parameter sets, required
// parameters and accepted values, with the recorded deviations).
//
// The order is PowerShell's: names first, then the parameter set, then each
// value. What the service answers at each step was captured from the live
// Exchange Online admin API by a public client (rknightion/graph2otel,
// internal/exoclient/errors_test.go: Get-QuarantineMessage -BogusParameter 1
// and -QuarantineTypes Nonsense):
//
//   - A name the cmdlet does not have: 400, error.message "Invalid
//     Operation", a details entry "|...AmbiguousParameterSetException|
//     Parameter set cannot be resolved using the specified named parameters.
//     Invalid cmdlet parameters specified. <name>", and the same in
//     innererror.internalexception.
//   - A value outside an enumeration: 400 "Invalid Operation" with no
//     details; the reason ("Cannot process argument transformation on
//     parameter 'X'. Cannot convert value ... Specify one of the following
//     enumerator names and try again: ...") only in
//     innererror.internalexception, type ...ParameterTransformationException.
//
// Names that exist but fit no parameter set together (two sets mixed, or a
// set's required parameter missing) fail PowerShell's parameter set
// resolution with the same AmbiguousParameterSet error ("One or more
// parameters issued cannot be used together or an insufficient number of
// parameters were provided", PowerShell/PowerShell #21500); the service's
// exact text for that case has not been captured, so the emulator uses the
// capture's shape with PowerShell's text. A value of the wrong type fails
// the same transformation step as a bad enumeration value.
//
// A parameter the reference documents but the emulator does not model is
// refused with m365sim's own 501 (errNotModelled), never ignored.

// Exception types of the binding stage.
const (
	exAmbiguousParameterSet   = "Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException"
	exParameterTransformation = "Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException"
	exParameterBinding        = "System.Management.Automation.ParameterBindingException"
)

const msgAmbiguousParameterSet = "Parameter set cannot be resolved using the specified named parameters."

// serviceOf is the service whose parameters apply on an endpoint.
func serviceOf(endpoint string) cmdletref.Service {
	if endpoint == EndpointCompliance {
		return cmdletref.SecurityCompliance
	}
	return cmdletref.ExchangeOnline
}

// refCmdlet returns the catalogue entry of a cmdlet the emulator registers;
// every served cmdlet must be in the catalogue.
func refCmdlet(name string) *cmdletref.Cmdlet {
	rc := cmdletref.Load().Cmdlet(name)
	if rc == nil {
		panic("m365sim: cmdlet " + name + " is not in the cmdlet catalogue (internal/cmdletref)")
	}
	return rc
}

// refValues returns a parameter's accepted values from the catalogue
// (deviations applied), for code that needs the list itself.
func refValues(cmdlet, param string) []string {
	p := refCmdlet(cmdlet).Param(param)
	if p == nil || p.Values == nil {
		panic("m365sim: the catalogue has no value list for -" + param + " of " + cmdlet)
	}
	return append([]string(nil), p.Values...)
}

func errParameterSet(detail string) *CmdletError {
	return &CmdletError{Status: 400, Code: "BadRequest", Stage: stageBinding, Exception: exAmbiguousParameterSet,
		Message: msgAmbiguousParameterSet + " " + detail}
}

func errTransformation(param, reason string) *CmdletError {
	return &CmdletError{Status: 400, Code: "BadRequest", Stage: stageBinding, Exception: exParameterTransformation,
		Message: fmt.Sprintf("Cannot process argument transformation on parameter '%s'. %s", param, reason)}
}

// errNotModelled refuses a documented parameter the emulator does not
// implement. 501 is not a status the InvokeCommand endpoint answers with,
// so no client mistakes it for the service's answer.
func errNotModelled(c *Cmdlet, param string, svc cmdletref.Service) *CmdletError {
	return &CmdletError{Status: 501, Code: "M365SimNotModelled", Stage: stageNotModelled, Exception: "m365sim.NotModelled",
		Message: fmt.Sprintf("m365sim does not model -%s of %s. The parameter is documented for %s (%s), so the real service would act on it; the emulator refuses it rather than ignore it. Model it in internal/m365sim or leave it out of the call.",
			param, c.Name, svc, c.ref.Doc)}
}

// bindParams validates and converts the request's parameters the way
// PowerShell parameter binding does: names are case-insensitive and must be
// documented for the endpoint's service, together they must fit one
// documented parameter set with its required parameters, values must have
// the parameter's type and be one of its documented values; enumeration
// values are stored in their canonical spelling.
func bindParams(c *Cmdlet, endpoint string, raw map[string]json.RawMessage) (map[string]any, *CmdletError) {
	svc := serviceOf(endpoint)
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)
	canon := make(map[string]string, len(names))
	var unknown, bound []string
	for _, n := range names {
		p := c.ref.Param(n)
		if p == nil || !p.AppliesTo(svc) {
			unknown = append(unknown, n)
			continue
		}
		for _, b := range bound {
			if b == p.Name {
				return nil, &CmdletError{Status: 400, Code: "BadRequest", Stage: stageBinding, Exception: exParameterBinding,
					Message: fmt.Sprintf("Cannot bind parameter because parameter '%s' is specified more than once.", p.Name)}
			}
		}
		canon[n] = p.Name
		bound = append(bound, p.Name)
	}
	if len(unknown) > 0 {
		return nil, errParameterSet("Invalid cmdlet parameters specified. " + strings.Join(unknown, ", "))
	}
	if err := resolveParameterSet(c.ref, svc, bound); err != nil {
		return nil, err
	}
	for _, n := range bound {
		if _, ok := c.Params[n]; !ok {
			return nil, errNotModelled(c, n, svc)
		}
	}
	out := make(map[string]any, len(names))
	for _, n := range names {
		name := canon[n]
		v, err := bindValue(name, c.Params[name], c.ref.Param(name), raw[n])
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// resolveParameterSet checks that the bound names fit one parameter set of
// the cmdlet with all its required parameters. When several sets fit, the
// call is accepted (PowerShell then takes the default set, which the
// reference does not record).
func resolveParameterSet(rc *cmdletref.Cmdlet, svc cmdletref.Service, names []string) *CmdletError {
	var missing []string
	for _, s := range rc.SetsFor(svc) {
		fits := true
		for _, n := range names {
			if s.Param(n) == nil {
				fits = false
				break
			}
		}
		if !fits {
			continue
		}
		var lack []string
		for _, r := range s.Required() {
			if !containsFold(names, r) {
				lack = append(lack, r)
			}
		}
		if len(lack) == 0 {
			return nil
		}
		for _, l := range lack {
			if !containsFold(missing, l) {
				missing = append(missing, l)
			}
		}
	}
	detail := "One or more parameters issued cannot be used together or an insufficient number of parameters were provided."
	if len(missing) > 0 {
		sort.Strings(missing)
		detail += " Missing mandatory parameters: " + strings.Join(missing, ", ") + "."
	}
	return errParameterSet(detail)
}

// MultiValueEdit is a bound {"Add":[...],"Remove":[...]} hashtable.
type MultiValueEdit struct {
	Add, Remove []string
}

// Apply edits a current multi-valued property.
func (m MultiValueEdit) Apply(cur []string) []string {
	out := append([]string(nil), cur...)
	for _, a := range m.Add {
		if !containsFold(out, a) {
			out = append(out, a)
		}
	}
	kept := out[:0]
	for _, v := range out {
		if !containsFold(m.Remove, v) {
			kept = append(kept, v)
		}
	}
	return kept
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// bindValue converts one value to the parameter's type. rp is the
// parameter's catalogue entry: its value list (if any) restricts the value.
func bindValue(name string, p Param, rp *cmdletref.Parameter, raw json.RawMessage) (any, *CmdletError) {
	convErr := func(val string) *CmdletError {
		return errTransformation(name, fmt.Sprintf("Cannot convert value \"%s\" to type \"%s\".", val, p.Type))
	}
	enumErr := func(val string) *CmdletError {
		return errTransformation(name, fmt.Sprintf("Cannot convert value \"%s\" to type \"%s\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again: %s\"",
			val, rp.Type, val, strings.Join(rp.Values, ", ")))
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, convErr(string(raw))
	}
	var out any
	switch p.Type {
	case TString:
		if v == nil && p.Nullable {
			out = nil
			break
		}
		s, ok := v.(string)
		if !ok {
			if f, isNum := v.(float64); isNum {
				s = strconv.FormatFloat(f, 'f', -1, 64)
			} else {
				return nil, convErr(string(raw))
			}
		}
		if p.MaxLen > 0 && len([]rune(s)) > p.MaxLen {
			return nil, errValidation(fmt.Sprintf("The length of the property is too long. The maximum length is %d and the length of the value provided is %d.", p.MaxLen, len([]rune(s))))
		}
		canon, ok := rp.Accepts(s)
		if !ok {
			return nil, enumErr(s)
		}
		out = canon
	case TBool, TSwitch:
		switch b := v.(type) {
		case bool:
			out = b
		case float64:
			out = b != 0
		default:
			return nil, errTransformation(name, fmt.Sprintf("Cannot convert value \"%v\" to type \"System.Boolean\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.", v))
		}
	case TInt, TResultSize:
		switch n := v.(type) {
		case float64:
			if n != float64(int64(n)) {
				return nil, convErr(string(raw))
			}
			out = int(n)
		case string:
			if p.Type == TResultSize && strings.EqualFold(n, "Unlimited") {
				out = "Unlimited"
				break
			}
			i, err := strconv.Atoi(n)
			if err != nil {
				return nil, convErr(n)
			}
			out = i
		default:
			return nil, convErr(string(raw))
		}
		if i, ok := out.(int); ok {
			// A numeric parameter with a documented value list (New-DkimSigningConfig
			// -KeySize 1024|2048) takes only those numbers.
			if rp != nil && rp.Values != nil {
				if _, ok := rp.Accepts(strconv.Itoa(i)); !ok {
					return nil, enumErr(strconv.Itoa(i))
				}
			}
			if p.Type == TResultSize && i < 1 {
				return nil, errValidation(fmt.Sprintf("Cannot validate argument on parameter '%s'. The %d argument is less than the minimum allowed range of 1.", name, i))
			}
			if p.Min != nil && i < *p.Min {
				return nil, errValidation(fmt.Sprintf("Cannot validate argument on parameter '%s'. The %d argument is less than the minimum allowed range of %d. Supply an argument that is greater than or equal to %d and then try the command again.", name, i, *p.Min, *p.Min))
			}
			if p.Max != nil && i > *p.Max {
				return nil, errValidation(fmt.Sprintf("Cannot validate argument on parameter '%s'. The %d argument is greater than the maximum allowed range of %d. Supply an argument that is less than or equal to %d and then try the command again.", name, i, *p.Max, *p.Max))
			}
		}
	case TStrings:
		list, err := bindStrings(name, v, raw)
		if err != nil {
			return nil, err
		}
		check := func(items []string) *CmdletError {
			for i, it := range items {
				canon, ok := rp.Accepts(it)
				if !ok {
					return enumErr(it)
				}
				items[i] = canon
			}
			return nil
		}
		switch o := list.(type) {
		case []string:
			if err := check(o); err != nil {
				return nil, err
			}
			if p.Max != nil && len(o) > *p.Max {
				return nil, errValidation(fmt.Sprintf("The number of values for %s exceeds the limit of %d.", name, *p.Max))
			}
		case MultiValueEdit:
			if err := check(o.Add); err != nil {
				return nil, err
			}
			if err := check(o.Remove); err != nil {
				return nil, err
			}
		}
		out = list
	case TTimeSpan:
		s, ok := v.(string)
		if !ok {
			return nil, convErr(string(raw))
		}
		d, err := ParseTimeSpan(s)
		if err != nil {
			return nil, convErr(s)
		}
		out = d
	}
	if p.Validate != nil {
		if err := p.Validate(out); err != nil {
			if ce, ok := err.(*CmdletError); ok {
				return nil, ce
			}
			return nil, errValidation(err.Error())
		}
	}
	return out, nil
}

// bindStrings binds a multi-valued property: an array, a single string, $null
// (empty) or a hashtable {"Add":[...],"Remove":[...]} that edits the current
// value.
func bindStrings(name string, v any, raw json.RawMessage) (any, *CmdletError) {
	convErr := func() *CmdletError {
		return errTransformation(name, fmt.Sprintf("Cannot convert value \"%s\" to type \"%s\".", string(raw), TStrings))
	}
	switch a := v.(type) {
	case nil:
		return []string{}, nil
	case string:
		return []string{a}, nil
	case []any:
		list := make([]string, 0, len(a))
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				return nil, convErr()
			}
			list = append(list, s)
		}
		return list, nil
	case map[string]any:
		var edit MultiValueEdit
		for k, ev := range a {
			if k == "@odata.type" {
				continue
			}
			var items []string
			switch e := ev.(type) {
			case string:
				items = []string{e}
			case []any:
				for _, x := range e {
					s, ok := x.(string)
					if !ok {
						return nil, convErr()
					}
					items = append(items, s)
				}
			default:
				return nil, convErr()
			}
			switch strings.ToLower(k) {
			case "add":
				edit.Add = items
			case "remove":
				edit.Remove = items
			default:
				return nil, errInvalidParam(name, fmt.Sprintf("The hashtable key '%s' is not valid; use Add or Remove.", k))
			}
		}
		return edit, nil
	}
	return nil, convErr()
}

func matchEnum(enum []string, v string) (string, bool) {
	for _, e := range enum {
		if strings.EqualFold(e, v) {
			return e, true
		}
	}
	return "", false
}
