package mailsec

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/miekg/dns"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

var _ datasource.DataSourceWithConfigure = &emailAuthenticationDataSource{}

// NewEmailAuthenticationDataSource returns the m365harden_email_authentication data source.
func NewEmailAuthenticationDataSource() datasource.DataSource {
	return &emailAuthenticationDataSource{}
}

type emailAuthenticationDataSource struct {
	clients *clients.Set
}

type emailAuthModel struct {
	ID           types.String         `tfsdk:"id"`
	Resolver     types.String         `tfsdk:"resolver"`
	DomainNames  types.Set            `tfsdk:"domain_names"`
	AllCompliant types.Bool           `tfsdk:"all_compliant"`
	Domains      []emailAuthDomainRow `tfsdk:"domains"`
}

type emailAuthDomainRow struct {
	DomainName  types.String `tfsdk:"domain_name"`
	SPFRecord   types.String `tfsdk:"spf_record"`
	SPFOK       types.Bool   `tfsdk:"spf_ok"`
	DMARCRecord types.String `tfsdk:"dmarc_record"`
	DMARCPolicy types.String `tfsdk:"dmarc_policy"`
	DMARCRua    types.List   `tfsdk:"dmarc_rua"`
	DMARCOK     types.Bool   `tfsdk:"dmarc_ok"`
	DKIMOK      types.Bool   `tfsdk:"dkim_ok"`
	Compliant   types.Bool   `tfsdk:"compliant"`
	Problems    types.List   `tfsdk:"problems"`
}

func (d *emailAuthenticationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_email_authentication"
}

func (d *emailAuthenticationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	b := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
	}
	s := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks, through DNS, the e-mail authentication records each of the organization's domains publishes: **SPF** (ScubaGear MS.EXO.2.2, CIS 2.1.8), **DMARC** (MS.EXO.4.1–4.4, CIS 2.1.10) and the **DKIM** selector CNAMEs Exchange Online expects (MS.EXO.3.1, CIS 2.1.9). The domains come from `Get-AcceptedDomain` (custom domains; the `*.onmicrosoft.com` domain's DNS is Microsoft's), the expected DKIM CNAMEs from `Get-DkimSigningConfig`.\n\n" +
			"Criteria: SPF is one `v=spf1` TXT record that ends with `-all` (fail everything not listed); DMARC is one `v=DMARC1` TXT record at `_dmarc.<domain>` with `p=reject` or `p=quarantine` and at least one `rua=mailto:` report address; DKIM is signing enabled with both `selectorN._domainkey.<domain>` CNAMEs pointing where Exchange Online says.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{MarkdownDescription: "The tenant ID.", Computed: true},
			"resolver": schema.StringAttribute{
				MarkdownDescription: "The DNS server to ask, `host:port` (e.g. `1.1.1.1:53`). Unset: the first name server of the machine's `/etc/resolv.conf`. Ask a public resolver to see what other mail servers see.",
				Optional:            true,
				Validators:          []validator.String{stringCheck{desc: "host:port", problem: hostPortProblem}},
			},
			"domain_names": schema.SetAttribute{
				MarkdownDescription: "The domains to check, in lower case. Unset: every accepted domain except the initial `*.onmicrosoft.com` one.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(stringCheck{desc: "a lower-case domain", problem: domainProblem})},
			},
			"all_compliant": b("Whether every checked domain passes all three checks."),
			"domains": schema.ListNestedAttribute{
				MarkdownDescription: "One entry per checked domain, sorted by name.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"domain_name":  s("The domain."),
					"spf_record":   s("The `v=spf1` TXT record found (empty when none)."),
					"spf_ok":       b("Whether exactly one SPF record is published and it ends with `-all`."),
					"dmarc_record": s("The `v=DMARC1` TXT record at `_dmarc.<domain>` (empty when none)."),
					"dmarc_policy": s("Its `p=` policy: `none`, `quarantine` or `reject` (empty when none)."),
					"dmarc_rua": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Its aggregate report addresses (`rua=mailto:`), without `mailto:`."},
					"dmarc_ok":  b("Whether exactly one DMARC record is published with `p=reject` or `p=quarantine` and a report address."),
					"dkim_ok":   b("Whether DKIM signing is enabled for the domain and both selector CNAMEs point to Exchange Online's values."),
					"compliant": b("Whether SPF, DMARC and DKIM all pass."),
					"problems": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "What fails, one sentence each."},
				}},
			},
		},
	}
}

func (d *emailAuthenticationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func hostPortProblem(s string) string {
	if _, _, err := net.SplitHostPort(s); err != nil {
		return "must be host:port, e.g. 1.1.1.1:53"
	}
	return ""
}

func domainProblem(s string) string {
	if !smtpDomainRe.MatchString(s) || s != strings.ToLower(s) {
		return "must be a domain in lower case, e.g. contoso.com"
	}
	return ""
}

// dnsAsker sends queries to one server.
type dnsAsker struct {
	server string
	client *dns.Client
}

// ask returns the answers of a type for a name; a name that does not exist
// is no answers, not an error.
func (a *dnsAsker) ask(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	in, _, err := a.client.ExchangeContext(ctx, m, a.server)
	if err != nil {
		return nil, fmt.Errorf("DNS query %s %s to %s: %w", dns.TypeToString[qtype], name, a.server, err)
	}
	switch in.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
		return in.Answer, nil
	}
	return nil, fmt.Errorf("DNS query %s %s to %s: %s", dns.TypeToString[qtype], name, a.server, dns.RcodeToString[in.Rcode])
}

func (a *dnsAsker) txt(ctx context.Context, name, prefix string) ([]string, error) {
	rrs, err := a.ask(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rr := range rrs {
		if t, ok := rr.(*dns.TXT); ok {
			v := strings.Join(t.Txt, "")
			if strings.HasPrefix(strings.ToLower(v), strings.ToLower(prefix)) {
				out = append(out, v)
			}
		}
	}
	return out, nil
}

func (a *dnsAsker) cname(ctx context.Context, name string) (string, error) {
	rrs, err := a.ask(ctx, name, dns.TypeCNAME)
	if err != nil {
		return "", err
	}
	for _, rr := range rrs {
		if c, ok := rr.(*dns.CNAME); ok {
			return strings.TrimSuffix(strings.ToLower(c.Target), "."), nil
		}
	}
	return "", nil
}

// dmarcTags parses a DMARC record's tag=value list.
func dmarcTags(rec string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(rec, ";") {
		if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok {
			out[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return out
}

func (d *emailAuthenticationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m emailAuthModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	server := m.Resolver.ValueString()
	if server == "" {
		cfg, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(cfg.Servers) == 0 {
			resp.Diagnostics.AddError("No DNS resolver", "Set resolver: the machine's /etc/resolv.conf names no name server.")
			return
		}
		server = net.JoinHostPort(cfg.Servers[0], cfg.Port)
	}
	asker := &dnsAsker{server: server, client: &dns.Client{Timeout: 5 * time.Second}}

	domains, ok := common.SetStrings(ctx, m.DomainNames)
	if !ok {
		accepted, err := d.clients.Exchange.ListAcceptedDomains(ctx)
		if err != nil {
			common.AddAPIError(&resp.Diagnostics, "Listing the organization's accepted domains failed", err)
			return
		}
		for _, a := range accepted {
			if !a.InitialDomain {
				domains = append(domains, strings.ToLower(a.DomainName))
			}
		}
	}
	sort.Strings(domains)
	dkim := map[string]exchange.DkimSigningConfig{}
	configs, err := d.clients.Exchange.ListDkimSigningConfigs(ctx)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Listing the DKIM signing configs failed", err)
		return
	}
	for _, c := range configs {
		dkim[c.Domain] = c
	}

	m.ID = types.StringValue(d.clients.TenantID)
	m.Domains = make([]emailAuthDomainRow, 0, len(domains))
	all := true
	for _, dom := range domains {
		var problems []string
		spf, err := asker.txt(ctx, dom, "v=spf1")
		if err != nil {
			resp.Diagnostics.AddError("Checking e-mail authentication failed", err.Error())
			return
		}
		spfOK := len(spf) == 1 && strings.HasSuffix(strings.ToLower(strings.TrimSpace(spf[0])), "-all")
		switch {
		case len(spf) == 0:
			problems = append(problems, "no SPF record (v=spf1 TXT) is published")
		case len(spf) > 1:
			problems = append(problems, fmt.Sprintf("%d SPF records are published; receivers treat that as an error", len(spf)))
		case !spfOK:
			problems = append(problems, "the SPF record does not end with -all")
		}
		dmarc, err := asker.txt(ctx, "_dmarc."+dom, "v=DMARC1")
		if err != nil {
			resp.Diagnostics.AddError("Checking e-mail authentication failed", err.Error())
			return
		}
		policy, rua := "", []string{}
		if len(dmarc) == 1 {
			tags := dmarcTags(dmarc[0])
			policy = strings.ToLower(tags["p"])
			for _, u := range strings.Split(tags["rua"], ",") {
				if u = strings.TrimSpace(u); strings.HasPrefix(strings.ToLower(u), "mailto:") {
					rua = append(rua, u[len("mailto:"):])
				}
			}
		}
		dmarcOK := len(dmarc) == 1 && (policy == "reject" || policy == "quarantine") && len(rua) > 0
		switch {
		case len(dmarc) == 0:
			problems = append(problems, "no DMARC record (v=DMARC1 TXT at _dmarc) is published")
		case len(dmarc) > 1:
			problems = append(problems, fmt.Sprintf("%d DMARC records are published; receivers ignore them all", len(dmarc)))
		default:
			if policy != "reject" && policy != "quarantine" {
				problems = append(problems, fmt.Sprintf("the DMARC policy is %q, not reject or quarantine", policy))
			}
			if len(rua) == 0 {
				problems = append(problems, "the DMARC record has no rua=mailto: report address")
			}
		}
		dkimOK := false
		if c, ok := dkim[dom]; !ok {
			problems = append(problems, "DKIM signing is not configured for the domain")
		} else {
			dkimOK = c.Enabled
			if !c.Enabled {
				problems = append(problems, "DKIM signing is not enabled")
			}
			for i, want := range []string{c.Selector1CNAME, c.Selector2CNAME} {
				host := fmt.Sprintf("selector%d._domainkey.%s", i+1, dom)
				got, err := asker.cname(ctx, host)
				if err != nil {
					resp.Diagnostics.AddError("Checking e-mail authentication failed", err.Error())
					return
				}
				if !strings.EqualFold(got, want) {
					dkimOK = false
					if got == "" {
						problems = append(problems, fmt.Sprintf("no CNAME record at %s (want %s)", host, want))
					} else {
						problems = append(problems, fmt.Sprintf("the CNAME record at %s points to %s, not %s", host, got, want))
					}
				}
			}
		}
		compliant := spfOK && dmarcOK && dkimOK
		all = all && compliant
		first := func(l []string) types.String {
			if len(l) == 0 {
				return types.StringValue("")
			}
			return types.StringValue(l[0])
		}
		ruaList, _ := types.ListValueFrom(ctx, types.StringType, rua)
		if problems == nil {
			problems = []string{}
		}
		probList, _ := types.ListValueFrom(ctx, types.StringType, problems)
		m.Domains = append(m.Domains, emailAuthDomainRow{
			DomainName: types.StringValue(dom), SPFRecord: first(spf), SPFOK: types.BoolValue(spfOK),
			DMARCRecord: first(dmarc), DMARCPolicy: types.StringValue(policy), DMARCRua: ruaList, DMARCOK: types.BoolValue(dmarcOK),
			DKIMOK: types.BoolValue(dkimOK), Compliant: types.BoolValue(compliant), Problems: probList,
		})
	}
	m.AllCompliant = types.BoolValue(all)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
