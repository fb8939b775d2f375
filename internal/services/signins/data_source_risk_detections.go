package signins

import (
	"context"
	"fmt"
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
	_ datasource.DataSourceWithConfigure      = &riskDetectionsDataSource{}
	_ datasource.DataSourceWithValidateConfig = &riskDetectionsDataSource{}
)

// NewRiskDetectionsDataSource returns the m365harden_risk_detections data source.
func NewRiskDetectionsDataSource() datasource.DataSource { return &riskDetectionsDataSource{} }

type riskDetectionsDataSource struct {
	clients *clients.Set
}

func (d *riskDetectionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_risk_detections"
}

func (d *riskDetectionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := windowAttributes("detectedDateTime")
	for k, v := range map[string]schema.Attribute{
		"id": str("The window read, for reference."),
		"risk_event_types": schema.SetAttribute{
			MarkdownDescription: "Only these detection types (`riskEventType eq ...`), e.g. `passwordSpray`, `unlikelyTravel`, `leakedCredentials`, `anonymizedIPAddress`, `unfamiliarFeatures`.",
			Optional:            true, ElementType: types.StringType,
			Validators: []validator.Set{setvalidator.SizeAtMost(30), setvalidator.ValueStringsAre(stringvalidator.RegexMatches(regexpEventType, "must be a riskEventType such as passwordSpray"))},
		},
		"risk_levels": schema.SetAttribute{
			MarkdownDescription: "Only detections at these levels (`riskLevel eq ...`): any of " + quoted(riskLevelValues) + ".",
			Optional:            true, ElementType: types.StringType,
			Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(riskLevelValues...))},
		},
		"user_principal_names": schema.SetAttribute{
			MarkdownDescription: "Only these users (`userPrincipalName eq ...`).",
			Optional:            true, ElementType: types.StringType,
			Validators: []validator.Set{setvalidator.SizeAtMost(50), setvalidator.ValueStringsAre(stringvalidator.LengthBetween(3, 256))},
		},
		"max_events": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("How many of the newest detections `detections` holds (0 to 10000, default %d). The counts cover the whole window.", defaultMaxEvents),
			Optional:            true,
			Validators:          []validator.Int64{int64validator.Between(0, 10000)},
		},
		"licensed":     schema.BoolAttribute{MarkdownDescription: "False when the tenant has neither Microsoft Entra ID P1 nor P2 (a warning says so; every result is then empty).", Computed: true},
		"graph_filter": str("The `$filter` sent to Microsoft Graph."),
		"pages_read":   num("How many pages Graph returned (each holds up to 500 detections)."),
		"total":        num("Detections in the window matching the filters."),
		"detections": schema.ListNestedAttribute{
			MarkdownDescription: "The newest detections, newest first, at most `max_events`.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"id":                  str("Graph `id`."),
				"risk_event_type":     str("Graph `riskEventType`."),
				"risk_level":          str("Graph `riskLevel`."),
				"risk_state":          str("Graph `riskState`."),
				"risk_detail":         str("Graph `riskDetail`."),
				"detection_timing":    str("`realtime` or `offline` (Graph `detectionTimingType`)."),
				"source":              str("Graph `source`."),
				"ip_address":          str("Graph `ipAddress`."),
				"city":                str("Graph `location.city`."),
				"country":             str("Graph `location.countryOrRegion`."),
				"activity_time":       str("When the risky activity happened (Graph `activityDateTime`, RFC 3339)."),
				"detected_time":       str("When it was detected (Graph `detectedDateTime`, RFC 3339)."),
				"user_id":             str("Graph `userId`."),
				"user_principal_name": str("Graph `userPrincipalName`."),
				"user_display_name":   str("Graph `userDisplayName`."),
			}},
		},
		"by_risk_event_type": countsAttribute("Detections per `riskEventType`, largest first."),
		"by_risk_level":      countsAttribute("Detections per `riskLevel`."),
		"by_user":            countsAttribute("Detections per user, largest first (at most 25)."),
	} {
		attrs[k] = v
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Microsoft Entra ID Protection risk detections in a time window (Microsoft Graph `GET /identityProtection/riskDetections`, filtered in Graph on `detectedDateTime`, type, level and user, read 500 per page). Needs the `IdentityRiskEvent.Read.All` application permission and Microsoft Entra ID P1 or P2 (P1 tenants see fewer detection types).",
		Attributes:          attrs,
	}
}

func (d *riskDetectionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (d *riskDetectionsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validateWindow(ctx, req, resp)
}

func (d *riskDetectionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m riskDetectionsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	start, end, ok := m.windowModel.resolve(time.Now(), &resp.Diagnostics)
	if !ok {
		return
	}
	filter := allOf(windowFilter("detectedDateTime", start, end),
		anyEq("riskEventType", setStrings(ctx, m.RiskEventTypes, &resp.Diagnostics)),
		anyEq("riskLevel", setStrings(ctx, m.RiskLevels, &resp.Diagnostics)),
		anyEq("userPrincipalName", setStrings(ctx, m.UserPrincipalNames, &resp.Diagnostics)))
	if resp.Diagnostics.HasError() {
		return
	}
	maxEvents := intOr(m.MaxEvents, defaultMaxEvents)
	out := []detectionModel{}
	byType, levels, users := map[string]int{}, map[string]int{}, map[string]int{}
	total := 0
	st, err := d.clients.Graph.EachRiskDetection(ctx, filter, func(r *graph.RiskDetection) error {
		total++
		byType[r.RiskEventType]++
		levels[r.RiskLevel]++
		users[r.UserPrincipalName]++
		if len(out) < maxEvents {
			out = append(out, detectionModel{
				ID: r.ID, RiskEventType: r.RiskEventType, RiskLevel: r.RiskLevel, RiskState: r.RiskState, RiskDetail: r.RiskDetail,
				DetectionTiming: r.DetectionTiming, Source: r.Source, IPAddress: r.IPAddress, City: r.City, Country: r.CountryOrRegion,
				ActivityTime: rfc(r.ActivityDateTime), DetectedTime: rfc(r.DetectedDateTime),
				UserID: r.UserID, UserPrincipalName: r.UserPrincipalName, UserDisplayName: r.UserDisplayName,
			})
		}
		return nil
	})
	m.Licensed = types.BoolValue(true)
	if err != nil {
		if !addReadError(&resp.Diagnostics, "Identity Protection risk detections", "P1 or P2", "IdentityRiskEvent.Read.All", err) {
			return
		}
		m.Licensed = types.BoolValue(false)
		total, out, byType, levels, users = 0, []detectionModel{}, nil, nil, nil
	}
	m.ID = types.StringValue(rfc(start) + "/" + rfc(end))
	m.WindowStart, m.WindowEnd = types.StringValue(rfc(start)), types.StringValue(rfc(end))
	m.GraphFilter = types.StringValue(filter)
	m.PagesRead = types.Int64Value(int64(st.Pages))
	m.Total = types.Int64Value(int64(total))
	m.Detections = out
	m.ByRiskEventType, m.ByRiskLevel, m.ByUser = topCounts(byType, 25), topCounts(levels, 25), topCounts(users, 25)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

type detectionModel struct {
	ID                string `tfsdk:"id"`
	RiskEventType     string `tfsdk:"risk_event_type"`
	RiskLevel         string `tfsdk:"risk_level"`
	RiskState         string `tfsdk:"risk_state"`
	RiskDetail        string `tfsdk:"risk_detail"`
	DetectionTiming   string `tfsdk:"detection_timing"`
	Source            string `tfsdk:"source"`
	IPAddress         string `tfsdk:"ip_address"`
	City              string `tfsdk:"city"`
	Country           string `tfsdk:"country"`
	ActivityTime      string `tfsdk:"activity_time"`
	DetectedTime      string `tfsdk:"detected_time"`
	UserID            string `tfsdk:"user_id"`
	UserPrincipalName string `tfsdk:"user_principal_name"`
	UserDisplayName   string `tfsdk:"user_display_name"`
}

type riskDetectionsModel struct {
	windowModel
	ID                 types.String     `tfsdk:"id"`
	RiskEventTypes     types.Set        `tfsdk:"risk_event_types"`
	RiskLevels         types.Set        `tfsdk:"risk_levels"`
	UserPrincipalNames types.Set        `tfsdk:"user_principal_names"`
	MaxEvents          types.Int64      `tfsdk:"max_events"`
	Licensed           types.Bool       `tfsdk:"licensed"`
	GraphFilter        types.String     `tfsdk:"graph_filter"`
	PagesRead          types.Int64      `tfsdk:"pages_read"`
	Total              types.Int64      `tfsdk:"total"`
	Detections         []detectionModel `tfsdk:"detections"`
	ByRiskEventType    []countModel     `tfsdk:"by_risk_event_type"`
	ByRiskLevel        []countModel     `tfsdk:"by_risk_level"`
	ByUser             []countModel     `tfsdk:"by_user"`
}
