package m365sim

import (
	"testing"
	"time"
)

func TestMalwareFilterPolicy(t *testing.T) {
	s := startTest(t)
	def := mustInvoke(t, s, "Get-MalwareFilterPolicy", map[string]any{"Identity": "Default"})[0]
	if def["EnableFileFilter"] != true || def["FileTypeAction"] != "Reject" || len(def["FileTypes"].([]any)) != 53 {
		t.Fatalf("Default policy defaults: %v", def)
	}
	invokeErr(t, s, "Remove-MalwareFilterPolicy", map[string]any{"Identity": "Default"}, "can't be removed")
	invokeErr(t, s, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "FileTypeAction": "Delete"}, "400")
	invokeErr(t, s, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "FileTypes": []string{".exe"}}, "isn't a valid file type")
	invokeErr(t, s, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "EnableInternalSenderAdminNotifications": true}, "InternalSenderAdminAddress is empty")
	mustInvoke(t, s, "Set-MalwareFilterPolicy", map[string]any{"Identity": "Default", "EnableInternalSenderAdminNotifications": true, "InternalSenderAdminAddress": "soc@contoso.com"})
	mustInvoke(t, s, "New-MalwareFilterPolicy", map[string]any{"Name": "P", "FileTypes": []string{"exe"}})
	invokeErr(t, s, "New-MalwareFilterPolicy", map[string]any{"Name": "p"}, "already exists")
	mustInvoke(t, s, "Remove-MalwareFilterPolicy", map[string]any{"Identity": "P"})
}

func TestAntiPhish(t *testing.T) {
	s := startTest(t)
	const def = "Office365 AntiPhish Default"
	d := mustInvoke(t, s, "Get-AntiPhishPolicy", map[string]any{"Identity": def})[0]
	if d["EnableSpoofIntelligence"] != true || d["TargetedUserProtectionAction"] != "NoAction" {
		t.Fatalf("default policy: %v", d)
	}
	invokeErr(t, s, "Remove-AntiPhishPolicy", map[string]any{"Identity": def}, "can't be removed")
	invokeErr(t, s, "Set-AntiPhishPolicy", map[string]any{"Identity": def, "TargetedUserProtectionAction": []string{"Bogus"}}, "enumerator names")
	invokeErr(t, s, "Set-AntiPhishPolicy", map[string]any{"Identity": def, "TargetedUserProtectionAction": []string{"Quarantine", "Delete"}}, "exactly one")
	invokeErr(t, s, "Set-AntiPhishPolicy", map[string]any{"Identity": def, "TargetedUsersToProtect": []string{"megan@contoso.com"}}, "DisplayName;EmailAddress")
	invokeErr(t, s, "Set-AntiPhishPolicy", map[string]any{"Identity": def, "PhishThresholdLevel": 5}, "400")
	mustInvoke(t, s, "Set-AntiPhishPolicy", map[string]any{"Identity": def, "TargetedUserProtectionAction": []string{"quarantine"}})
	if d := mustInvoke(t, s, "Get-AntiPhishPolicy", map[string]any{"Identity": def})[0]; d["TargetedUserProtectionAction"] != "Quarantine" {
		t.Fatalf("action stored as %v, want the canonical Quarantine", d["TargetedUserProtectionAction"])
	}
	mustInvoke(t, s, "New-AntiPhishPolicy", map[string]any{"Name": "A"})
	invokeErr(t, s, "New-AntiPhishRule", map[string]any{"Name": "r", "AntiPhishPolicy": def, "RecipientDomainIs": []string{"contoso.com"}}, "default policy")
	mustInvoke(t, s, "New-AntiPhishRule", map[string]any{"Name": "ra", "AntiPhishPolicy": "A", "RecipientDomainIs": []string{"contoso.com"}})
	invokeErr(t, s, "New-AntiPhishRule", map[string]any{"Name": "rb", "AntiPhishPolicy": "A", "RecipientDomainIs": []string{"contoso.com"}}, "already associated")
	invokeErr(t, s, "Set-AntiPhishRule", map[string]any{"Identity": "ra", "Priority": 1}, "between 0 and 0")
	invokeErr(t, s, "Set-AntiPhishRule", map[string]any{"Identity": "ra", "Enabled": false}, "Invalid cmdlet parameters specified")
	mustInvoke(t, s, "Disable-AntiPhishRule", map[string]any{"Identity": "ra"})
	if r := mustInvoke(t, s, "Get-AntiPhishRule", map[string]any{"Identity": "ra"})[0]; r["State"] != "Disabled" {
		t.Fatalf("rule state %v", r["State"])
	}

	// Without Defender for Office 365 the impersonation parameters are not offered.
	s.Tenant(DemoTenantID).Licences.DefenderForOffice365 = false
	invokeErr(t, s, "Set-AntiPhishPolicy", map[string]any{"Identity": def, "EnableTargetedUserProtection": true}, "Invalid cmdlet parameters specified. EnableTargetedUserProtection")
	mustInvoke(t, s, "Set-AntiPhishPolicy", map[string]any{"Identity": def, "EnableFirstContactSafetyTips": true})
}

func TestSafeLinksAndAttachments(t *testing.T) {
	s := startTest(t)
	const builtIn = "Built-In Protection Policy"
	if p := mustInvoke(t, s, "Get-SafeLinksPolicy", map[string]any{"Identity": builtIn})[0]; p["IsBuiltInProtection"] != true || p["AllowClickThrough"] != false {
		t.Fatalf("built-in Safe Links policy: %v", p)
	}
	invokeErr(t, s, "Set-SafeLinksPolicy", map[string]any{"Identity": builtIn, "TrackClicks": false}, "can't be modified")
	invokeErr(t, s, "Remove-SafeAttachmentPolicy", map[string]any{"Identity": builtIn}, "can't be modified")
	mustInvoke(t, s, "New-SafeLinksPolicy", map[string]any{"Name": "P"})
	if p := mustInvoke(t, s, "Get-SafeLinksPolicy", map[string]any{"Identity": "P"})[0]; p["ScanUrls"] != true || p["EnableSafeLinksForTeams"] != true || p["DisableUrlRewrite"] != false {
		t.Fatalf("new Safe Links policy defaults: %v", p)
	}
	mustInvoke(t, s, "New-SafeAttachmentPolicy", map[string]any{"Name": "A"})
	if p := mustInvoke(t, s, "Get-SafeAttachmentPolicy", map[string]any{"Identity": "A"})[0]; p["Enable"] != false || p["Action"] != "Block" {
		t.Fatalf("new Safe Attachments policy defaults: %v", p)
	}
	invokeErr(t, s, "Set-SafeAttachmentPolicy", map[string]any{"Identity": "A", "Action": "Replace"}, "enumerator names")
	invokeErr(t, s, "Set-SafeAttachmentPolicy", map[string]any{"Identity": "A", "Redirect": true}, "RedirectAddress is required")
	mustInvoke(t, s, "Set-SafeAttachmentPolicy", map[string]any{"Identity": "A", "Action": "dynamicdelivery"})
	if p := mustInvoke(t, s, "Get-SafeAttachmentPolicy", map[string]any{"Identity": "A"})[0]; p["Action"] != "DynamicDelivery" {
		t.Fatalf("action stored as %v", p["Action"])
	}
	invokeErr(t, s, "New-SafeLinksRule", map[string]any{"Name": "r", "SafeLinksPolicy": builtIn, "RecipientDomainIs": []string{"contoso.com"}}, "can't be associated")
	mustInvoke(t, s, "New-SafeLinksRule", map[string]any{"Name": "r", "SafeLinksPolicy": "P", "RecipientDomainIs": []string{"contoso.com"}})
	invokeErr(t, s, "Remove-SafeLinksPolicy", map[string]any{"Identity": "P"}, "Remove the rule first")
	mustInvoke(t, s, "Disable-SafeLinksRule", map[string]any{"Identity": "r"})
	if r := mustInvoke(t, s, "Get-SafeLinksRule", map[string]any{"Identity": "r"})[0]; r["State"] != "Disabled" || r["SafeLinksPolicy"] != "P" {
		t.Fatalf("rule: %v", r)
	}

	// Dehydrated: refused until Enable-OrganizationCustomization.
	if err := s.SetDehydrated(DemoTenantID, true, time.Hour); err != nil {
		t.Fatal(err)
	}
	invokeErr(t, s, "Set-SafeLinksPolicy", map[string]any{"Identity": "P", "TrackClicks": false}, "Enable-OrganizationCustomization")
	if err := s.SetDehydrated(DemoTenantID, false, 0); err != nil {
		t.Fatal(err)
	}

	// Without Defender for Office 365 the cmdlets are not there.
	s.Tenant(DemoTenantID).Licences.DefenderForOffice365 = false
	invokeErr(t, s, "Get-SafeLinksPolicy", nil, "403")
	invokeErr(t, s, "New-SafeAttachmentRule", map[string]any{"Name": "x", "SafeAttachmentPolicy": "A", "RecipientDomainIs": []string{"contoso.com"}}, "403")
}
