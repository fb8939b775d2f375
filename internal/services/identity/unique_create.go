package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

// uniqueCreate creates one Graph object (a POST) whose display name this
// provider keeps unique, so that the object is neither lost nor
// duplicated. Graph itself allows several conditional access policies or
// named locations with one name; refusing a name that exists is what lets
// a create be recognised after an ambiguous failure. T is the client's
// object type.
//
//   - A name that exists already is a plan-apply error on display_name
//     that says how to import the object.
//   - The POST is sent once: the Graph client never re-sends a POST, and
//     neither does this. After an ambiguous failure (5xx, dropped
//     connection, timeout, Ctrl-C after the request was written) the object
//     is looked up by name, on a context of its own, for as long as
//     replication may hide it, and adopted; when it stays invisible the
//     error says so (the next apply's name check finds it if it appears).
//   - Ctrl-C before the request was written in full is an error saying
//     nothing was created.
//   - The id goes into state (record) before the wait for the object to
//     read back; on Ctrl-C the wait is skipped with a warning, the object
//     staying in state.
type uniqueCreate[T any] struct {
	what, name string                                     // "named location", the display name
	list       func(ctx context.Context) ([]T, error)     // every object of the kind
	nameOf     func(T) string                             // an object's display name
	idOf       func(T) string                             // an object's id
	post       func(ctx context.Context) (T, error)       // the create request
	record     func(ctx context.Context, created T)       // stores the new object's id in state
	wait       func(ctx context.Context, id string) error // waits for reads and stores the final state
	report     func(diags *diag.Diagnostics, summary string, err error)
	// builtIn, when set, tells an object of Microsoft's that cannot be
	// imported: its name is refused without the import advice.
	builtIn func(T) bool
	settle  time.Duration // how long to look for the object after an ambiguous failure
}

// sameDisplayName compares display names ignoring case and surrounding
// space (the stricter reading: names that differ only in case confuse
// administrators as much as equal ones).
func sameDisplayName(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// article puts "a" or "an" before a kind's name.
func article(what string) string {
	if what != "" && strings.ContainsRune("aeiou", rune(what[0])) {
		return "an " + what
	}
	return "a " + what
}

// named lists the objects whose display name is u.name.
func (u uniqueCreate[T]) named(ctx context.Context) ([]T, error) {
	all, err := u.list(ctx)
	if err != nil {
		return nil, err
	}
	var out []T
	for _, o := range all {
		if sameDisplayName(u.nameOf(o), u.name) {
			out = append(out, o)
		}
	}
	return out, nil
}

// graphAmbiguous reports whether a failed create may still have been
// applied: anything but a definite answer from Graph below 500.
func graphAmbiguous(err error) bool {
	var ge *graph.Error
	if errors.As(err, &ge) {
		return ge.Status >= 500
	}
	return true
}

func (u uniqueCreate[T]) run(ctx context.Context, diags *diag.Diagnostics) {
	summary := fmt.Sprintf("Creating %s %q failed", u.what, u.name)
	existing, err := u.named(ctx)
	if err != nil {
		u.report(diags, fmt.Sprintf("%s: listing the tenant's objects failed", summary), err)
		return
	}
	if len(existing) > 0 && u.builtIn != nil && u.builtIn(existing[0]) {
		diags.AddAttributeError(path.Root("display_name"), fmt.Sprintf("%s already exists", common.UpperFirst(u.what)),
			fmt.Sprintf("%q is the name of Microsoft's built-in %s %s, which cannot be managed or imported; names are unique: choose another display_name.",
				u.name, u.what, u.idOf(existing[0])))
		return
	}
	if len(existing) > 0 {
		id := u.idOf(existing[0])
		diags.AddAttributeError(path.Root("display_name"), fmt.Sprintf("%s already exists", common.UpperFirst(u.what)),
			fmt.Sprintf("The tenant already has %s named %q (id %s). Import it instead of creating a second one with the same name:\n\n"+
				"  terraform import <address of this resource> %s\n\nor an import block with id = %q. Or choose another display_name.",
				article(u.what), u.name, id, id, id))
		return
	}
	sctx, sent := common.TrackSent(ctx)
	created, err := u.post(sctx)
	if err != nil && ctx.Err() != nil && !sent.Sent() {
		diags.AddError(fmt.Sprintf("Creating %s %q was interrupted", u.what, u.name),
			fmt.Sprintf("Terraform was interrupted before the create request was sent: no %s was created. The next apply creates it.", u.what))
		return
	}
	if err != nil && graphAmbiguous(err) {
		// The answer was lost: the object may exist. Adopt it rather than
		// leave it outside Terraform or create a second one next time.
		adopted, found, lerr := u.adopt(ctx)
		switch {
		case found:
			tflog.Warn(ctx, "create failed ambiguously; adopting the object it created", map[string]any{"kind": u.what, "id": u.idOf(adopted), "error": err.Error()})
			created, err = adopted, nil
		case lerr != nil:
			err = fmt.Errorf("%w\n\nThe %s may have been created; looking it up by name failed too (%v). The next apply finds it by name and asks you to import it rather than create a second one", err, u.what, lerr)
		default:
			err = fmt.Errorf("%w\n\nNo %s named %q is visible after the failure; if one appears later, the next apply finds it by name and asks you to import it rather than create a second one", err, u.what, u.name)
		}
	}
	if err != nil {
		u.report(diags, summary, err)
		return
	}
	id := u.idOf(created)
	u.record(ctx, created)
	interrupted := func() {
		diags.AddWarning(fmt.Sprintf("Creating %s %q was interrupted", u.what, u.name),
			fmt.Sprintf("The %s was created (id %s) and is recorded in state; the next terraform apply checks that it reads back as configured.", u.what, id))
	}
	if ctx.Err() != nil {
		interrupted()
		return
	}
	err = u.wait(ctx, id)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		interrupted()
	default:
		u.report(diags, fmt.Sprintf("%s %q (%s) was created but reads do not show it yet", common.UpperFirst(u.what), u.name, id), err)
	}
}

// adopt looks for the object a failed create may have made, on a context
// of its own (the apply's may be cancelled).
func (u uniqueCreate[T]) adopt(ctx context.Context) (T, bool, error) {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), u.settle+30*time.Second)
	defer cancel()
	var found []T
	err := wait.Until(lctx, u.settle, func(ctx context.Context) error {
		got, err := u.named(ctx)
		if err != nil {
			return err
		}
		if len(got) == 0 {
			return wait.NotYet("no %s named %q is visible yet", u.what, u.name)
		}
		found = got
		return nil
	})
	var zero T
	switch {
	case len(found) > 0:
		return found[0], true, nil
	case errors.Is(err, wait.ErrNotYet):
		return zero, false, nil
	default:
		return zero, false, err
	}
}
