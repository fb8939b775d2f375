package m365sim

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"

	"github.com/m365harden/terraform-provider-m365harden/internal/cmdletref"
)

// The wire log records every distinct InvokeCommand call the emulator
// receives from a client (not from the control surface): endpoint, cmdlet,
// parameter names and the values of parameters that have a documented value
// list. The acceptance harness checks each against the cmdlet reference, so
// the provider can never send an undocumented parameter, combination or
// value without a test failing.

// WireCall is one distinct call, as sent.
type WireCall struct {
	Endpoint string   `json:"endpoint"`
	Cmdlet   string   `json:"cmdlet"`
	Params   []string `json:"params"` // parameter names as sent, sorted
	// Values holds, for each parameter whose catalogue entry has a value
	// list, the distinct values sent (array elements and Add/Remove
	// hashtable entries included), sorted.
	Values map[string][]string `json:"values,omitempty"`
}

// Key identifies the call among distinct calls.
func (w WireCall) Key() string {
	var b strings.Builder
	b.WriteString(w.Endpoint + " " + w.Cmdlet)
	for _, p := range w.Params {
		b.WriteString(" -" + p)
		if v, ok := w.Values[p]; ok {
			b.WriteString("=" + strings.Join(v, ","))
		}
	}
	return b.String()
}

type wireLog struct {
	mu    sync.Mutex
	calls map[string]WireCall
}

func (l *wireLog) record(endpoint, cmdlet string, params map[string]json.RawMessage) {
	c := WireCall{Endpoint: endpoint, Cmdlet: cmdlet, Params: make([]string, 0, len(params))}
	rc := cmdletref.Load().Cmdlet(cmdlet)
	for name, raw := range params {
		c.Params = append(c.Params, name)
		if rc == nil {
			continue
		}
		if p := rc.Param(name); p != nil && p.Values != nil {
			if vals := wireValues(raw); len(vals) > 0 {
				if c.Values == nil {
					c.Values = map[string][]string{}
				}
				c.Values[name] = vals
			}
		}
	}
	sort.Strings(c.Params)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.calls == nil {
		l.calls = map[string]WireCall{}
	}
	l.calls[c.Key()] = c
}

// wireValues returns the strings in a raw value: a string, an array of
// strings or an {"Add":...,"Remove":...} hashtable.
func wireValues(raw json.RawMessage) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case string:
			out = append(out, t)
		case []any:
			for _, e := range t {
				walk(e)
			}
		case map[string]any:
			for k, e := range t {
				if k != "@odata.type" {
					walk(e)
				}
			}
		}
	}
	walk(v)
	sort.Strings(out)
	dedup := out[:0]
	for i, s := range out {
		if i == 0 || s != out[i-1] {
			dedup = append(dedup, s)
		}
	}
	return dedup
}

// WireCalls returns the distinct calls received from clients so far, sorted
// by Key.
func (s *Server) WireCalls() []WireCall {
	s.wire.mu.Lock()
	defer s.wire.mu.Unlock()
	out := make([]WireCall, 0, len(s.wire.calls))
	for _, c := range s.wire.calls {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}
