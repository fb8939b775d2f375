package exchange_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Issue 9, item 5: every @adminapi.warnings entry is logged (tflog, level
// WARN, with the cmdlet), and only those of New-* and Set-* reach the
// caller's collector, which resources turn into Terraform warnings
// (common.ExchangeWarnings). A read's warning is logged and nothing more.
func TestSimWarningsLoggedAndSurfaced(t *testing.T) {
	c := adminClients(t)
	c.sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-RemoteDomain", Warning: "a read's warning"})
	c.sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Set-RemoteDomain", Warning: "Set: no settings have been modified."})
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	ctx, w := exchange.WithWarnings(ctx)
	if _, err := c.exo.GetRemoteDomain(ctx, "Default"); err != nil {
		t.Fatal(err)
	}
	if err := c.exo.SetRemoteDomain(ctx, "Default", map[string]any{"AutoForwardEnabled": false}); err != nil {
		t.Fatal(err)
	}
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	logged := map[string]string{}
	for _, e := range entries {
		if e["@message"] == "Exchange warning" {
			if e["@level"] != "warn" {
				t.Errorf("warning logged at level %v", e["@level"])
			}
			logged[e["cmdlet"].(string)] = e["warning"].(string)
		}
	}
	if logged["Get-RemoteDomain"] != "a read's warning" || logged["Set-RemoteDomain"] != "Set: no settings have been modified." {
		t.Fatalf("logged warnings %v", logged)
	}
	got := w.Warnings()
	if len(got) != 1 || got[0].Cmdlet != "Set-RemoteDomain" || got[0].Message != "Set: no settings have been modified." {
		t.Fatalf("surfaced warnings %+v: only the Set- warning must reach the caller", got)
	}
}
