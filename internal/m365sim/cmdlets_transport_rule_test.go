package m365sim

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func transportRuleOrder(t *testing.T, s *Server) string {
	t.Helper()
	var parts []string
	for _, r := range mustInvoke(t, s, "Get-TransportRule", nil) {
		parts = append(parts, fmt.Sprint(r["Name"])+"="+strconv.Itoa(toInt(r["Priority"])))
	}
	return strings.Join(parts, ",")
}

func TestTransportRulePriorities(t *testing.T) {
	s := startTest(t)
	for _, n := range []string{"a", "b", "c"} {
		mustInvoke(t, s, "New-TransportRule", map[string]any{"Name": n, "PrependSubject": "[" + n + "] "})
	}
	if got := transportRuleOrder(t, s); got != "a=0,b=1,c=2" {
		t.Fatalf("order %s", got)
	}
	// A new rule at priority 1 shifts the others down.
	mustInvoke(t, s, "New-TransportRule", map[string]any{"Name": "d", "Priority": 1, "StopRuleProcessing": true})
	if got := transportRuleOrder(t, s); got != "a=0,d=1,b=2,c=3" {
		t.Fatalf("order after insert %s", got)
	}
	// With 4 rules a new one may take 0..4, an existing one 0..3.
	invokeErr(t, s, "New-TransportRule", map[string]any{"Name": "e", "Priority": 5, "StopRuleProcessing": true}, "It should be between 0 and 4")
	invokeErr(t, s, "Set-TransportRule", map[string]any{"Identity": "a", "Priority": 4}, "It should be between 0 and 3")
	invokeErr(t, s, "New-TransportRule", map[string]any{"Name": "e", "Priority": -1, "StopRuleProcessing": true}, "It should be between")
	mustInvoke(t, s, "Set-TransportRule", map[string]any{"Identity": "a", "Priority": 3})
	if got := transportRuleOrder(t, s); got != "d=0,b=1,c=2,a=3" {
		t.Fatalf("order after move %s", got)
	}
	mustInvoke(t, s, "Remove-TransportRule", map[string]any{"Identity": "b", "Confirm": false})
	if got := transportRuleOrder(t, s); got != "d=0,c=1,a=2" {
		t.Fatalf("order after remove %s", got)
	}
	// Identity by GUID; rename keeps the GUID.
	c := mustInvoke(t, s, "Get-TransportRule", map[string]any{"Identity": "C"})[0]
	mustInvoke(t, s, "Set-TransportRule", map[string]any{"Identity": c["Guid"], "Name": "c2"})
	c2 := mustInvoke(t, s, "Get-TransportRule", map[string]any{"Identity": c["Guid"]})[0]
	if c2["Name"] != "c2" || toInt(c2["Priority"]) != 1 {
		t.Fatalf("renamed rule %v", c2)
	}
	invokeErr(t, s, "Get-TransportRule", map[string]any{"Identity": "c"}, "ManagementObjectNotFoundException")
	invokeErr(t, s, "Set-TransportRule", map[string]any{"Identity": "c2", "Name": "D"}, "ManagementObjectAlreadyExistsException")
	invokeErr(t, s, "New-TransportRule", map[string]any{"Name": "A", "StopRuleProcessing": true}, "ManagementObjectAlreadyExistsException")
	// State.
	mustInvoke(t, s, "Disable-TransportRule", map[string]any{"Identity": "d", "Confirm": false})
	if n := len(mustInvoke(t, s, "Get-TransportRule", map[string]any{"State": "Disabled"})); n != 1 {
		t.Fatalf("%d disabled rules, want 1", n)
	}
	invokeErr(t, s, "Set-TransportRule", map[string]any{"Identity": "d", "Enabled": true}, "Invalid cmdlet parameters specified")
}

func TestTransportRuleValidation(t *testing.T) {
	s := startTest(t)
	bad := []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"Name": strings.Repeat("n", 65), "StopRuleProcessing": true}, "too long"},
		{map[string]any{"Name": " ", "StopRuleProcessing": true}, "can't be empty"},
		{map[string]any{"Name": "x"}, "at least one action"},
		{map[string]any{"Name": "x", "SetSCL": 10}, "SclValue"},
		{map[string]any{"Name": "x", "SetSCL": -2}, "SclValue"},
		{map[string]any{"Name": "x", "RejectMessageEnhancedStatusCode": "5.7.2"}, "5.7.900"},
		{map[string]any{"Name": "x", "RejectMessageEnhancedStatusCode": "5.7.1000"}, "5.7.900"},
		{map[string]any{"Name": "x", "RejectMessageEnhancedStatusCode": "4.7.950"}, "5.7.900"},
		{map[string]any{"Name": "x", "RejectMessageReasonText": strings.Repeat("r", 1025)}, "too long"},
		{map[string]any{"Name": "x", "Comments": strings.Repeat("r", 1025), "StopRuleProcessing": true}, "too long"},
		{map[string]any{"Name": "x", "SentToScope": "ExternalPartner", "StopRuleProcessing": true}, "enumerator"},
		{map[string]any{"Name": "x", "MessageTypeMatches": "Forward", "StopRuleProcessing": true}, "enumerator"},
		{map[string]any{"Name": "x", "Mode": "Test", "StopRuleProcessing": true}, "enumerator"},
		{map[string]any{"Name": "x", "RecipientDomainIs": []string{"not a domain"}, "StopRuleProcessing": true}, "isn't a valid domain"},
		{map[string]any{"Name": "x", "ApplyRightsProtectionTemplate": "Top Secret"}, "couldn't be found"},
		{map[string]any{"Name": "x", "ApplyRightsProtectionTemplate": "Encrypt", "RemoveOMEv2": true}, "both apply encryption"},
		{map[string]any{"Name": "x", "ApplyOME": true, "RemoveOME": true}, "both apply encryption"},
		{map[string]any{"Name": "x", "ApplyOME": true, "ApplyRightsProtectionTemplate": "Encrypt"}, "can't be used in the same rule"},
		{map[string]any{"Name": "x", "GenerateIncidentReport": "not-an-address"}, "400"},
		{map[string]any{"Name": "x", "RedirectMessageToo": []string{"a@b.com"}}, "Invalid cmdlet parameters specified"},
	}
	for _, b := range bad {
		invokeErr(t, s, "New-TransportRule", b.params, b.want)
	}
	if n := len(mustInvoke(t, s, "Get-TransportRule", nil)); n != 0 {
		t.Fatalf("refused rules were stored: %d", n)
	}

	// Either half of the reject action gets the other's default; clearing
	// one clears the action.
	mustInvoke(t, s, "New-TransportRule", map[string]any{"Name": "r1", "RejectMessageReasonText": "No auto-forwarding outside the organization"})
	r1 := mustInvoke(t, s, "Get-TransportRule", map[string]any{"Identity": "r1"})[0]
	if r1["RejectMessageEnhancedStatusCode"] != "5.7.1" {
		t.Fatalf("r1 %v", r1)
	}
	mustInvoke(t, s, "New-TransportRule", map[string]any{"Name": "r2", "RejectMessageEnhancedStatusCode": "5.7.950", "SetSCL": "-1"})
	r2 := mustInvoke(t, s, "Get-TransportRule", map[string]any{"Identity": "r2"})[0]
	if r2["RejectMessageReasonText"] != "Delivery not authorized, message refused" || toInt(r2["SetSCL"]) != -1 {
		t.Fatalf("r2 %v", r2)
	}
	mustInvoke(t, s, "Set-TransportRule", map[string]any{"Identity": "r2", "RejectMessageReasonText": nil})
	r2 = mustInvoke(t, s, "Get-TransportRule", map[string]any{"Identity": "r2"})[0]
	if r2["RejectMessageReasonText"] != nil || r2["RejectMessageEnhancedStatusCode"] != nil {
		t.Fatalf("r2 after clearing %v", r2)
	}
	// Clearing the last action is refused.
	invokeErr(t, s, "Set-TransportRule", map[string]any{"Identity": "r2", "SetSCL": nil}, "at least one action")

	// Encryption needs IRM licensing; the template is stored by its name.
	mustInvoke(t, s, "New-TransportRule", map[string]any{"Name": "enc", "RecipientDomainIs": []string{"partner.example"}, "ApplyRightsProtectionTemplate": "encrypt"})
	enc := mustInvoke(t, s, "Get-TransportRule", map[string]any{"Identity": "enc"})[0]
	if enc["ApplyRightsProtectionTemplate"] != "Encrypt" {
		t.Fatalf("enc %v", enc)
	}
	mustInvoke(t, s, "Set-IRMConfiguration", map[string]any{"AzureRMSLicensingEnabled": false})
	invokeErr(t, s, "New-TransportRule", map[string]any{"Name": "enc2", "ApplyRightsProtectionTemplate": "Do Not Forward"}, "IRM licensing is disabled")
	invokeErr(t, s, "New-TransportRule", map[string]any{"Name": "enc2", "ApplyOME": true}, "IRM licensing is disabled")
	// Unrelated changes to an existing encryption rule still work.
	mustInvoke(t, s, "Set-TransportRule", map[string]any{"Identity": "enc", "Comments": "partner"})
}

func TestIRMConfigurationAndTemplates(t *testing.T) {
	s := startTest(t)
	irm := mustInvoke(t, s, "Get-IRMConfiguration", nil)[0]
	if irm["AzureRMSLicensingEnabled"] != true || irm["TransportDecryptionSetting"] != "Mandatory" {
		t.Fatalf("IRM %v", irm)
	}
	mustInvoke(t, s, "Set-IRMConfiguration", map[string]any{"SimplifiedClientAccessEnabled": true, "TransportDecryptionSetting": "optional"})
	irm = mustInvoke(t, s, "Get-IRMConfiguration", nil)[0]
	if irm["SimplifiedClientAccessEnabled"] != true || irm["TransportDecryptionSetting"] != "Optional" {
		t.Fatalf("IRM after Set %v", irm)
	}
	invokeErr(t, s, "Set-IRMConfiguration", map[string]any{"TransportDecryptionSetting": "Always"}, "enumerator")
	invokeErr(t, s, "Set-IRMConfiguration", map[string]any{"EnablePdfEncryption": "yes"}, "Boolean")

	names := map[string]bool{}
	for _, tpl := range mustInvoke(t, s, "Get-RMSTemplate", nil) {
		names[fmt.Sprint(tpl["Name"])] = true
	}
	if !names["Encrypt"] || !names["Do Not Forward"] || len(names) != 4 {
		t.Fatalf("templates %v", names)
	}
	if _, err := s.Seed(DemoTenantID, "rms-templates", map[string]any{"templates": []map[string]any{{"name": "Old", "archived": true}, {"name": "Partners"}}}); err != nil {
		t.Fatal(err)
	}
	if n := len(mustInvoke(t, s, "Get-RMSTemplate", nil)); n != 5 {
		t.Fatalf("%d distributed templates, want 5", n)
	}
	if n := len(mustInvoke(t, s, "Get-RMSTemplate", map[string]any{"Type": "All"})); n != 6 {
		t.Fatalf("%d templates, want 6", n)
	}
	// An archived template can't be applied.
	invokeErr(t, s, "New-TransportRule", map[string]any{"Name": "old", "ApplyRightsProtectionTemplate": "Old"}, "couldn't be found")
}
