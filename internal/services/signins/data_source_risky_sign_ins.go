package signins

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

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

var (
	_ datasource.DataSourceWithConfigure      = &riskySignInsDataSource{}
	_ datasource.DataSourceWithValidateConfig = &riskySignInsDataSource{}
)

// NewRiskySignInsDataSource returns the m365harden_risky_sign_ins data source.
func NewRiskySignInsDataSource() datasource.DataSource { return &riskySignInsDataSource{} }

type riskySignInsDataSource struct {
	clients *clients.Set
}

const defaultMinRiskLevel = "medium"

var defaultRiskStates = []string{"atRisk", "confirmedCompromised"}

func (d *riskySignInsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_risky_sign_ins"
}

func (d *riskySignInsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := windowAttributes("createdDateTime")
	for k, v := range map[string]schema.Attribute{
		"id": str("The window read, for reference."),
		"min_risk_level": schema.StringAttribute{
			MarkdownDescription: "A sign-in is risky when its `riskLevelDuringSignIn` or `riskLevelAggregated` is at or above this level: one of " + quoted(minRiskLevels) + " (default `" + defaultMinRiskLevel + "`).",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.OneOf(minRiskLevels...)},
		},
		"risk_states": schema.SetAttribute{
			MarkdownDescription: "A sign-in is also risky when its `riskState` is one of these, whatever its level: any of " + quoted(riskStateValues) + ". Default `[\"atRisk\", \"confirmedCompromised\"]`; an empty set turns this off.",
			Optional:            true, ElementType: types.StringType,
			Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(riskStateValues...))},
		},
		"user_principal_names": schema.SetAttribute{
			MarkdownDescription: "Only these users (`userPrincipalName eq ...`).",
			Optional:            true, ElementType: types.StringType,
			Validators: []validator.Set{setvalidator.SizeAtMost(50), setvalidator.ValueStringsAre(stringvalidator.LengthBetween(3, 256))},
		},
		"max_events": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("How many of the newest risky sign-ins `events` holds (0 to 10000, default %d). The counts cover the whole window.", defaultMaxEvents),
			Optional:            true,
			Validators:          []validator.Int64{int64validator.Between(0, 10000)},
		},
		"licensed":      schema.BoolAttribute{MarkdownDescription: "False when the tenant has no Microsoft Entra ID P1/P2 licence (a warning says so; every result is then empty).", Computed: true},
		"graph_filter":  str("The `$filter` sent to Microsoft Graph."),
		"pages_read":    num("How many pages Graph returned."),
		"total":         num("Risky sign-ins in the window."),
		"events":        eventsAttribute("The newest risky sign-ins, newest first, at most `max_events`."),
		"by_risk_level": countsAttribute("Risky sign-ins per risk level (the higher of `riskLevelDuringSignIn` and `riskLevelAggregated`)."),
		"by_risk_state": countsAttribute("Risky sign-ins per `riskState`."),
		"by_user":       countsAttribute("Risky sign-ins per user, largest first (at most 25)."),
	} {
		attrs[k] = v
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Risky sign-ins in a time window: Microsoft Graph `GET /auditLogs/signIns` filtered on `riskLevelDuringSignIn`, `riskLevelAggregated` and `riskState` (the filter runs in Graph). " +
			"Needs the `AuditLog.Read.All` and `Directory.Read.All` application permissions and Microsoft Entra ID P1 or P2; risk levels other than `hidden`/`none` are filled in only for tenants with P2.",
		Attributes: attrs,
	}
}

func (d *riskySignInsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (d *riskySignInsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validateWindow(ctx, req, resp)
}

func validateWindow(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var w windowModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, pathRoot("since"), &w.Since)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, pathRoot("lookback"), &w.Lookback)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, pathRoot("until"), &w.Until)...)
	w.resolve(time.Now(), &resp.Diagnostics)
}

// levelsAtOrAbove lists the levels a filter must match for the minimum level minLevel.
func levelsAtOrAbove(minLevel string) []string {
	i := slices.Index(minRiskLevels, minLevel)
	if i < 0 {
		i = 1
	}
	return minRiskLevels[i:]
}

func riskRank(l string) int { return slices.Index(minRiskLevels, l) }

func (d *riskySignInsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m riskySignInsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	start, end, ok := m.windowModel.resolve(time.Now(), &resp.Diagnostics)
	if !ok {
		return
	}
	minLevel := defaultMinRiskLevel
	if !m.MinRiskLevel.IsNull() {
		minLevel = m.MinRiskLevel.ValueString()
	}
	states := defaultRiskStates
	if !m.RiskStates.IsNull() {
		states = setStrings(ctx, m.RiskStates, &resp.Diagnostics)
		slices.Sort(states)
	}
	var risky []string
	for _, p := range []string{"riskLevelDuringSignIn", "riskLevelAggregated"} {
		for _, l := range levelsAtOrAbove(minLevel) {
			risky = append(risky, p+" eq "+graph.ODataString(l))
		}
	}
	for _, s := range states {
		risky = append(risky, "riskState eq "+graph.ODataString(s))
	}
	filter := allOf(windowFilter("createdDateTime", start, end), "("+strings.Join(risky, " or ")+")",
		anyEq("userPrincipalName", setStrings(ctx, m.UserPrincipalNames, &resp.Diagnostics)))
	if resp.Diagnostics.HasError() {
		return
	}
	maxEvents := intOr(m.MaxEvents, defaultMaxEvents)
	events := []eventModel{}
	levels, statesCount, users := map[string]int{}, map[string]int{}, map[string]int{}
	total := 0
	st, err := d.clients.Graph.EachSignIn(ctx, filter, func(s *graph.SignIn) error {
		total++
		if len(events) < maxEvents {
			events = append(events, eventFrom(s))
		}
		l := s.RiskLevelDuringSignIn
		if riskRank(s.RiskLevelAggregated) > riskRank(l) {
			l = s.RiskLevelAggregated
		}
		levels[l]++
		statesCount[s.RiskState]++
		users[s.UserPrincipalName]++
		return nil
	})
	m.Licensed = types.BoolValue(true)
	if err != nil {
		if !addReadError(&resp.Diagnostics, "sign-in logs", "P1", "AuditLog.Read.All and Directory.Read.All", err) {
			return
		}
		m.Licensed = types.BoolValue(false)
		total, events, levels, statesCount, users = 0, []eventModel{}, nil, nil, nil
	}
	m.ID = types.StringValue(rfc(start) + "/" + rfc(end))
	m.WindowStart, m.WindowEnd = types.StringValue(rfc(start)), types.StringValue(rfc(end))
	m.GraphFilter = types.StringValue(filter)
	m.PagesRead = types.Int64Value(int64(st.Pages))
	m.Total = types.Int64Value(int64(total))
	m.Events = events
	m.ByRiskLevel = topCounts(levels, 25)
	m.ByRiskState = topCounts(statesCount, 25)
	m.ByUser = topCounts(users, 25)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

type riskySignInsModel struct {
	windowModel
	ID                 types.String `tfsdk:"id"`
	MinRiskLevel       types.String `tfsdk:"min_risk_level"`
	RiskStates         types.Set    `tfsdk:"risk_states"`
	UserPrincipalNames types.Set    `tfsdk:"user_principal_names"`
	MaxEvents          types.Int64  `tfsdk:"max_events"`
	Licensed           types.Bool   `tfsdk:"licensed"`
	GraphFilter        types.String `tfsdk:"graph_filter"`
	PagesRead          types.Int64  `tfsdk:"pages_read"`
	Total              types.Int64  `tfsdk:"total"`
	Events             []eventModel `tfsdk:"events"`
	ByRiskLevel        []countModel `tfsdk:"by_risk_level"`
	ByRiskState        []countModel `tfsdk:"by_risk_state"`
	ByUser             []countModel `tfsdk:"by_user"`
}
