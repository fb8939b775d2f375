package audit

import (
	"slices"
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/cmdletref"
)

// The resource accepts exactly the RetentionDuration values the cmdlet
// catalogue accepts (the reference's list with the recorded deviations),
// and names the refused ones the catalogue records as not adopted.
func TestRetentionDurationsMatchCmdletReference(t *testing.T) {
	cat := cmdletref.Load()
	for _, cmdlet := range []string{"New-UnifiedAuditLogRetentionPolicy", "Set-UnifiedAuditLogRetentionPolicy"} {
		p := cat.Cmdlet(cmdlet).Param("RetentionDuration")
		if !slices.Equal(p.Values, retentionDurations) {
			t.Errorf("%s -RetentionDuration accepts %v, the resource %v", cmdlet, p.Values, retentionDurations)
		}
		var notAdopted []string
		for _, d := range p.Deviations {
			if d.Kind == cmdletref.NotAdopted {
				notAdopted = append(notAdopted, d.Values...)
			}
		}
		if !slices.Equal(notAdopted, notAdoptedDurations) {
			t.Errorf("%s: the catalogue refuses %v, the resource's docs name %v", cmdlet, notAdopted, notAdoptedDurations)
		}
	}
}
