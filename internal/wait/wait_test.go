package wait

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A budget replaces each wait's own timeout and is shared by the waits of
// one operation; the error names the setting.
func TestUntil_budget(t *testing.T) {
	ctx := WithBudget(context.Background(), 300*time.Millisecond, "timeouts.create")
	never := func(context.Context) error { return NotYet("still replicating") }
	start := time.Now()
	err := Until(ctx, time.Hour, never)
	if err == nil || !strings.Contains(err.Error(), "within 300ms (the timeouts.create timeout") {
		t.Fatalf("error = %v, want one naming the 300ms timeouts.create budget", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("the wait took %s with a 300ms budget", took)
	}
	// The second wait of the same operation has nothing left.
	start = time.Now()
	if err := Until(ctx, time.Hour, never); err == nil || time.Since(start) > 100*time.Millisecond {
		t.Fatalf("second wait: err = %v after %s, want an immediate timeout", err, time.Since(start))
	}
	// A success is still a success when the budget is spent.
	if err := Until(ctx, time.Hour, func(context.Context) error { return nil }); err != nil {
		t.Fatalf("a consistent read failed on a spent budget: %v", err)
	}
}

// Without a budget the timeout passed applies and the message names it.
func TestUntil_noBudget(t *testing.T) {
	err := Until(context.Background(), 200*time.Millisecond, func(context.Context) error { return NotYet("x") })
	if err == nil || !strings.Contains(err.Error(), "within 200ms:") {
		t.Fatalf("error = %v", err)
	}
}
