package mailsec_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Exchange Online replication lag longer than the resource's timeouts
// (acctest.TimeoutsCase): the first apply (adopting the singleton and
// turning SMTP AUTH off) fails naming timeouts.create and the next apply
// converges; an update that outlasts timeouts.update shows at the next
// refresh.
func TestAccTransportConfig_timeouts(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Exchange(t, "Set-TransportConfig", map[string]any{"SmtpClientAuthenticationDisabled": false})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             objectIs(t, tn, "Get-TransportConfig", nil, map[string]any{"SmtpClientAuthenticationDisabled": true, "ReplyAllStormBlockDurationHours": 12}),
		Steps: acctest.TimeoutsCase{
			Tenant: tn, Endpoint: m365sim.EndpointExchange, Address: transportAddr, ImportID: m365sim.DemoTenantID,
			Create: transportConfig(tn, `  smtp_client_authentication_disabled = true
  timeouts = { create = "2s", update = "2s" }`),
			Update: transportConfig(tn, `  smtp_client_authentication_disabled   = true
  reply_all_storm_block_duration_hours = 12
  timeouts = { create = "2s", update = "2s" }`),
			CreateError: regexp.MustCompile(`(?s)Changing the tenant's transport configuration failed.*within 2s \(the\s+timeouts\.create\s+timeout`),
			UpdateError: regexp.MustCompile(`(?s)Changing the tenant's transport configuration failed.*within 2s \(the\s+timeouts\.update\s+timeout`),
			Created:     objectIs(t, tn, "Get-TransportConfig", nil, map[string]any{"SmtpClientAuthenticationDisabled": true}),
			Updated:     objectIs(t, tn, "Get-TransportConfig", nil, map[string]any{"ReplyAllStormBlockDurationHours": 12}),
		}.Steps(),
	})
}
