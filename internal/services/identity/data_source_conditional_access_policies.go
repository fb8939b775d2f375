package identity

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

var _ datasource.DataSourceWithConfigure = &caPoliciesDataSource{}

// NewConditionalAccessPoliciesDataSource returns the
// m365harden_conditional_access_policies data source.
func NewConditionalAccessPoliciesDataSource() datasource.DataSource { return &caPoliciesDataSource{} }

type caPoliciesDataSource struct {
	clients *clients.Set
}

type caPoliciesModel struct {
	State             types.String    `tfsdk:"state"`
	DisplayNamePrefix types.String    `tfsdk:"display_name_prefix"`
	Policies          []caPolicyEntry `tfsdk:"policies"`
}

type caPolicyEntry struct {
	ID          types.String `tfsdk:"id"`
	DisplayName types.String `tfsdk:"display_name"`
	State       types.String `tfsdk:"state"`
}

func (d *caPoliciesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_conditional_access_policies"
}

func (d *caPoliciesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The tenant's Conditional Access policies (Microsoft Graph v1.0 `GET /identity/conditionalAccess/policies`), for discovery and for importing them into `m365harden_conditional_access_policy` (each `id` is an import ID). " +
			"Needs the Graph application permission `Policy.Read.All` and an Entra ID P1 licence in the tenant.",
		Attributes: map[string]schema.Attribute{
			"state": schema.StringAttribute{
				MarkdownDescription: "Only policies in this state (Graph `state`): one of " + quoteList(caStates) + ". Unset: all.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(caStates...)},
			},
			"display_name_prefix": schema.StringAttribute{
				MarkdownDescription: "Only policies whose `displayName` starts with this, compared case-insensitively. Unset: all.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"policies": schema.ListNestedAttribute{
				MarkdownDescription: "The policies, ordered by display name, then ID.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":           schema.StringAttribute{MarkdownDescription: "Graph `id`: the import ID of `m365harden_conditional_access_policy`.", Computed: true},
					"display_name": schema.StringAttribute{MarkdownDescription: "Graph `displayName`.", Computed: true},
					"state":        schema.StringAttribute{MarkdownDescription: "Graph `state`.", Computed: true},
				}},
			},
		},
	}
}

func (d *caPoliciesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (d *caPoliciesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m caPoliciesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	all, err := d.clients.Graph.ListConditionalAccessPolicies(ctx)
	if err != nil {
		caAPIError(&resp.Diagnostics, "Listing conditional access policies failed", err)
		return
	}
	prefix := strings.ToLower(m.DisplayNamePrefix.ValueString())
	m.Policies = []caPolicyEntry{}
	for _, p := range all {
		if (!m.State.IsNull() && p.State != m.State.ValueString()) || !strings.HasPrefix(strings.ToLower(p.DisplayName), prefix) {
			continue
		}
		m.Policies = append(m.Policies, caPolicyEntry{ID: types.StringValue(p.ID), DisplayName: types.StringValue(p.DisplayName), State: types.StringValue(p.State)})
	}
	sortTargets(m.Policies, func(e caPolicyEntry) string {
		return strings.ToLower(e.DisplayName.ValueString()) + "\x00" + e.ID.ValueString()
	})
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
