package bench

import (
	"strings"
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// examples/adopt-for-each: import blocks with for_each (Terraform 1.7+)
// into resource blocks with for_each that set only the required arguments.
// The plan imports every remote domain and sharing policy and changes
// nothing, and the plan after apply is empty. It drives the terraform CLI
// itself (as TestAccTenantBaselineModule_tenTenants does):
// terraform-plugin-testing cannot read back a state whose instances have
// for_each keys ("unexpected index type (string) ... for_each is not
// supported").
func TestAccAdoptExample_forEachImportBlocks(t *testing.T) {
	tn := acctest.NewTenants(t, 1)[0]
	for _, d := range []string{"partner.example", "fabrikam.example"} {
		tn.Exchange(t, "New-RemoteDomain", map[string]any{"Name": strings.TrimSuffix(d, ".example"), "DomainName": d})
	}
	// Changed out of band: the import must keep it, not reset it.
	tn.Exchange(t, "Set-RemoteDomain", map[string]any{"Identity": "fabrikam", "AutoForwardEnabled": false})

	w := newWorkdir(t, requiredProviders+tn.Example(t, "adopt-for-each/main.tf"))
	code, out := w.run("plan", "-input=false", "-no-color")
	// Default, fabrikam and partner; Default Sharing Policy.
	if code != 0 || !strings.Contains(out, "Plan: 4 to import, 0 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("plan (exit %d) does not import exactly the 4 instances with no change:\n%s", code, out)
	}
	w.must(t, "apply", "-input=false", "-auto-approve")
	w.planEmpty(t)
	code, out = w.run("state", "list")
	got := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{
		`m365harden_remote_domain.adopted["Default"]`,
		`m365harden_remote_domain.adopted["fabrikam"]`,
		`m365harden_remote_domain.adopted["partner"]`,
		`m365harden_sharing_policy.adopted["Default Sharing Policy"]`,
	}
	for _, a := range want {
		if !strings.Contains(out, a) {
			t.Errorf("state lacks %s", a)
		}
	}
	if code != 0 || len(got) != len(want)+2 { // + the two data sources
		t.Errorf("state list (exit %d):\n%s", code, out)
	}
	if rd := tn.One(t, m365sim.EndpointExchange, "Get-RemoteDomain", map[string]any{"Identity": "fabrikam"}); rd["AutoForwardEnabled"] != false {
		t.Errorf("fabrikam AutoForwardEnabled = %v after the import, want false (unchanged)", rd["AutoForwardEnabled"])
	}
}
