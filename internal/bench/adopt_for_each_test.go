package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

	config := requiredProviders + tn.Example(t, "adopt-for-each/main.tf")
	if !terraformAtLeast(t, 1, 7) {
		// The example says Terraform 1.7+ (required_version): older CLIs
		// (CI's fallback is 1.5.7) refuse for_each in import blocks.
		w := newWorkdir(t, requiredProviders)
		if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, out := w.run("plan", "-input=false", "-no-color"); code == 0 || !strings.Contains(out, "for_each") {
			t.Fatalf("terraform older than 1.7 accepted for_each in an import block (exit %d):\n%s", code, out)
		}
		return
	}
	w := newWorkdir(t, config)
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

// terraformAtLeast says whether the terraform CLI the tests run is at least
// major.minor.
func terraformAtLeast(t *testing.T, major, minor int) bool {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		tf = "terraform"
	}
	out, err := exec.Command(tf, "version", "-json").Output()
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err != nil || json.Unmarshal(out, &v) != nil {
		t.Fatalf("terraform version -json: %v\n%s", err, out)
	}
	var ma, mi int
	if _, err := fmt.Sscanf(v.Version, "%d.%d", &ma, &mi); err != nil {
		t.Fatalf("terraform version %q: %v", v.Version, err)
	}
	return ma > major || (ma == major && mi >= minor)
}
