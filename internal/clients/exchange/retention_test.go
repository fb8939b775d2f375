package exchange

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// Get-UnifiedAuditLogRetentionPolicy has no -Identity: the client lists and
// matches the name or GUID; Set-UnifiedAuditLogRetentionPolicy requires
// -Priority and -RetentionDuration on every call.
func TestAuditRetentionPolicyCalls(t *testing.T) {
	var sent []map[string]any
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			CmdletInput struct {
				CmdletName string         `json:"CmdletName"`
				Parameters map[string]any `json:"Parameters"`
			} `json:"CmdletInput"`
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		p := body.CmdletInput.Parameters
		p["cmdlet"] = body.CmdletInput.CmdletName
		sent = append(sent, p)
		if body.CmdletInput.CmdletName == "Get-UnifiedAuditLogRetentionPolicy" {
			writeValue(w, []map[string]any{
				{"Name": "Other", "Guid": "g-1", "Priority": 5, "RetentionDuration": "SixMonths"},
				{"Name": "Mailbox access", "Guid": "g-2", "Priority": 1, "RetentionDuration": "TenYears", "RecordTypes": []string{"ExchangeItem"}},
			}, "")
			return
		}
		writeValue(w, nil, "")
	}, true)
	ctx := context.Background()
	for _, id := range []string{"mailbox ACCESS", "G-2"} {
		p, err := c.GetAuditRetentionPolicy(ctx, id)
		if err != nil || p.Guid != "g-2" || p.Priority != 1 || p.RetentionDuration != "TenYears" {
			t.Fatalf("get %q: %+v %v", id, p, err)
		}
	}
	if _, err := c.GetAuditRetentionPolicy(ctx, "missing"); !IsNotFound(err) {
		t.Fatalf("missing policy: %v", err)
	}
	for _, p := range sent {
		if len(p) != 1 {
			t.Fatalf("Get-UnifiedAuditLogRetentionPolicy must be sent without parameters, sent %v", p)
		}
	}
	sent = nil
	if err := c.SetAuditRetentionPolicy(ctx, "g-2", 1, "TenYears", map[string]any{"Description": "x", "Priority": 7}); err != nil {
		t.Fatal(err)
	}
	if p := sent[0]; p["Identity"] != "g-2" || p["Priority"] != float64(1) || p["RetentionDuration"] != "TenYears" || p["Description"] != "x" {
		t.Fatalf("set sent %v", p)
	}
}
