package exchange

import (
	"context"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Warnings: Exchange returns what PowerShell prints as WARNING lines in
// "@adminapi.warnings" ("The command completed successfully but no settings
// of 'x' have been modified.", and notices about changes that take a while
// to apply). Every warning is logged. Those of New-* and Set-* cmdlets, and
// the client's own notices (Enable-OrganizationCustomization was run), are
// also handed to the caller through a collector in the context, so a
// resource can show them as Terraform warnings.

// Warning is one warning a call produced.
type Warning struct {
	Service string
	Cmdlet  string
	Message string
}

// WarningCollector gathers the warnings of the calls made with its context.
type WarningCollector struct {
	mu   sync.Mutex
	list []Warning
}

type warningsKey struct{}

// WithWarnings returns a context whose calls report their warnings to the
// returned collector.
func WithWarnings(ctx context.Context) (context.Context, *WarningCollector) {
	w := &WarningCollector{}
	return context.WithValue(ctx, warningsKey{}, w), w
}

// Warnings returns the collected warnings, each once, in order.
func (w *WarningCollector) Warnings() []Warning {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Warning(nil), w.list...)
}

func (w *WarningCollector) add(x Warning) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, y := range w.list {
		if y == x {
			return
		}
	}
	w.list = append(w.list, x)
}

// addWarning reports a warning to the context's collector, if any.
func addWarning(ctx context.Context, x Warning) {
	if w, ok := ctx.Value(warningsKey{}).(*WarningCollector); ok {
		w.add(x)
	}
}

// surfacesWarnings reports whether a cmdlet's warnings go to the caller:
// those of writes that create or change objects.
func surfacesWarnings(cmdlet string) bool {
	l := strings.ToLower(cmdlet)
	return strings.HasPrefix(l, "new-") || strings.HasPrefix(l, "set-")
}

func (c *Client) warnings(ctx context.Context, cmdlet string, list []string) {
	for _, m := range list {
		if strings.TrimSpace(m) == "" {
			continue
		}
		tflog.Warn(ctx, "Exchange warning", map[string]any{"service": c.service(), "cmdlet": cmdlet, "warning": m})
		if surfacesWarnings(cmdlet) {
			addWarning(ctx, Warning{Service: c.service(), Cmdlet: cmdlet, Message: m})
		}
	}
}
