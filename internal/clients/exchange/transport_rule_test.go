package exchange

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// decodeCmdlet reads an InvokeCommand body.
func decodeCmdlet(t *testing.T, r *http.Request) (string, map[string]json.RawMessage) {
	t.Helper()
	body, _ := io.ReadAll(r.Body)
	var in struct {
		CmdletInput struct {
			CmdletName string
			Parameters map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	return in.CmdletInput.CmdletName, in.CmdletInput.Parameters
}

func TestTransportRuleCalls(t *testing.T) {
	var seen []string
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		name, params := decodeCmdlet(t, r)
		seen = append(seen, name)
		switch name {
		case "Get-TransportRule":
			if string(params["Identity"]) == `"gone"` {
				writeErr(w, 404, "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", "The operation couldn't be performed because object 'gone' couldn't be found.")
				return
			}
			if r.URL.Query().Get("$select") == "" {
				t.Errorf("Get-TransportRule without $select")
			}
			writeValue(w, []map[string]any{
				{"Name": "a", "Guid": "g-a", "Priority": 2, "State": "Enabled", "SetSCL": nil, "RecipientDomainIs": []string{"partner.example"}, "ApplyOME": false},
				{"Name": "b", "Guid": "g-b", "Priority": 0, "State": "Disabled", "SetSCL": 0, "RejectMessageEnhancedStatusCode": "5.7.1"},
			}, "")
		case "New-TransportRule":
			if string(params["Name"]) != `"a"` || string(params["ApplyRightsProtectionTemplate"]) != `"Encrypt"` {
				t.Errorf("New params %v", params)
			}
			writeValue(w, []map[string]any{{"Name": "a", "Guid": "g-new"}}, "")
		case "Set-TransportRule":
			if string(params["SetSCL"]) != "null" || string(params["Identity"]) != `"g-a"` {
				t.Errorf("Set params %v", params)
			}
			writeValue(w, nil, "")
		case "Enable-TransportRule", "Disable-TransportRule", "Remove-TransportRule":
			if string(params["Confirm"]) != "false" {
				t.Errorf("%s without -Confirm:$false: %v", name, params)
			}
			writeValue(w, nil, "")
		default:
			t.Errorf("unexpected %s", name)
		}
	}, false)
	ctx := context.Background()
	rules, err := c.ListTransportRules(ctx)
	if err != nil || len(rules) != 2 {
		t.Fatalf("list: %v %v", rules, err)
	}
	if rules[0].SetSCL != nil || rules[1].SetSCL == nil || *rules[1].SetSCL != 0 {
		t.Fatalf("SetSCL null vs 0 not kept apart: %v %v", rules[0].SetSCL, rules[1].SetSCL)
	}
	if rules[0].Priority != 2 || rules[0].RecipientDomainIs[0] != "partner.example" || rules[1].RejectMessageEnhancedStatusCode != "5.7.1" {
		t.Fatalf("rules %+v", rules)
	}
	if _, err := c.GetTransportRule(ctx, "gone"); !IsNotFound(err) {
		t.Fatalf("missing rule: %v", err)
	}
	g, err := c.NewTransportRule(ctx, "a", map[string]any{"ApplyRightsProtectionTemplate": "Encrypt"})
	if err != nil || g != "g-new" {
		t.Fatalf("new: %q %v", g, err)
	}
	if err := c.SetTransportRule(ctx, "g-a", map[string]any{"SetSCL": nil}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []func() error{
		func() error { return c.SetTransportRuleEnabled(ctx, "g-a", true) },
		func() error { return c.SetTransportRuleEnabled(ctx, "g-a", false) },
		func() error { return c.RemoveTransportRule(ctx, "g-a") },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"Get-TransportRule", "Get-TransportRule", "New-TransportRule", "Set-TransportRule", "Enable-TransportRule", "Disable-TransportRule", "Remove-TransportRule"}
	if len(seen) != len(want) {
		t.Fatalf("calls %v", seen)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("calls %v, want %v", seen, want)
		}
	}
}
