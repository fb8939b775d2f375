package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/conv"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

// retentionDurations are the RetentionDuration values the cmdlet reference
// accepts ("Accepted values" of New-/Set-UnifiedAuditLogRetentionPolicy,
// https://learn.microsoft.com/powershell/module/exchangepowershell/new-unifiedauditlogretentionpolicy).
// Microsoft365DSC also lists SevenDays, OneMonth, ThreeYears, FiveYears and
// SevenYears; no Microsoft page says the service takes them, so they are
// refused (the decision is recorded with the cmdlet catalogue's deviations,
// internal/cmdletref/deviations.go, and a test holds this list to
// it).
var retentionDurations = []string{"ThreeMonths", "SixMonths", "NineMonths", "TwelveMonths", "TenYears"}

// notAdoptedDurations are the durations other tools list that the cmdlet
// reference does not; named in the docs so users know why they are refused.
var notAdoptedDurations = []string{"SevenDays", "OneMonth", "ThreeYears", "FiveYears", "SevenYears"}

// Limits of New-/Set-UnifiedAuditLogRetentionPolicy: "The maximum length is
// 256 characters" (Description); Priority "The value 1 is the highest
// priority, and the value 10000 is the lowest priority".
const (
	retentionDescriptionMax = 256
	retentionPriorityMax    = 10000
)

// auditRecordTypes are the record types accepted here (AuditLogRecordType,
// https://learn.microsoft.com/office/office-365-management-api/office-365-management-activity-api-schema#auditlogrecordtype).
var auditRecordTypes = []string{"AzureActiveDirectory", "AzureActiveDirectoryAccountLogon", "AzureActiveDirectoryStsLogon",
	"ComplianceDLPExchange", "ComplianceDLPSharePoint", "Discovery", "ExchangeAdmin", "ExchangeItem", "ExchangeItemAggregated",
	"ExchangeItemGroup", "MicrosoftTeams", "OneDrive", "PowerBIAudit", "SecurityComplianceAlerts", "SecurityComplianceCenterEOPCmdlet",
	"SharePoint", "SharePointFileOperation", "SharePointSharingOperation", "ThreatIntelligence", "ThreatIntelligenceUrl"}

var (
	_ resource.ResourceWithConfigure      = &auditRetentionPolicyResource{}
	_ resource.ResourceWithImportState    = &auditRetentionPolicyResource{}
	_ resource.ResourceWithValidateConfig = &auditRetentionPolicyResource{}
)

// NewAuditLogRetentionPolicyResource returns the m365harden_audit_log_retention_policy resource.
func NewAuditLogRetentionPolicyResource() resource.Resource { return &auditRetentionPolicyResource{} }

type auditRetentionPolicyResource struct {
	clients *clients.Set
}

func (r *auditRetentionPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_audit_log_retention_policy"
}

func (r *auditRetentionPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Microsoft Purview unified audit log retention policy (Security & Compliance `New-/Set-/Remove-UnifiedAuditLogRetentionPolicy`; ScubaGear MS.SECURITYSUITE.5.2v1 wants `TwelveMonths` or longer). Needs Microsoft Purview Audit (Premium). " +
			"A policy applies to the audit records that match its record types, operations and users; when several match, the one with the highest priority wins, and `priority = 1` is the highest.\n\n" +
			"Destroying the resource removes the policy; matching records then fall back to the default retention.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.TimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The policy's GUID.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "`Name`: unique in the tenant, at most 64 characters. The service cannot rename a policy: changing it replaces the policy.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 64)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("`Description`, at most %d characters.", retentionDescriptionMax),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(retentionDescriptionMax)},
			},
			"record_types": schema.SetAttribute{
				MarkdownDescription: "`RecordTypes`: the audit record types the policy keeps: " + "`" + strings.Join(auditRecordTypes, "`, `") + "`.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(auditRecordTypes...))},
			},
			"operations": schema.SetAttribute{
				MarkdownDescription: "`Operations`: audited activities (e.g. `MailItemsAccessed`, `New-InboxRule`). Only with exactly one record type. " + caseNote,
				ElementType:         types.StringType,
				Optional:            true,
				PlanModifiers:       []planmodifier.Set{conv.FoldStateSet()},
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), conv.UniqueFold(),
					setvalidator.ValueStringsAre(stringvalidator.LengthBetween(1, 256))},
			},
			"user_ids": schema.SetAttribute{
				MarkdownDescription: "`UserIds`: the users whose records the policy keeps, as user principal names (`ann@contoso.com`); anything else is refused at plan time. " + caseNote,
				ElementType:         types.StringType,
				Optional:            true,
				PlanModifiers:       []planmodifier.Set{conv.FoldStateSet()},
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), conv.UniqueFold(),
					setvalidator.ValueStringsAre(common.UserPrincipalName())},
			},
			"retention_duration": schema.StringAttribute{
				MarkdownDescription: "`RetentionDuration`: " + "`" + strings.Join(retentionDurations, "`, `") + "` (the cmdlet reference's values). `TenYears` needs the 10-Year Audit Log Retention add-on. " +
					"`" + strings.Join(notAdoptedDurations, "`, `") + "`, which some tools list, are not in the cmdlet reference and are refused.",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(retentionDurations...)},
			},
			"priority": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("`Priority`: 1 to %d. 1 is the highest priority and %d the lowest: when several policies match an audit record, the one with the lowest number decides how long it is kept. No two policies may share a priority.", retentionPriorityMax, retentionPriorityMax),
				Required:            true,
				Validators:          []validator.Int64{int64validator.Between(1, retentionPriorityMax)},
			},
		},
	}
}

// ValidateConfig checks the rules that span attributes, at plan time.
func (r *auditRetentionPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m auditRetentionPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.RecordTypes.IsUnknown() || m.Operations.IsUnknown() || m.UserIds.IsUnknown() {
		return
	}
	if m.RecordTypes.IsNull() && m.Operations.IsNull() && m.UserIds.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("record_types"), "Policy matches nothing",
			"Set at least one of record_types, operations or user_ids.")
	}
	if !m.Operations.IsNull() && len(m.RecordTypes.Elements()) != 1 {
		resp.Diagnostics.AddAttributeError(path.Root("operations"), "Operations need exactly one record type",
			"The service accepts operations only when record_types has exactly one value.")
	}
}

func (r *auditRetentionPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// fromService fills the model, keeping null for lists the configuration
// leaves unset and the service reports empty.
func (m *auditRetentionPolicyModel) fromService(p *exchange.AuditRetentionPolicy) {
	m.ID = types.StringValue(p.Guid)
	m.Name = types.StringValue(p.Name)
	m.Description = types.StringValue(p.Description)
	m.RetentionDuration = types.StringValue(p.RetentionDuration)
	m.Priority = types.Int64Value(p.Priority)
	list := func(cur types.Set, v []string) types.Set {
		if len(v) == 0 && cur.IsNull() {
			return cur
		}
		return stringSet(v)
	}
	m.RecordTypes = list(m.RecordTypes, p.RecordTypes)
	// Operations and user principal names match ignoring case: keep the
	// spelling already in the plan or state.
	keep := func(cur types.Set, v []string) types.Set {
		if len(v) == 0 && cur.IsNull() {
			return cur
		}
		return conv.SetKeepCase(cur, v)
	}
	m.Operations = keep(m.Operations, p.Operations)
	m.UserIds = keep(m.UserIds, p.UserIds)
}

// caseNote documents the case-insensitive set attributes.
const caseNote = "Compared ignoring letter case, as the service does: state keeps your spelling, and two values that differ only in case are refused."

func (m *auditRetentionPolicyModel) params(cur *exchange.AuditRetentionPolicy) map[string]any {
	p := map[string]any{}
	if cur == nil || cur.Description != m.Description.ValueString() {
		p["Description"] = m.Description.ValueString()
	}
	if cur == nil || cur.RetentionDuration != m.RetentionDuration.ValueString() {
		p["RetentionDuration"] = m.RetentionDuration.ValueString()
	}
	if cur == nil || cur.Priority != m.Priority.ValueInt64() {
		p["Priority"] = m.Priority.ValueInt64()
	}
	for _, l := range []struct {
		name string
		want types.Set
		have []string
	}{{"RecordTypes", m.RecordTypes, nil}, {"Operations", m.Operations, nil}, {"UserIds", m.UserIds, nil}} {
		if cur != nil {
			switch l.name {
			case "RecordTypes":
				l.have = cur.RecordTypes
			case "Operations":
				l.have = cur.Operations
			default:
				l.have = cur.UserIds
			}
		}
		want := setStrings(l.want)
		if want == nil {
			want = []string{}
		}
		if (cur == nil && len(want) > 0) || (cur != nil && !sameStrings(want, l.have)) {
			p[l.name] = want
		}
	}
	return p
}

// readAfterWrite waits until the service shows the policy as planned.
func (r *auditRetentionPolicyResource) readAfterWrite(ctx context.Context, m *auditRetentionPolicyModel) error {
	return wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		p, err := r.clients.Compliance.GetAuditRetentionPolicy(ctx, m.Name.ValueString())
		if exchange.IsNotFound(err) {
			return wait.NotYet("policy %q not visible yet", m.Name.ValueString())
		}
		if err != nil {
			return err
		}
		if left := m.params(p); len(left) > 0 {
			return wait.NotYet("policy %q not updated yet", m.Name.ValueString())
		}
		m.fromService(p)
		return nil
	})
}

func (r *auditRetentionPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m auditRetentionPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, m.Timeouts, "create", &resp.Diagnostics)
	params := m.params(nil)
	params["Name"] = m.Name.ValueString()
	common.SafeCreate[auditRetentionPolicyModel]{
		What: "audit log retention policy", Name: m.Name.ValueString(),
		New: func(ctx context.Context) (string, error) {
			p, err := r.clients.Compliance.NewAuditRetentionPolicy(ctx, params)
			if p == nil {
				return "", err
			}
			return p.Guid, err
		},
		Find: func(ctx context.Context) (string, string, error) {
			p, err := r.clients.Compliance.GetAuditRetentionPolicy(ctx, m.Name.ValueString())
			if exchange.IsNotFound(err) {
				return "", "", nil
			}
			if err != nil {
				return "", "", err
			}
			if left := m.params(p); len(left) > 0 {
				return p.Guid, fmt.Sprintf("its settings differ from the configuration (%s)", common.Keys(left)), nil
			}
			return p.Guid, "", nil
		},
		SetID: func(m *auditRetentionPolicyModel, id string) { m.ID = types.StringValue(id) },
		Finish: func(ctx context.Context, m auditRetentionPolicyModel) (*auditRetentionPolicyModel, error) {
			err := r.readAfterWrite(ctx, &m)
			return &m, err
		},
	}.Run(ctx, m, &resp.State, &resp.Diagnostics)
}

func (r *auditRetentionPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m auditRetentionPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, m.Timeouts, "update", &resp.Diagnostics)
	cur, err := r.clients.Compliance.GetAuditRetentionPolicy(ctx, m.Name.ValueString())
	if err == nil {
		if p := m.params(cur); len(p) > 0 {
			// Set-UnifiedAuditLogRetentionPolicy requires the priority and
			// the duration on every call, changed or not.
			err = r.clients.Compliance.SetAuditRetentionPolicy(ctx, cur.Guid, m.Priority.ValueInt64(), m.RetentionDuration.ValueString(), p)
		}
	}
	if err == nil {
		err = r.readAfterWrite(ctx, &m)
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Changing audit log retention policy %q failed", m.Name.ValueString()), err)
		if p, gerr := r.clients.Compliance.GetAuditRetentionPolicy(ctx, m.Name.ValueString()); gerr == nil {
			m.fromService(p)
			resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *auditRetentionPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m auditRetentionPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.ID.ValueString()
	if id == "" {
		id = m.Name.ValueString()
	}
	p, err := r.clients.Compliance.GetAuditRetentionPolicy(ctx, id)
	if exchange.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Reading audit log retention policy %q failed", m.Name.ValueString()), err)
		return
	}
	m.fromService(p)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *auditRetentionPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m auditRetentionPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, m.Timeouts, "delete", &resp.Diagnostics)
	err := r.clients.Compliance.RemoveAuditRetentionPolicy(ctx, m.ID.ValueString())
	if err != nil && !exchange.IsNotFound(err) {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Removing audit log retention policy %q failed", m.Name.ValueString()), err)
		return
	}
	// Wait until reads agree, so a create with the same name right after
	// does not collide with the replicating copy.
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		_, err := r.clients.Compliance.GetAuditRetentionPolicy(ctx, m.ID.ValueString())
		if exchange.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return wait.NotYet("policy %q still visible", m.Name.ValueString())
	})
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Waiting for audit log retention policy %q to disappear failed", m.Name.ValueString()), err)
	}
}

func (r *auditRetentionPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	// Import by name; Read resolves it.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
}

type auditRetentionPolicyModel struct {
	ID                types.String   `tfsdk:"id"`
	Name              types.String   `tfsdk:"name"`
	Description       types.String   `tfsdk:"description"`
	RecordTypes       types.Set      `tfsdk:"record_types"`
	Operations        types.Set      `tfsdk:"operations"`
	UserIds           types.Set      `tfsdk:"user_ids"`
	RetentionDuration types.String   `tfsdk:"retention_duration"`
	Priority          types.Int64    `tfsdk:"priority"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}
