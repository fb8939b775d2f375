package exchange

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Dehydrated organizations. A new Exchange Online organization shares much
// of its configuration with others until Enable-OrganizationCustomization
// has run; until then writes to organization-level configuration fail with
// InvalidOperationInDehydratedContextException
// (https://learn.microsoft.com/powershell/module/exchangepowershell/enable-organizationcustomization).
// The cmdlet runs once per organization, cannot be undone, and takes a
// while to take effect (from minutes to an hour in public reports,
// MicrosoftLearning/10997 #63); a second run fails with
// InvalidOperationException "This operation is not required"
// (office-docs-powershell #6497).
//
// When a write is refused for that reason, the client runs
// Enable-OrganizationCustomization (once per client), reports a warning,
// and sends the write again until it is accepted or HydrationWait has
// passed. A refused write was not applied, so sending it again is safe.
func (c *Client) afterHydration(ctx context.Context, cmdlet string, retry func() error) error {
	if err := c.enableCustomization(ctx, cmdlet); err != nil {
		return err
	}
	deadline := time.Now().Add(c.cfg.HydrationWait)
	delay := time.Second
	for {
		err := retry()
		if !errors.Is(err, ErrDehydrated) {
			return err
		}
		if time.Now().Add(delay).After(deadline) {
			return fmt.Errorf("%w (Enable-OrganizationCustomization has run but has not taken effect after %s; Exchange Online can take up to a few hours: apply again later)", err, c.cfg.HydrationWait)
		}
		tflog.Debug(ctx, "waiting for Enable-OrganizationCustomization to take effect", map[string]any{"cmdlet": cmdlet, "delay_ms": delay.Milliseconds()})
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, 30*time.Second)
	}
}

// enableCustomization runs Enable-OrganizationCustomization once.
func (c *Client) enableCustomization(ctx context.Context, cmdlet string) error {
	c.hydrationMu.Lock()
	defer c.hydrationMu.Unlock()
	if c.hydrationRequested {
		return nil
	}
	_, err := c.Invoke(ctx, "Enable-OrganizationCustomization", nil)
	var e *Error
	switch {
	case err == nil:
		msg := fmt.Sprintf("Exchange Online refused %s because the organization is dehydrated (Get-OrganizationConfig IsDehydrated is True). The provider ran Enable-OrganizationCustomization, a one-time change that cannot be undone and that can take a while to take effect; %s is sent again once it has.", cmdlet, cmdlet)
		tflog.Warn(ctx, msg)
		addWarning(ctx, Warning{Service: c.service(), Cmdlet: "Enable-OrganizationCustomization", Message: msg})
	case errors.As(err, &e) && shortException(e.Exception) == "InvalidOperationException":
		// Already run (by someone else, or still taking effect).
		tflog.Info(ctx, "Enable-OrganizationCustomization was already run", map[string]any{"cmdlet": cmdlet})
	default:
		return fmt.Errorf("%s %s: the organization is dehydrated and Enable-OrganizationCustomization failed: %w", c.service(), cmdlet, err)
	}
	c.hydrationRequested = true
	return nil
}
