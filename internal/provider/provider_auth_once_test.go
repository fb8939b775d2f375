package provider_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Issue 10, item 7: a wrong client secret costs one sign-in request per
// provider configuration, whatever the number of resources and APIs
// (Exchange Online, Security & Compliance, Microsoft Graph), and Microsoft's
// message is shown once; the other resources say the sign-in was already
// refused instead of repeating it.
func TestAccProvider_wrongSecretReportedOnce(t *testing.T) {
	tn := acctest.NewTenant(t)
	cfg := tn.ProviderConfigAs(m365sim.DemoAdminAppID, `client_secret = "wrong-secret-value-51b0e2"`) + `
resource "m365harden_audit_configuration" "probe" {
  mailbox_auditing_enabled = true
}
resource "m365harden_security_defaults" "this" {
  enabled = false
}
resource "m365harden_named_location" "home" {
  display_name = "Home countries"
  country = {
    countries_and_regions = ["DE", "FR"]
  }
}
resource "m365harden_named_location" "office" {
  display_name = "Office countries"
  country = {
    countries_and_regions = ["NL"]
  }
}
`
	var output string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		ErrorCheck: func(err error) error {
			if err == nil {
				return errors.New("apply with a wrong client secret succeeded")
			}
			output = err.Error()
			return nil
		},
		Steps: []resource.TestStep{{Config: cfg}},
	})
	if n := strings.Count(output, "Invalid client secret provided"); n != 1 {
		t.Errorf("Microsoft's message appears %d times, want once:\n%s", n, output)
	}
	if n := strings.Count(output, "no new sign-in was attempted"); n < 1 {
		t.Errorf("the other resources do not refer to the first error:\n%s", output)
	}
	if n := tn.Sim.Stats().Requests(m365sim.EndpointLogin, "token"); n != 1 {
		t.Errorf("%d sign-in requests with a wrong secret, want 1 (%v)", n, tn.Sim.Stats().Snapshot())
	}
	t.Log(fmt.Sprintf("terraform output:\n%s", output))
}
