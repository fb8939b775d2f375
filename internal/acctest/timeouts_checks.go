package acctest

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// OnlyTimeoutsChange is a plan check: the resource at addr is planned to
// change, and only in its timeouts attribute (what Terraform plans after an
// import when the configuration sets timeouts: import cannot see them).
func OnlyTimeoutsChange(addr string) plancheck.PlanCheck { return onlyTimeouts{addr} }

type onlyTimeouts struct{ addr string }

func (c onlyTimeouts) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr || rc.Change == nil {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		if before == nil || after == nil {
			resp.Error = fmt.Errorf("%s: planned %v, want an in-place change of timeouts", c.addr, rc.Change.Actions)
			return
		}
		if reflect.DeepEqual(before["timeouts"], after["timeouts"]) {
			resp.Error = fmt.Errorf("%s: timeouts do not change (%v)", c.addr, after["timeouts"])
			return
		}
		for k, v := range after {
			if k != "timeouts" && !reflect.DeepEqual(before[k], v) {
				resp.Error = fmt.Errorf("%s: %s changes from %v to %v; only timeouts should", c.addr, k, before[k], v)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.addr)
}

// Writes counts the write requests the emulator has answered on an
// endpoint family: Graph POST/PATCH/PUT/DELETE, and the Exchange or
// Security & Compliance cmdlets that change something (Set-, New-,
// Remove-, Enable-, Disable-).
func Writes(sim *m365sim.Server, endpoint string) int {
	n := 0
	for k, v := range sim.Stats().Snapshot() {
		op, ok := strings.CutPrefix(k, endpoint+" ")
		if !ok {
			continue
		}
		for _, w := range []string{"POST ", "PATCH ", "PUT ", "DELETE ", "Set-", "New-", "Remove-", "Enable-", "Disable-"} {
			if strings.HasPrefix(op, w) {
				n += v
			}
		}
	}
	return n
}

// WithTimeouts adds `timeouts = <timeouts>` to the last resource block of
// cfg (before its closing brace).
func WithTimeouts(cfg, timeouts string) string {
	i := strings.LastIndex(cfg, "}")
	return cfg[:i] + "  timeouts = " + timeouts + "\n" + cfg[i:]
}

// TimeoutError matches the error of a wait that the resource's
// timeouts.<op> of 2s ended, after the resource's own message what
// (Terraform wraps long lines, so spaces may be line breaks).
func TimeoutError(what, op string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + what + `.*within\s+2s\s+\(the\s+timeouts\.` + op + `\s+timeout`)
}

// NoWrites checks that an apply sent no write request to an endpoint
// family: *before is Writes taken before it (in the step's PreConfig).
func NoWrites(sim *m365sim.Server, endpoint string, before *int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := Writes(sim, endpoint); n != *before {
			return fmt.Errorf("%s saw %d write requests during an apply that changes only timeouts, want 0", endpoint, n-*before)
		}
		return nil
	}
}
