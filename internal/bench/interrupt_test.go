package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Ctrl-C in the middle of the shipped baseline's apply (examples/baseline),
// as an operator presses it: SIGINT to the terraform process (Terraform
// asks the provider to stop; the provider is a separate process, as in
// production), then a second apply and a plan. At every interruption point
// the tenant must hold each declared object exactly once (no duplicate),
// every object the applies made must be in state (no orphan), the second
// apply must succeed and the plan after it must be empty.
//
// The points are placed by writes, not by the clock alone, so that they land
// in the same phase on a slow machine: a reference apply records the writes
// m365sim receives (W, all sent at once: Terraform creates in parallel) and
// how long the apply runs after the first of them. Each point is one of:
//
//   - in flight at write K (K = 1..W, at most ten spread over them): SIGINT
//     when the K-th write reaches m365sim, which holds the request until
//     the provider has been told to stop and then runs it. The provider's
//     request is cancelled; the service still carries it out (the "applied,
//     answer lost" case of a create).
//   - waiting, d after the first write (the other points, d spread over the
//     rest of the reference apply): the writes have been answered and, with
//     replication lag on every service, the provider is waiting for objects
//     to read back, sending follow-up writes, or reading the posture.
//
// Writes on all services replicate with a lag (interruptLag), so reads
// right after a create answer "not found".

// interruptLag is the replication lag of every service during the test.
const interruptLag = 2 * time.Second

// interruptKinds are the baseline's object kinds with names: the resource
// type, the attribute holding the name, and how to list the tenant's
// objects of that kind.
var interruptKinds = []struct {
	resType, nameAttr, endpoint, list string
}{
	{"m365harden_remote_domain", "name", m365sim.EndpointExchange, "Get-RemoteDomain"},
	{"m365harden_outbound_spam_filter_policy", "name", m365sim.EndpointExchange, "Get-HostedOutboundSpamFilterPolicy"},
	{"m365harden_transport_rule", "name", m365sim.EndpointExchange, "Get-TransportRule"},
	{"m365harden_audit_log_retention_policy", "name", m365sim.EndpointCompliance, "Get-UnifiedAuditLogRetentionPolicy"},
	{"m365harden_alert_policy", "name", m365sim.EndpointCompliance, "Get-ProtectionAlert"},
	{"m365harden_conditional_access_policy", "display_name", m365sim.EndpointGraph, "/identity/conditionalAccess/policies"},
}

// inventory is, per resource type, the names of the tenant's objects of
// that kind (lower case, one entry per object: a duplicate appears twice).
type inventory map[string][]string

func takeInventory(t *testing.T, tn *acctest.Tenant) inventory {
	t.Helper()
	inv := inventory{}
	for _, k := range interruptKinds {
		inv[k.resType] = tn.Names(t, k.endpoint, k.list)
	}
	return inv
}

// stateObjects reads the working directory's state: per resource type the
// names recorded, and the addresses of tainted instances.
func (w *workdir) stateObjects(t *testing.T) (inventory, []string) {
	t.Helper()
	code, out := w.run("state", "pull")
	if code != 0 {
		t.Fatalf("terraform state pull: exit %d\n%s", code, out)
	}
	var st struct {
		Resources []struct {
			Mode, Type, Name string
			Instances        []struct {
				IndexKey   any            `json:"index_key"`
				Status     string         `json:"status"`
				Attributes map[string]any `json:"attributes"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("terraform state pull: %v\n%s", err, out)
	}
	inv, tainted := inventory{}, []string(nil)
	for _, r := range st.Resources {
		if r.Mode != "managed" {
			continue
		}
		for _, in := range r.Instances {
			if in.Status == "tainted" {
				tainted = append(tainted, r.Type+"."+r.Name)
			}
			for _, k := range interruptKinds {
				if k.resType == r.Type {
					inv[r.Type] = append(inv[r.Type], strings.ToLower(fmt.Sprint(in.Attributes[k.nameAttr])))
				}
			}
		}
	}
	return inv, tainted
}

// compareInventory returns the duplicates (a name the tenant holds more
// than once) and orphans (an object the tenant holds, was not there before
// and is not in state) of each kind.
func compareInventory(before, tenant, state inventory) (dups, orphans []string) {
	for _, k := range interruptKinds {
		count := map[string]int{}
		for _, n := range tenant[k.resType] {
			count[n]++
		}
		inState := map[string]bool{}
		for _, n := range state[k.resType] {
			inState[n] = true
		}
		existed := map[string]bool{}
		for _, n := range before[k.resType] {
			existed[n] = true
		}
		names := make([]string, 0, len(count))
		for n := range count {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if count[n] > 1 {
				dups = append(dups, fmt.Sprintf("%s %q x%d", k.resType, n, count[n]))
			}
			if !existed[n] && !inState[n] {
				orphans = append(orphans, fmt.Sprintf("%s %q", k.resType, n))
			}
		}
	}
	return dups, orphans
}

// interruptConfig is the shipped baseline for the tenant, with the
// terraform block that installs the provider from the -plugin-dir.
func interruptConfig(t *testing.T, tn *acctest.Tenant) string {
	return "terraform {\n  required_providers {\n    m365harden = {\n      source = \"m365harden/m365harden\"\n    }\n  }\n}\n\n" + tn.Example(t, "baseline/main.tf")
}

// interruptTenant is a fresh emulated tenant with replication lag on every
// service and a log of the writes it receives.
type interruptTenant struct {
	tn     *acctest.Tenant
	start  time.Time
	n      atomic.Int64
	mu     sync.Mutex
	writes []string // "3 +1.234s exchange New-TransportRule"
	first  time.Duration
	// at, when set, is called with the number of each write before it
	// runs (it may block, holding the write).
	at func(k int64, e m365sim.WriteEvent)
}

func newInterruptTenant(t *testing.T) *interruptTenant {
	it := &interruptTenant{tn: acctest.NewTenant(t)}
	for _, ep := range []string{m365sim.EndpointExchange, m365sim.EndpointCompliance, m365sim.EndpointGraph} {
		it.tn.Sim.SetReplicationLag(ep, interruptLag)
	}
	it.tn.Sim.ObserveWrites(func(e m365sim.WriteEvent) {
		k := it.n.Add(1)
		it.mu.Lock()
		if k == 1 {
			it.first = time.Since(it.start)
		}
		it.writes = append(it.writes, fmt.Sprintf("%d +%.1fs %s %s", k, time.Since(it.start).Seconds(), e.Endpoint, e.Op))
		at := it.at
		it.mu.Unlock()
		if at != nil {
			at(k, e)
		}
	})
	return it
}

func (it *interruptTenant) reset() {
	it.mu.Lock()
	defer it.mu.Unlock()
	it.start, it.writes, it.first = time.Now(), nil, 0
	it.n.Store(0)
}

// firstWrite is when the first write arrived, from the start.
func (it *interruptTenant) firstWrite() time.Duration {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.first
}

func (it *interruptTenant) log() []string {
	it.mu.Lock()
	defer it.mu.Unlock()
	return append([]string(nil), it.writes...)
}

// lockedBuffer collects a process's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// interruptPoint is one interruption: in flight at the K-th write, or
// after that long past it.
type interruptPoint struct {
	k        int
	inFlight bool
	after    time.Duration
}

func (p interruptPoint) String() string {
	if p.inFlight {
		return fmt.Sprintf("write %d in flight", p.k)
	}
	return fmt.Sprintf("%.2fs after write %d", p.after.Seconds(), p.k)
}

// interruptResult is what happened at one point, for the test log.
type interruptResult struct {
	point            interruptPoint
	write            string   // the write at which SIGINT was sent
	inProgress       []string // resources being created or changed when Terraform got the signal
	firstExit        int
	firstDiagnostics []string // Error/Warning headlines of the interrupted apply
	tainted          []string // tainted instances after the interrupted apply
	secondExit       int
	secondSummary    string
	planExit         int
	dups, orphans    []string
	wall             time.Duration
	failure          string
}

var (
	startedRe  = regexp.MustCompile(`(?m)^(\S+): (Creating|Modifying|Destroying)\.\.\.`)
	finishedRe = regexp.MustCompile(`(?m)^(\S+): (Creation|Modifications|Destruction) complete`)
	diagRe     = regexp.MustCompile(`(?m)^(Error|Warning): (.*)$`)
	summaryRe  = regexp.MustCompile(`(?m)^Apply complete!.*$`)
)

// inProgressAt lists the resources an apply had started and not finished
// when Terraform printed "Interrupt received".
func inProgressAt(out string) []string {
	i := strings.Index(out, "Interrupt received")
	if i < 0 {
		return nil
	}
	out = out[:i]
	open := map[string]bool{}
	for _, m := range startedRe.FindAllStringSubmatch(out, -1) {
		open[m[1]] = true
	}
	for _, m := range finishedRe.FindAllStringSubmatch(out, -1) {
		delete(open, m[1])
	}
	var names []string
	for n := range open {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// diagnostics lists an output's Error and Warning headlines, each once,
// with a count when repeated.
func diagnostics(out string) []string {
	var order []string
	count := map[string]int{}
	for _, m := range diagRe.FindAllStringSubmatch(out, -1) {
		d := m[1] + ": " + strings.TrimSpace(m[2])
		if count[d] == 0 {
			order = append(order, d)
		}
		count[d]++
	}
	for i, d := range order {
		if count[d] > 1 {
			order[i] = fmt.Sprintf("%s (x%d)", d, count[d])
		}
	}
	return order
}

// terraformPath is the terraform CLI the tests run.
func terraformPath() string {
	if tf := os.Getenv("TF_ACC_TERRAFORM_PATH"); tf != "" {
		return tf
	}
	return "terraform"
}

// interruptedApply starts terraform apply and sends it SIGINT at the
// point; it returns the exit code, the output and the write interrupted.
func interruptedApply(t *testing.T, w *workdir, it *interruptTenant, p interruptPoint) (int, string, string) {
	hit := make(chan string, 1)
	sent := make(chan struct{})
	it.mu.Lock()
	it.at = func(k int64, e m365sim.WriteEvent) {
		if k != int64(p.k) {
			return
		}
		hit <- e.Endpoint + " " + e.Op
		if p.inFlight {
			// Hold the write until Terraform has the signal and the
			// provider has been stopped, then run it.
			<-sent
			time.Sleep(500 * time.Millisecond)
		}
	}
	it.mu.Unlock()
	defer func() {
		it.mu.Lock()
		it.at = nil
		it.mu.Unlock()
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, terraformPath(), "apply", "-input=false", "-auto-approve", "-no-color")
	var out lockedBuffer
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = w.dir, w.env, &out, &out
	it.reset()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var write string
	var err error
	select {
	case write = <-hit:
		if !p.inFlight {
			time.Sleep(p.after)
		}
		// An apply that has just ended is told apart by its output (no
		// "Interrupt received").
		if serr := cmd.Process.Signal(os.Interrupt); serr != nil && !errors.Is(serr, os.ErrProcessDone) {
			t.Errorf("SIGINT: %v", serr)
		}
		close(sent)
		err = <-done
	case err = <-done:
		close(sent)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), write
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String(), write
	default:
		t.Fatalf("terraform apply: %v\n%s", err, out.String())
		return -1, "", ""
	}
}

func TestAccBaseline_interruptedApply(t *testing.T) {
	start := time.Now()

	// The reference apply: the writes a whole baseline apply makes, and how
	// long it runs after the first.
	ref := newInterruptTenant(t)
	before := takeInventory(t, ref.tn)
	w := newWorkdir(t, interruptConfig(t, ref.tn))
	ref.reset()
	w.must(t, "apply", "-input=false", "-auto-approve", "-no-color")
	applyWall := time.Since(ref.start)
	writes, firstWrite := ref.log(), ref.firstWrite()
	w.planEmpty(t)
	state, _ := w.stateObjects(t)
	time.Sleep(interruptLag) // the control surface reads as a client does
	if dups, orphans := compareInventory(before, takeInventory(t, ref.tn), state); len(dups)+len(orphans) > 0 {
		t.Fatalf("the uninterrupted apply left duplicates %q, orphans %q", dups, orphans)
	}
	// The baseline creates six objects and changes two (the Default remote
	// domain and outbound spam policy).
	if len(writes) < 8 {
		t.Fatalf("the reference apply made %d writes, want at least 8 (m365sim's write log):\n%s", len(writes), strings.Join(writes, "\n"))
	}
	t.Logf("reference apply (replication lag %s): %.1fs, first write at %.1fs, %d writes:\n  %s", interruptLag, applyWall.Seconds(), firstWrite.Seconds(), len(writes), strings.Join(writes, "\n  "))

	// Twenty points: in flight at up to ten writes spread over 1..W, the
	// others spread over the time the apply runs after the first write.
	const total = 20
	var points []interruptPoint
	inFlight := min(len(writes), total/2)
	for j := 0; j < inFlight; j++ {
		k := 1
		if inFlight > 1 {
			k = 1 + (j*(len(writes)-1)+(inFlight-1)/2)/(inFlight-1)
		}
		points = append(points, interruptPoint{k: k, inFlight: true})
	}
	// Three quarters of the time after the first write: the waits for
	// replication and the follow-up writes come first, the posture's reads
	// last.
	window := (applyWall - firstWrite) * 3 / 4
	for j, n := 0, total-inFlight; j < n; j++ {
		points = append(points, interruptPoint{k: 1, after: window * time.Duration(j+1) / time.Duration(n)})
	}

	const concurrency = 5
	sem := make(chan struct{}, concurrency)
	results := make([]*interruptResult, len(points))
	var wg sync.WaitGroup
	pointsStart := time.Now()
	for i, p := range points {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := &interruptResult{point: p, firstExit: -1, secondExit: -1, planExit: -1}
			results[i] = r
			t.Run(fmt.Sprintf("point%02d", i+1), func(t *testing.T) {
				runInterruptPoint(t, p, r)
			})
		}()
	}
	wg.Wait()

	var dups, orphans, plans, failed int
	var b strings.Builder
	for i, r := range results {
		dups += len(r.dups)
		orphans += len(r.orphans)
		if r.planExit > 0 {
			plans++
		}
		if r.failure != "" {
			failed++
		}
		fmt.Fprintf(&b, "point %2d (%s) %.0fs: SIGINT at %q; in progress %v; interrupted apply exit %d %q; tainted %v; second apply exit %d %q; plan exit %d; duplicates %v; orphans %v\n",
			i+1, r.point, r.wall.Seconds(), r.write, r.inProgress, r.firstExit, r.firstDiagnostics, r.tainted, r.secondExit, r.secondSummary, r.planExit, r.dups, r.orphans)
	}
	t.Logf("interruption points:\n%s", b.String())
	t.Logf("%d points (concurrency %d): %d duplicates, %d orphans, %d plans not empty, %d points failed; points %.0fs, test wall time %.0fs",
		len(points), concurrency, dups, orphans, plans, failed, time.Since(pointsStart).Seconds(), time.Since(start).Seconds())
}

// runInterruptPoint interrupts one apply of the baseline on a fresh
// tenant, applies again, plans, and checks the tenant against state.
func runInterruptPoint(t *testing.T, p interruptPoint, r *interruptResult) {
	start := time.Now()
	defer func() { r.wall = time.Since(start) }()
	fail := func(format string, args ...any) {
		r.failure = fmt.Sprintf(format, args...)
		t.Fatalf("interrupted at %s: %s", r.point, r.failure)
	}
	var (
		it        *interruptTenant
		before    inventory
		w         *workdir
		code      int
		out       string
		write     string
		attempted []string
	)
	// A point placed by time may come after the end of this apply (the
	// machine's load changes): then it is moved earlier, on a fresh tenant.
	for attempt := 0; ; attempt++ {
		it = newInterruptTenant(t)
		before = takeInventory(t, it.tn)
		w = newWorkdir(t, interruptConfig(t, it.tn))
		code, out, write = interruptedApply(t, w, it, p)
		r.point = p
		if write != "" && strings.Contains(out, "Interrupt received") {
			break
		}
		attempted = append(attempted, fmt.Sprintf("%s: the apply ended (exit %d) before the signal, after %d writes", p, code, len(it.log())))
		if p.inFlight || attempt == 2 {
			fail("no interruption: %s\n%s\n%s", strings.Join(attempted, "; "), strings.Join(it.log(), "\n"), out)
		}
		p.after /= 2
	}
	if len(attempted) > 0 {
		t.Logf("moved earlier: %s", strings.Join(attempted, "; "))
	}
	r.firstExit, r.write = code, write
	r.inProgress, r.firstDiagnostics = inProgressAt(out), diagnostics(out)
	t.Logf("interrupted apply (exit %d), writes:\n  %s\n%s", code, strings.Join(it.log(), "\n  "), out)
	// What was created is recorded: once the interrupted writes have
	// replicated, every new object in the tenant is in state.
	state, tainted := w.stateObjects(t)
	r.tainted = tainted
	time.Sleep(interruptLag)
	r.dups, r.orphans = compareInventory(before, takeInventory(t, it.tn), state)
	if len(r.dups)+len(r.orphans) > 0 {
		fail("after the interrupted apply the tenant holds duplicates %q and objects not in state %q", r.dups, r.orphans)
	}

	code, out = w.run("apply", "-input=false", "-auto-approve", "-no-color")
	r.secondExit = code
	r.secondSummary = summaryRe.FindString(out)
	if code != 0 {
		fail("the second apply failed (exit %d):\n%s", code, out)
	}
	code, out = w.run("plan", "-input=false", "-detailed-exitcode", "-no-color")
	r.planExit = code
	if code != 0 {
		fail("the plan after the second apply is not empty (terraform plan -detailed-exitcode exit %d):\n%s", code, out)
	}
	state, _ = w.stateObjects(t)
	time.Sleep(interruptLag) // the control surface reads as a client does
	r.dups, r.orphans = compareInventory(before, takeInventory(t, it.tn), state)
	if len(r.dups)+len(r.orphans) > 0 {
		fail("after the second apply the tenant holds duplicates %q and orphans (not in state) %q", r.dups, r.orphans)
	}
}
