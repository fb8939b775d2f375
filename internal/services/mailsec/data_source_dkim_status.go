package mailsec

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

var _ datasource.DataSourceWithConfigure = &dkimStatusDataSource{}

// NewDkimStatusDataSource returns the m365harden_dkim_status data source.
func NewDkimStatusDataSource() datasource.DataSource { return &dkimStatusDataSource{} }

type dkimStatusDataSource struct {
	clients *clients.Set
}

type dkimStatusModel struct {
	ID         types.String      `tfsdk:"id"`
	DomainName types.String      `tfsdk:"domain_name"`
	Domains    []dkimDomainModel `tfsdk:"domains"`
}

type dkimDomainModel struct {
	DomainName      types.String `tfsdk:"domain_name"`
	Enabled         types.Bool   `tfsdk:"enabled"`
	Status          types.String `tfsdk:"status"`
	Selector1Host   types.String `tfsdk:"selector1_host"`
	Selector1CNAME  types.String `tfsdk:"selector1_cname"`
	Selector2Host   types.String `tfsdk:"selector2_host"`
	Selector2CNAME  types.String `tfsdk:"selector2_cname"`
	NewestKeySize   types.Int64  `tfsdk:"newest_key_size"`
	RotationPending types.Bool   `tfsdk:"rotation_pending"`
}

func (d *dkimStatusDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dkim_status"
}

func (d *dkimStatusDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The DKIM signing configurations of the organization's domains (`Get-DkimSigningConfig`): whether each signs, the service's check (`Status`), and the two selector CNAME records to publish, for DNS managed by another provider (`azurerm_dns_cname_record`, `cloudflare_dns_record`, ...). Domains without a configuration are not listed; `m365harden_dkim_signing_config` creates one.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{MarkdownDescription: "The tenant ID.", Computed: true},
			"domain_name": schema.StringAttribute{
				MarkdownDescription: "Only this domain (`Get-DkimSigningConfig -Identity`), in lower case; an error when it has no configuration. Unset: every configuration.",
				Optional:            true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(smtpDomainRe, "must be a domain such as contoso.com"),
					stringvalidator.RegexMatches(lowerDomainRe, "must be in lower case"),
				},
			},
			"domains": schema.ListNestedAttribute{
				MarkdownDescription: "One entry per configuration, in the order the service lists them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"domain_name":      schema.StringAttribute{Computed: true, MarkdownDescription: "The domain (`Domain`), in lower case."},
					"enabled":          schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether DKIM signing with the domain is on (`Enabled`)."},
					"status":           schema.StringAttribute{Computed: true, MarkdownDescription: "The service's check (`Status`): `Valid`, or `CnameMissing` while the CNAME records are not published."},
					"selector1_host":   schema.StringAttribute{Computed: true, MarkdownDescription: "The DNS name of the first selector's CNAME record: `selector1._domainkey.<domain>`."},
					"selector1_cname":  schema.StringAttribute{Computed: true, MarkdownDescription: "Its target (`Selector1CNAME`)."},
					"selector2_host":   schema.StringAttribute{Computed: true, MarkdownDescription: "The DNS name of the second selector's CNAME record: `selector2._domainkey.<domain>`."},
					"selector2_cname":  schema.StringAttribute{Computed: true, MarkdownDescription: "Its target (`Selector2CNAME`)."},
					"newest_key_size":  schema.Int64Attribute{Computed: true, MarkdownDescription: "The size in bits of the newest key (`Selector1KeySize`/`Selector2KeySize` of `SelectorAfterRotateOnDate`)."},
					"rotation_pending": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether a rotated key has not started signing yet (before `RotateOnDate`)."},
				}},
			},
		},
	}
}

func (d *dkimStatusDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (d *dkimStatusDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m dkimStatusModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ex := d.clients.Exchange
	var list []exchangeDkim
	if known(m.DomainName) {
		one, err := ex.GetDkimSigningConfig(ctx, m.DomainName.ValueString())
		if err != nil {
			common.AddAPIError(&resp.Diagnostics, "Reading the DKIM signing config of "+m.DomainName.ValueString()+" failed", err)
			return
		}
		list = []exchangeDkim{*one}
	} else {
		all, err := ex.ListDkimSigningConfigs(ctx)
		if err != nil {
			common.AddAPIError(&resp.Diagnostics, "Listing the DKIM signing configs failed", err)
			return
		}
		list = all
	}
	now := time.Now()
	m.ID = types.StringValue(d.clients.TenantID)
	m.Domains = make([]dkimDomainModel, 0, len(list))
	for i := range list {
		c := &list[i]
		m.Domains = append(m.Domains, dkimDomainModel{
			DomainName: types.StringValue(c.Domain), Enabled: types.BoolValue(c.Enabled), Status: types.StringValue(c.Status),
			Selector1Host: types.StringValue("selector1._domainkey." + c.Domain), Selector1CNAME: types.StringValue(c.Selector1CNAME),
			Selector2Host: types.StringValue("selector2._domainkey." + c.Domain), Selector2CNAME: types.StringValue(c.Selector2CNAME),
			NewestKeySize: types.Int64Value(c.NewestKeySize()), RotationPending: types.BoolValue(c.RotationPending(now)),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
