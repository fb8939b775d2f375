package exchange

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

func TestIRMCalls(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		name, params := decodeCmdlet(t, r)
		switch name {
		case "Get-IRMConfiguration":
			writeValue(w, []map[string]any{{"AzureRMSLicensingEnabled": true, "EnablePdfEncryption": "True", "TransportDecryptionSetting": "Mandatory"}}, "")
		case "Set-IRMConfiguration":
			writeErr(w, 403, "System.Management.Automation.CommandNotFoundException", "The term 'Set-IRMConfiguration' is not recognized")
		case "Get-RMSTemplate":
			if string(params["Type"]) != `"All"` {
				t.Errorf("Get-RMSTemplate params %v", params)
			}
			writeValue(w, []map[string]any{{"Name": "Encrypt", "Guid": "g1", "Type": "Distributed"}, {"Name": "Do Not Forward", "Guid": "g2", "Type": "Distributed"}}, "")
		}
	}, false)
	ctx := context.Background()
	irm, err := c.GetIRMConfiguration(ctx)
	if err != nil || !irm.AzureRMSLicensingEnabled || !irm.EnablePdfEncryption || irm.TransportDecryptionSetting != "Mandatory" {
		t.Fatalf("irm %+v %v", irm, err)
	}
	err = c.SetIRMConfiguration(ctx, map[string]any{"AzureRMSLicensingEnabled": true})
	var e *Error
	if !IsForbidden(err) || !errors.As(err, &e) || e.Hint() == "" {
		t.Fatalf("forbidden: %v", err)
	}
	tpls, err := c.ListRMSTemplates(ctx, "All")
	if err != nil || len(tpls) != 2 || tpls[1].Name != "Do Not Forward" {
		t.Fatalf("templates %v %v", tpls, err)
	}
}
