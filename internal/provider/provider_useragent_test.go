package provider_test

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
	"github.com/m365harden/terraform-provider-m365harden/internal/provider"
)

func TestUserAgent(t *testing.T) {
	for _, c := range []struct{ pv, tv, want string }{
		{"1.2.3", "1.9.8", "m365harden/1.2.3 terraform/1.9.8"},
		{"", "1.5.7", "m365harden/dev terraform/1.5.7"},
		{"0.1.0", "", "m365harden/0.1.0 terraform/unknown"},
	} {
		if got := provider.UserAgent(c.pv, c.tv); got != c.want {
			t.Errorf("UserAgent(%q, %q) = %q, want %q", c.pv, c.tv, got, c.want)
		}
	}
}

// uaRecorder sits in front of m365sim and keeps the User-Agent of each
// Graph and Exchange / Security & Compliance request it passes on.
type uaRecorder struct {
	mu   sync.Mutex
	seen map[string][]string // family -> User-Agent values
}

func (u *uaRecorder) family(path string) string {
	switch {
	case strings.HasPrefix(path, "/v1.0/"):
		return "graph"
	case strings.HasPrefix(path, "/exo/adminapi/"):
		return "exchange"
	case strings.HasPrefix(path, "/scc/adminapi/"):
		return "compliance"
	}
	return ""
}

func (u *uaRecorder) get(family string) []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.seen[family]...)
}

func terraformVersion(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "version", "-json").Output()
	if err != nil {
		t.Fatalf("terraform version -json: %v", err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.Version == "" {
		t.Fatalf("terraform version -json: %q: %v", out, err)
	}
	return v.Version
}

// The provider names itself and the Terraform CLI that runs it in the
// User-Agent of its Graph, Exchange Online and Security & Compliance calls
// ("m365harden/{version} terraform/{version}"), so a tenant administrator
// can tell its calls apart. The provider runs with a stamped version under
// the real terraform CLI; a TLS front that forwards every request to
// m365sim records the header the services would see.
func TestAccProvider_userAgent(t *testing.T) {
	tn := acctest.NewTenant(t)
	rec := &uaRecorder{seen: map[string][]string{}}
	front := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := rec.family(r.URL.Path); f != "" {
			rec.mu.Lock()
			rec.seen[f] = append(rec.seen[f], r.Header.Get("User-Agent"))
			rec.mu.Unlock()
		}
		tn.Sim.ServeHTTP(w, r)
	}))
	front.StartTLS()
	t.Cleanup(front.Close)

	// Trust m365sim's CA (login, regional host) and the front's certificate.
	bundle := append(tn.Sim.CAPEM(), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: front.Certificate().Raw})...)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, bundle, 0o600); err != nil {
		t.Fatal(err)
	}
	e := tn.Sim.Endpoints()
	via := func(u string) string { return front.URL + strings.TrimPrefix(u, tn.Sim.URL()) }
	config := fmt.Sprintf(`provider "m365harden" {
  tenant_id     = %q
  client_id     = %q
  client_secret = %q
  ca_file       = %q
  endpoints {
    login      = %q
    graph      = %q
    exchange   = %q
    compliance = %q
    compliance_regional_hosts = [%q]
  }
}
`, tn.ID, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret, caFile,
		e[m365sim.EndpointLogin], via(e[m365sim.EndpointGraph]), via(e[m365sim.EndpointExchange]), via(e[m365sim.EndpointCompliance]), tn.Sim.RegionalHost()) + probe + `
data "m365harden_alert_policies" "all" {}
`

	const version = "1.2.3-uatest"
	want := "m365harden/" + version + " terraform/" + terraformVersion(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"m365harden": providerserver.NewProtocol6WithError(provider.New(version)()),
		},
		Steps: []resource.TestStep{{Config: config}},
	})

	for _, family := range []string{"graph", "exchange", "compliance"} {
		uas := rec.get(family)
		if len(uas) == 0 {
			t.Errorf("no %s request went through the front; the test does not observe what it claims", family)
			continue
		}
		for _, ua := range uas {
			// Graph: kiota appends its own product token after ours.
			if ua != want && !strings.HasPrefix(ua, want+" ") {
				t.Errorf("%s request User-Agent = %q, want %q first", family, ua, want)
				break
			}
		}
		t.Logf("%s: %d requests, User-Agent %q", family, len(uas), uas[0])
	}
}
