// Package wait holds the eventual-consistency helpers resources use after a
// write: Microsoft 365 services replicate, so a read right after a write may
// answer 404 or the old value for a while.
package wait

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotYet is returned by a check that should be tried again.
var ErrNotYet = errors.New("not yet consistent")

// Until calls check until it returns nil or an error other than ErrNotYet
// (or one wrapping it), or until timeout passes. After the timeout it tries
// once more, so a slow poll interval never turns a success into a failure.
//
// When ctx carries a budget (WithBudget, from a resource's timeouts
// attribute), the budget's deadline replaces timeout: the user's setting
// bounds every wait of the operation together.
func Until(ctx context.Context, timeout time.Duration, check func(ctx context.Context) error) error {
	deadline := time.Now().Add(timeout)
	within := timeout.String()
	if b, ok := ctx.Value(budgetKey{}).(budget); ok {
		deadline = b.deadline
		within = fmt.Sprintf("%s (the %s timeout; raise it in the resource's timeouts attribute if the service is slow)", b.total, b.setting)
	}
	delay := 250 * time.Millisecond
	for {
		err := check(ctx)
		if err == nil || !errors.Is(err, ErrNotYet) {
			return err
		}
		if time.Now().After(deadline) {
			if err := check(ctx); err == nil || !errors.Is(err, ErrNotYet) {
				return err
			}
			return fmt.Errorf("the service did not show the change within %s: %w", within, err)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		if delay < 5*time.Second {
			delay *= 2
		}
	}
}

// NotYet wraps a reason as ErrNotYet.
func NotYet(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotYet, fmt.Sprintf(format, args...))
}

type budgetKey struct{}

type budget struct {
	deadline time.Time
	total    time.Duration
	setting  string
}

// WithBudget returns a context whose consistency waits (Until) end at
// now+total together, whatever timeout each is given; setting names where
// total came from (e.g. "timeouts.create") for the error message. The
// context itself gets no deadline: requests are not cut short, only waits.
func WithBudget(ctx context.Context, total time.Duration, setting string) context.Context {
	return context.WithValue(ctx, budgetKey{}, budget{deadline: time.Now().Add(total), total: total, setting: setting})
}
