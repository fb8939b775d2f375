package mailflow_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
)

// The built-in templates are always there; a tenant's own and archived
// templates show with the right type filter; the names feed a rule.
func TestAccRMSTemplatesDataSource_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	if _, err := tn.Sim.Seed(tn.ID, "rms-templates", map[string]any{"templates": []map[string]any{
		{"name": "Partners Only", "description": "Partners can read"},
		{"name": "Retired", "archived": true},
	}}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             noTransportRules(t, tn),
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + `
data "m365harden_rms_templates" "usable" {}

data "m365harden_rms_templates" "all" {
  type = "All"
}

resource "m365harden_transport_rule" "encrypt_partner" {
  name                             = "Encrypt mail to partner.example"
  recipient_domain_is              = ["partner.example"]
  apply_rights_protection_template = one([for t in data.m365harden_rms_templates.usable.templates : t.name if t.name == "Encrypt"])
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.m365harden_rms_templates.usable", tfjsonpath.New("names"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("Encrypt"), knownvalue.StringExact("Do Not Forward"),
						knownvalue.StringExact("Contoso - Confidential"), knownvalue.StringExact("Contoso - Confidential View Only"),
						knownvalue.StringExact("Partners Only"),
					})),
					statecheck.ExpectKnownValue("data.m365harden_rms_templates.usable", tfjsonpath.New("templates").AtSliceIndex(1), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name": knownvalue.StringExact("Do Not Forward"), "guid": knownvalue.StringExact("cf5cf348-a8d7-40d5-91ef-a600b88a395d"),
						"type": knownvalue.StringExact("Distributed"), "description": knownvalue.StringRegexp(regexp.MustCompile(`can't forward`)),
					})),
					statecheck.ExpectKnownValue("data.m365harden_rms_templates.all", tfjsonpath.New("templates"), knownvalue.ListSizeExact(6)),
					statecheck.ExpectKnownValue("m365harden_transport_rule.encrypt_partner", tfjsonpath.New("apply_rights_protection_template"), knownvalue.StringExact("Encrypt")),
				},
			},
		},
	})
}

func TestAccRMSTemplatesDataSource_badType(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      tn.ProviderConfig() + `data "m365harden_rms_templates" "x" { type = "Published" }`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`value must be one of`),
		}},
	})
}
