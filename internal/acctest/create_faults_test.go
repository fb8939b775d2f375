package acctest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// createdObjects is every resource type that creates an object: with an
// Exchange or Security & Compliance New-* cmdlet (its address, the
// endpoint, the New-* and Get-* cmdlets and the object's name) or with a
// Graph POST (the path the POST matches, the collection listed, and the
// display name).
var createdObjects = []createdObject{
	{"m365harden_audit_log_retention_policy.p", m365sim.EndpointCompliance, "New-UnifiedAuditLogRetentionPolicy", "Get-UnifiedAuditLogRetentionPolicy", "Fault retention"},
	{"m365harden_remote_domain.p", m365sim.EndpointExchange, "New-RemoteDomain", "Get-RemoteDomain", "Fault partner"},
	{"m365harden_outbound_spam_filter_policy.p", m365sim.EndpointExchange, "New-HostedOutboundSpamFilterPolicy", "Get-HostedOutboundSpamFilterPolicy", "Fault forwarders"},
	{"m365harden_outbound_spam_filter_rule.p", m365sim.EndpointExchange, "New-HostedOutboundSpamFilterRule", "Get-HostedOutboundSpamFilterRule", "Fault forwarders"},
	{"m365harden_transport_rule.p", m365sim.EndpointExchange, "New-TransportRule", "Get-TransportRule", "Fault block forwarding"},
	{"m365harden_alert_policy.p", m365sim.EndpointCompliance, "New-ProtectionAlert", "Get-ProtectionAlert", "Fault inbox rule alert"},
	{"m365harden_malware_filter_policy.p", m365sim.EndpointExchange, "New-MalwareFilterPolicy", "Get-MalwareFilterPolicy", "Fault malware"},
	{"m365harden_anti_phish_policy.p", m365sim.EndpointExchange, "New-AntiPhishPolicy", "Get-AntiPhishPolicy", "Fault phish"},
	{"m365harden_anti_phish_rule.p", m365sim.EndpointExchange, "New-AntiPhishRule", "Get-AntiPhishRule", "Fault phish"},
	{"m365harden_safe_links_policy.p", m365sim.EndpointExchange, "New-SafeLinksPolicy", "Get-SafeLinksPolicy", "Fault links"},
	{"m365harden_safe_links_rule.p", m365sim.EndpointExchange, "New-SafeLinksRule", "Get-SafeLinksRule", "Fault links"},
	{"m365harden_safe_attachment_policy.p", m365sim.EndpointExchange, "New-SafeAttachmentPolicy", "Get-SafeAttachmentPolicy", "Fault attachments"},
	{"m365harden_safe_attachment_rule.p", m365sim.EndpointExchange, "New-SafeAttachmentRule", "Get-SafeAttachmentRule", "Fault attachments"},
	{"m365harden_dkim_signing_config.p", m365sim.EndpointExchange, "New-DkimSigningConfig", "Get-DkimSigningConfig", "contoso.com"},
	{"m365harden_conditional_access_policy.p", m365sim.EndpointGraph, "/v1.0/identity/conditionalAccess/policies", "/identity/conditionalAccess/policies", "Fault require MFA"},
	{"m365harden_named_location.p", m365sim.EndpointGraph, "/v1.0/identity/conditionalAccess/namedLocations", "/identity/conditionalAccess/namedLocations", "Fault office"},
	{"m365harden_authentication_strength_policy.p", m365sim.EndpointGraph, "/v1.0/policies/authenticationStrengthPolicies", "/policies/authenticationStrengthPolicies", "Fault FIDO2"},
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
  name                = "Fault phish"
  policy              = m365harden_anti_phish_policy.p.name
  recipient_domain_is = ["contoso.com"]
}
resource "m365harden_safe_links_policy" "p" {
  name                        = "Fault links"
  enable_safe_links_for_teams = true
}
resource "m365harden_safe_links_rule" "p" {
  name                = "Fault links"
  policy              = m365harden_safe_links_policy.p.name
  recipient_domain_is = ["contoso.com"]
}
resource "m365harden_safe_attachment_policy" "p" {
  name   = "Fault attachments"
  enable = true
  action = "Block"
}
resource "m365harden_safe_attachment_rule" "p" {
  name                = "Fault attachments"
  policy              = m365harden_safe_attachment_policy.p.name
  recipient_domain_is = ["contoso.com"]
}
resource "m365harden_dkim_signing_config" "p" {
  domain_name = "contoso.com"
  enabled     = false
}
resource "m365harden_conditional_access_policy" "p" {
  display_name = "Fault require MFA"
  state        = "disabled"
  conditions = {
    users = {
      include_users = ["All"]
    }
    applications = {
      include_applications = ["All"]
    }
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
}
resource "m365harden_named_location" "p" {
  display_name = "Fault office"
  ip = {
    ip_ranges  = ["203.0.113.0/24"]
    is_trusted = true
  }
}
resource "m365harden_authentication_strength_policy" "p" {
  display_name         = "Fault FIDO2"
  allowed_combinations = ["fido2"]
}
`

// exactlyOne checks that the tenant holds one object of each created type
// (no duplicate, none missing) and that state holds it.
func exactlyOne(t *testing.T, tn *acctest.Tenant) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, o := range createdObjects {
			n := 0
			for _, got := range tn.Names(t, o.endpoint, o.getCmdlet) {
				if got == strings.ToLower(o.name) {
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

type createdObject struct {
	addr, endpoint, newCmdlet, getCmdlet, name string
}

// createFault is the applied-then-failed fault on o's create request.
func createFault(o createdObject, f m365sim.Fault) m365sim.Fault {
	f.Endpoint, f.Match, f.AfterApply, f.Times = o.endpoint, o.newCmdlet, true, 1
	if o.endpoint == m365sim.EndpointGraph {
		f.Method = "POST"
	}
	return f
}

// Every New-* cmdlet and Graph POST runs, then its answer is lost (a 504,
// a dropped connection, a timeout, a 503): each create adopts the object it
// made, so the apply succeeds with exactly one object of each, in state,
// and the plan after it is empty (the testing framework checks that after
// every step; the second step applies again and must change nothing).
func TestAccCreateFaults_appliedThenFailed(t *testing.T) {
	tn := acctest.NewTenant(t)
	modes := []m365sim.Fault{
		{Status: 504},
		{Mode: m365sim.FaultModeDrop},
		{Mode: m365sim.FaultModeTimeout, HoldFor: time.Second},
		{Status: 503},
	}
	for i, o := range createdObjects {
		tn.Sim.InjectFault(createFault(o, modes[i%len(modes)]))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + createdObjectsConfig,
				Check:  resource.ComposeTestCheckFunc(exactlyOne(t, tn), faultsFired(tn)),
			},
			{
				Config: tn.ProviderConfig() + createdObjectsConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: exactlyOne(t, tn),
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
		tn.Sim.InjectFault(createFault(o, m365sim.Fault{Status: 504}))
	}
	for _, ep := range []string{m365sim.EndpointExchange, m365sim.EndpointCompliance, m365sim.EndpointGraph} {
		tn.Sim.SetReplicationLag(ep, 3*time.Second)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + createdObjectsConfig,
				Check:  resource.ComposeTestCheckFunc(exactlyOne(t, tn), faultsFired(tn)),
			},
		},
	})
}

// faultsFired checks that every create's applied-then-failed fault fired:
// one per created object, on each endpoint.
func faultsFired(tn *acctest.Tenant) resource.TestCheckFunc {
	return func(*terraform.State) error {
		want := map[string]int{}
		for _, o := range createdObjects {
			want[o.endpoint]++
		}
		for ep, n := range want {
			if got := tn.Sim.Stats().AfterApply(ep); got != n {
				return fmt.Errorf("%d after-apply faults fired on %s, want %d (one per create)", got, ep, n)
			}
		}
		return nil
	}
}
