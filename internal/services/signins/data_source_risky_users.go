package signins

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

var _ datasource.DataSourceWithConfigure = &riskyUsersDataSource{}

// NewRiskyUsersDataSource returns the m365harden_risky_users data source.
func NewRiskyUsersDataSource() datasource.DataSource { return &riskyUsersDataSource{} }

type riskyUsersDataSource struct {
	clients *clients.Set
}

const defaultMaxUsers = 1000

func (d *riskyUsersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_risky_users"
}

func (d *riskyUsersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Users Microsoft Entra ID Protection flags as risky (Microsoft Graph `GET /identityProtection/riskyUsers`), filtered in Graph by risk level and state. Needs the `IdentityRiskyUser.Read.All` application permission and a Microsoft Entra ID P2 licence.",
		Attributes: map[string]schema.Attribute{
			"id": str("The filter read, for reference."),
			"risk_levels": schema.SetAttribute{
				MarkdownDescription: "Only users at these levels (`riskLevel eq ...`): any of " + quoted(riskLevelValues) + ". Default: every level.",
				Optional:            true, ElementType: types.StringType,
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(riskLevelValues...))},
			},
			"risk_states": schema.SetAttribute{
				MarkdownDescription: "Only users in these states (`riskState eq ...`): any of " + quoted(riskStateValues) + ". Default: every state.",
				Optional:            true, ElementType: types.StringType,
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(riskStateValues...))},
			},
			"max_users": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many users `users` holds, most recently updated first (0 to 100000, default %d). `total` counts them all.", defaultMaxUsers),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, 100000)},
			},
			"licensed":     schema.BoolAttribute{MarkdownDescription: "False when the tenant has no Microsoft Entra ID P2 licence (a warning says so; every result is then empty).", Computed: true},
			"graph_filter": str("The `$filter` sent to Microsoft Graph (empty for none)."),
			"total":        num("Risky users matching the filters."),
			"users": schema.ListNestedAttribute{
				MarkdownDescription: "The risky users, most recently updated first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                  str("The user's object id (Graph `id`)."),
					"user_principal_name": str("Graph `userPrincipalName`."),
					"user_display_name":   str("Graph `userDisplayName`."),
					"risk_level":          str("Graph `riskLevel`."),
					"risk_state":          str("Graph `riskState`."),
					"risk_detail":         str("Graph `riskDetail`."),
					"risk_last_updated":   str("Graph `riskLastUpdatedDateTime` (RFC 3339)."),
				}},
			},
			"by_risk_level": countsAttribute("Users per risk level."),
			"by_risk_state": countsAttribute("Users per risk state."),
		},
	}
}

func (d *riskyUsersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (d *riskyUsersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m riskyUsersModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	filter := allOf(anyEq("riskLevel", setStrings(ctx, m.RiskLevels, &resp.Diagnostics)), anyEq("riskState", setStrings(ctx, m.RiskStates, &resp.Diagnostics)))
	if resp.Diagnostics.HasError() {
		return
	}
	maxUsers := intOr(m.MaxUsers, defaultMaxUsers)
	users := []riskyUserModel{}
	levels, states := map[string]int{}, map[string]int{}
	total := 0
	_, err := d.clients.Graph.EachRiskyUser(ctx, filter, func(u *graph.RiskyUser) error {
		total++
		levels[u.RiskLevel]++
		states[u.RiskState]++
		if len(users) < maxUsers {
			users = append(users, riskyUserModel{ID: u.ID, UserPrincipalName: u.UserPrincipalName, UserDisplayName: u.UserDisplayName,
				RiskLevel: u.RiskLevel, RiskState: u.RiskState, RiskDetail: u.RiskDetail, RiskLastUpdated: rfc(u.RiskLastUpdated)})
		}
		return nil
	})
	m.Licensed = types.BoolValue(true)
	if err != nil {
		if !addReadError(&resp.Diagnostics, "Identity Protection risky users", "P2", "IdentityRiskyUser.Read.All", err) {
			return
		}
		m.Licensed = types.BoolValue(false)
		total, users, levels, states = 0, []riskyUserModel{}, nil, nil
	}
	m.ID = types.StringValue("riskyUsers?" + filter)
	m.GraphFilter = types.StringValue(filter)
	m.Total = types.Int64Value(int64(total))
	m.Users = users
	m.ByRiskLevel, m.ByRiskState = topCounts(levels, 25), topCounts(states, 25)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

type riskyUserModel struct {
	ID                string `tfsdk:"id"`
	UserPrincipalName string `tfsdk:"user_principal_name"`
	UserDisplayName   string `tfsdk:"user_display_name"`
	RiskLevel         string `tfsdk:"risk_level"`
	RiskState         string `tfsdk:"risk_state"`
	RiskDetail        string `tfsdk:"risk_detail"`
	RiskLastUpdated   string `tfsdk:"risk_last_updated"`
}

type riskyUsersModel struct {
	ID          types.String     `tfsdk:"id"`
	RiskLevels  types.Set        `tfsdk:"risk_levels"`
	RiskStates  types.Set        `tfsdk:"risk_states"`
	MaxUsers    types.Int64      `tfsdk:"max_users"`
	Licensed    types.Bool       `tfsdk:"licensed"`
	GraphFilter types.String     `tfsdk:"graph_filter"`
	Total       types.Int64      `tfsdk:"total"`
	Users       []riskyUserModel `tfsdk:"users"`
	ByRiskLevel []countModel     `tfsdk:"by_risk_level"`
	ByRiskState []countModel     `tfsdk:"by_risk_state"`
}
