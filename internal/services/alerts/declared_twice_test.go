package alerts_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Issue 10, item 6 (Security & Compliance): two alert policies with one
// name in different letter case fail the plan; two names apply and plan
// again empty; a block added next to an applied one with its name fails.
func TestAccAlertPolicy_declaredTwice(t *testing.T) {
	tn := acctest.NewTenant(t)
	alert := func(label, name string) string {
		return fmt.Sprintf(`
resource "m365harden_alert_policy" %q {
  name = %q
%s
}
`, label, name, alertBasic)
	}
	good := tn.ProviderConfig() + alert("a", "Forwarding inbox rule created") + alert("b", "Inbox rule changed")
	dup := acctest.DeclaredTwice(`alert policy "`, "Another m365harden_alert_policy block", "attribute name", "Give each block its own name")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      tn.ProviderConfig() + alert("a", "Forwarding inbox rule created") + alert("b", "FORWARDING INBOX RULE CREATED"),
				PlanOnly:    true,
				ExpectError: dup,
			},
			{Config: good},
			{Config: good, PlanOnly: true},
			{Config: good + alert("c", "inbox rule changed"), ExpectError: dup},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointCompliance, "New-ProtectionAlert"); n != 2 {
		t.Fatalf("want the 2 different alert policies created and nothing else; %d New-ProtectionAlert calls", n)
	}
}
