package audit_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func retentionSetsConfig(tn *acctest.Tenant, ops, users string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_audit_log_retention_policy" "exo" {
  name               = "Exchange mailbox access"
  record_types       = ["ExchangeItem"]
  operations         = %s
  user_ids           = %s
  retention_duration = "TwelveMonths"
  priority           = 40
}
`, ops, users)
}

func expectStrings(attr string, vals ...string) statecheck.StateCheck {
	checks := make([]knownvalue.Check, len(vals))
	for i, v := range vals {
		checks[i] = knownvalue.StringExact(v)
	}
	return statecheck.ExpectKnownValue(retentionAddr, tfjsonpath.New(attr), knownvalue.SetExact(checks))
}

// Issue 9, item 18: operations and user principal names match ignoring case
// in the service, so a case-only difference, whether the tenant's spelling
// changes out of band or the configuration's does, neither plans a change
// nor ends an apply in "Provider produced inconsistent result after apply";
// state keeps the configuration's spelling.
func TestAccAuditLogRetentionPolicy_caseOnlyDifference(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             retentionGone(tn, t),
		Steps: []resource.TestStep{
			{
				Config: retentionSetsConfig(tn, `["MailItemsAccessed"]`, `["ann@contoso.com"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					expectStrings("operations", "MailItemsAccessed"), expectStrings("user_ids", "ann@contoso.com"),
				},
			},
			{
				// Another admin re-spells both lists: the same values to
				// the service.
				PreConfig: func() {
					tn.Compliance(t, "Set-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "Exchange mailbox access",
						"RetentionDuration": "TwelveMonths", "Priority": 40,
						"Operations": []string{"mailitemsaccessed"}, "UserIds": []string{"ANN@CONTOSO.COM"}})
				},
				Config:           retentionSetsConfig(tn, `["MailItemsAccessed"]`, `["ann@contoso.com"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectStrings("operations", "MailItemsAccessed"), expectStrings("user_ids", "ann@contoso.com"),
				},
			},
			{
				// The configuration changes only the case: no change, no
				// inconsistent result, no taint.
				Config:           retentionSetsConfig(tn, `["MAILITEMSACCESSED"]`, `["Ann@Contoso.com"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A real change next to a case-only one is applied in place;
				// operations, which differ only in case, keep the spelling
				// in state.
				Config: retentionSetsConfig(tn, `["MAILITEMSACCESSED"]`, `["Ann@Contoso.com", "bob@contoso.com"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(retentionAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectStrings("operations", "MailItemsAccessed"), expectStrings("user_ids", "Ann@Contoso.com", "bob@contoso.com"),
				},
				Check: func(*terraform.State) error {
					o := retentionPolicy(t, tn, "Exchange mailbox access")
					if got := fmt.Sprint(o["UserIds"]); got != "[Ann@Contoso.com bob@contoso.com]" {
						return fmt.Errorf("tenant UserIds = %s", got)
					}
					return nil
				},
			},
		},
	})
}

// Issue 9, item 23: user_ids are user principal names; anything else (a
// display name, an alias, an object id with a stray @) can only be a
// mistake and is refused at plan time, as are two spellings of one user.
func TestAccAuditLogRetentionPolicy_userIdsMustBeUPNs(t *testing.T) {
	tn := acctest.NewTenant(t)
	// The subtests are parallel and run after this function returns:
	// count the requests once they are all done.
	t.Cleanup(func() {
		if n := tn.Sim.Stats().Requests(m365sim.EndpointCompliance, ""); n != 0 {
			t.Errorf("a plan-time error must not reach the tenant; Security & Compliance saw %d requests", n)
		}
	})
	for name, c := range map[string]struct{ users, err string }{
		"display name":       {`["Ann Smith"]`, `(?s)"Ann Smith" is not a user principal name: it has no @`},
		"alias":              {`["ann"]`, `(?s)"ann" is not a user principal name`},
		"two @":              {`["ann@x@contoso.com"]`, `(?s)more than one @`},
		"domain without dot": {`["ann@contoso"]`, `(?s)is not a\s+domain name`},
		"case-only twins":    {`["ann@contoso.com", "ANN@contoso.com"]`, `(?s)differ only in letter case`},
		"empty":              {`[]`, `(?s)user_ids set must contain at least 1 elements`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{Config: retentionSetsConfig(tn, `["MailItemsAccessed"]`, c.users),
					PlanOnly: true, ExpectError: regexp.MustCompile(c.err)}},
			})
		})
	}
}
