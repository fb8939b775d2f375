// Package wireaudit checks the InvokeCommand calls a test sent to m365sim
// against Microsoft's cmdlet reference, and accumulates the distinct calls
// of a test run on disk so the run can report how many it checked.
//
// The checker is deliberately separate from m365sim's parameter binding: it
// reads the same catalogue (package cmdletref, deviations applied) with its
// own resolution, so a mistake in the emulator's binding does not hide a
// wrong call of the provider.
package wireaudit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/cmdletref"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Check returns what is wrong with a call according to the cmdlet
// reference: an unknown cmdlet, a parameter not documented for the
// endpoint's service, names that fit no parameter set with its required
// parameters, or a value outside a documented list. Nil means the call is
// documented.
func Check(c m365sim.WireCall) []string {
	svc := cmdletref.ExchangeOnline
	if c.Endpoint == m365sim.EndpointCompliance {
		svc = cmdletref.SecurityCompliance
	}
	rc := cmdletref.Load().Cmdlet(c.Cmdlet)
	if rc == nil {
		return []string{fmt.Sprintf("%s is not a cmdlet of the reference", c.Cmdlet)}
	}
	if !rc.AppliesTo(svc) {
		return []string{fmt.Sprintf("%s is not available in %s (%s)", c.Cmdlet, svc, rc.Doc)}
	}
	var problems []string
	for _, n := range c.Params {
		p := rc.Param(n)
		if p == nil || !p.AppliesTo(svc) {
			problems = append(problems, fmt.Sprintf("%s -%s: not a documented parameter in %s (%s)", rc.Name, n, svc, rc.Doc))
		}
	}
	if len(problems) > 0 {
		return problems
	}
	if !fitsASet(rc, svc, c.Params) {
		problems = append(problems, fmt.Sprintf("%s %s: the parameters fit no documented parameter set with all its required parameters (%s)",
			rc.Name, dashed(c.Params), describeSets(rc, svc)))
	}
	names := make([]string, 0, len(c.Values))
	for n := range c.Values {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := rc.Param(n)
		for _, v := range c.Values[n] {
			if !inList(p.Values, v) {
				problems = append(problems, fmt.Sprintf("%s -%s %q: not one of the documented values %s", rc.Name, p.Name, v, strings.Join(p.Values, ", ")))
			}
		}
	}
	return problems
}

// fitsASet: every name is in the set (the set's members that apply to the
// service) and every required member of the set is among the names.
func fitsASet(rc *cmdletref.Cmdlet, svc cmdletref.Service, names []string) bool {
	for _, set := range rc.Sets {
		members := map[string]bool{}
		usable := true
		for _, sp := range set.Params {
			p := rc.Param(sp.Name)
			applies := p != nil && p.AppliesTo(svc)
			if applies {
				members[strings.ToLower(sp.Name)] = true
			}
			if sp.Required && (!applies || !inList(names, sp.Name)) {
				usable = false
			}
		}
		for _, n := range names {
			if !members[strings.ToLower(n)] {
				usable = false
			}
		}
		if usable {
			return true
		}
	}
	return false
}

func describeSets(rc *cmdletref.Cmdlet, svc cmdletref.Service) string {
	var parts []string
	for _, s := range rc.SetsFor(svc) {
		req := s.Required()
		if len(req) == 0 {
			req = []string{"none"}
		}
		parts = append(parts, fmt.Sprintf("set %s requires %s", s.Name, strings.Join(req, ", ")))
	}
	return strings.Join(parts, "; ")
}

func dashed(names []string) string {
	if len(names) == 0 {
		return "(no parameters)"
	}
	return "-" + strings.Join(names, " -")
}

func inList(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// DirName is the folder under os.TempDir() where each test binary keeps the
// distinct calls it checked.
const DirName = "m365harden-wire-audit"

// Dir is the folder of the run's audit files.
func Dir() string { return filepath.Join(os.TempDir(), DirName) }

// File is one test binary's audit file.
type File struct {
	Package string             `json:"package"`
	Calls   []m365sim.WireCall `json:"calls"`
}

var (
	mu   sync.Mutex
	seen = map[string]m365sim.WireCall{}
)

// Record adds a test's calls to this test binary's set of distinct calls
// and rewrites the binary's audit file (pkg names the test package, e.g.
// internal/services/audit). It returns the number of distinct calls the
// binary has recorded.
func Record(pkg string, calls []m365sim.WireCall) (int, error) {
	mu.Lock()
	defer mu.Unlock()
	for _, c := range calls {
		seen[c.Key()] = c
	}
	f := File{Package: pkg, Calls: make([]m365sim.WireCall, 0, len(seen))}
	for _, c := range seen {
		f.Calls = append(f.Calls, c)
	}
	sort.Slice(f.Calls, func(i, j int) bool { return f.Calls[i].Key() < f.Calls[j].Key() })
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(Dir(), 0o755); err != nil {
		return 0, err
	}
	name := strings.NewReplacer("/", "_", "\\", "_").Replace(pkg) + ".json"
	tmp, err := os.CreateTemp(Dir(), ".tmp-*")
	if err != nil {
		return 0, err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return 0, err
	}
	return len(seen), os.Rename(tmp.Name(), filepath.Join(Dir(), name))
}

// Load reads every audit file in dir and returns the distinct calls across
// them and the packages that recorded calls.
func Load(dir string) ([]m365sim.WireCall, []string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	all := map[string]m365sim.WireCall{}
	var pkgs []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, nil, err
		}
		var f File
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		pkgs = append(pkgs, f.Package)
		for _, c := range f.Calls {
			all[c.Key()] = c
		}
	}
	out := make([]m365sim.WireCall, 0, len(all))
	for _, c := range all {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	sort.Strings(pkgs)
	return out, pkgs, nil
}

// Audit checks, when the test ends, every distinct InvokeCommand call the
// emulator received from the provider (the control surface's calls are not
// recorded) and fails the test on an undocumented cmdlet, parameter,
// parameter combination or value; it then adds the calls to this test
// binary's audit file. acctest.NewTenant calls it; tests that start m365sim
// themselves call it after m365sim.Start.
func Audit(t testing.TB, s *m365sim.Server) {
	t.Helper()
	t.Cleanup(func() {
		calls := s.WireCalls()
		for _, c := range calls {
			for _, p := range Check(c) {
				t.Errorf("wire audit: the provider sent %s: %s", c.Key(), p)
			}
		}
		if len(calls) == 0 {
			return
		}
		if _, err := Record(testPackage(), calls); err != nil {
			t.Errorf("wire audit: recording the calls: %v", err)
		}
	})
}

// testPackage names the package under test by its folder relative to the
// module root (go test runs a package's tests in its folder).
func testPackage() string {
	wd, err := os.Getwd()
	if err != nil {
		return "unknown"
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if rel, err := filepath.Rel(dir, wd); err == nil {
				return filepath.ToSlash(rel)
			}
			break
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	return filepath.Base(wd)
}
