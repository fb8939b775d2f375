package posture_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
)

// Issue 9, item 10: Exchange ignores a mailbox's AuditEnabled = $false while
// organization-wide auditing is on (AuditDisabled = $false), and audits no
// mailbox while it is off, whatever AuditEnabled says
// (https://learn.microsoft.com/purview/audit-mailboxes). The
// mailbox-audit-settings evidence says which of the two holds: a cleared
// flag still fails (CIS 6.1.2 checks it), but is reported as still audited
// while organization auditing is on, and the control fails for every
// mailbox while organization auditing is off.
func TestAccPostureDataSource_auditEnabledIgnoredWhileOrgAuditOn(t *testing.T) {
	tn := acctest.NewTenant(t)
	mbx := seedMailboxes(t, tn, 3)
	flagged := fmt.Sprint(mbx[0]["UserPrincipalName"])
	args := `  controls = ["mailbox-audit-settings"]`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					for _, m := range mbx {
						tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": m["UserPrincipalName"], "AuditAdmin": cisAdmin, "AuditDelegate": cisDelegate, "AuditOwner": cisOwner})
					}
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": flagged, "AuditEnabled": false})
				},
				Config:            postureConfig(tn, args),
				ConfigStateChecks: []statecheck.StateCheck{expectStatuses(map[string]string{"mailbox-audit-settings": "fail"})},
				Check: resource.ComposeTestCheckFunc(
					expectEvidence("mailbox-audit-settings", flagged,
						regexp.MustCompile(`^AuditEnabled=false \(ignored while organization auditing is on: still audited\)$`),
						regexp.MustCompile(`^1 of 3 user mailboxes fall short .* 1 user mailbox reports AuditEnabled=false: CIS 6\.1\.2 asks for \$true, but Exchange ignores the flag while organization-wide mailbox auditing is on \(AuditDisabled = \$false\), so they are still audited\. The per-mailbox off-switch is an audit bypass association \(control no-audit-bypass\)\.$`)),
				),
			},
			{
				// The flag restored, organization auditing turned off: no
				// mailbox is audited, although each has the settings.
				PreConfig: func() {
					tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": flagged, "AuditEnabled": true})
					tn.Exchange(t, "Set-OrganizationConfig", map[string]any{"AuditDisabled": true})
				},
				Config:            postureConfig(tn, args),
				ConfigStateChecks: []statecheck.StateCheck{expectStatuses(map[string]string{"mailbox-audit-settings": "fail"})},
				Check: expectEvidence("mailbox-audit-settings", "", nil,
					regexp.MustCompile(`^The user mailboxes \(3\) have the audit settings, but none is audited\. Organization-wide mailbox auditing is off \(AuditDisabled = \$true\): Exchange audits no mailbox, whatever AuditEnabled says \(control mailbox-auditing-default\)\.$`)),
			},
			{
				// Organization auditing back on, every flag set: passes.
				PreConfig:         func() { tn.Exchange(t, "Set-OrganizationConfig", map[string]any{"AuditDisabled": false}) },
				Config:            postureConfig(tn, args),
				ConfigStateChecks: []statecheck.StateCheck{expectStatuses(map[string]string{"mailbox-audit-settings": "pass"})},
				Check:             expectEvidence("mailbox-audit-settings", "", nil, regexp.MustCompile(`^All 3 user mailboxes audit .* action lists\.$`)),
			},
		},
	})
}
