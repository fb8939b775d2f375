package mailsec_test

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/miekg/dns"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// serveTenantDNS runs a DNS server on loopback that answers from the
// emulator tenant's published records (NXDOMAIN for anything else), so no
// query leaves the machine. It returns its host:port.
func serveTenantDNS(t *testing.T, tn *acctest.Tenant) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		name := strings.TrimSuffix(strings.ToLower(q.Name), ".")
		found := false
		for _, rec := range tn.Sim.DNSRecords(tn.ID) {
			if rec.Name != name {
				continue
			}
			found = true
			hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Ttl: 60}
			switch {
			case rec.Type == "TXT" && q.Qtype == dns.TypeTXT:
				hdr.Rrtype = dns.TypeTXT
				m.Answer = append(m.Answer, &dns.TXT{Hdr: hdr, Txt: []string{rec.Value}})
			case rec.Type == "CNAME" && (q.Qtype == dns.TypeCNAME || q.Qtype == dns.TypeA):
				hdr.Rrtype = dns.TypeCNAME
				m.Answer = append(m.Answer, &dns.CNAME{Hdr: hdr, Target: dns.Fqdn(rec.Value)})
			}
		}
		if !found {
			m.Rcode = dns.RcodeNameError
		}
		_ = w.WriteMsg(m)
	})
	srv := &dns.Server{PacketConn: pc, Handler: h}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return pc.LocalAddr().String()
}

func publish(t *testing.T, tn *acctest.Tenant, typ, name, value string) {
	t.Helper()
	if _, err := tn.Sim.Seed(tn.ID, "dns-records", map[string]any{"records": []map[string]any{{"name": name, "type": typ, "value": value}}}); err != nil {
		t.Fatal(err)
	}
}

func TestAccEmailAuthentication_basic(t *testing.T) {
	tn := acctest.NewTenant(t)
	addr := serveTenantDNS(t, tn)
	cfg := tn.ProviderConfig() + fmt.Sprintf(`
data "m365harden_email_authentication" "this" {
  resolver = %q
}
`, addr)
	ds := "data.m365harden_email_authentication.this"
	row := func(attr string) tfjsonpath.Path { return tfjsonpath.New("domains").AtSliceIndex(0).AtMapKey(attr) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{ // nothing published: every check fails and says why
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("domains"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(ds, row("domain_name"), knownvalue.StringExact("contoso.com")),
					statecheck.ExpectKnownValue(ds, row("spf_ok"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ds, row("dmarc_ok"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ds, row("dkim_ok"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ds, row("problems"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("all_compliant"), knownvalue.Bool(false)),
				},
			},
			{ // a soft-fail SPF and a monitoring-only DMARC policy still fail
				PreConfig: func() {
					publish(t, tn, "TXT", "contoso.com", "v=spf1 include:spf.protection.outlook.com ~all")
					publish(t, tn, "TXT", "_dmarc.contoso.com", "v=DMARC1; p=none; rua=mailto:dmarc@contoso.com")
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, row("spf_ok"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ds, row("dmarc_policy"), knownvalue.StringExact("none")),
					statecheck.ExpectKnownValue(ds, row("dmarc_ok"), knownvalue.Bool(false)),
				},
			},
			{ // everything published and DKIM enabled: compliant
				PreConfig: func() {
					publish(t, tn, "TXT", "contoso.com", "v=spf1 include:spf.protection.outlook.com -all")
					publish(t, tn, "TXT", "_dmarc.contoso.com", "v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com,mailto:reports@dmarc.cyber.dhs.gov")
					tn.Exchange(t, "New-DkimSigningConfig", map[string]any{"DomainName": "contoso.com", "Enabled": false})
					publishDKIM(t, tn, "contoso.com", false)
					tn.Exchange(t, "Set-DkimSigningConfig", map[string]any{"Identity": "contoso.com", "Enabled": true})
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, row("spf_ok"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(ds, row("dmarc_ok"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(ds, row("dmarc_rua"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("dmarc@contoso.com"), knownvalue.StringExact("reports@dmarc.cyber.dhs.gov")})),
					statecheck.ExpectKnownValue(ds, row("dkim_ok"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(ds, row("problems"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("all_compliant"), knownvalue.Bool(true)),
				},
			},
			{ // a selector CNAME removed from DNS is noticed
				PreConfig: func() {
					publish(t, tn, "CNAME", "selector2._domainkey.contoso.com", "selector2-contoso-com._domainkey.other.onmicrosoft.com")
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, row("dkim_ok"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ds, row("problems"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringRegexp(regexp.MustCompile(`selector2\._domainkey\.contoso\.com points to`))})),
				},
			},
		},
	})
}

func TestAccEmailAuthentication_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + `
data "m365harden_email_authentication" "this" {
  resolver     = "not-a-host-port"
  domain_names = ["Contoso.com"]
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)host:port.*lower\s+case|lower\s+case.*host:port`),
			},
		},
	})
	if n := tn.Sim.Stats().Requests(m365sim.EndpointExchange, ""); n != 0 {
		t.Fatalf("a plan-time error must not reach the tenant; Exchange saw %d requests", n)
	}
}
