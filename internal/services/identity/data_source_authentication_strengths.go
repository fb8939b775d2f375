package identity

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

var _ datasource.DataSourceWithConfigure = &authStrengthsDataSource{}

// NewAuthenticationStrengthsDataSource returns the
// m365harden_authentication_strengths data source.
func NewAuthenticationStrengthsDataSource() datasource.DataSource { return &authStrengthsDataSource{} }

type authStrengthsDataSource struct {
	clients *clients.Set
}

type authStrengthsModel struct {
	PolicyType types.String        `tfsdk:"policy_type"`
	Strengths  []authStrengthEntry `tfsdk:"strengths"`
}

type authStrengthEntry struct {
	ID                    types.String `tfsdk:"id"`
	DisplayName           types.String `tfsdk:"display_name"`
	Description           types.String `tfsdk:"description"`
	PolicyType            types.String `tfsdk:"policy_type"`
	RequirementsSatisfied types.String `tfsdk:"requirements_satisfied"`
	AllowedCombinations   types.Set    `tfsdk:"allowed_combinations"`
}

func (d *authStrengthsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_authentication_strengths"
}

func (d *authStrengthsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The tenant's authentication strengths (Microsoft Graph v1.0 `GET /policies/authenticationStrengthPolicies`): Microsoft's three built-ins — `00000000-0000-0000-0000-000000000002` *Multifactor authentication*, `00000000-0000-0000-0000-000000000003` *Passwordless MFA* and `00000000-0000-0000-0000-000000000004` *Phishing resistant MFA* — and the tenant's custom ones, each with its `allowedCombinations`. Use an ID in `m365harden_conditional_access_policy` `grant_controls.authentication_strength_id` (phishing-resistant MFA: ScubaGear MS.AAD.3.1).",
		Attributes: map[string]schema.Attribute{
			"policy_type": schema.StringAttribute{
				MarkdownDescription: "Only strengths of this type (Graph `policyType`): `builtIn` or `custom`. Unset: all.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf("builtIn", "custom")},
			},
			"strengths": schema.ListNestedAttribute{
				MarkdownDescription: "The strengths, in the order Graph lists them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                     schema.StringAttribute{MarkdownDescription: "Graph `id`.", Computed: true},
					"display_name":           schema.StringAttribute{MarkdownDescription: "Graph `displayName`.", Computed: true},
					"description":            schema.StringAttribute{MarkdownDescription: "Graph `description`.", Computed: true},
					"policy_type":            schema.StringAttribute{MarkdownDescription: "Graph `policyType`: `builtIn` or `custom`.", Computed: true},
					"requirements_satisfied": schema.StringAttribute{MarkdownDescription: "Graph `requirementsSatisfied`: `mfa` or `none`.", Computed: true},
					"allowed_combinations": schema.SetAttribute{
						MarkdownDescription: "Graph `allowedCombinations`: authentication method combinations, members joined by commas.",
						ElementType:         types.StringType, Computed: true,
					},
				}},
			},
		},
	}
}

func (d *authStrengthsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (d *authStrengthsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m authStrengthsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	all, err := d.clients.Graph.ListAuthenticationStrengths(ctx)
	if err != nil {
		strengthAPIError(&resp.Diagnostics, "Listing authentication strengths failed", err)
		return
	}
	m.Strengths = []authStrengthEntry{}
	for _, s := range all {
		if !m.PolicyType.IsNull() && m.PolicyType.ValueString() != s.PolicyType {
			continue
		}
		m.Strengths = append(m.Strengths, authStrengthEntry{
			ID: types.StringValue(s.ID), DisplayName: types.StringValue(s.DisplayName), Description: types.StringValue(s.Description),
			PolicyType: types.StringValue(s.PolicyType), RequirementsSatisfied: types.StringValue(s.RequirementsSatisfied),
			AllowedCombinations: stringSet(ctx, s.AllowedCombinations, &resp.Diagnostics),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
