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
func Until(ctx context.Context, timeout time.Duration, check func(ctx context.Context) error) error {
	deadline := time.Now().Add(timeout)
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
			return fmt.Errorf("the service did not show the change within %s: %w", timeout, err)
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
