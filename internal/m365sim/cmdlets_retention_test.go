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
	for name, tc := range map[string]struct {
		p    map[string]any
		want string
	}{
		"duplicate name":     {map[string]any{"Name": "A", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "SixMonths", "Priority": 11}, "already exists"},
		"duplicate priority": {map[string]any{"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "SixMonths", "Priority": 10}, "already used"},
		"priority range":     {map[string]any{"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "SixMonths", "Priority": 10001}, "maximum allowed range of 10000"},
		"priority zero":      {map[string]any{"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "SixMonths", "Priority": 0}, "minimum allowed range of 1"},
		"bad duration":       {map[string]any{"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "Forever", "Priority": 12}, "ParameterTransformationException"},
		// Listed by Microsoft365DSC, not by the cmdlet reference
		// (cmdletref/deviations.go).
		"seven days":       {map[string]any{"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "SevenDays", "Priority": 12}, "ParameterTransformationException"},
		"bad record type":  {map[string]any{"Name": "B", "RecordTypes": []string{"Fax"}, "RetentionDuration": "SixMonths", "Priority": 12}, "ParameterTransformationException"},
		"ops with two":     {map[string]any{"Name": "B", "RecordTypes": []string{"SharePoint", "ExchangeItem"}, "Operations": []string{"x"}, "RetentionDuration": "SixMonths", "Priority": 12}, "exactly one value"},
		"scopes nothing":   {map[string]any{"Name": "B", "RetentionDuration": "SixMonths", "Priority": 12}, "at least one"},
		"missing priority": {map[string]any{"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "SixMonths"}, "Missing mandatory parameters: Priority"},
		"identity on new":  {map[string]any{"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "SixMonths", "Priority": 12, "Identity": "B"}, "Invalid cmdlet parameters specified. Identity"},
		"long description": {map[string]any{"Name": "B", "RecordTypes": []string{"SharePoint"}, "RetentionDuration": "SixMonths", "Priority": 12, "Description": strings.Repeat("d", 257)}, "maximum length is 256"},
	} {
		if _, err := run("New-UnifiedAuditLogRetentionPolicy", tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, tc.want)
		}
	}
	if _, err := run("New-UnifiedAuditLogRetentionPolicy", map[string]any{"Name": "B", "UserIds": []string{"ann@contoso.com"}, "RetentionDuration": "TenYears", "Priority": 1, "Description": strings.Repeat("d", 256)}); err != nil {
		t.Fatal(err)
	}
	// Set needs Priority and RetentionDuration on every call.
	if _, err := run("Set-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "A", "Description": "x"}); err == nil || !strings.Contains(err.Error(), "Missing mandatory parameters: Priority, RetentionDuration") {
		t.Fatalf("set without priority and duration: %v", err)
	}
	if _, err := run("Set-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "A", "RetentionDuration": "TenYears", "Priority": 20}); err != nil {
		t.Fatal(err)
	}
	// Get has no -Identity; it lists, and filters by what the reference
	// documents.
	if _, err := run("Get-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "A"}); err == nil || !strings.Contains(err.Error(), "AmbiguousParameterSetException") {
		t.Fatalf("Get -Identity: %v", err)
	}
	all, err := run("Get-UnifiedAuditLogRetentionPolicy", nil)
	if err != nil || len(all) != 2 {
		t.Fatalf("list: %v %v", all, err)
	}
	got, err := run("Get-UnifiedAuditLogRetentionPolicy", map[string]any{"RecordType": "exchangeitem"})
	if err != nil || len(got) != 1 || got[0]["Name"] != "A" || got[0]["RetentionDuration"] != "TenYears" || got[0]["Priority"] != float64(20) {
		t.Fatalf("after set: %v %v", got, err)
	}
	if got, err := run("Get-UnifiedAuditLogRetentionPolicy", map[string]any{"UserId": "ANN@contoso.com"}); err != nil || len(got) != 1 || got[0]["Name"] != "B" {
		t.Fatalf("by user: %v %v", got, err)
	}
	// Exchange Online does not have the cmdlet.
	if _, err := s.Invoke(DemoTenantID, EndpointExchange, "Get-UnifiedAuditLogRetentionPolicy", nil); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("on Exchange Online: %v", err)
	}
	if _, err := run("Remove-UnifiedAuditLogRetentionPolicy", map[string]any{"Identity": "A"}); err != nil {
		t.Fatal(err)
	}
	if got, err := run("Get-UnifiedAuditLogRetentionPolicy", map[string]any{"RecordType": "ExchangeItem"}); err != nil || len(got) != 0 {
		t.Fatalf("removed policy still listed: %v %v", got, err)
	}
}
