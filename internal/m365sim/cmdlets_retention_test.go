package m365sim

import (
	"strings"
	"testing"
)

func TestAuditRetentionPolicies(t *testing.T) {
	s := startTest(t)
	run := func(cmdlet string, p map[string]any) ([]Object, error) {
		return s.Invoke(DemoTenantID, EndpointCompliance, cmdlet, p)
	}
	if _, err := run("New-UnifiedAuditLogRetentionPolicy", map[string]any{"Name": "A", "RecordTypes": []string{"ExchangeItem"}, "RetentionDuration": "TwelveMonths", "Priority": 10}); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]map[string]any{
		"duplicate name":      {"Name": "A", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "OneMonth", "Priority": 11},
		"duplicate priority":  {"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "OneMonth", "Priority": 10},
		"priority range":      {"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "OneMonth", "Priority": 10001},
		"bad duration":        {"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "Forever", "Priority": 12},
		"bad record type":     {"Name": "B", "RecordTypes": []string{"Fax"}, "RetentionDuration": "OneMonth", "Priority": 12},
		"ops with two types":  {"Name": "B", "RecordTypes": []string{"SharePoint", "ExchangeItem"}, "Operations": []string{"x"}, "RetentionDuration": "OneMonth", "Priority": 12},
		"scopes nothing":      {"Name": "B", "RetentionDuration": "OneMonth", "Priority": 12},
		"missing priority":    {"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "OneMonth"},
		"exchange parameters": {"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "OneMonth", "Priority": 12, "Identity": "B"},
	} {
		if _, err := run("New-UnifiedAuditLogRetentionPolicy", p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := run("Set-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "A", "RetentionDuration": "ThreeYears", "Priority": 20}); err != nil {
		t.Fatal(err)
	}
	got, err := run("Get-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "A"})
	if err != nil || got[0]["RetentionDuration"] != "ThreeYears" || got[0]["Priority"] != float64(20) {
		t.Fatalf("after set: %v %v", got, err)
	}
	// Exchange Online does not have the cmdlet.
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-UnifiedAuditLogRetentionPolicy", nil); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("on Exchange Online: %v", err)
	}
	if _, err := run("Remove-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "A"}); err != nil {
		t.Fatal(err)
	}
	if _, err := run("Get-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "A"}); err == nil {
		t.Fatal("removed policy still found")
	}
}
