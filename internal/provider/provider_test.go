package provider_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// A resource that reads through every API family the login serves: the
// audit configuration reads Exchange Online.
const probe = `
resource "m365harden_audit_configuration" "probe" {
  mailbox_auditing_enabled = true
}
`

func authStep(tn *acctest.Tenant, clientID, authHCL string) resource.TestStep {
	return resource.TestStep{
		Config: tn.ProviderConfigAs(clientID, authHCL) + probe,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("m365harden_audit_configuration.probe", tfjsonpath.New("id"), knownvalue.StringExact(m365sim.DemoTenantID)),
		},
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A successful run at TRACE level logs the API calls but never an access
// token (JWTs start with "eyJ").
func TestAccProvider_clientSecret(t *testing.T) {
	tn := acctest.NewTenant(t)
	logFile := filepath.Join(t.TempDir(), "tf.log")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	t.Setenv("TF_LOG", "TRACE")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps:                    []resource.TestStep{authStep(tn, m365sim.DemoAdminAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoAdminSecret))},
	})
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "Get-OrganizationConfig") {
		t.Fatal("the trace log does not show the Exchange calls; was the provider's log captured?")
	}
	if strings.Contains(string(b), "eyJ") {
		t.Fatal("an access token appears in the provider's trace log")
	}
}

func TestAccProvider_clientCertificate(t *testing.T) {
	tn := acctest.NewTenant(t)
	certPEM, keyPEM, _, err := m365sim.GenerateTestCertificate("m365harden acceptance")
	if err != nil {
		t.Fatal(err)
	}
	if err := tn.Sim.RegisterAppCertificate(tn.ID, m365sim.DemoAdminAppID, certPEM); err != nil {
		t.Fatal(err)
	}
	pfx, err := m365sim.EncodeTestPFX(certPEM, keyPEM, "pfx-password")
	if err != nil {
		t.Fatal(err)
	}
	pemPath := writeFile(t, "app.pem", append(append([]byte{}, certPEM...), keyPEM...))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			authStep(tn, m365sim.DemoAdminAppID, fmt.Sprintf("client_certificate_path = %q", pemPath)),
			authStep(tn, m365sim.DemoAdminAppID, fmt.Sprintf("client_certificate = %q\n  client_certificate_password = %q", base64.StdEncoding.EncodeToString(pfx), "pfx-password")),
		},
	})
}

func TestAccProvider_oidc(t *testing.T) {
	tn := acctest.NewTenant(t)
	tok, err := tn.Sim.IssueFederatedAssertion(m365sim.GitHubDemoSubject, "api://AzureADTokenExchange", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := writeFile(t, "token", []byte(tok))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			authStep(tn, m365sim.DemoAdminAppID, fmt.Sprintf("use_oidc = true\n  oidc_token_file_path = %q", tokenFile)),
			authStep(tn, m365sim.DemoAdminAppID, fmt.Sprintf("use_oidc = true\n  oidc_request_url = %q\n  oidc_request_token = %q", tn.Sim.GitHubRequestURL(), tn.Sim.GitHubRequestToken())),
		},
	})
}

// Managed identity and Azure CLI read their sources from the environment,
// so these tests are not parallel.
func TestAccProvider_managedIdentity(t *testing.T) {
	tn := acctest.NewTenant(t)
	t.Setenv("IDENTITY_ENDPOINT", tn.Sim.ManagedIdentityEndpoint())
	t.Setenv("IDENTITY_HEADER", tn.Sim.ManagedIdentityHeader())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps:                    []resource.TestStep{authStep(tn, m365sim.DemoMSIAppID, "use_msi = true")},
	})
}

func TestAccProvider_azureCLI(t *testing.T) {
	tn := acctest.NewTenant(t)
	// A fake `az` that hands out a token the emulator issued, as
	// `az account get-access-token --resource ... -o json` prints it.
	tok, exp, err := tn.Sim.IssueAccessToken(tn.ID, m365sim.DemoAdminAppID, m365sim.AudienceExchange)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{"accessToken": tok, "expiresOn": exp.Local().Format("2006-01-02 15:04:05.000000"), "expires_on": exp.Unix(), "tenant": tn.ID, "tokenType": "Bearer"})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte("#!/bin/sh\ncat <<'EOF'\n"+string(out)+"\nEOF\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps:                    []resource.TestStep{authStep(tn, m365sim.DemoAdminAppID, "use_cli = true")},
	})
}

// A wrong secret fails with Microsoft's error code, and the secret appears
// neither in the error nor in the provider's trace log.
func TestAccProvider_wrongSecret(t *testing.T) {
	tn := acctest.NewTenant(t)
	const wrong = "wrong-secret-value-7f3a9c"
	logFile := filepath.Join(t.TempDir(), "tf.log")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	t.Setenv("TF_LOG", "TRACE")
	// From the environment, as pipelines pass it: the test framework itself
	// logs the configuration text, which must not hold the secret here.
	t.Setenv("M365_CLIENT_SECRET", wrong)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      tn.ProviderConfigAs(m365sim.DemoAdminAppID, "") + probe,
			ExpectError: regexp.MustCompile(`AADSTS7000215`),
		}},
	})
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	if len(b) == 0 {
		t.Fatal("the trace log is empty; the test proves nothing")
	}
	if i := strings.Index(string(b), wrong); i >= 0 {
		t.Logf("context: %q", string(b)[max(0, i-400):min(len(b), i+100)])
		t.Fatal("the client secret appears in the provider's trace log")
	}
	if !strings.Contains(string(b), "AADSTS7000215") {
		t.Fatal("the trace log does not mention the login failure; was the provider's log captured?")
	}
}

func TestAccProvider_authMethodErrors(t *testing.T) {
	tn := acctest.NewTenant(t)
	for _, v := range []string{"M365_CLIENT_SECRET", "ARM_CLIENT_SECRET", "ARM_USE_MSI", "ARM_USE_CLI", "ARM_USE_OIDC", "M365_USE_OIDC"} {
		t.Setenv(v, "")
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      tn.ProviderConfigAs(m365sim.DemoAdminAppID, "") + probe,
				ExpectError: regexp.MustCompile(`(?s)no authentication method is configured.*client_secret.*use_msi`),
			},
			{
				Config:      tn.ProviderConfigAs(m365sim.DemoAdminAppID, "client_secret = \"x\"\n  use_cli = true") + probe,
				ExpectError: regexp.MustCompile(`several authentication methods are configured \(client_secret, use_cli\)`),
			},
			{
				Config:      tn.ProviderConfigAs(m365sim.DemoAdminAppID, "client_secret = \"x\"\n  environment = \"mars\"") + probe,
				ExpectError: regexp.MustCompile(`(?s)environment.*value must be one of`),
			},
		},
	})
}

// Everything can come from the environment, with the names pipelines set.
func TestAccProvider_environmentVariables(t *testing.T) {
	tn := acctest.NewTenant(t)
	e := tn.Sim.Endpoints()
	for k, v := range map[string]string{
		"ARM_TENANT_ID": tn.ID, "ARM_CLIENT_ID": m365sim.DemoAdminAppID, "ARM_CLIENT_SECRET": m365sim.DemoAdminSecret,
		"M365_LOGIN_ENDPOINT": e[m365sim.EndpointLogin], "M365_GRAPH_ENDPOINT": e[m365sim.EndpointGraph],
		"M365_EXCHANGE_ENDPOINT": e[m365sim.EndpointExchange], "M365_COMPLIANCE_ENDPOINT": e[m365sim.EndpointCompliance],
		"M365_CA_FILE": tn.Sim.CAFile(),
	} {
		t.Setenv(k, v)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "m365harden" {}` + probe,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("m365harden_audit_configuration.probe", tfjsonpath.New("id"), knownvalue.StringExact(m365sim.DemoTenantID)),
			},
		}},
	})
}
