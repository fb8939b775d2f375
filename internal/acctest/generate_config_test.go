package acctest_test

import (
	"context"
	"encoding/json"
	"testing"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
	"github.com/m365harden/terraform-provider-m365harden/internal/provider"
)

// adoptCase is one resource type adopted from a tenant configured out of
// band: setup changes the tenant as an administrator would in the portals or
// in PowerShell and returns the import ID.
type adoptCase struct {
	resourceType string
	setup        func(t *testing.T, tn *acctest.Tenant) string
}

// graphCreate POSTs an object out of band and returns its id.
func graphCreate(t *testing.T, tn *acctest.Tenant, path string, body map[string]any) string {
	t.Helper()
	code, out, err := tn.Sim.GraphRequest(tn.ID, "POST", path, body)
	if err != nil {
		t.Fatal(err)
	}
	var obj struct {
		ID string `json:"id"`
	}
	if code != 201 || json.Unmarshal(out, &obj) != nil || obj.ID == "" {
		t.Fatalf("out-of-band POST %s: %d %s", path, code, out)
	}
	return obj.ID
}

func graphPatch(t *testing.T, tn *acctest.Tenant, path string, body map[string]any) {
	t.Helper()
	code, out, err := tn.Sim.GraphRequest(tn.ID, "PATCH", path, body)
	if err != nil {
		t.Fatal(err)
	}
	if code != 204 && code != 200 {
		t.Fatalf("out-of-band PATCH %s: %d %s", path, code, out)
	}
}

func seedMailbox(t *testing.T, tn *acctest.Tenant, spec m365sim.MailboxSpec) {
	t.Helper()
	if _, err := m365sim.SeedMailboxes(tn.Sim, tn.ID, m365sim.MailboxSeed{Mailboxes: []m365sim.MailboxSpec{spec}}); err != nil {
		t.Fatal(err)
	}
}

// adoptCases covers every resource type the provider has. Singletons are
// changed away from the tenant's defaults first, so the generated
// configuration has to carry what the tenant holds.
var adoptCases = []adoptCase{
	// audit
	{"m365harden_audit_configuration", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "Set-AdminAuditLogConfig", map[string]any{"UnifiedAuditLogIngestionEnabled": false})
		return tn.ID
	}},
	{"m365harden_mailbox_audit", func(t *testing.T, tn *acctest.Tenant) string {
		seedMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com", DisplayName: "Ann Jones"})
		tn.Exchange(t, "Set-Mailbox", map[string]any{"Identity": "ann@contoso.com", "AuditOwner": []string{"MailboxLogin", "Update"}, "AuditLogAgeLimit": "180.00:00:00"})
		return "ann@contoso.com"
	}},
	{"m365harden_mailbox_audit_baseline", func(t *testing.T, tn *acctest.Tenant) string {
		seedMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com", DisplayName: "Ann Jones"})
		return tn.ID
	}},
	{"m365harden_mailbox_audit_bypass", func(t *testing.T, tn *acctest.Tenant) string {
		seedMailbox(t, tn, m365sim.MailboxSpec{UPN: "svc-backup@contoso.com", DisplayName: "Backup service"})
		tn.Exchange(t, "Set-MailboxAuditBypassAssociation", map[string]any{"Identity": "svc-backup@contoso.com", "AuditBypassEnabled": true})
		return "svc-backup@contoso.com"
	}},
	{"m365harden_audit_log_retention_policy", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Compliance(t, "New-UnifiedAuditLogRetentionPolicy", map[string]any{"Name": "Exchange one year", "Description": "kept for investigations",
			"RecordTypes": []string{"ExchangeItem", "ExchangeAdmin"}, "RetentionDuration": "TwelveMonths", "Priority": 10})
		return "Exchange one year"
	}},
	// alerts
	{"m365harden_alert_policy", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Compliance(t, "New-ProtectionAlert", map[string]any{"Name": "Forwarding inbox rule created", "Category": "ThreatManagement", "ThreatType": "Activity",
			"NotifyUser": []string{"secops@contoso.com"}, "Operation": "New-InboxRule", "AggregationType": "None", "Severity": "High"})
		return "Forwarding inbox rule created"
	}},
	// mail flow
	{"m365harden_remote_domain", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "New-RemoteDomain", map[string]any{"Name": "Partner", "DomainName": "partner.example"})
		tn.Exchange(t, "Set-RemoteDomain", map[string]any{"Identity": "Partner", "AutoForwardEnabled": true, "AutoReplyEnabled": false})
		return "Partner"
	}},
	{"m365harden_outbound_spam_filter_policy", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "New-HostedOutboundSpamFilterPolicy", map[string]any{"Name": "Allowed forwarders", "AutoForwardingMode": "On",
			"NotifyOutboundSpamRecipients": []string{"soc@contoso.com"}})
		return "Allowed forwarders"
	}},
	{"m365harden_outbound_spam_filter_rule", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "New-HostedOutboundSpamFilterPolicy", map[string]any{"Name": "Allowed forwarders", "AutoForwardingMode": "On"})
		tn.Exchange(t, "New-HostedOutboundSpamFilterRule", map[string]any{"Name": "Allowed forwarders", "HostedOutboundSpamFilterPolicy": "Allowed forwarders",
			"SenderDomainIs": []string{"contoso.com"}})
		return "Allowed forwarders"
	}},
	{"m365harden_mailbox_forwarding", func(t *testing.T, tn *acctest.Tenant) string {
		seedMailbox(t, tn, m365sim.MailboxSpec{UPN: "adele@contoso.com", DisplayName: "Adele Vance", ForwardingSmtpAddress: "adele.vance@gmail.example"})
		return "adele@contoso.com"
	}},
	{"m365harden_transport_rule", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "New-TransportRule", map[string]any{"Name": "Tag vendor mail", "SenderDomainIs": []string{"vendor.example"},
			"PrependSubject": "[Vendor] ", "SetSCL": 5, "Comments": "added in the portal"})
		return "Tag vendor mail"
	}},
	{"m365harden_irm_configuration", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "Set-IRMConfiguration", map[string]any{"DecryptAttachmentForEncryptOnly": true})
		return tn.ID
	}},
	// mail security
	{"m365harden_transport_config", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "Set-TransportConfig", map[string]any{"ReplyAllStormDetectionMinimumReplies": 20})
		return tn.ID
	}},
	{"m365harden_dkim_signing_config", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "New-DkimSigningConfig", map[string]any{"DomainName": "contoso.com", "Enabled": false})
		return "contoso.com"
	}},
	{"m365harden_external_sender_tagging", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "Set-ExternalInOutlook", map[string]any{"Enabled": true, "AllowList": map[string]any{"Add": []string{"partner.example"}}})
		return tn.ID
	}},
	{"m365harden_sharing_policy", func(t *testing.T, tn *acctest.Tenant) string {
		return "Default Sharing Policy"
	}},
	{"m365harden_connection_filter_policy", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "Set-HostedConnectionFilterPolicy", map[string]any{"Identity": "Default", "IPAllowList": map[string]any{"Add": []string{"192.0.2.99"}}})
		return "Default"
	}},
	// Defender for Office 365
	{"m365harden_malware_filter_policy", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "New-MalwareFilterPolicy", map[string]any{"Name": "Executives", "FileTypes": []string{"exe", "docm"}})
		return "Executives"
	}},
	{"m365harden_anti_phish_policy", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "New-AntiPhishPolicy", map[string]any{"Name": "Finance"})
		return "Finance"
	}},
	{"m365harden_anti_phish_rule", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "New-AntiPhishPolicy", map[string]any{"Name": "Finance"})
		tn.Exchange(t, "New-AntiPhishRule", map[string]any{"Name": "Finance", "AntiPhishPolicy": "Finance", "RecipientDomainIs": []string{"contoso.com"}})
		return "Finance"
	}},
	{"m365harden_safe_links_policy", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "New-SafeLinksPolicy", map[string]any{"Name": "Finance links", "TrackClicks": true})
		return "Finance links"
	}},
	{"m365harden_safe_links_rule", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "New-SafeLinksPolicy", map[string]any{"Name": "Finance links"})
		tn.Exchange(t, "New-SafeLinksRule", map[string]any{"Name": "Finance links", "SafeLinksPolicy": "Finance links", "RecipientDomainIs": []string{"contoso.com"}})
		return "Finance links"
	}},
	{"m365harden_safe_attachment_policy", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "New-SafeAttachmentPolicy", map[string]any{"Name": "Finance attachments", "Action": "Block"})
		return "Finance attachments"
	}},
	{"m365harden_safe_attachment_rule", func(t *testing.T, tn *acctest.Tenant) string {
		tn.Exchange(t, "New-SafeAttachmentPolicy", map[string]any{"Name": "Finance attachments"})
		tn.Exchange(t, "New-SafeAttachmentRule", map[string]any{"Name": "Finance attachments", "SafeAttachmentPolicy": "Finance attachments", "RecipientDomainIs": []string{"contoso.com"}})
		return "Finance attachments"
	}},
	{"m365harden_preset_security_policy", func(t *testing.T, tn *acctest.Tenant) string {
		seedMailbox(t, tn, m365sim.MailboxSpec{UPN: "ann@contoso.com", DisplayName: "Ann Jones"})
		if err := m365sim.TurnOnPresetInPortal(tn.Sim, tn.ID, "Strict"); err != nil {
			t.Fatal(err)
		}
		tn.Exchange(t, "Set-EOPProtectionPolicyRule", map[string]any{"Identity": "Strict Preset Security Policy", "SentTo": []string{"ann@contoso.com"}})
		tn.Exchange(t, "Set-ATPProtectionPolicyRule", map[string]any{"Identity": "Strict Preset Security Policy", "ExceptIfRecipientDomainIs": []string{"fabrikam.com"}})
		return "Strict"
	}},
	// identity
	{"m365harden_security_defaults", func(t *testing.T, tn *acctest.Tenant) string {
		graphPatch(t, tn, "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false})
		return tn.ID
	}},
	{"m365harden_conditional_access_policy", func(t *testing.T, tn *acctest.Tenant) string {
		return graphCreate(t, tn, "/identity/conditionalAccess/policies", map[string]any{
			"displayName": "Block legacy authentication", "state": "enabledForReportingButNotEnforced",
			"conditions": map[string]any{
				"users":          map[string]any{"includeUsers": []string{"All"}},
				"applications":   map[string]any{"includeApplications": []string{"All"}},
				"clientAppTypes": []string{"exchangeActiveSync", "other"},
			},
			"grantControls": map[string]any{"operator": "OR", "builtInControls": []string{"block"}},
		})
	}},
	{"m365harden_authentication_methods_policy", func(t *testing.T, tn *acctest.Tenant) string {
		graphPatch(t, tn, "/policies/authenticationMethodsPolicy", map[string]any{"policyMigrationState": "migrationInProgress"})
		// The Graph beta part (system-preferred MFA, report suspicious activity).
		graphPatch(t, tn, "/beta/policies/authenticationMethodsPolicy", map[string]any{
			"systemCredentialPreferences":      map[string]any{"state": "enabled", "excludeTargets": []any{map[string]any{"id": "5bd63a5a-4f6a-4b9d-9c5e-2f0e8f7c1a01", "targetType": "group"}}},
			"reportSuspiciousActivitySettings": map[string]any{"state": "enabled", "voiceReportingCode": 8},
		})
		return tn.ID
	}},
	{"m365harden_authentication_method_configuration", func(t *testing.T, tn *acctest.Tenant) string {
		graphPatch(t, tn, "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Sms",
			map[string]any{"@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration", "state": "disabled"})
		return "Sms"
	}},
	{"m365harden_authentication_method_configuration", func(t *testing.T, tn *acctest.Tenant) string {
		graphPatch(t, tn, "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/X509Certificate",
			map[string]any{"@odata.type": "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration", "state": "enabled", "includeTargets": []any{}})
		return "X509Certificate"
	}},
	{"m365harden_named_location", func(t *testing.T, tn *acctest.Tenant) string {
		return graphCreate(t, tn, "/identity/conditionalAccess/namedLocations", map[string]any{
			"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Head office", "isTrusted": true,
			"ipRanges": []map[string]any{{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "198.51.100.0/24"}},
		})
	}},
	{"m365harden_authorization_policy", func(t *testing.T, tn *acctest.Tenant) string {
		graphPatch(t, tn, "/policies/authorizationPolicy", map[string]any{"allowInvitesFrom": "adminsAndGuestInviters"})
		return tn.ID
	}},
	{"m365harden_authentication_strength_policy", func(t *testing.T, tn *acctest.Tenant) string {
		return graphCreate(t, tn, "/policies/authenticationStrengthPolicies", map[string]any{
			"displayName": "Passkeys only", "description": "admins", "allowedCombinations": []string{"fido2", "windowsHelloForBusiness"},
		})
	}},
	{"m365harden_admin_consent_request_policy", func(t *testing.T, tn *acctest.Tenant) string {
		return tn.ID
	}},
}

// Every resource type can be adopted with an `import` block and
// `terraform plan -generate-config-out`: the HCL Terraform writes from what
// the provider read plans no change (terraform-plugin-testing's
// GenerateConfig mode plans with the generated file and fails on any
// action other than the import).
func TestAccGenerateConfig_everyResource(t *testing.T) {
	for _, c := range adoptCases {
		t.Run(c.resourceType, func(t *testing.T) {
			tn := acctest.NewTenant(t)
			id := c.setup(t, tn)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config:          tn.ProviderConfig(),
					ResourceName:    c.resourceType + ".adopted",
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithID,
					ImportStateId:   id,
					GenerateConfig:  true,
				}},
			})
		})
	}
}

// A resource type added to the provider needs an adoption case here.
func TestGenerateConfig_coversEveryResource(t *testing.T) {
	ctx := context.Background()
	p := provider.New("test")()
	var meta fwprovider.MetadataResponse
	p.Metadata(ctx, fwprovider.MetadataRequest{}, &meta)
	covered := map[string]bool{}
	for _, c := range adoptCases {
		covered[c.resourceType] = true
	}
	for _, f := range p.Resources(ctx) {
		var resp fwresource.MetadataResponse
		f().Metadata(ctx, fwresource.MetadataRequest{ProviderTypeName: meta.TypeName}, &resp)
		if !covered[resp.TypeName] {
			t.Errorf("%s has no case in adoptCases (TestAccGenerateConfig_everyResource)", resp.TypeName)
		}
		delete(covered, resp.TypeName)
	}
	for typ := range covered {
		t.Errorf("adoptCases names %s, which the provider does not have", typ)
	}
}
