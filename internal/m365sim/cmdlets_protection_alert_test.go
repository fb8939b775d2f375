package m365sim

import (
	"strings"
	"testing"
	"time"
)

func sccRegionalURL(s *Server) string {
	return s.RegionalURL() + "/adminapi/beta/" + DemoTenantID + "/InvokeCommand"
}

func newAlertParams(name string) map[string]any {
	return map[string]any{
		"Name": name, "Category": "threatmanagement", "ThreatType": "Activity",
		"NotifyUser": []string{"secops@contoso.com"}, "Operation": "New-InboxRule",
		"AggregationType": "None", "Severity": "high",
	}
}

func TestProtectionAlertBuiltins(t *testing.T) {
	s := startTest(t)
	all, err := s.Invoke(DemoTenantID, EndpointCompliance, "Get-ProtectionAlert", nil)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]Object{}
	for _, o := range all {
		name, ok := o["Name"].(string)
		if !ok {
			t.Fatalf("built-in without a Name string: %v", o)
		}
		names[name] = o
		if o["IsSystemRule"] != true || o["Disabled"] != false {
			t.Errorf("built-in %v: IsSystemRule=%v Disabled=%v", o["Name"], o["IsSystemRule"], o["Disabled"])
		}
	}
	for _, want := range []string{"Suspicious email sending patterns detected", "Suspicious connector activity", "Suspicious Email Forwarding Activity",
		"Messages have been delayed", "Tenant restricted from sending unprovisioned email", "Tenant restricted from sending email",
		"A potentially malicious URL click was detected"} {
		if names[want] == nil {
			t.Errorf("built-in %q missing", want)
		}
	}
	// Built-ins can't be edited or removed with the cmdlets.
	for _, cmd := range []string{"Set-ProtectionAlert", "Remove-ProtectionAlert"} {
		params := map[string]any{"Identity": "Suspicious connector activity"}
		if cmd == "Set-ProtectionAlert" {
			params["Disabled"] = true
		}
		_, err := s.Invoke(DemoTenantID, EndpointCompliance, cmd, params)
		if err == nil || !strings.Contains(err.Error(), "ErrorRuleNotFoundException") || !strings.Contains(err.Error(), DemoTenantID+`\Suspicious connector activity`) {
			t.Errorf("%s on a built-in: %v", cmd, err)
		}
	}
	// The portal switch turns one off.
	if _, err := s.Seed(DemoTenantID, "protection-alert-portal", map[string]any{"name": "suspicious connector activity", "disabled": true}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Invoke(DemoTenantID, EndpointCompliance, "Get-ProtectionAlert", map[string]any{"Identity": "Suspicious connector activity"})
	if len(got) != 1 || got[0]["Disabled"] != true {
		t.Fatalf("after portal switch: %v", got)
	}
}

func TestProtectionAlertBuiltinsWithoutE5(t *testing.T) {
	f := DefaultFixture()
	f.Tenants[0].Licences.AdvancedAlerts = false
	s, err := Start(Options{StateDir: t.TempDir(), Fixture: f})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Invoke(DemoTenantID, EndpointCompliance, "Get-ProtectionAlert", map[string]any{"Identity": "A potentially malicious URL click was detected"}); err == nil {
		t.Fatal("an E5-only default alert exists without E5")
	}
	// Only single-event alerts: AggregationType None with an Operation.
	p := newAlertParams("agg")
	p["AggregationType"] = "SimpleAggregation"
	p["Threshold"], p["TimeWindow"] = 10, 120
	if _, err := s.Invoke(DemoTenantID, EndpointCompliance, "New-ProtectionAlert", p); err == nil || !strings.Contains(err.Error(), "status 403") || !strings.Contains(err.Error(), "NotNewProtectionAggregatedAlertCapableException") {
		t.Fatalf("aggregated alert without E5: %v", err)
	}
	p = newAlertParams("no aggregation type")
	delete(p, "AggregationType") // the default is SimpleAggregation
	if _, err := s.Invoke(DemoTenantID, EndpointCompliance, "New-ProtectionAlert", p); err == nil || !strings.Contains(err.Error(), "status 403") {
		t.Fatalf("default aggregation without E5: %v", err)
	}
	if _, err := s.Invoke(DemoTenantID, EndpointCompliance, "New-ProtectionAlert", newAlertParams("single")); err != nil {
		t.Fatal(err)
	}
}

func TestProtectionAlertLifecycleAndValidation(t *testing.T) {
	s := startTest(t)
	inv := func(cmd string, p map[string]any) ([]Object, error) {
		return s.Invoke(DemoTenantID, EndpointCompliance, cmd, p)
	}
	out, err := inv("New-ProtectionAlert", newAlertParams("Forwarding rule created"))
	if err != nil {
		t.Fatal(err)
	}
	o := out[0]
	if o["Category"] != "ThreatManagement" || o["Severity"] != "High" || o["IsSystemRule"] != false || o["NotificationEnabled"] != true || o["Disabled"] != false {
		t.Fatalf("new alert %v", o)
	}
	if _, err := inv("New-ProtectionAlert", newAlertParams("forwarding RULE created")); err == nil || !strings.Contains(err.Error(), "ManagementObjectAlreadyExistsException") {
		t.Fatalf("duplicate name: %v", err)
	}
	if _, err := inv("New-ProtectionAlert", newAlertParams("Suspicious connector activity")); err == nil || !strings.Contains(err.Error(), "ManagementObjectAlreadyExistsException") {
		t.Fatalf("name of a built-in: %v", err)
	}
	bad := []struct {
		name string
		edit func(p map[string]any)
		want string
	}{
		{"missing NotifyUser", func(p map[string]any) { delete(p, "NotifyUser") }, "Missing mandatory parameters: NotifyUser"},
		{"missing ThreatType", func(p map[string]any) { delete(p, "ThreatType") }, "Missing mandatory parameters: ThreatType"},
		{"bad category", func(p map[string]any) { p["Category"] = "Permissions" }, "enumerator"},
		{"bad severity", func(p map[string]any) { p["Severity"] = "Critical" }, "enumerator"},
		{"bad threat type", func(p map[string]any) { p["ThreatType"] = "Phish" }, "enumerator"},
		{"bad aggregation", func(p map[string]any) { p["AggregationType"] = "Sometimes" }, "enumerator"},
		{"bad address", func(p map[string]any) { p["NotifyUser"] = []string{"secops"} }, "SmtpAddress"},
		{"empty NotifyUser", func(p map[string]any) { p["NotifyUser"] = []string{} }, "can't be empty"},
		{"threshold too low", func(p map[string]any) { p["AggregationType"] = "SimpleAggregation"; p["Threshold"] = 2 }, "minimum allowed range of 3"},
		{"time window too short", func(p map[string]any) { p["AggregationType"] = "SimpleAggregation"; p["TimeWindow"] = 60 }, "minimum allowed range of 61"},
		{"threshold without simple aggregation", func(p map[string]any) { p["Threshold"] = 10 }, "only be used when the AggregationType"},
		{"operation on malware", func(p map[string]any) { p["ThreatType"] = "Malware" }, "only be used when the ThreatType"},
		{"two operations", func(p map[string]any) { p["Operation"] = []string{"New-InboxRule", "Set-InboxRule"} }, "one audited activity"},
		{"bad filter syntax", func(p map[string]any) { p["Filter"] = "UserId equals bob" }, "isn't valid"},
		{"filter on mail property", func(p map[string]any) { p["Filter"] = "Mail:Subject -like 'x*'" }, "can't be used in the filter"},
		{"bad culture", func(p map[string]any) { p["NotificationCulture"] = "klingon" }, "CultureInfo"},
		{"unknown parameter", func(p map[string]any) { p["Identity"] = "x" }, "Invalid cmdlet parameters specified"},
	}
	for _, b := range bad {
		p := newAlertParams("bad " + b.name)
		b.edit(p)
		if _, err := inv("New-ProtectionAlert", p); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: got %v, want %q", b.name, err, b.want)
		}
	}
	ok := newAlertParams("filtered")
	ok["Filter"] = "Activity.UserId -eq 'bob@contoso.com' -and Activity.ClientIp -like '10.*'"
	ok["AggregationType"], ok["Threshold"], ok["TimeWindow"] = "SimpleAggregation", 5, 120
	if _, err := inv("New-ProtectionAlert", ok); err != nil {
		t.Fatal(err)
	}

	malware := newAlertParams("malware")
	malware["ThreatType"] = "Malware"
	delete(malware, "Operation")
	if _, err := inv("New-ProtectionAlert", malware); err != nil {
		t.Fatal(err)
	}
	if got, _ := inv("Get-ProtectionAlert", map[string]any{"Identity": "malware"}); len(got) != 1 || got[0]["Operation"] == nil {
		t.Fatalf("an empty multi-valued property must be an empty array: %v", got)
	}

	// Set: no Name or ThreatType; switching to None clears threshold and window.
	for _, p := range []string{"Name", "ThreatType"} {
		if _, err := inv("Set-ProtectionAlert", map[string]any{"Identity": "filtered", p: "x"}); err == nil || !strings.Contains(err.Error(), "Invalid cmdlet parameters specified") {
			t.Errorf("Set -%s: %v", p, err)
		}
	}
	if _, err := inv("Set-ProtectionAlert", map[string]any{"Identity": "filtered", "AggregationType": "None", "Comment": "single events", "Disabled": true, "NotificationCulture": "da-dk"}); err != nil {
		t.Fatal(err)
	}
	got, _ := inv("Get-ProtectionAlert", map[string]any{"Identity": "FILTERED"})
	if len(got) != 1 || got[0]["Threshold"] != nil || got[0]["TimeWindow"] != nil || got[0]["Comment"] != "single events" || got[0]["Disabled"] != true || got[0]["NotificationCulture"] != "da-DK" {
		t.Fatalf("after Set: %v", got)
	}
	// Lookup by GUID and by tenant\name.
	guid, isString := got[0]["Guid"].(string)
	if !isString {
		t.Fatalf("Guid %v", got[0]["Guid"])
	}
	for _, id := range []string{guid, DemoTenantID + `\filtered`} {
		if g, err := inv("Get-ProtectionAlert", map[string]any{"Identity": id}); err != nil || len(g) != 1 {
			t.Errorf("Get by %s: %v %v", id, g, err)
		}
	}
	if _, err := inv("Remove-ProtectionAlert", map[string]any{"Identity": "filtered", "Confirm": false}); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"Get-ProtectionAlert", "Set-ProtectionAlert", "Remove-ProtectionAlert"} {
		if _, err := inv(cmd, map[string]any{"Identity": "filtered"}); err == nil || !strings.Contains(err.Error(), "status 404") || !strings.Contains(err.Error(), "ManagementObjectNotFoundException") {
			t.Errorf("%s of a removed alert: %v", cmd, err)
		}
	}
}

func TestProtectionAlertRBACAndLag(t *testing.T) {
	s := startTest(t)
	url := sccRegionalURL(s)
	reader := token(t, s, DemoReaderAppID, AudienceCompliance)
	if r := invoke(t, s, url, reader, "Get-ProtectionAlert", nil); r.Status != 200 || len(r.Value) == 0 {
		t.Fatalf("reader Get: %d %+v", r.Status, r.Error)
	}
	if r := invoke(t, s, url, reader, "New-ProtectionAlert", newAlertParams("x")); r.Status != 403 {
		t.Fatalf("reader New: %d", r.Status)
	}
	noRole := token(t, s, DemoNoRoleAppID, AudienceCompliance)
	if r := invoke(t, s, url, noRole, "Get-ProtectionAlert", nil); r.Status != 403 {
		t.Fatalf("no-role Get: %d", r.Status)
	}
	// Only on Security & Compliance.
	exo := token(t, s, DemoAdminAppID, AudienceExchange)
	if r := invoke(t, s, exoURL(s), exo, "Get-ProtectionAlert", nil); r.Status != 403 {
		t.Fatalf("Get-ProtectionAlert on Exchange: %d", r.Status)
	}

	admin := token(t, s, DemoAdminAppID, AudienceCompliance)
	s.SetReplicationLag(EndpointCompliance, 300*time.Millisecond)
	if r := invoke(t, s, url, admin, "New-ProtectionAlert", newAlertParams("lagging")); r.Status != 200 {
		t.Fatalf("New: %d %+v", r.Status, r.Error)
	}
	if r := invoke(t, s, url, admin, "Get-ProtectionAlert", map[string]any{"Identity": "lagging"}); r.Status != 404 {
		t.Fatalf("Get right after New: %d, want 404 (replication lag)", r.Status)
	}
	time.Sleep(350 * time.Millisecond)
	if r := invoke(t, s, url, admin, "Get-ProtectionAlert", map[string]any{"Identity": "lagging"}); r.Status != 200 {
		t.Fatalf("Get after the lag: %d", r.Status)
	}
}
