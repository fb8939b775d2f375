package alerts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure      = &alertPolicyResource{}
	_ resource.ResourceWithImportState    = &alertPolicyResource{}
	_ resource.ResourceWithValidateConfig = &alertPolicyResource{}
	_ resource.ResourceWithModifyPlan     = &alertPolicyResource{}
)

// NewAlertPolicyResource returns the m365harden_alert_policy resource.
func NewAlertPolicyResource() resource.Resource { return &alertPolicyResource{} }

type alertPolicyResource struct {
	clients *clients.Set
}

func (r *alertPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_alert_policy"
}

func quoted(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

func (r *alertPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A custom alert policy in Microsoft Purview / Microsoft Defender (Security & Compliance `New-ProtectionAlert`/`Set-ProtectionAlert`/`Remove-ProtectionAlert`): e-mail the security team when a monitored activity happens, e.g. someone creates a forwarding inbox rule.\n\n" +
			"Only custom policies can be managed: the default (system) alert policies can't be edited through Security & Compliance PowerShell, so they can't be imported; check them with the `m365harden_alert_policies` data source. Destroying the resource removes the policy.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.TimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The alert policy's name (its identity).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"guid": schema.StringAttribute{
				MarkdownDescription: "The alert policy's GUID (`Guid`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The alert policy's unique name (`-Name`), also unique among the default alert policies: a default policy's name is refused at plan time (read default policies with the `m365harden_alert_policies` data source). Names are compared without regard to case (the configured spelling is kept). `Set-ProtectionAlert` can't rename a policy, so changing it other than in case replaces the resource.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{common.FoldStateString(), stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.RegexMatches(noEdgeSpacesRe, "must not start or end with white space"),
				},
			},
			"category": schema.StringAttribute{
				MarkdownDescription: "The category alerts are tagged with (`-Category`): one of " + quoted(alertCategories) + ".",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(alertCategories...)},
			},
			"severity": schema.StringAttribute{
				MarkdownDescription: "The severity alerts are tagged with (`-Severity`): one of " + quoted(alertSeverities) + ". Defaults to `Low`, the service's default.",
				Optional:            true, Computed: true,
				Default:    stringdefault.StaticString("Low"),
				Validators: []validator.String{stringvalidator.OneOf(alertSeverities...)},
			},
			"threat_type": schema.StringAttribute{
				MarkdownDescription: "The kind of activity monitored (`-ThreatType`): " + quoted(alertThreatTypes) + ". It decides which `operation` and `filter` properties can be used. The service can't change it after creation, so changing it replaces the resource.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.OneOf(alertThreatTypes...)},
			},
			"operation": schema.StringAttribute{
				MarkdownDescription: "The one audited activity the policy watches (`-Operation`), e.g. `New-InboxRule`, `Set-InboxRule`, `UserLoggedIn`; see the audited activities list (https://learn.microsoft.com/purview/audit-log-activities). Only with `threat_type = \"Activity\"`. The cmdlet's parameter takes a list, but Microsoft documents that multiple values don't work, so this is a single name. Without an E5-level subscription, an operation is required.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(operationRe, "must be one audited activity name, without commas or wildcards")},
			},
			"notify_users": schema.SetAttribute{
				MarkdownDescription: "The SMTP addresses that receive the alert e-mails (`-NotifyUser`), compared without regard to case (the configured spelling is kept). Use **internal** recipients: once external forwarding is locked down, alert e-mails to external mailboxes stop arriving.",
				Required:            true,
				ElementType:         types.StringType,
				PlanModifiers:       []planmodifier.Set{common.FoldStateSet()},
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(smtpAddressRe, "must be an SMTP address such as secops@contoso.com")),
				},
			},
			"notification_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether alert e-mails are sent (`-NotificationEnabled`). Defaults to `true`.",
				Optional:            true, Computed: true,
				Default: booldefault.StaticBool(true),
			},
			"aggregation_type": schema.StringAttribute{
				MarkdownDescription: "How occurrences trigger alerts (`-AggregationType`): one of " + quoted(alertAggregationTypes) + ": `None` (every occurrence), `SimpleAggregation` (more than `threshold` occurrences in `time_window_minutes`) or `AnomalousAggregation` (unusual volume). Defaults to `None`, the only type a tenant without an E5-level subscription (Microsoft 365 E5/G5, or E3 with Defender for Office 365 P2, E5 Compliance or E5 eDiscovery and Audit) can create; the service's own default is `SimpleAggregation`.",
				Optional:            true, Computed: true,
				Default:    stringdefault.StaticString("None"),
				Validators: []validator.String{stringvalidator.OneOf(alertAggregationTypes...)},
			},
			"threshold": schema.Int64Attribute{
				MarkdownDescription: "The number of detections that must be exceeded within `time_window_minutes` (`-Threshold`), at least 3. Required with, and only allowed with, `aggregation_type = \"SimpleAggregation\"`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(3)},
			},
			"time_window_minutes": schema.Int64Attribute{
				MarkdownDescription: "The time window in minutes for `threshold` (`-TimeWindow`), more than 60. Required with, and only allowed with, `aggregation_type = \"SimpleAggregation\"`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(61)},
			},
			"disabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the policy is turned off (`-Disabled`). Defaults to `false`.",
				Optional:            true, Computed: true,
				Default: booldefault.StaticBool(false),
			},
			"comment": schema.StringAttribute{
				MarkdownDescription: "An administrator's note (`-Comment`).",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"notification_culture": schema.StringAttribute{
				MarkdownDescription: "The language of the alert e-mails (`-NotificationCulture`), a .NET culture name such as `da-DK` or `ja-JP`, spelled as .NET reports it (language in lower case, region in upper case). Unset: the service's default.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(cultureRe, "must be a culture name such as en-US, da-DK or zh-Hant-TW")},
			},
			"filter": schema.StringAttribute{
				MarkdownDescription: "An OPATH filter on the activity (`-Filter`), e.g. `Activity.UserId -eq 'ceo@contoso.com'`; criteria are joined with `-and`. Properties: `Activity.*` for `Activity` (ClientIp, CreationTime, Item, ItemType, Operation, ResultStatus, Scope, SiteUrl, SourceFileExtension, SourceFileName, TargetUserOrGroupType, UserAgent, UserId, UserType, Workload), `Mail:*` for `Malware` (AttachmentExtensions, From, FromDomain, Recipient, SenderIpAddress, Subject, ThreatName, ...).",
				Optional:            true,
				Validators:          []validator.String{filterValidator{}},
			},
		},
	}
}

// filterValidator checks the OPATH syntax of filter at plan time; the
// property check against threat_type is in ValidateConfig.
type filterValidator struct{}

func (filterValidator) Description(context.Context) string {
	return "an OPATH filter: \"Property -ComparisonOperator 'Value'\" criteria joined with -and"
}
func (v filterValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (filterValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if issue := filterIssue(req.ConfigValue.ValueString(), ""); issue != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid alert policy filter", issue+".")
	}
}

// ValidateConfig checks the combinations the service refuses.
func (r *alertPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m alertPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if known(m.ThreatType) && m.ThreatType.ValueString() != "Activity" && known(m.Operation) {
		resp.Diagnostics.AddAttributeError(path.Root("operation"), "operation needs threat_type Activity",
			"New-ProtectionAlert accepts -Operation only when -ThreatType is Activity; remove operation or set threat_type = \"Activity\".")
	}
	if known(m.ThreatType) && known(m.Filter) {
		if issue := filterIssue(m.Filter.ValueString(), m.ThreatType.ValueString()); issue != "" {
			resp.Diagnostics.AddAttributeError(path.Root("filter"), "Invalid alert policy filter", issue+".")
		}
	}
	if m.AggregationType.IsUnknown() {
		return
	}
	agg := "None"
	if !m.AggregationType.IsNull() {
		agg = m.AggregationType.ValueString()
	}
	for _, a := range []struct {
		name string
		v    types.Int64
	}{{"threshold", m.Threshold}, {"time_window_minutes", m.TimeWindowMinutes}} {
		switch {
		case agg == "SimpleAggregation" && a.v.IsNull():
			resp.Diagnostics.AddAttributeError(path.Root(a.name), "Missing "+a.name,
				"aggregation_type = \"SimpleAggregation\" triggers alerts when more than threshold detections happen within time_window_minutes; set both.")
		case agg != "SimpleAggregation" && !a.v.IsNull():
			resp.Diagnostics.AddAttributeError(path.Root(a.name), a.name+" needs SimpleAggregation",
				fmt.Sprintf("The service accepts %s only with aggregation_type = \"SimpleAggregation\" (this policy has %q); remove it or change aggregation_type.", a.name, agg))
		}
	}
}

func known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

// ModifyPlan refuses, at plan time, a new policy named like one of the
// tenant's default (system) alert policies: New-ProtectionAlert would
// refuse the name at apply, and the default policy itself can't be managed
// through Security & Compliance PowerShell.
func (r *alertPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_alert_policy", "name", "alert policy")
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() || r.clients == nil {
		return
	}
	var name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	if resp.Diagnostics.HasError() || !known(name) {
		return
	}
	a, err := r.clients.Compliance.GetProtectionAlert(ctx, name.ValueString())
	switch {
	case exchange.IsNotFound(err), exchange.IsForbidden(err):
		// Free, or not checkable without the read role: the apply decides.
		return
	case err != nil:
		addError(&resp.Diagnostics, fmt.Sprintf("Checking whether alert policy %q exists failed", name.ValueString()), err)
		return
	}
	if a.IsSystemRule {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Name of a default alert policy", systemRuleDetail(a.Name))
	}
}

func (r *alertPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// params are the cmdlet parameters for the plan; create adds the ones only
// New-ProtectionAlert takes. prior is the state before an update (nil on
// create), used to clear values the plan no longer sets.
func (m *alertPolicyModel) params(ctx context.Context, prior *alertPolicyModel, diags *diag.Diagnostics) map[string]any {
	var users []string
	diags.Append(m.NotifyUsers.ElementsAs(ctx, &users, false)...)
	p := map[string]any{
		"Category":            m.Category.ValueString(),
		"Severity":            m.Severity.ValueString(),
		"NotifyUser":          users,
		"NotificationEnabled": m.NotificationEnabled.ValueBool(),
		"AggregationType":     m.AggregationType.ValueString(),
		"Disabled":            m.Disabled.ValueBool(),
	}
	if prior == nil {
		p["Name"] = m.Name.ValueString()
		p["ThreatType"] = m.ThreatType.ValueString()
	}
	if m.AggregationType.ValueString() == "SimpleAggregation" {
		p["Threshold"] = m.Threshold.ValueInt64()
		p["TimeWindow"] = m.TimeWindowMinutes.ValueInt64()
	}
	// Optional strings: set when planned, cleared ($null) when the plan
	// drops a value the policy had.
	for _, o := range []struct {
		param     string
		plan, was types.String
	}{{"Operation", m.Operation, priorOr(prior, func(p *alertPolicyModel) types.String { return p.Operation })},
		{"Comment", m.Comment, priorOr(prior, func(p *alertPolicyModel) types.String { return p.Comment })},
		{"Filter", m.Filter, priorOr(prior, func(p *alertPolicyModel) types.String { return p.Filter })},
		{"NotificationCulture", m.NotificationCulture, priorOr(prior, func(p *alertPolicyModel) types.String { return p.NotificationCulture })}} {
		switch {
		case !o.plan.IsNull():
			p[o.param] = o.plan.ValueString()
		case !o.was.IsNull():
			p[o.param] = nil
		}
	}
	return p
}

func priorOr(prior *alertPolicyModel, f func(*alertPolicyModel) types.String) types.String {
	if prior == nil {
		return types.StringNull()
	}
	return f(prior)
}

// modelFrom turns the service's policy into state. notify_users keeps the
// configured spelling when the service holds the same addresses in another
// case (addresses are case-insensitive).
func modelFrom(ctx context.Context, a *exchange.ProtectionAlert, prior *alertPolicyModel, diags *diag.Diagnostics) *alertPolicyModel {
	m := &alertPolicyModel{
		ID:                  types.StringValue(a.Name),
		GUID:                types.StringValue(a.Guid),
		Name:                types.StringValue(a.Name),
		Category:            types.StringValue(canonical(alertCategories, a.Category)),
		Severity:            types.StringValue(canonical(alertReportedSeverities, a.Severity)),
		ThreatType:          types.StringValue(canonical(alertThreatTypes, a.ThreatType)),
		Operation:           optString(a.Operation),
		NotificationEnabled: types.BoolValue(a.NotificationEnabled),
		AggregationType:     types.StringValue(canonical(alertAggregationTypes, a.AggregationType)),
		Threshold:           types.Int64PointerValue(a.Threshold),
		TimeWindowMinutes:   types.Int64PointerValue(a.TimeWindow),
		Disabled:            types.BoolValue(a.Disabled),
		Comment:             optString(a.Comment),
		Filter:              optString(a.Filter),
		NotificationCulture: optString(a.NotificationCulture),
	}
	if prior != nil {
		m.Timeouts = common.KeepTimeouts(&prior.Timeouts)
	} else {
		m.Timeouts = common.KeepTimeouts(nil)
	}
	users := a.NotifyUser
	if prior != nil && !prior.NotifyUsers.IsNull() && !prior.NotifyUsers.IsUnknown() {
		var was []string
		diags.Append(prior.NotifyUsers.ElementsAs(ctx, &was, false)...)
		if sameFold(was, users) {
			users = was
		}
	}
	set, d := types.SetValueFrom(ctx, types.StringType, users)
	diags.Append(d...)
	m.NotifyUsers = set
	if prior != nil && known(prior.Name) && strings.EqualFold(prior.Name.ValueString(), a.Name) {
		// Names are case-insensitive: keep the configured spelling.
		m.Name, m.ID = prior.Name, prior.Name
	}
	return m
}

func optString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func canonical(values []string, v string) string {
	for _, c := range values {
		if strings.EqualFold(c, v) {
			return c
		}
	}
	return v
}

// sameFold reports whether two address lists hold the same addresses,
// ignoring case and order.
func sameFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[strings.ToLower(x)]++
	}
	for _, x := range b {
		k := strings.ToLower(x)
		if seen[k] == 0 {
			return false
		}
		seen[k]--
	}
	return true
}

// mismatch names the first setting the service does not show yet.
func (m *alertPolicyModel) mismatch(ctx context.Context, got *alertPolicyModel) string {
	eq := func(a, b attr.Value) bool { return a.Equal(b) }
	switch {
	case !eq(m.Category, got.Category):
		return "Category"
	case !eq(m.Severity, got.Severity):
		return "Severity"
	case !eq(m.AggregationType, got.AggregationType):
		return "AggregationType"
	case !eq(m.Disabled, got.Disabled):
		return "Disabled"
	case !eq(m.NotificationEnabled, got.NotificationEnabled):
		return "NotificationEnabled"
	case !eq(m.Threshold, got.Threshold) || !eq(m.TimeWindowMinutes, got.TimeWindowMinutes):
		return "Threshold/TimeWindow"
	case !eq(m.Operation, got.Operation) || !eq(m.Comment, got.Comment) || !eq(m.Filter, got.Filter):
		return "Operation/Comment/Filter"
	case !eq(m.NotificationCulture, got.NotificationCulture):
		return "NotificationCulture"
	}
	var want, have []string
	m.NotifyUsers.ElementsAs(ctx, &want, false)
	got.NotifyUsers.ElementsAs(ctx, &have, false)
	if !sameFold(want, have) {
		return "NotifyUser"
	}
	return ""
}

// waitFor reads the policy until it shows the plan (Security & Compliance
// replicates: a Get right after New answers 404 for a while, and after Set
// the old values).
func (r *alertPolicyResource) waitFor(ctx context.Context, plan *alertPolicyModel, diags *diag.Diagnostics) (*alertPolicyModel, error) {
	var got *alertPolicyModel
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		a, err := r.clients.Compliance.GetProtectionAlert(ctx, plan.Name.ValueString())
		if exchange.IsNotFound(err) {
			return wait.NotYet("the alert policy is not readable yet")
		}
		if err != nil {
			return err
		}
		got = modelFrom(ctx, a, plan, diags)
		if f := plan.mismatch(ctx, got); f != "" {
			return wait.NotYet("%s still reads the previous value", f)
		}
		return nil
	})
	return got, err
}

func (r *alertPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan alertPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := plan.Name.ValueString()
	params := plan.params(ctx, nil, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "create", &resp.Diagnostics)
	common.SafeCreate[alertPolicyModel]{
		What: "alert policy", Name: name,
		Report: addError,
		New: func(ctx context.Context) (string, error) {
			return name, r.clients.Compliance.NewProtectionAlert(ctx, params)
		},
		Find: func(ctx context.Context) (string, string, error) {
			a, err := r.clients.Compliance.GetProtectionAlert(ctx, name)
			if err != nil {
				return common.Found("", err, nil)
			}
			if f := plan.mismatch(ctx, modelFrom(ctx, a, &plan, new(diag.Diagnostics))); f != "" {
				return name, "its " + f + " differs from the configuration", nil
			}
			return name, "", nil
		},
		SetID: func(m *alertPolicyModel, id string) { m.ID = types.StringValue(id) },
		Finish: func(ctx context.Context, plan alertPolicyModel) (*alertPolicyModel, error) {
			return r.waitFor(ctx, &plan, &resp.Diagnostics)
		},
	}.Run(ctx, plan, &resp.State, &resp.Diagnostics)
}

func (r *alertPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var state alertPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	a, err := r.clients.Compliance.GetProtectionAlert(ctx, state.ID.ValueString())
	if exchange.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addError(&resp.Diagnostics, fmt.Sprintf("Reading alert policy %q failed", state.ID.ValueString()), err)
		return
	}
	if a.IsSystemRule {
		resp.Diagnostics.AddError("Default alert policy", systemRuleDetail(a.Name))
		return
	}
	m := modelFrom(ctx, a, &state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *alertPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan, state alertPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.ID.ValueString()
	params := plan.params(ctx, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "update", &resp.Diagnostics)
	if err := r.clients.Compliance.SetProtectionAlert(ctx, name, params); err != nil {
		addError(&resp.Diagnostics, fmt.Sprintf("Changing alert policy %q failed", name), err)
		if a, rerr := r.clients.Compliance.GetProtectionAlert(ctx, name); rerr == nil {
			m := modelFrom(ctx, a, &state, &resp.Diagnostics)
			m.Timeouts = plan.Timeouts
			resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		}
		return
	}
	got, err := r.waitFor(ctx, &plan, &resp.Diagnostics)
	if err != nil {
		addError(&resp.Diagnostics, fmt.Sprintf("Alert policy %q was changed but reading it back failed", name), err)
		if got != nil {
			resp.Diagnostics.Append(resp.State.Set(ctx, got)...)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, got)...)
}

func (r *alertPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var state alertPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.ID.ValueString()
	ctx = common.ConsistencyBudget(ctx, r.clients, state.Timeouts, "delete", &resp.Diagnostics)
	err := r.clients.Compliance.RemoveProtectionAlert(ctx, name)
	if exchange.IsNotFound(err) {
		return
	}
	if err != nil {
		addError(&resp.Diagnostics, fmt.Sprintf("Removing alert policy %q failed", name), err)
		return
	}
	// Wait until reads stop showing it, so a re-create with the same name
	// right after does not see it.
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		_, err := r.clients.Compliance.GetProtectionAlert(ctx, name)
		if exchange.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return wait.NotYet("the alert policy is still readable")
	})
	if err != nil {
		addError(&resp.Diagnostics, fmt.Sprintf("Alert policy %q was removed but the service still shows it", name), err)
	}
}

func (r *alertPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	a, err := r.clients.Compliance.GetProtectionAlert(ctx, req.ID)
	if err != nil {
		addError(&resp.Diagnostics, fmt.Sprintf("Importing alert policy %q failed", req.ID), err)
		return
	}
	if a.IsSystemRule {
		resp.Diagnostics.AddError("Default alert policies can't be imported", systemRuleDetail(a.Name))
		return
	}
	// Import by name or GUID; the state identity is the name.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), a.Name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), a.Name)...)
}

func systemRuleDetail(name string) string {
	return fmt.Sprintf("%q is a default (system) alert policy. Microsoft does not let Security & Compliance PowerShell edit or remove default alert policies (Set-ProtectionAlert refuses them), so m365harden_alert_policy can't manage or import it, and a custom policy can't take its name. "+
		"Default alert policies are read with the m365harden_alert_policies data source; turn one on or off and set its recipients in the Microsoft Defender portal (Email & collaboration > Policies & rules > Alert policy).", name)
}

// addError adds an API error, with the licence advice for aggregated alerts.
func addError(diags *diag.Diagnostics, summary string, err error) {
	if errors.Is(err, exchange.ErrLicence) {
		diags.AddError(summary, "The tenant's subscription only allows single-event alert policies: use aggregation_type = \"None\" with an operation, or license Microsoft 365 E5/G5 (or E3 with Defender for Office 365 P2, Microsoft 365 E5 Compliance or E5 eDiscovery and Audit).\n\n"+err.Error())
		return
	}
	common.AddAPIError(diags, summary, err)
}

type alertPolicyModel struct {
	ID                  types.String `tfsdk:"id"`
	GUID                types.String `tfsdk:"guid"`
	Name                types.String `tfsdk:"name"`
	Category            types.String `tfsdk:"category"`
	Severity            types.String `tfsdk:"severity"`
	ThreatType          types.String `tfsdk:"threat_type"`
	Operation           types.String `tfsdk:"operation"`
	NotifyUsers         types.Set    `tfsdk:"notify_users"`
	NotificationEnabled types.Bool   `tfsdk:"notification_enabled"`
	AggregationType     types.String `tfsdk:"aggregation_type"`
	Threshold           types.Int64  `tfsdk:"threshold"`
	TimeWindowMinutes   types.Int64  `tfsdk:"time_window_minutes"`
	Disabled            types.Bool   `tfsdk:"disabled"`
	Comment             types.String `tfsdk:"comment"`
	Filter              types.String `tfsdk:"filter"`
	NotificationCulture types.String `tfsdk:"notification_culture"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}
