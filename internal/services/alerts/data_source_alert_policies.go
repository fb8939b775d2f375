package alerts

import (
	"context"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

var _ datasource.DataSourceWithConfigure = &alertPoliciesDataSource{}

// NewAlertPoliciesDataSource returns the m365harden_alert_policies data source.
func NewAlertPoliciesDataSource() datasource.DataSource { return &alertPoliciesDataSource{} }

type alertPoliciesDataSource struct {
	clients *clients.Set
}

func (d *alertPoliciesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_alert_policies"
}

func (d *alertPoliciesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every alert policy of the tenant (Security & Compliance `Get-ProtectionAlert`): the default (system) policies Microsoft provides and the custom ones, with whether each is turned on. " +
			"Use it to check that the default alerts a baseline relies on (\"Suspicious email sending patterns detected\", \"Suspicious Email Forwarding Activity\", \"Tenant restricted from sending email\", ...) are enabled; default policies can only be turned on or off in the Microsoft Defender portal.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The tenant ID.",
				Computed:            true,
			},
			"disabled_names": schema.SetAttribute{
				MarkdownDescription: "The names of the policies that are turned off (`Disabled = $true`).",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"policies": schema.ListNestedAttribute{
				MarkdownDescription: "The alert policies, sorted by name.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":                 schema.StringAttribute{Computed: true, MarkdownDescription: "The policy's name (`Name`)."},
					"guid":                 schema.StringAttribute{Computed: true, MarkdownDescription: "The policy's GUID (`Guid`)."},
					"is_system_rule":       schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether it is a default policy provided by Microsoft (`IsSystemRule`); those can't be managed with `m365harden_alert_policy`."},
					"enabled":              schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the policy is turned on (the inverse of `Disabled`)."},
					"disabled":             schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the policy is turned off (`Disabled`)."},
					"category":             schema.StringAttribute{Computed: true, MarkdownDescription: "The category (`Category`): " + quoted(alertCategories) + "."},
					"severity":             schema.StringAttribute{Computed: true, MarkdownDescription: "The severity (`Severity`): " + quoted(alertReportedSeverities) + "."},
					"threat_type":          schema.StringAttribute{Computed: true, MarkdownDescription: "The kind of activity monitored (`ThreatType`)."},
					"operation":            schema.StringAttribute{Computed: true, MarkdownDescription: "The audited activity watched (`Operation`), null when none."},
					"aggregation_type":     schema.StringAttribute{Computed: true, MarkdownDescription: "How occurrences trigger alerts (`AggregationType`)."},
					"notification_enabled": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether alert e-mails are sent (`NotificationEnabled`)."},
					"notify_users": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Who receives the alert e-mails (`NotifyUser`), sorted; default policies report `TenantAdmins` whatever the portal shows."},
					"comment": schema.StringAttribute{Computed: true, MarkdownDescription: "The administrator's note (`Comment`), null when none."},
				}},
			},
		},
	}
}

func (d *alertPoliciesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (d *alertPoliciesDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	list, err := d.clients.Compliance.ListProtectionAlerts(ctx)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Listing the tenant's alert policies failed", err)
		return
	}
	sort.Slice(list, func(i, j int) bool { return strings.ToLower(list[i].Name) < strings.ToLower(list[j].Name) })
	m := alertPoliciesModel{ID: types.StringValue(d.clients.TenantID), Policies: make([]alertPolicySummary, 0, len(list))}
	disabled := []string{}
	for _, a := range list {
		users := append([]string{}, a.NotifyUser...)
		sort.Strings(users)
		ul, diags := types.ListValueFrom(ctx, types.StringType, users)
		resp.Diagnostics.Append(diags...)
		m.Policies = append(m.Policies, alertPolicySummary{
			Name: types.StringValue(a.Name), GUID: types.StringValue(a.Guid),
			IsSystemRule: types.BoolValue(a.IsSystemRule), Enabled: types.BoolValue(!a.Disabled), Disabled: types.BoolValue(a.Disabled),
			Category: types.StringValue(canonical(alertCategories, a.Category)), Severity: types.StringValue(canonical(alertReportedSeverities, a.Severity)),
			ThreatType: types.StringValue(a.ThreatType), Operation: optString(a.Operation),
			AggregationType: types.StringValue(canonical(alertAggregationTypes, a.AggregationType)), NotificationEnabled: types.BoolValue(a.NotificationEnabled),
			NotifyUsers: ul, Comment: optString(a.Comment),
		})
		if a.Disabled {
			disabled = append(disabled, a.Name)
		}
	}
	set, diags := types.SetValueFrom(ctx, types.StringType, disabled)
	resp.Diagnostics.Append(diags...)
	m.DisabledNames = set
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

type alertPoliciesModel struct {
	ID            types.String         `tfsdk:"id"`
	DisabledNames types.Set            `tfsdk:"disabled_names"`
	Policies      []alertPolicySummary `tfsdk:"policies"`
}

type alertPolicySummary struct {
	Name                types.String `tfsdk:"name"`
	GUID                types.String `tfsdk:"guid"`
	IsSystemRule        types.Bool   `tfsdk:"is_system_rule"`
	Enabled             types.Bool   `tfsdk:"enabled"`
	Disabled            types.Bool   `tfsdk:"disabled"`
	Category            types.String `tfsdk:"category"`
	Severity            types.String `tfsdk:"severity"`
	ThreatType          types.String `tfsdk:"threat_type"`
	Operation           types.String `tfsdk:"operation"`
	AggregationType     types.String `tfsdk:"aggregation_type"`
	NotificationEnabled types.Bool   `tfsdk:"notification_enabled"`
	NotifyUsers         types.List   `tfsdk:"notify_users"`
	Comment             types.String `tfsdk:"comment"`
}
