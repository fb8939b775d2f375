package audit

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure   = &auditConfigurationResource{}
	_ resource.ResourceWithImportState = &auditConfigurationResource{}
)

// NewAuditConfigurationResource returns the m365harden_audit_configuration resource.
func NewAuditConfigurationResource() resource.Resource { return &auditConfigurationResource{} }

type auditConfigurationResource struct {
	clients *clients.Set
}

func (r *auditConfigurationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_audit_configuration"
}

func (r *auditConfigurationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The tenant-wide audit switches: mailbox auditing on by default (Exchange Online `Set-OrganizationConfig -AuditDisabled`, CIS 6.1.1, ScubaGear MS.EXO.13.1v1) and Microsoft 365 audit log ingestion (`Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled`, CIS 3.1.1, ScubaGear MS.SECURITYSUITE.5.1v1).\n\n" +
			"This is a singleton: creating it adopts the tenant's settings and changes only the attributes you set; destroying it removes it from Terraform state and **leaves the tenant's settings as they are**. An attribute you leave unset is read but not managed.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.StandingTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The tenant ID.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"mailbox_auditing_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether mailbox auditing is on by default for the organization. Maps to `Set-OrganizationConfig -AuditDisabled`, inverted: `true` here is `AuditDisabled = $false`. Hardened: `true`. This setting decides whether mailboxes are audited at all: while it is on, Exchange audits user, shared and Microsoft 365 Group mailboxes whatever their own `AuditEnabled` flag says; while it is off, nothing is audited even where `AuditEnabled` is `$true` (https://learn.microsoft.com/purview/audit-mailboxes). To exempt one account, Exchange uses the audit bypass (`m365harden_mailbox_audit_bypass`).",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"unified_audit_log_ingestion_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether user and admin activities are recorded in the Microsoft 365 (unified) audit log. Maps to `Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled`, read through Exchange Online (read through Security & Compliance it always reports false). Hardened: `true`.",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *auditConfigurationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// read fetches both settings from Exchange Online.
func (r *auditConfigurationResource) read(ctx context.Context) (*auditConfigurationModel, error) {
	org, err := r.clients.Exchange.GetOrganizationConfig(ctx)
	if err != nil {
		return nil, err
	}
	aal, err := r.clients.Exchange.GetAdminAuditLogConfig(ctx)
	if err != nil {
		return nil, err
	}
	return &auditConfigurationModel{
		ID:                              types.StringValue(r.clients.TenantID),
		MailboxAuditingEnabled:          types.BoolValue(!org.AuditDisabled),
		UnifiedAuditLogIngestionEnabled: types.BoolValue(aal.UnifiedAuditLogIngestionEnabled),
		Timeouts:                        common.KeepTimeouts(nil),
	}, nil
}

// apply changes the settings the plan sets and that differ from the tenant,
// then waits until reads show them (the service replicates).
func (r *auditConfigurationResource) apply(ctx context.Context, plan auditConfigurationModel) (*auditConfigurationModel, error) {
	cur, err := r.read(ctx)
	if err != nil {
		return nil, err
	}
	if want := plan.MailboxAuditingEnabled; !want.IsNull() && !want.IsUnknown() && want.ValueBool() != cur.MailboxAuditingEnabled.ValueBool() {
		if err := r.clients.Exchange.SetOrganizationConfig(ctx, map[string]any{"AuditDisabled": !want.ValueBool()}); err != nil {
			return nil, err
		}
	}
	if want := plan.UnifiedAuditLogIngestionEnabled; !want.IsNull() && !want.IsUnknown() && want.ValueBool() != cur.UnifiedAuditLogIngestionEnabled.ValueBool() {
		if err := r.clients.Exchange.SetAdminAuditLogConfig(ctx, map[string]any{"UnifiedAuditLogIngestionEnabled": want.ValueBool()}); err != nil {
			return nil, err
		}
	}
	var got *auditConfigurationModel
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.read(ctx)
		if err != nil {
			return err
		}
		m.Timeouts = plan.Timeouts
		got = m
		if w := plan.MailboxAuditingEnabled; !w.IsNull() && !w.IsUnknown() && w.ValueBool() != m.MailboxAuditingEnabled.ValueBool() {
			return wait.NotYet("AuditDisabled still reads %t", !m.MailboxAuditingEnabled.ValueBool())
		}
		if w := plan.UnifiedAuditLogIngestionEnabled; !w.IsNull() && !w.IsUnknown() && w.ValueBool() != m.UnifiedAuditLogIngestionEnabled.ValueBool() {
			return wait.NotYet("UnifiedAuditLogIngestionEnabled still reads %t", m.UnifiedAuditLogIngestionEnabled.ValueBool())
		}
		return nil
	})
	return got, err
}

func (r *auditConfigurationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, "create", req.Plan, &resp.State, &resp.Diagnostics)
}

func (r *auditConfigurationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, "update", req.Plan, &resp.State, &resp.Diagnostics)
}

// write applies the plan, its consistency wait bounded by the plan's
// timeouts for op (create or update); state keeps the plan's timeouts.
func (r *auditConfigurationResource) write(ctx context.Context, op string, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics) {
	var tv timeouts.Value
	diags.Append(plan.GetAttribute(ctx, path.Root("timeouts"), &tv)...)
	if diags.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, tv, op, diags)
	read := func(ctx context.Context) (*auditConfigurationModel, error) {
		m, err := r.read(ctx)
		if m != nil {
			m.Timeouts = common.KeepTimeouts(&tv)
		}
		return m, err
	}
	common.WriteSingleton(ctx, r.clients, plan, state, diags, "the tenant's audit configuration", r.apply, read)
}

func (r *auditConfigurationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	m, err := r.read(ctx)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Reading the tenant's audit configuration failed", err)
		return
	}
	m.Timeouts = common.KeepTimeouts(common.PriorTimeouts(ctx, req.State, &resp.Diagnostics))
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *auditConfigurationResource) Delete(ctx context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	// A singleton: the tenant keeps its settings.
	resp.Diagnostics.AddWarning("Audit configuration left in place",
		"m365harden_audit_configuration was removed from Terraform state; the tenant's mailbox auditing and audit log ingestion settings were not changed.")
}

func (r *auditConfigurationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportTenantSingleton(ctx, r.clients, "m365harden_audit_configuration", req, resp)
}

type auditConfigurationModel struct {
	ID                              types.String `tfsdk:"id"`
	MailboxAuditingEnabled          types.Bool   `tfsdk:"mailbox_auditing_enabled"`
	UnifiedAuditLogIngestionEnabled types.Bool   `tfsdk:"unified_audit_log_ingestion_enabled"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}
