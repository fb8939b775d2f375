package defender_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func apPolicy(label, name string) string {
	return fmt.Sprintf(`
resource "m365harden_anti_phish_policy" %q {
  name                  = %q
  phish_threshold_level = 2
}
`, label, name)
}

func apRule(label, name, policy string) string {
	return fmt.Sprintf(`
resource "m365harden_anti_phish_rule" %q {
  name                = %q
  policy              = %s
  recipient_domain_is = ["contoso.com"]
}
`, label, name, policy)
}

// Issue 10, item 6 (the table-driven threat-protection types): two
// anti-phishing policies with one name (in any case), two rules with one
// name, and two rules for one policy (Exchange associates a policy with
// one rule) fail the plan; different policies and rules apply and plan
// again empty.
func TestAccAntiPhishRule_declaredTwice(t *testing.T) {
	tn := acctest.NewTenant(t)
	policies := apPolicy("a", "Executives") + apPolicy("b", "Finance")
	good := tn.ProviderConfig() + policies +
		apRule("a", "Executives", "m365harden_anti_phish_policy.a.name") + apRule("b", "Finance", "m365harden_anti_phish_policy.b.name")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      tn.ProviderConfig() + apPolicy("a", "Executives") + apPolicy("b", "executives"),
				PlanOnly:    true,
				ExpectError: acctest.DeclaredTwice(`anti-phishing policy "`, "Another m365harden_anti_phish_policy block", "attribute name"),
			},
			{
				Config: tn.ProviderConfig() + policies +
					apRule("a", "Executives", "m365harden_anti_phish_policy.a.name") + apRule("b", "Finance", `"EXECUTIVES"`),
				PlanOnly:    true,
				ExpectError: acctest.DeclaredTwice(`the rule of anti-phishing policy "`, "Another m365harden_anti_phish_rule block", "attribute policy", "with one rule only"),
			},
			{
				Config: tn.ProviderConfig() + policies +
					apRule("a", "Executives", "m365harden_anti_phish_policy.a.name") + apRule("b", "Executives", "m365harden_anti_phish_policy.b.name"),
				PlanOnly:    true,
				ExpectError: acctest.DeclaredTwice(`anti-phishing rule "Executives"`),
			},
			{Config: good},
			{Config: good, PlanOnly: true},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "New-AntiPhishRule"); n != 2 {
		t.Fatalf("want the 2 different rules created and nothing else; %d New-AntiPhishRule calls", n)
	}
}
