package exchange

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// Remove-HostedOutboundSpamFilterPolicy has -Force, not -Confirm: a call
// with -Confirm fails parameter binding on the real service.
func TestRemoveOutboundSpamPolicySendsForceNotConfirm(t *testing.T) {
	var params map[string]any
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			CmdletInput struct {
				Parameters map[string]any `json:"Parameters"`
			} `json:"CmdletInput"`
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		params = body.CmdletInput.Parameters
		writeValue(w, nil, "")
	}, false)
	if err := c.RemoveOutboundSpamPolicy(context.Background(), "Executives"); err != nil {
		t.Fatal(err)
	}
	if _, confirm := params["Confirm"]; confirm || params["Force"] != true || params["Identity"] != "Executives" || len(params) != 2 {
		t.Fatalf("sent %v, want Identity and Force only", params)
	}
}
