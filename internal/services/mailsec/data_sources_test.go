package mailsec_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// The accepted domains and the DKIM status of each configured domain, as a
// configuration publishing DNS elsewhere would read them.
func TestAccAcceptedDomainsAndDkimStatus_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Exchange(t, "New-DkimSigningConfig", map[string]any{"DomainName": "contoso.com", "Enabled": false, "KeySize": 2048})
	cfg := tn.ProviderConfig() + `
data "m365harden_accepted_domains" "all" {}
data "m365harden_dkim_status" "all" {}
data "m365harden_dkim_status" "contoso" {
  domain_name = "contoso.com"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.m365harden_accepted_domains.all", tfjsonpath.New("domain_names"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("contoso.com"), knownvalue.StringExact(m365sim.DemoDomain)})),
					statecheck.ExpectKnownValue("data.m365harden_accepted_domains.all", tfjsonpath.New("custom_domain_names"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("contoso.com")})),
					statecheck.ExpectKnownValue("data.m365harden_accepted_domains.all", tfjsonpath.New("default_domain"), knownvalue.StringExact("contoso.com")),
					statecheck.ExpectKnownValue("data.m365harden_accepted_domains.all", tfjsonpath.New("domains").AtSliceIndex(0).AtMapKey("initial_domain"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.m365harden_dkim_status.all", tfjsonpath.New("domains"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue("data.m365harden_dkim_status.contoso", tfjsonpath.New("domains").AtSliceIndex(0).AtMapKey("status"), knownvalue.StringExact("CnameMissing")),
					statecheck.ExpectKnownValue("data.m365harden_dkim_status.contoso", tfjsonpath.New("domains").AtSliceIndex(0).AtMapKey("selector2_cname"),
						knownvalue.StringExact(m365sim.DKIMSelectorCNAME(m365sim.DemoDomain, "contoso.com", 2))),
					statecheck.ExpectKnownValue("data.m365harden_dkim_status.contoso", tfjsonpath.New("domains").AtSliceIndex(0).AtMapKey("newest_key_size"), knownvalue.Int64Exact(2048)),
				},
			},
			{ // once the records are published the service reports Valid
				PreConfig: func() { publishDKIM(t, tn, "contoso.com", false) },
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.m365harden_dkim_status.contoso", tfjsonpath.New("domains").AtSliceIndex(0).AtMapKey("status"), knownvalue.StringExact("Valid")),
				},
			},
			{
				Config: tn.ProviderConfig() + `
data "m365harden_dkim_status" "missing" {
  domain_name = "fabrikam.com"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Get-DkimSigningConfig.*couldn't\s+be\s+found`),
			},
		},
	})
}
