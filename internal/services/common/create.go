package common

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// Ambiguous reports whether a failed write may nevertheless have been
// applied: the service answered 5xx, the connection was dropped or timed
// out, or the caller was cancelled while the request was in flight. A 4xx
// answer (including 429, which the service gives before running anything)
// and a failure to get a token are not ambiguous: nothing was sent or
// nothing ran.
func Ambiguous(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var xe *exchange.Error
	if errors.As(err, &xe) {
		return xe.Status >= 500
	}
	var ge *graph.Error
	if errors.As(err, &ge) {
		return ge.Status >= 500
	}
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne)
}

// recoveryTimeout bounds the lookup made after a cancelled create.
const recoveryTimeout = 30 * time.Second

// SafeCreate creates one object that has a unique name, so that it is
// neither lost nor duplicated (see Run). M is the resource's model.
type SafeCreate[M any] struct {
	// What names the kind in messages ("remote domain"); Name is the
	// object's unique name.
	What, Name string
	// New sends the create request (a New-* cmdlet or a Graph POST) once,
	// with no automatic retry, and returns the new object's id when the
	// answer carries one ("" when not: the name serves until Finish reads
	// the object back).
	New func(ctx context.Context) (string, error)
	// Find looks the object up by its unique name. It returns the id ("" when
	// there is no such object) and, when the object differs from what was
	// requested in a way that shows it is not the one this create made, a
	// description of the difference.
	Find func(ctx context.Context) (id, mismatch string, err error)
	// SetID writes the id into the model.
	SetID func(m *M, id string)
	// Finish runs the follow-up writes (Set-*) and the wait for the object to
	// read back as planned. It returns the model to store: what the service
	// shows, or nil to keep the plan's values.
	Finish func(ctx context.Context, m M) (*M, error)
	// Save stores a model in state; nil means state.Set.
	Save func(ctx context.Context, state *tfsdk.State, m *M) diag.Diagnostics
	// Report adds a failed create's error with the resource's own advice
	// (a licence that allows only some objects, say); nil means AddAPIError.
	Report func(diags *diag.Diagnostics, summary string, err error)
}

// Run creates the object from plan and records it in state:
//
//   - The id goes into state as soon as the create request has succeeded,
//     before Finish: a failure or an interruption after that leaves the
//     object in state (Terraform marks it tainted when an error is
//     returned), never an orphan.
//   - After an ambiguous failure of the create request (Ambiguous), the
//     object is looked up by its name and adopted when it matches what was
//     requested; one that differs is an error naming it. When it cannot be
//     seen (not created, or not replicated yet), the request is sent once
//     more: the name is unique, so the service either creates it now or
//     answers that it exists (the first request did run), and it is
//     adopted. A request is therefore never repeated blindly.
//   - On cancellation (Ctrl-C) nothing more is sent or awaited; an object
//     that may exist is recorded by its name (the next plan's refresh
//     removes it from state if it does not exist) and the remaining
//     settings are applied by the next apply.
func (s SafeCreate[M]) Run(ctx context.Context, plan M, state *tfsdk.State, diags *diag.Diagnostics) {
	report := s.Report
	if report == nil {
		report = AddAPIError
	}
	id, err := s.New(ctx)
	if err != nil {
		if !Ambiguous(err) {
			report(diags, fmt.Sprintf("Creating %s %q failed", s.What, s.Name), err)
			return
		}
		id, err = s.recover(ctx, err)
		if err != nil {
			report(diags, fmt.Sprintf("Creating %s %q failed", s.What, s.Name), err)
			return
		}
	}
	if id == "" {
		id = s.Name
	}
	m := plan
	s.SetID(&m, id)
	diags.Append(s.save(ctx, state, &m)...)
	if ctx.Err() != nil {
		s.interrupted(diags)
		return
	}
	got, err := s.Finish(ctx, m)
	if got != nil {
		m = *got
	}
	diags.Append(s.save(ctx, state, &m)...)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		s.interrupted(diags)
	default:
		AddAPIError(diags, fmt.Sprintf("%s %q was created (and is recorded in state) but configuring it failed", UpperFirst(s.What), s.Name), err)
	}
}

func (s SafeCreate[M]) interrupted(diags *diag.Diagnostics) {
	diags.AddWarning(fmt.Sprintf("Creating %s %q was interrupted", s.What, s.Name),
		fmt.Sprintf("The %s was created and is recorded in state; settings not yet applied, if any, are applied by the next terraform apply.", s.What))
}

// recover settles an ambiguous create failure: it returns the id of the
// object to adopt ("" for its name), or an error.
func (s SafeCreate[M]) recover(ctx context.Context, first error) (string, error) {
	lctx := ctx
	if ctx.Err() != nil {
		// Interrupted: look once, without the cancelled context, and record
		// the name whatever the answer (the request may still be running).
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), recoveryTimeout)
		defer cancel()
	}
	err := first
	for attempt := 0; attempt < 3; attempt++ {
		id, mismatch, ferr := s.Find(lctx)
		switch {
		case ferr == nil && id != "" && mismatch != "":
			return "", fmt.Errorf("%w\n\nThe create request failed without a clear answer, and a %s named %q now exists but %s, so it is not taken over: import it (terraform import) or remove it, then apply again", err, s.What, s.Name, mismatch)
		case ferr == nil && id != "":
			tflog.Info(ctx, "adopting an object whose create request failed ambiguously", map[string]any{"kind": s.What, "name": s.Name, "error": err.Error()})
			return id, nil
		case ctx.Err() != nil:
			return "", nil
		}
		// Not visible. The name is unique, so sending the request again
		// either creates the object or shows that the first request ran.
		id, err2 := s.New(ctx)
		switch {
		case err2 == nil:
			return id, nil
		case errors.Is(err2, exchange.ErrConflict) || errors.Is(err2, graph.ErrConflict):
			tflog.Info(ctx, "the create request had run: adopting the object", map[string]any{"kind": s.What, "name": s.Name})
			return "", nil
		case ctx.Err() != nil:
			return "", nil
		case !Ambiguous(err2):
			return "", err2
		}
		err = err2
	}
	return "", fmt.Errorf("%w\n\nIt is not known whether the %s %q was created: the service kept failing without a clear answer. Apply again later; if the apply then reports that the name already exists, import it (terraform import)", err, s.What, s.Name)
}

// save stores m in state with unknown values (computed attributes the
// service has not answered yet) made null.
func (s SafeCreate[M]) save(ctx context.Context, state *tfsdk.State, m *M) diag.Diagnostics {
	if s.Save != nil {
		diags := s.Save(ctx, state, m)
		if diags.HasError() {
			return diags
		}
		return append(diags, nullUnknowns(state)...)
	}
	return SaveCreated(ctx, state, m)
}

// SaveCreated stores a just-created object's model in state with unknown
// values (computed attributes the service has not answered yet) made null,
// so that state can be returned as it is if the create stops there (an
// error or an interruption after the object exists).
func SaveCreated(ctx context.Context, state *tfsdk.State, m any) diag.Diagnostics {
	diags := state.Set(ctx, m)
	if diags.HasError() {
		return diags
	}
	return append(diags, nullUnknowns(state)...)
}

func nullUnknowns(state *tfsdk.State) diag.Diagnostics {
	var diags diag.Diagnostics
	raw, err := tftypes.Transform(state.Raw, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if err != nil {
		diags.AddError("Recording the created object failed", err.Error())
		return diags
	}
	state.Raw = raw
	return diags
}

// UpperFirst capitalises a message's first letter.
func UpperFirst(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}

// Keys lists a parameter map's names, sorted, for messages.
func Keys(p map[string]any) string {
	k := make([]string, 0, len(p))
	for n := range p {
		k = append(k, n)
	}
	sort.Strings(k)
	return strings.Join(k, ", ")
}

// Found is the usual SafeCreate.Find result from reading the object by its
// name: not found is "" (no object), and an object for which changes (the
// parameters that would still have to change to make it what was
// requested) is not empty does not match.
func Found(id string, err error, changes func() map[string]any) (string, string, error) {
	switch {
	case IsNotFound(err):
		return "", "", nil
	case err != nil:
		return "", "", err
	}
	if left := changes(); len(left) > 0 {
		return id, fmt.Sprintf("its settings differ from the configuration (%s)", Keys(left)), nil
	}
	return id, "", nil
}
