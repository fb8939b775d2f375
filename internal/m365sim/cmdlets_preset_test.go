package m365sim

import (
	"testing"
	"time"
)

// The preset rules exist only after the portal turned the preset on; the
// priority can't move; the ATP rules need Defender for Office 365.
func TestPresetSecurityPolicyRules(t *testing.T) {
	s := startTest(t)
	const rule = "Strict Preset Security Policy"
	if got := mustInvoke(t, s, "Get-EOPProtectionPolicyRule", nil); len(got) != 0 {
		t.Fatalf("a new tenant has %d preset rules, want none", len(got))
	}
	invokeErr(t, s, "Set-EOPProtectionPolicyRule", map[string]any{"Identity": rule, "SentTo": []string{"megan@contoso.com"}}, "404")
	if err := TurnOnPresetInPortal(s, DemoTenantID, "Strict"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"Get-EOPProtectionPolicyRule", "Get-ATPProtectionPolicyRule"} {
		r := mustInvoke(t, s, c, map[string]any{"Identity": rule})[0]
		if r["State"] != "Enabled" || toInt(r["Priority"]) != 0 || r["SentTo"] != nil {
			t.Fatalf("%s after the portal: %v", c, r)
		}
	}
	invokeErr(t, s, "Set-EOPProtectionPolicyRule", map[string]any{"Identity": rule, "Priority": 1}, "must keep its default priority 0")
	mustInvoke(t, s, "Set-EOPProtectionPolicyRule", map[string]any{"Identity": rule, "Priority": 0, "RecipientDomainIs": []string{"contoso.com"}})
	invokeErr(t, s, "Set-EOPProtectionPolicyRule", map[string]any{"Identity": rule, "RecipientDomainIs": []string{"not a domain"}}, "400")
	mustInvoke(t, s, "Disable-EOPProtectionPolicyRule", map[string]any{"Identity": rule})
	if r := mustInvoke(t, s, "Get-EOPProtectionPolicyRule", map[string]any{"State": "Enabled"}); len(r) != 0 {
		t.Fatalf("-State Enabled returned %d rules after Disable", len(r))
	}

	// Dehydrated: the rules' writes are refused until
	// Enable-OrganizationCustomization, reads are not.
	if err := s.SetDehydrated(DemoTenantID, true, time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"Set-EOPProtectionPolicyRule", "Enable-EOPProtectionPolicyRule", "Disable-EOPProtectionPolicyRule",
		"Set-ATPProtectionPolicyRule", "Enable-ATPProtectionPolicyRule", "Disable-ATPProtectionPolicyRule"} {
		invokeErr(t, s, c, map[string]any{"Identity": rule}, "Enable-OrganizationCustomization")
	}
	mustInvoke(t, s, "Get-ATPProtectionPolicyRule", map[string]any{"Identity": rule})
	if err := s.SetDehydrated(DemoTenantID, false, 0); err != nil {
		t.Fatal(err)
	}

	s.Tenant(DemoTenantID).Licences.DefenderForOffice365 = false
	invokeErr(t, s, "Get-ATPProtectionPolicyRule", nil, "403")
	mustInvoke(t, s, "Enable-EOPProtectionPolicyRule", map[string]any{"Identity": rule})
}
