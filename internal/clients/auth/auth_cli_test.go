//go:build unix

// The fake `az` is a shell script, so this test is built on Unix systems only.

package auth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

func TestAuthAzureCLI(t *testing.T) {
	s, base := startSim(t)
	// Pre-issue a token from the emulator, then hand it out through a fake
	// `az account get-access-token -o json --resource ...`.
	sec := base
	sec.ClientSecret = m365sim.DemoAdminSecret
	pre, err := getToken(t, sec, graphScope)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"accessToken":  pre.Token,
		"expiresOn":    pre.ExpiresOn.Local().Format("2006-01-02 15:04:05.000000"),
		"expires_on":   pre.ExpiresOn.Unix(),
		"subscription": "00000000-0000-0000-0000-000000000000",
		"tenant":       m365sim.DemoTenantID,
		"tokenType":    "Bearer",
	})
	dir := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\ncat <<'EOF'\n%s\nEOF\n", out)
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	_ = s
	tok, err := getToken(t, Config{UseCLI: true, TenantID: m365sim.DemoTenantID}, graphScope)
	if err != nil {
		t.Fatal(err)
	}
	checkToken(t, tok, m365sim.DemoAdminAppID, m365sim.AudienceGraph)
}
