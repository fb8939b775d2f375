package audit

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure   = &mailboxAuditBypassResource{}
	_ resource.ResourceWithImportState = &mailboxAuditBypassResource{}
	_ resource.ResourceWithModifyPlan  = &mailboxAuditBypassResource{}
)

// NewMailboxAuditBypassResource returns the m365harden_mailbox_audit_bypass resource.
func NewMailboxAuditBypassResource() resource.Resource { return &mailboxAuditBypassResource{} }

type mailboxAuditBypassResource struct {
	clients *clients.Set
}

func (r *mailboxAuditBypassResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_mailbox_audit_bypass"
}

func (r *mailboxAuditBypassResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Whether one account bypasses mailbox audit logging (Exchange Online `Set-MailboxAuditBypassAssociation -AuditBypassEnabled`; CIS 6.1.4 wants no account to bypass auditing). " +
			"Nothing an account with bypass enabled does in any mailbox is audited.\n\n" +
			"Destroying the resource sets `AuditBypassEnabled` back to Microsoft's default, `$false`.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.StandingTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The account's GUID. Reads and writes use it, so the resource follows the account through renames.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"identity": schema.StringAttribute{
				MarkdownDescription: "The account (the `-Identity` of `Set-MailboxAuditBypassAssociation`): user principal name, primary SMTP address, alias or GUID. Another spelling of the same account (another of its names, other letter case) is no change; naming another account replaces the resource.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 320), common.MailboxIdentity()},
			},
			"audit_bypass_enabled": schema.BoolAttribute{
				MarkdownDescription: "`AuditBypassEnabled`. Default and hardened value: `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
		},
	}
}

func (r *mailboxAuditBypassResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan treats another spelling of the same account as no change and
// refuses a second block for the same account.
func (r *mailboxAuditBypassResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	claimPlannedMailbox(ctx, r.clients, req, resp, "m365harden_mailbox_audit_bypass")
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() || r.clients == nil {
		return
	}
	var plan, state mailboxAuditBypassModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resolve := func(ctx context.Context, identity string) (string, error) {
		m, err := auditCacheFor(r.clients).get(ctx, identity)
		if err != nil {
			return "", err
		}
		return m.Guid, nil
	}
	if common.SameMailbox(ctx, &plan.Identity, state.Identity, state.ID, resolve, exchange.IsNotFound, &resp.Diagnostics) {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("identity"))
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// target is how calls name the account: the GUID in state once known (it
// survives renames), else the configured identity.
func (m *mailboxAuditBypassModel) target() string {
	if id := m.ID.ValueString(); !m.ID.IsUnknown() && id != "" {
		return id
	}
	return m.Identity.ValueString()
}

func (r *mailboxAuditBypassResource) write(ctx context.Context, m *mailboxAuditBypassModel) error {
	cur, err := r.clients.Exchange.GetMailboxAuditBypass(ctx, m.target())
	if err != nil {
		return err
	}
	want := m.AuditBypassEnabled.ValueBool()
	if cur.AuditBypassEnabled != want {
		if err := r.clients.Exchange.SetMailboxAuditBypass(ctx, cur.Guid, want); err != nil {
			return err
		}
	}
	m.ID = types.StringValue(cur.Guid)
	return wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		got, err := r.clients.Exchange.GetMailboxAuditBypass(ctx, cur.Guid)
		if err != nil {
			return err
		}
		if got.AuditBypassEnabled != want {
			return wait.NotYet("AuditBypassEnabled of %s still reads %t", m.Identity.ValueString(), got.AuditBypassEnabled)
		}
		return nil
	})
}

func (r *mailboxAuditBypassResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m mailboxAuditBypassModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, m.Timeouts, "create", &resp.Diagnostics)
	if err := r.write(ctx, &m); err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Setting the audit bypass of %q failed", m.Identity.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *mailboxAuditBypassResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m mailboxAuditBypassModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, m.Timeouts, "update", &resp.Diagnostics)
	if err := r.write(ctx, &m); err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Setting the audit bypass of %q failed", m.Identity.ValueString()), err)
		// State follows the tenant after a failed update.
		if cur, rerr := r.clients.Exchange.GetMailboxAuditBypass(ctx, m.target()); rerr == nil {
			m.AuditBypassEnabled = types.BoolValue(cur.AuditBypassEnabled)
			m.ID = types.StringValue(cur.Guid)
			resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *mailboxAuditBypassResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m mailboxAuditBypassModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cur, err := r.clients.Exchange.GetMailboxAuditBypass(ctx, m.target())
	if exchange.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Reading the audit bypass of %q failed", m.Identity.ValueString()), err)
		return
	}
	m.ID = types.StringValue(cur.Guid)
	m.AuditBypassEnabled = types.BoolValue(cur.AuditBypassEnabled)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *mailboxAuditBypassResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m mailboxAuditBypassModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !m.AuditBypassEnabled.ValueBool() {
		return
	}
	err := r.clients.Exchange.SetMailboxAuditBypass(ctx, m.target(), false)
	if err != nil && !exchange.IsNotFound(err) {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Turning off the audit bypass of %q failed", m.Identity.ValueString()), err)
	}
}

func (r *mailboxAuditBypassResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	if why := common.MailboxIdentityProblem(req.ID); why != "" {
		resp.Diagnostics.AddError("Wrong import ID", fmt.Sprintf("%q cannot name an account: %s. Import by user principal name, SMTP address, alias or GUID.", req.ID, why))
		return
	}
	m, err := r.clients.Exchange.GetMailbox(ctx, req.ID, "UserPrincipalName", "Guid")
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Importing the audit bypass of %q failed", req.ID), err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("identity"), m.UserPrincipalName)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), m.Guid)...)
}

type mailboxAuditBypassModel struct {
	ID                 types.String `tfsdk:"id"`
	Identity           types.String `tfsdk:"identity"`
	AuditBypassEnabled types.Bool   `tfsdk:"audit_bypass_enabled"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}
