package acctest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// createdObjects is every resource type that creates an Exchange or
// Security & Compliance object with a New-* cmdlet: its address, the
// endpoint, the New-* and Get-* cmdlets and the object's name.
var createdObjects = []struct {
	addr, endpoint, newCmdlet, getCmdlet, name string
}{
	{"m365harden_audit_log_retention_policy.p", m365sim.EndpointCompliance, "New-UnifiedAuditLogRetentionPolicy", "Get-UnifiedAuditLogRetentionPolicy", "Fault retention"},
	{"m365harden_remote_domain.p", m365sim.EndpointExchange, "New-RemoteDomain", "Get-RemoteDomain", "Fault partner"},
	{"m365harden_outbound_spam_filter_policy.p", m365sim.EndpointExchange, "New-HostedOutboundSpamFilterPolicy", "Get-HostedOutboundSpamFilterPolicy", "Fault forwarders"},
	{"m365harden_outbound_spam_filter_rule.p", m365sim.EndpointExchange, "New-HostedOutboundSpamFilterRule", "Get-HostedOutboundSpamFilterRule", "Fault forwarders"},
	{"m365harden_transport_rule.p", m365sim.EndpointExchange, "New-TransportRule", "Get-TransportRule", "Fault block forwarding"},
	{"m365harden_alert_policy.p", m365sim.EndpointCompliance, "New-ProtectionAlert", "Get-ProtectionAlert", "Fault inbox rule alert"},
	{"m365harden_malware_filter_policy.p", m365sim.EndpointExchange, "New-MalwareFilterPolicy", "Get-MalwareFilterPolicy", "Fault malware"},
	{"m365harden_anti_phish_policy.p", m365sim.EndpointExchange, "New-AntiPhishPolicy", "Get-AntiPhishPolicy", "Fault phish"},
	{"m365harden_anti_phish_rule.p", m365sim.EndpointExchange, "New-AntiPhishRule", "Get-AntiPhishRule", "Fault phish"},
}

const createdObjectsConfig = `
resource "m365harden_audit_log_retention_policy" "p" {
  name               = "Fault retention"
  record_types       = ["ExchangeItem"]
  retention_duration = "TwelveMonths"
  priority           = 7
}
resource "m365harden_remote_domain" "p" {
  name                 = "Fault partner"
  domain_name          = "partner.example"
  auto_forward_enabled = false
}
resource "m365harden_outbound_spam_filter_policy" "p" {
  name                 = "Fault forwarders"
  auto_forwarding_mode = "On"
}
resource "m365harden_outbound_spam_filter_rule" "p" {
  name             = "Fault forwarders"
  policy           = m365harden_outbound_spam_filter_policy.p.name
  sender_domain_is = ["contoso.com"]
}
resource "m365harden_transport_rule" "p" {
  name                 = "Fault block forwarding"
  message_type_matches = "AutoForward"
  sent_to_scope        = "NotInOrganization"
  prepend_subject      = "[fwd] "
}
resource "m365harden_alert_policy" "p" {
  name         = "Fault inbox rule alert"
  category     = "ThreatManagement"
  threat_type  = "Activity"
  operation    = "New-InboxRule"
  notify_users = ["secops@contoso.com"]
}
resource "m365harden_malware_filter_policy" "p" {
  name               = "Fault malware"
  enable_file_filter = true
}
resource "m365harden_anti_phish_policy" "p" {
  name                             = "Fault phish"
  enable_first_contact_safety_tips = true
}
resource "m365harden_anti_phish_rule" "p" {
  name             = "Fault phish"
  policy              = m365harden_anti_phish_policy.p.name
  recipient_domain_is = ["contoso.com"]
}
`

// exactlyOne checks that the tenant holds one object of each created type
// (no duplicate, none missing) and that state holds it.
func exactlyOne(t *testing.T, tn *acctest.Tenant) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, o := range createdObjects {
			n := 0
			for _, obj := range tn.Invoke(t, o.endpoint, o.getCmdlet, nil) {
				if strings.EqualFold(fmt.Sprint(obj["Name"]), o.name) {
					n++
				}
			}
			if n != 1 {
				return fmt.Errorf("%s: the tenant holds %d objects named %q, want exactly 1", o.getCmdlet, n, o.name)
			}
			rs, ok := s.RootModule().Resources[o.addr]
			if !ok || rs.Primary == nil || rs.Primary.ID == "" {
				return fmt.Errorf("%s: %q exists in the tenant but not in state (an orphan)", o.addr, o.name)
			}
		}
		return nil
	}
}

// Every New-* cmdlet runs, then its answer is lost (a 504, a dropped
// connection, a timeout): each create adopts the object it made, so the
// apply succeeds with exactly one object of each, in state, and the plan
// after it is empty (the testing framework checks that after every step).
func TestAccCreateFaults_appliedThenFailed(t *testing.T) {
	tn := acctest.NewTenant(t)
	modes := []m365sim.Fault{
		{Status: 504},
		{Mode: m365sim.FaultModeDrop},
		{Mode: m365sim.FaultModeTimeout, HoldFor: time.Second},
		{Status: 503},
	}
	for i, o := range createdObjects {
		f := modes[i%len(modes)]
		f.Endpoint, f.Match, f.AfterApply, f.Times = o.endpoint, o.newCmdlet, true, 1
		tn.Sim.InjectFault(f)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + createdObjectsConfig,
				Check: resource.ComposeTestCheckFunc(exactlyOne(t, tn), func(*terraform.State) error {
					for _, ep := range []string{m365sim.EndpointExchange, m365sim.EndpointCompliance} {
						if n := tn.Sim.Stats().AfterApply(ep); n == 0 {
							return fmt.Errorf("no after-apply fault fired on %s", ep)
						}
					}
					return nil
				}),
			},
		},
	})
}

// The answer is lost and the service is slow to show the new object (reads
// lag 3 s behind writes): the lookup cannot see it yet, the create is sent
// again and the service's "already exists" proves the first one ran.
func TestAccCreateFaults_appliedThenFailedWithLag(t *testing.T) {
	tn := acctest.NewTenant(t)
	for _, o := range createdObjects {
		tn.Sim.InjectFault(m365sim.Fault{Endpoint: o.endpoint, Match: o.newCmdlet, AfterApply: true, Times: 1, Status: 504})
	}
	tn.Sim.SetReplicationLag(m365sim.EndpointExchange, 3*time.Second)
	tn.Sim.SetReplicationLag(m365sim.EndpointCompliance, 3*time.Second)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + createdObjectsConfig,
				Check:  exactlyOne(t, tn),
			},
		},
	})
}
