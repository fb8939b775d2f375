package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
)

func alertHandler(t *testing.T, answer func(cmdlet string, params map[string]any, w http.ResponseWriter)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in struct {
			CmdletInput struct {
				CmdletName string
				Parameters map[string]any
			}
		}
		if err := json.Unmarshal(body, &in); err != nil {
			t.Errorf("body %s", body)
		}
		answer(in.CmdletInput.CmdletName, in.CmdletInput.Parameters, w)
	}
}

func TestGetProtectionAlert(t *testing.T) {
	c, _ := newTestClient(t, alertHandler(t, func(cmdlet string, p map[string]any, w http.ResponseWriter) {
		if cmdlet != "Get-ProtectionAlert" {
			t.Errorf("cmdlet %s", cmdlet)
		}
		switch p["Identity"] {
		case "Forwarding":
			writeValue(w, []map[string]any{{"Name": "Forwarding", "Guid": "g1", "Operation": []any{"New-InboxRule"}, "NotifyUser": []any{"a@contoso.com"},
				"AggregationType": "None", "Threshold": nil, "TimeWindow": nil, "NotificationEnabled": true}}, "")
		case "Aggregated":
			writeValue(w, []map[string]any{{"Name": "Aggregated", "Guid": "g2", "AggregationType": "SimpleAggregation", "Threshold": 5.0, "TimeWindow": 120.0, "IsSystemRule": false}}, "")
		default:
			// The documented caution: a non-existent identity may return everything.
			writeValue(w, []map[string]any{{"Name": "Forwarding"}, {"Name": "Aggregated"}}, "")
		}
	}), true)
	ctx := context.Background()
	a, err := c.GetProtectionAlert(ctx, "Forwarding")
	if err != nil {
		t.Fatal(err)
	}
	if a.Operation != "New-InboxRule" || len(a.NotifyUser) != 1 || a.Threshold != nil || a.TimeWindow != nil || !a.NotificationEnabled {
		t.Fatalf("got %+v", a)
	}
	a, err = c.GetProtectionAlert(ctx, "Aggregated")
	if err != nil || a.Threshold == nil || *a.Threshold != 5 || *a.TimeWindow != 120 || a.Operation != "" {
		t.Fatalf("got %+v %v", a, err)
	}
	if _, err := c.GetProtectionAlert(ctx, "Missing"); !IsNotFound(err) {
		t.Fatalf("a list answer for a missing identity must be not-found, got %v", err)
	}
}

func TestProtectionAlertErrorKinds(t *testing.T) {
	c, _ := newTestClient(t, alertHandler(t, func(cmdlet string, p map[string]any, w http.ResponseWriter) {
		switch cmdlet {
		case "New-ProtectionAlert":
			writeErr(w, 403, "Microsoft.Exchange.Management.UnifiedPolicy.NotNewProtectionAggregatedAlertCapableException", "Creating advanced alert policies requires an Office 365 E5 subscription")
		case "Set-ProtectionAlert":
			writeErr(w, 400, "Microsoft.Exchange.Management.Transport.ErrorRuleNotFoundException", `There is no rule matching identity 'tid\Suspicious connector activity'.`)
		case "Remove-ProtectionAlert":
			if p["Confirm"] != false {
				t.Errorf("Remove without -Confirm:$false: %v", p)
			}
			writeErr(w, 404, "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", "couldn't be found")
		}
	}), true)
	ctx := context.Background()
	err := c.NewProtectionAlert(ctx, map[string]any{"Name": "x"})
	if !errors.Is(err, ErrLicence) || IsForbidden(err) {
		t.Fatalf("licence error classified as %v", err)
	}
	err = c.SetProtectionAlert(ctx, "Suspicious connector activity", map[string]any{"Disabled": true})
	if err == nil || IsNotFound(err) {
		t.Fatalf("Set on a default policy must fail and not look like a missing object: %v", err)
	}
	if err := c.RemoveProtectionAlert(ctx, "gone"); !IsNotFound(err) {
		t.Fatalf("Remove of a missing policy: %v", err)
	}
}
