package mailflow

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

var _ datasource.DataSourceWithConfigure = &rmsTemplatesDataSource{}

// rmsTemplateTypes are Get-RMSTemplate -Type's values.
var rmsTemplateTypes = []string{"Distributed", "Archived", "All"}

// NewRMSTemplatesDataSource returns the m365harden_rms_templates data source.
func NewRMSTemplatesDataSource() datasource.DataSource { return &rmsTemplatesDataSource{} }

type rmsTemplatesDataSource struct {
	clients *clients.Set
}

func (d *rmsTemplatesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rms_templates"
}

func (d *rmsTemplatesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The rights management (RMS) templates Exchange Online can apply to messages (`Get-RMSTemplate`), for use in `m365harden_transport_rule.apply_rights_protection_template`. Every tenant with Azure Rights Management has the built-in `Encrypt` and `Do Not Forward` templates.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The tenant ID.",
				Computed:            true,
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "Which templates to list. Maps to `Get-RMSTemplate -Type`; one of " + quoteList(rmsTemplateTypes) + ". Default `Distributed` (the templates that can be applied); archived templates can't be used in new rules.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(rmsTemplateTypes...)},
			},
			"names": schema.SetAttribute{
				MarkdownDescription: "The template names, for `contains(...)` checks.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"templates": schema.ListNestedAttribute{
				MarkdownDescription: "The templates, in the order the service lists them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":        schema.StringAttribute{Computed: true, MarkdownDescription: "The template's name (`Name`), as used by `ApplyRightsProtectionTemplate`."},
					"guid":        schema.StringAttribute{Computed: true, MarkdownDescription: "The template's ID (`Guid`)."},
					"type":        schema.StringAttribute{Computed: true, MarkdownDescription: "`Distributed` (published) or `Archived` (`Type`)."},
					"description": schema.StringAttribute{Computed: true, MarkdownDescription: "What the template allows (`Description`)."},
				}},
			},
		},
	}
}

func (d *rmsTemplatesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (d *rmsTemplatesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m rmsTemplatesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tpls, err := d.clients.Exchange.ListRMSTemplates(ctx, m.Type.ValueString())
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Listing the tenant's RMS templates failed", err)
		return
	}
	m.ID = types.StringValue(d.clients.TenantID)
	m.Templates = make([]rmsTemplateModel, 0, len(tpls))
	names := make([]string, 0, len(tpls))
	for _, t := range tpls {
		m.Templates = append(m.Templates, rmsTemplateModel{
			Name: types.StringValue(t.Name), Guid: types.StringValue(t.Guid),
			Type: types.StringValue(t.Type), Description: types.StringValue(t.Description),
		})
		names = append(names, t.Name)
	}
	nameSet, diags := types.SetValueFrom(ctx, types.StringType, names)
	resp.Diagnostics.Append(diags...)
	m.Names = nameSet
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

type rmsTemplatesModel struct {
	ID        types.String       `tfsdk:"id"`
	Type      types.String       `tfsdk:"type"`
	Names     types.Set          `tfsdk:"names"`
	Templates []rmsTemplateModel `tfsdk:"templates"`
}

type rmsTemplateModel struct {
	Name        types.String `tfsdk:"name"`
	Guid        types.String `tfsdk:"guid"`
	Type        types.String `tfsdk:"type"`
	Description types.String `tfsdk:"description"`
}
