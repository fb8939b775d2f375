package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// How the Exchange Online and Security & Compliance wire behaviours reach a
// Terraform user: routing, dehydrated organizations, warnings, token expiry,
// exact retry settings and the regional host allow-list.

// warningRecorder keeps the warnings the provider hands Terraform when it
// applies changes (Terraform prints them after the apply).
type warningRecorder struct {
	mu       sync.Mutex
	warnings []string
}

func (w *warningRecorder) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"m365harden": func() (tfprotov6.ProviderServer, error) {
			s, err := acctest.ProviderFactories["m365harden"]()
			return &recordingServer{ProviderServer: s, rec: w}, err
		},
	}
}

func (w *warningRecorder) all() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.warnings, "\n")
}

type recordingServer struct {
	tfprotov6.ProviderServer
	rec *warningRecorder
}

func (s *recordingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		s.rec.mu.Lock()
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityWarning {
				s.rec.warnings = append(s.rec.warnings, d.Summary+": "+d.Detail)
			}
		}
		s.rec.mu.Unlock()
	}
	return resp, err
}

func orgValue(tn *acctest.Tenant, cmdlet, property string, want any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := tn.Sim.Invoke(tn.ID, m365sim.EndpointExchange, cmdlet, nil)
		if err != nil {
			return err
		}
		if out[0][property] != want {
			return fmt.Errorf("%s %s = %v, want %v", cmdlet, property, out[0][property], want)
		}
		return nil
	}
}

// Switching unified audit log ingestion on works only when the call is
// routed to the organization mailbox (pnp/cli-microsoft365 #4677): the
// provider anchors it there.
func TestAccExchange_unifiedAuditIngestionRouting(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Exchange(t, "Set-AdminAuditLogConfig", map[string]any{"UnifiedAuditLogIngestionEnabled": false})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfig() + `resource "m365harden_audit_configuration" "this" { unified_audit_log_ingestion_enabled = true }`,
			Check: resource.ComposeTestCheckFunc(
				orgValue(tn, "Get-AdminAuditLogConfig", "UnifiedAuditLogIngestionEnabled", true),
				func(*terraform.State) error {
					if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 400); n != 0 {
						return fmt.Errorf("%d calls answered 400 (a wrong routing anchor?)", n)
					}
					return nil
				},
			),
		}},
	})
}

// A dehydrated organization: the apply runs Enable-OrganizationCustomization
// once, says so in a warning, waits for it and applies the settings.
func TestAccExchange_dehydratedOrganization(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Exchange(t, "Set-AdminAuditLogConfig", map[string]any{"UnifiedAuditLogIngestionEnabled": false})
	if err := tn.Sim.SetDehydrated(tn.ID, true, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	rec := &warningRecorder{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfig() + `
resource "m365harden_audit_configuration" "this" {
  mailbox_auditing_enabled            = false
  unified_audit_log_ingestion_enabled = true
}`,
			Check: resource.ComposeTestCheckFunc(
				orgValue(tn, "Get-OrganizationConfig", "IsDehydrated", false),
				orgValue(tn, "Get-OrganizationConfig", "AuditDisabled", true),
				orgValue(tn, "Get-AdminAuditLogConfig", "UnifiedAuditLogIngestionEnabled", true),
				func(*terraform.State) error {
					if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, "Enable-OrganizationCustomization"); n != 1 {
						return fmt.Errorf("Enable-OrganizationCustomization ran %d times", n)
					}
					if w := rec.all(); !strings.Contains(w, "Enable-OrganizationCustomization") || !strings.Contains(w, "dehydrated") {
						return fmt.Errorf("no warning about the dehydrated organization: %q", w)
					}
					return nil
				},
			),
		}},
	})
}

// The warnings Exchange returns for New-* and Set-* are shown.
func TestAccExchange_newCmdletWarningShown(t *testing.T) {
	tn := acctest.NewTenant(t)
	const text = "The remote domain was created; mail flow uses it within the hour."
	tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "New-RemoteDomain", Warning: text})
	rec := &warningRecorder{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: tn.ProviderConfig() + `
resource "m365harden_remote_domain" "fabrikam" {
  name                 = "Fabrikam"
  domain_name          = "fabrikam.com"
  auto_forward_enabled = false
}`,
			Check: func(*terraform.State) error {
				if w := rec.all(); !strings.Contains(w, "Exchange Online warning from New-RemoteDomain: "+text) {
					return fmt.Errorf("warning not shown: %q", w)
				}
				return nil
			},
		}},
	})
}

// A token the service stops accepting during a run (expired early or
// revoked) is replaced and the apply goes on.
func TestAccExchange_tokenExpiredMidRun(t *testing.T) {
	tn := acctest.NewTenant(t)
	config := func(fwd bool) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "m365harden_remote_domain" "fabrikam" {
  name                 = "Fabrikam"
  domain_name          = "fabrikam.com"
  auto_forward_enabled = %t
}`, fwd)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(false)},
			{
				// The next token the provider gets stops working at once.
				PreConfig: func() { tn.Sim.Stats().Reset(); tn.Sim.ExpireNextTokens(1, 0) },
				Config:    config(true),
				Check: func(*terraform.State) error {
					if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 401); n != 1 {
						return fmt.Errorf("%d 401s, want the one the new token recovered from", n)
					}
					out, err := tn.Sim.Invoke(tn.ID, m365sim.EndpointExchange, "Get-RemoteDomain", map[string]any{"Identity": "Fabrikam"})
					if err != nil || out[0]["AutoForwardEnabled"] != true {
						return fmt.Errorf("not applied: %v %v", out, err)
					}
					return nil
				},
			},
		},
	})
}

// A credential the service keeps refusing is reported as such, not as a
// missing permission; a missing Exchange.ManageAsApp is named.
func TestAccExchange_rejectedCredentialVsMissingPermission(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig:   func() { tn.Sim.ExpireNextTokens(100, 0) },
			Config:      tn.ProviderConfig() + probe,
			ExpectError: regexp.MustCompile(`(?s)Authentication\s+problem:\s+the\s+credential\s+may\s+have\s+expired\s+or\s+been\s+revoked`),
		}},
	})
	tn = acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      tn.ProviderConfigAs(m365sim.DemoNoManageAsAppID, fmt.Sprintf("client_secret = %q", m365sim.DemoNoManageAsAppSecret)) + probe,
			ExpectError: regexp.MustCompile(`(?s)does\s+not\s+carry\s+the\s+Exchange\.ManageAsApp\s+application\s+permission`),
		}},
	})
}

// max_retries = 0: a throttled call fails at once, without retrying.
func TestAccExchange_maxRetriesZero(t *testing.T) {
	tn := acctest.NewTenant(t)
	tn.Sim.InjectFault(m365sim.Fault{Endpoint: m365sim.EndpointExchange, Match: "Get-OrganizationConfig", Status: 429, Retry: 1, Times: 1})
	start := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      tn.ProviderConfigAs(m365sim.DemoAdminAppID, fmt.Sprintf("client_secret = %q\n  max_retries = 0", m365sim.DemoAdminSecret)) + probe,
			ExpectError: regexp.MustCompile(`(?s)Get-OrganizationConfig:\s+HTTP\s+429.*not\s+retried:\s+max_retries\s+is\s+0`),
		}},
	})
	// One 429, not followed by a retry (the failed apply then reads the
	// tenant once more to record what it holds).
	if n := tn.Sim.Stats().Statuses(m365sim.EndpointExchange, 429); n != 1 {
		t.Fatalf("%d 429s, want 1", n)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("took %s: something waited", d)
	}
}

// Security & Compliance redirects to a regional host; the provider follows
// only to hosts in compliance_regional_hosts (the environment's list by
// default), so an emulator's regional origin works only when configured.
func TestAccExchange_complianceRegionalHostAllowList(t *testing.T) {
	tn := acctest.NewTenant(t)
	e := tn.Sim.Endpoints()
	withoutRegional := fmt.Sprintf(`provider "m365harden" {
  tenant_id     = %q
  client_id     = %q
  client_secret = %q
  ca_file       = %q
  endpoints {
    login      = %q
    graph      = %q
    exchange   = %q
    compliance = %q
  }
}
data "m365harden_alert_policies" "all" {}
`, tn.ID, m365sim.DemoAdminAppID, m365sim.DemoAdminSecret, tn.Sim.CAFile(), e[m365sim.EndpointLogin], e[m365sim.EndpointGraph], e[m365sim.EndpointExchange], e[m365sim.EndpointCompliance])
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      withoutRegional,
				ExpectError: regexp.MustCompile(`(?s)refusing redirect.*` + regexp.QuoteMeta(tn.Sim.RegionalHost())),
			},
			{
				Config: tn.ProviderConfig() + `data "m365harden_alert_policies" "all" {}`,
				Check:  resource.TestCheckResourceAttrSet("data.m365harden_alert_policies.all", "policies.#"),
			},
		},
	})
	if n := tn.Sim.Stats().Statuses(m365sim.EndpointCompliance, 302); n < 2 {
		t.Fatalf("%d redirects", n)
	}
}
