package posture

import (
	"strings"
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// policyCase is one control of controls_mail.go, controls_defender.go or
// controls_identity_policies.go: a change that makes the tenant
// non-compliant (with the words the evidence must use) and one that makes
// it compliant, both made as an administrator would, on the emulator.
type policyCase struct {
	control string
	refs    []string // the catalogue references this case checks
	bad     func(t *testing.T, sim *m365sim.Server)
	want    string // evidence of the non-compliant tenant
	good    func(t *testing.T, sim *m365sim.Server)
}

func exo(t *testing.T, sim *m365sim.Server, cmdlet string, params map[string]any) {
	t.Helper()
	if _, err := sim.Invoke(m365sim.DemoTenantID, m365sim.EndpointExchange, cmdlet, params); err != nil {
		t.Fatalf("%s: %v", cmdlet, err)
	}
}

func graphDo(t *testing.T, sim *m365sim.Server, method, path string, body map[string]any) {
	t.Helper()
	code, out, err := sim.GraphRequest(m365sim.DemoTenantID, method, path, body)
	if err != nil || code >= 300 {
		t.Fatalf("%s %s: %d %s %v", method, path, code, out, err)
	}
}

func authz(perms map[string]any, top map[string]any) func(t *testing.T, sim *m365sim.Server) {
	return func(t *testing.T, sim *m365sim.Server) {
		body := map[string]any{}
		for k, v := range top {
			body[k] = v
		}
		if perms != nil {
			dp := map[string]any{"allowedToCreateApps": true, "allowedToCreateSecurityGroups": true, "allowedToCreateTenants": true,
				"allowedToReadBitlockerKeysForOwnedDevice": true, "allowedToReadOtherUsers": true}
			for k, v := range perms {
				dp[k] = v
			}
			body["defaultUserRolePermissions"] = dp
		}
		graphDo(t, sim, "PATCH", "/policies/authorizationPolicy", body)
	}
}

func adminConsent(enabled bool, reviewers ...string) func(t *testing.T, sim *m365sim.Server) {
	return func(t *testing.T, sim *m365sim.Server) {
		rs := []any{}
		for _, r := range reviewers {
			rs = append(rs, map[string]any{"query": r, "queryType": "MicrosoftGraph"})
		}
		graphDo(t, sim, "PUT", "/policies/adminConsentRequestPolicy", map[string]any{"isEnabled": enabled, "notifyReviewers": true,
			"remindersEnabled": true, "requestDurationInDays": 30, "reviewers": rs})
	}
}

func publishDKIM(t *testing.T, sim *m365sim.Server, domain string) {
	t.Helper()
	var recs []map[string]any
	for i := 1; i <= 2; i++ {
		recs = append(recs, map[string]any{"name": "selector" + string(rune('0'+i)) + "._domainkey." + domain, "type": "CNAME",
			"value": m365sim.DKIMSelectorCNAME(m365sim.DemoDomain, domain, i)})
	}
	if _, err := sim.Seed(m365sim.DemoTenantID, "dns-records", map[string]any{"records": recs}); err != nil {
		t.Fatal(err)
	}
}

const reviewerQuery = "/users/6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"

var policyCases = []policyCase{
	{ctlSMTPAuthDisabled, []string{"Scuba MS.EXO.5.1v1", "DSC EXOTransportConfig"},
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-TransportConfig", map[string]any{"SmtpClientAuthenticationDisabled": false})
		}, "SmtpClientAuthenticationDisabled=false",
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-TransportConfig", map[string]any{"SmtpClientAuthenticationDisabled": true})
		}},
	{ctlDKIMEnabled, []string{"CIS 2.1.9", "Scuba MS.EXO.3.1v1", "DSC EXODkimSigningConfig"},
		func(t *testing.T, sim *m365sim.Server) {}, "contoso.com",
		func(t *testing.T, sim *m365sim.Server) {
			publishDKIM(t, sim, "contoso.com")
			exo(t, sim, "New-DkimSigningConfig", map[string]any{"DomainName": "contoso.com", "Enabled": true})
		}},
	{ctlExternalInOutlook, []string{"CIS 6.2.3", "DSC EXOExternalInOutlook"},
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-ExternalInOutlook", map[string]any{"Enabled": false})
			// A subject-prefix rule is ScubaGear's method, not CIS's.
			exo(t, sim, "New-TransportRule", map[string]any{"Name": "External prefix", "FromScope": "NotInOrganization", "PrependSubject": "[External] "})
		}, "Enabled=false",
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-ExternalInOutlook", map[string]any{"Enabled": true})
		}},
	{ctlExternalSenderWarnings, []string{"Scuba MS.EXO.7.1v1"},
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-ExternalInOutlook", map[string]any{"Enabled": false})
			// A prefix rule for internal senders warns of nothing.
			exo(t, sim, "New-TransportRule", map[string]any{"Name": "Internal prefix", "FromScope": "InOrganization", "PrependSubject": "[Internal] "})
		}, "no enabled, enforced transport rule",
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "New-TransportRule", map[string]any{"Name": "External prefix", "FromScope": "NotInOrganization", "PrependSubject": "[External] "})
		}},
	{ctlContactSharing, []string{"Scuba MS.EXO.6.1v1", "DSC EXOSharingPolicy"},
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-SharingPolicy", map[string]any{"Identity": "Default Sharing Policy", "Domains": []string{"*:ContactsSharing", "fabrikam.com:CalendarSharingFreeBusyDetail"}})
		}, "Domains: *:ContactsSharing",
		func(t *testing.T, sim *m365sim.Server) {
			// Named domains are allowed by the requirement's note.
			exo(t, sim, "Set-SharingPolicy", map[string]any{"Identity": "Default Sharing Policy", "Domains": []string{"fabrikam.com:ContactsSharing", "*:CalendarSharingFreeBusySimple"}})
		}},
	{ctlCalendarSharing, []string{"Scuba MS.EXO.6.2v1", "DSC EXOSharingPolicy"},
		func(t *testing.T, sim *m365sim.Server) {}, "Domains: Anonymous:CalendarSharingFreeBusyReviewer",
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-SharingPolicy", map[string]any{"Identity": "Default Sharing Policy", "Domains": []string{"fabrikam.com:CalendarSharingFreeBusySimple", "*:ContactsSharing"}})
		}},
	{ctlExternalCalendarSharing, []string{"CIS 1.3.3"},
		func(t *testing.T, sim *m365sim.Server) {
			// Named domains are still external calendar sharing for CIS.
			exo(t, sim, "Set-SharingPolicy", map[string]any{"Identity": "Default Sharing Policy", "Domains": []string{"fabrikam.com:CalendarSharingFreeBusySimple"}})
		}, "Domains: fabrikam.com:CalendarSharingFreeBusySimple",
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-SharingPolicy", map[string]any{"Identity": "Default Sharing Policy", "Enabled": false})
		}},
	{ctlConnectionFilter, []string{"DSC EXOHostedConnectionFilterPolicy"},
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-HostedConnectionFilterPolicy", map[string]any{"Identity": "Default", "IPAllowList": []string{"192.0.2.10"}, "EnableSafeList": true})
		}, "IPAllowList=192.0.2.10; EnableSafeList=true",
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-HostedConnectionFilterPolicy", map[string]any{"Identity": "Default", "IPAllowList": []string{}, "EnableSafeList": false})
		}},
	{ctlMalwareFileFilter, []string{"CIS 2.1.2", "DSC EXOMalwareFilterPolicy"},
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "EnableFileFilter": false})
		}, "EnableFileFilter=false",
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "EnableFileFilter": true})
		}},
	{ctlMalwareInternalAdmin, []string{"CIS 2.1.3", "DSC EXOMalwareFilterPolicy"},
		func(t *testing.T, sim *m365sim.Server) {}, "EnableInternalSenderAdminNotifications=false",
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "EnableInternalSenderAdminNotifications": true, "InternalSenderAdminAddress": "soc@contoso.com"})
		}},
	{ctlMalwareClickToRun, []string{"Scuba MS.SECURITYSUITE.1.1v1", "DSC EXOMalwareFilterPolicy"},
		func(t *testing.T, sim *m365sim.Server) {
			// The list replaced with one that keeps exe only.
			exo(t, sim, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "FileTypes": []string{"exe", "iso"}})
		}, "FileTypes lacks cmd,vbe",
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "FileTypes": []string{"EXE", "cmd", "vbe", "iso"}})
		}},
	{ctlMalwareZAP, []string{"Scuba MS.SECURITYSUITE.1.2v1", "DSC EXOMalwareFilterPolicy"},
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "ZapEnabled": false})
		}, "ZapEnabled=false",
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "ZapEnabled": true})
		}},
	{ctlMalwareQuarantined, []string{"Scuba MS.SECURITYSUITE.1.3v1", "DSC EXOSafeAttachmentPolicy"},
		func(t *testing.T, sim *m365sim.Server) {
			// A new Safe Attachments policy is off; a rule applies it.
			exo(t, sim, "New-SafeAttachmentPolicy", map[string]any{"Name": "Lax"})
			exo(t, sim, "New-SafeAttachmentRule", map[string]any{"Name": "Lax", "SafeAttachmentPolicy": "Lax", "RecipientDomainIs": []string{"contoso.com"}})
		}, "Lax: Enable=false; Action=Block",
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-SafeAttachmentPolicy", map[string]any{"Identity": "Lax", "Enable": true, "Action": "DynamicDelivery"})
		}},
	{ctlAntiPhishing, []string{"CIS 2.1.7", "DSC EXOAntiPhishPolicy"},
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-AntiPhishPolicy", map[string]any{"Identity": "Office365 AntiPhish Default", "EnableSpoofIntelligence": false})
		}, "PhishThresholdLevel=1; EnableMailboxIntelligenceProtection=false; EnableSpoofIntelligence=false",
		func(t *testing.T, sim *m365sim.Server) {
			exo(t, sim, "Set-AntiPhishPolicy", map[string]any{"Identity": "Office365 AntiPhish Default", "EnableSpoofIntelligence": true,
				"PhishThresholdLevel": 2, "EnableMailboxIntelligence": true, "EnableMailboxIntelligenceProtection": true, "MailboxIntelligenceProtectionAction": "Quarantine"})
		}},
	{ctlAppRegistration, []string{"CIS 5.1.2.2", "Scuba MS.AAD.5.1v1", "DSC AADAuthorizationPolicy"},
		func(t *testing.T, sim *m365sim.Server) {}, "allowedToCreateApps=true",
		authz(map[string]any{"allowedToCreateApps": false}, nil)},
	{ctlUserConsent, []string{"Scuba MS.AAD.5.2v1", "DSC AADAuthorizationPolicy"},
		func(t *testing.T, sim *m365sim.Server) {}, "ManagePermissionGrantsForSelf.microsoft-user-default-legacy",
		authz(map[string]any{"permissionGrantPoliciesAssigned": []string{"ManagePermissionGrantsForSelf.microsoft-user-default-low"}}, nil)},
	{ctlUserConsentOff, []string{"CIS 5.1.5.1", "DSC AADAuthorizationPolicy"},
		authz(map[string]any{"permissionGrantPoliciesAssigned": []string{"ManagePermissionGrantsForSelf.microsoft-user-default-low"}}, nil), "ManagePermissionGrantsForSelf.microsoft-user-default-low",
		authz(map[string]any{"permissionGrantPoliciesAssigned": []string{}}, nil)},
	{ctlTenantCreation, []string{"CIS 5.1.2.3", "DSC AADAuthorizationPolicy"},
		func(t *testing.T, sim *m365sim.Server) {}, "allowedToCreateTenants=true",
		authz(map[string]any{"allowedToCreateTenants": false}, nil)},
	{ctlAdminConsentWorkflow, []string{"CIS 5.1.5.2", "Scuba MS.AAD.5.3v1", "DSC AADAdminConsentRequestPolicy"},
		func(t *testing.T, sim *m365sim.Server) {}, "isEnabled=false",
		adminConsent(true, reviewerQuery)},
	{ctlGuestAccess, []string{"Scuba MS.AAD.8.1v1", "DSC AADAuthorizationPolicy"},
		authz(nil, map[string]any{"guestUserRoleId": "a0b1b346-4d3e-4e8b-98f8-753987be4970"}), "guestUserRoleId=a0b1b346-4d3e-4e8b-98f8-753987be4970",
		authz(nil, map[string]any{"guestUserRoleId": "2af84b1e-32c8-42b7-82bc-daa82404023b"})},
	{ctlGuestInvites, []string{"CIS 5.1.6.3", "Scuba MS.AAD.8.2v1", "DSC AADAuthorizationPolicy"},
		func(t *testing.T, sim *m365sim.Server) {}, "allowInvitesFrom=everyone",
		authz(nil, map[string]any{"allowInvitesFrom": "adminsAndGuestInviters"})},
}

func evalOne(t *testing.T, set *clients.Set, id string) controlResult {
	t.Helper()
	opt := defaultOptions()
	opt.Controls = map[string]bool{id: true}
	rs := evaluate(t.Context(), set, opt)
	if len(rs) != 1 {
		t.Fatalf("%d results", len(rs))
	}
	return rs[0]
}

// TestPolicyControls: for every reference of these controls, a
// non-compliant emulated tenant fails naming the setting and a compliant
// one passes.
func TestPolicyControls(t *testing.T) {
	for _, pc := range policyCases {
		t.Run(pc.control, func(t *testing.T) {
			t.Parallel()
			sim, set := newSet(t, 0)
			pc.bad(t, sim)
			r := evalOne(t, set, pc.control)
			if r.Status != statusFail || len(r.Objects) == 0 || !strings.Contains(objectsText(r.Objects), pc.want) {
				t.Fatalf("non-compliant: %s %q %+v, want fail naming %q", r.Status, r.Summary, r.Objects, pc.want)
			}
			pc.good(t, sim)
			if r := evalOne(t, set, pc.control); r.Status != statusPass {
				t.Fatalf("compliant: %s %q %+v", r.Status, r.Summary, r.Objects)
			}
		})
	}
}

func objectsText(objs []object) string {
	var b strings.Builder
	for _, o := range objs {
		b.WriteString(o.Type + " " + o.Name + ": " + o.Detail + "\n")
	}
	return b.String()
}

// TestPolicyCasesCoverCatalogue: every reference of these controls in the
// catalogue is one a case checks, and the reverse.
func TestPolicyCasesCoverCatalogue(t *testing.T) {
	cases := map[string]policyCase{}
	for _, pc := range policyCases {
		cases[pc.control] = pc
	}
	for _, c := range catalogue {
		if c.eval == nil {
			continue
		}
		pc, ok := cases[c.ID]
		if !ok {
			continue
		}
		if strings.Join(pc.refs, "|") != strings.Join(c.References, "|") {
			t.Errorf("%s: catalogue references %v, the test checks %v", c.ID, c.References, pc.refs)
		}
		delete(cases, c.ID)
	}
	for id := range cases {
		t.Errorf("%s: tested but not in the catalogue", id)
	}
}

// TestAntiPhishingNotLicensed: without Defender for Office 365 in the
// subscriptions the control says which licence is missing and reads no
// policy.
func TestAntiPhishingNotLicensed(t *testing.T) {
	sim, set := newSet(t, 0)
	if err := sim.SetSubscribedSkus(m365sim.DemoTenantID, m365sim.SkusForLicences(m365sim.Licences{EntraIDP1: true})); err != nil {
		t.Fatal(err)
	}
	sim.Stats().Reset()
	r := evalOne(t, set, ctlAntiPhishing)
	if r.Status != statusUnknown || r.Reason != reasonLicence || !strings.HasPrefix(r.Summary, "not licensed: Microsoft Defender for Office 365") {
		t.Fatalf("%s %s %s", r.Status, r.Reason, r.Summary)
	}
	if n := sim.Stats().Requests(m365sim.EndpointExchange, "Get-AntiPhishPolicy"); n != 0 {
		t.Errorf("Get-AntiPhishPolicy: %d requests, want 0", n)
	}
}

// TestUserConsentOptions: "do not allow user consent" passes; a custom
// self-consent policy fails; group-owner consent policies are not user
// consent.
func TestUserConsentOptions(t *testing.T) {
	sim, set := newSet(t, 0)
	authz(map[string]any{"permissionGrantPoliciesAssigned": []string{"ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"}}, nil)(t, sim)
	if r := evalOne(t, set, ctlUserConsent); r.Status != statusPass || !strings.Contains(r.Summary, "cannot consent") {
		t.Errorf("no self-consent policy: %s %s", r.Status, r.Summary)
	}
	authz(map[string]any{"permissionGrantPoliciesAssigned": []string{"ManagePermissionGrantsForSelf.microsoft-user-default-recommended"}}, nil)(t, sim)
	if r := evalOne(t, set, ctlUserConsent); r.Status != statusFail || !strings.Contains(objectsText(r.Objects), "microsoft-user-default-recommended") {
		t.Errorf("Microsoft-managed consent: %s %+v", r.Status, r.Objects)
	}
	adminConsent(false)(t, sim)
	if r := evalOne(t, set, ctlAdminConsentWorkflow); r.Status != statusFail {
		t.Errorf("workflow off: %s %s", r.Status, r.Summary)
	}
}
