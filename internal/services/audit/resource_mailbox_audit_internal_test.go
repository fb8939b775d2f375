package audit

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/conv"
)

// Issue 9, item 14: the actions the schema accepts per logon type are
// exactly those Set-Mailbox binds (the emulator's tables, which the cmdlet
// catalogue checks), less "None" (an empty set here).
func TestMailboxAuditActionsMatchSetMailbox(t *testing.T) {
	for _, c := range []struct {
		lt  logonType
		sim []string
	}{{logonTypes[0], m365sim.AuditAdminActions}, {logonTypes[1], m365sim.AuditDelegateActions}, {logonTypes[2], m365sim.AuditOwnerActions}} {
		var want []string
		for _, a := range c.sim {
			if a != "None" {
				want = append(want, a)
			}
		}
		if !conv.EqualFold(c.lt.Valid, want) || len(c.lt.Valid) != len(want) {
			t.Errorf("%s: schema accepts %v, Set-Mailbox binds %v", c.lt.Param, c.lt.Valid, want)
		}
	}
}

// Issue 9, item 9: a plan that lowers the age limit warns that Exchange
// deletes the older records; one that raises it does not.
func TestMailboxAuditPlanAgeWarnsWhenLowering(t *testing.T) {
	r := &mailboxAuditResource{}
	state := &mailboxAuditModel{Identity: types.StringValue("ann@contoso.com"), AuditLogAgeLimitDays: types.Int64Value(365), AuditLogAgeLimit: types.StringValue("365.00:00:00")}
	for days, warn := range map[int64]bool{90: true, 365: false, 730: false} {
		cfg := &mailboxAuditModel{AuditLogAgeLimitDays: types.Int64Value(days)}
		plan := &mailboxAuditModel{Identity: state.Identity, AuditLogAgeLimitDays: types.Int64Value(days)}
		var diags diag.Diagnostics
		r.planAge(cfg, plan, state, &diags)
		if got := diags.WarningsCount() > 0; got != warn {
			t.Errorf("365 -> %d days: warning %t, want %t (%v)", days, got, warn, diags)
		}
		if warn && !strings.Contains(diags.Warnings()[0].Detail(), "removes the mailbox's audit records") {
			t.Errorf("warning does not say what happens: %s", diags.Warnings()[0].Detail())
		}
		if plan.AuditLogAgeLimit.ValueString() != conv.FormatDays(days) {
			t.Errorf("planned audit_log_age_limit %s", plan.AuditLogAgeLimit)
		}
	}
	// A fractional limit set out of band, lowered to its whole days, warns too.
	frac := &mailboxAuditModel{Identity: state.Identity, AuditLogAgeLimitDays: types.Int64Value(365), AuditLogAgeLimit: types.StringValue("365.12:00:00")}
	var diags diag.Diagnostics
	r.planAge(&mailboxAuditModel{AuditLogAgeLimitDays: types.Int64Value(365)}, &mailboxAuditModel{Identity: state.Identity}, frac, &diags)
	if diags.WarningsCount() != 1 {
		t.Errorf("365.12:00:00 -> 365 days: %d warnings", diags.WarningsCount())
	}
}
