// Package cmdletref is Microsoft's Exchange PowerShell cmdlet reference as
// data: for each cmdlet the documented parameter sets, which parameters are
// required, their types, the services they apply to and the values they
// accept. It is extracted from MicrosoftDocs/office-docs-powershell
// (CC BY 4.0; see README.md) and embedded in the binary.
//
// Two views are offered. The documented one is the reference as written
// (Parameter.Documented, SetParam.DocumentedRequired); the effective one
// applies the project's recorded readings of it (deviations.go:
// Parameter.Values, SetParam.Required), each with its source. m365sim binds
// calls against the effective view; tests hold both the emulator and the
// provider to it.
package cmdletref

import (
	_ "embed" // the catalogue file
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

//go:embed exchange-cmdlets.json
var catalogueJSON []byte

// Service is a Microsoft service a cmdlet or parameter applies to, as the
// reference's "Applicable" line names it. Only the cloud services are kept.
type Service string

// The services the catalogue keeps.
const (
	ExchangeOnline           Service = "Exchange Online"
	ExchangeOnlineProtection Service = "Exchange Online Protection"
	SecurityCompliance       Service = "Security & Compliance"
)

var cloudServices = []Service{ExchangeOnline, ExchangeOnlineProtection, SecurityCompliance}

// Catalogue is the cmdlet reference.
type Catalogue struct {
	// Source names the repository and folder the facts come from, Commit
	// the commit, Licence the licence of the source.
	Source, Commit, Licence string

	cmdlets map[string]*Cmdlet // by lower-case name
	names   []string
}

// Cmdlet is one cmdlet of the reference.
type Cmdlet struct {
	Name string
	// Doc is the reference page.
	Doc string
	// Services the cmdlet is available in (cloud services only).
	Services []Service
	// Sets are the parameter sets, by name.
	Sets []*Set

	params map[string]*Parameter // by lower-case name
	names  []string
}

// Set is one parameter set.
type Set struct {
	Name   string
	Params []*SetParam
}

// SetParam is a parameter's membership of a set.
type SetParam struct {
	Name, Type string
	// Required is the effective required-ness (deviations applied);
	// DocumentedRequired is the reference's.
	Required, DocumentedRequired bool
}

// Parameter is one parameter of a cmdlet.
type Parameter struct {
	Name string
	// Type is the .NET type the reference gives (e.g. "Boolean",
	// "MultiValuedProperty", "UnifiedAuditLogRetentionDuration").
	Type string
	// Services the parameter applies to (cloud services only).
	Services []Service
	// Sets names the parameter sets the parameter is in ("(All)" for all).
	Sets []string
	// AcceptedValues is the reference's "Accepted values" metadata line;
	// ValidValues the values its description lists, with their notes.
	AcceptedValues []string
	ValidValues    []Value
	// Documented is the reference's list of accepted values in the cloud
	// services (see documentedValues), nil when it documents none.
	Documented []string
	// Values is the effective list: Documented with the deviations
	// applied. Nil means the reference restricts the value by type only.
	Values []string
	// Deviations that concern this parameter.
	Deviations []*Deviation
}

// Value is a value a parameter's description lists, with its note.
type Value struct {
	Value string `json:"value"`
	Note  string `json:"note,omitempty"`
}

var (
	loadOnce sync.Once
	loaded   *Catalogue
	loadErr  error
)

// Load returns the embedded catalogue with the deviations applied. The file
// is part of the build, so a file that does not parse is a programming
// error: Load panics (the package's tests parse it).
func Load() *Catalogue {
	loadOnce.Do(func() { loaded, loadErr = parse(catalogueJSON, Deviations) })
	if loadErr != nil {
		panic("cmdletref: " + loadErr.Error())
	}
	return loaded
}

type rawFile struct {
	Source  string               `json:"source"`
	Commit  string               `json:"commit"`
	Licence string               `json:"licence"`
	Cmdlets map[string]rawCmdlet `json:"cmdlets"`
}

type rawCmdlet struct {
	Applicable    []string                 `json:"applicable"`
	Doc           string                   `json:"doc"`
	ParameterSets map[string][]rawSetParam `json:"parameter_sets"`
	Parameters    map[string]rawParam      `json:"parameters"`
}

type rawSetParam struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
	Type     string `json:"type"`
}

type rawParam struct {
	Applicable     []string `json:"applicable"`
	ParameterSets  []string `json:"parameter_sets"`
	Type           string   `json:"type"`
	AcceptedValues []string `json:"accepted_values"`
	ValidValues    []Value  `json:"valid_values"`
}

func parse(data []byte, devs []Deviation) (*Catalogue, error) {
	var f rawFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	cat := &Catalogue{Source: f.Source, Commit: f.Commit, Licence: f.Licence, cmdlets: map[string]*Cmdlet{}}
	for name, rc := range f.Cmdlets {
		c := &Cmdlet{Name: name, Doc: rc.Doc, Services: cloudOnly(rc.Applicable), params: map[string]*Parameter{}}
		for pn, rp := range rc.Parameters {
			p := &Parameter{Name: pn, Type: rp.Type, Services: cloudOnly(rp.Applicable), Sets: rp.ParameterSets,
				AcceptedValues: rp.AcceptedValues, ValidValues: rp.ValidValues}
			p.Documented = documentedValues(rp)
			p.Values = p.Documented
			c.params[strings.ToLower(pn)] = p
			c.names = append(c.names, pn)
		}
		sort.Strings(c.names)
		for sn, members := range rc.ParameterSets {
			s := &Set{Name: sn}
			for _, m := range members {
				if c.Param(m.Name) == nil {
					return nil, fmt.Errorf("%s: set %s names %s, which has no parameter entry", name, sn, m.Name)
				}
				s.Params = append(s.Params, &SetParam{Name: m.Name, Type: m.Type, Required: m.Required, DocumentedRequired: m.Required})
			}
			c.Sets = append(c.Sets, s)
		}
		sort.Slice(c.Sets, func(i, j int) bool { return c.Sets[i].Name < c.Sets[j].Name })
		cat.cmdlets[strings.ToLower(name)] = c
		cat.names = append(cat.names, name)
	}
	sort.Strings(cat.names)
	for i := range devs {
		if err := cat.apply(&devs[i]); err != nil {
			return nil, err
		}
	}
	return cat, nil
}

func cloudOnly(applicable []string) []Service {
	var out []Service
	for _, a := range applicable {
		for _, s := range cloudServices {
			if a == string(s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// Cmdlet returns the cmdlet of that name (case-insensitive), or nil.
func (c *Catalogue) Cmdlet(name string) *Cmdlet { return c.cmdlets[strings.ToLower(name)] }

// Names returns the cmdlet names, sorted.
func (c *Catalogue) Names() []string { return append([]string(nil), c.names...) }

// AppliesTo reports whether the cmdlet is available in the service.
func (c *Cmdlet) AppliesTo(s Service) bool { return hasService(c.Services, s) }

// Param returns the parameter of that name (case-insensitive), or nil.
func (c *Cmdlet) Param(name string) *Parameter { return c.params[strings.ToLower(name)] }

// Params returns every parameter, sorted by name.
func (c *Cmdlet) Params() []*Parameter {
	out := make([]*Parameter, 0, len(c.names))
	for _, n := range c.names {
		out = append(out, c.Param(n))
	}
	return out
}

// ParamsFor returns the parameters that apply to the service, sorted.
func (c *Cmdlet) ParamsFor(s Service) []*Parameter {
	var out []*Parameter
	for _, p := range c.Params() {
		if p.AppliesTo(s) {
			out = append(out, p)
		}
	}
	return out
}

// SetsFor returns the parameter sets as seen from the service: each set
// keeps the parameters that apply to the service; a set that requires a
// parameter the service does not have is left out (it cannot be used there).
func (c *Cmdlet) SetsFor(s Service) []*Set {
	var out []*Set
	for _, set := range c.Sets {
		reduced := &Set{Name: set.Name}
		usable := true
		for _, sp := range set.Params {
			if p := c.Param(sp.Name); p != nil && p.AppliesTo(s) {
				reduced.Params = append(reduced.Params, sp)
			} else if sp.Required {
				usable = false
			}
		}
		if usable {
			out = append(out, reduced)
		}
	}
	return out
}

// Param returns the set's member of that name (case-insensitive), or nil.
func (s *Set) Param(name string) *SetParam {
	for _, p := range s.Params {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// Required returns the names of the set's (effectively) required
// parameters.
func (s *Set) Required() []string {
	var out []string
	for _, p := range s.Params {
		if p.Required {
			out = append(out, p.Name)
		}
	}
	return out
}

// AppliesTo reports whether the parameter is available in the service.
func (p *Parameter) AppliesTo(s Service) bool { return hasService(p.Services, s) }

// Accepts matches a value against the effective value list,
// case-insensitively as PowerShell matches enumeration names, and returns
// the value in the list's spelling. A parameter without a list accepts
// every value unchanged.
func (p *Parameter) Accepts(v string) (string, bool) {
	if p.Values == nil {
		return v, true
	}
	for _, a := range p.Values {
		if strings.EqualFold(a, v) {
			return a, true
		}
	}
	return "", false
}

func hasService(list []Service, s Service) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
