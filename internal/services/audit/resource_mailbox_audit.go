package audit

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

// Valid mailbox audit actions per logon type in Exchange Online, from the
// Set-Mailbox reference (AuditAdmin, AuditDelegate, AuditOwner; cloud-based
// service) and the Audit (Premium) actions on
// https://learn.microsoft.com/purview/audit-mailboxes. "None" is not listed:
// an empty set means no actions.
var (
	auditAdminActions = []string{"AddFolderPermissions", "ApplyRecord", "Copy", "Create", "FolderBind", "HardDelete",
		"MailItemsAccessed", "MessageBind", "ModifyFolderPermissions", "Move", "MoveToDeletedItems", "RecordDelete",
		"RemoveFolderPermissions", "Send", "SendAs", "SendOnBehalf", "SoftDelete", "Update", "UpdateCalendarDelegation",
		"UpdateFolderPermissions", "UpdateInboxRules"}
	auditDelegateActions = []string{"AddFolderPermissions", "ApplyRecord", "Create", "FolderBind", "HardDelete",
		"MailItemsAccessed", "ModifyFolderPermissions", "Move", "MoveToDeletedItems", "RecordDelete",
		"RemoveFolderPermissions", "SendAs", "SendOnBehalf", "SoftDelete", "Update", "UpdateFolderPermissions", "UpdateInboxRules"}
	auditOwnerActions = []string{"AddFolderPermissions", "ApplyRecord", "Create", "HardDelete", "MailboxLogin",
		"MailItemsAccessed", "ModifyFolderPermissions", "Move", "MoveToDeletedItems", "RecordDelete",
		"RemoveFolderPermissions", "SearchQueryInitiated", "Send", "SoftDelete", "Update", "UpdateCalendarDelegation",
		"UpdateFolderPermissions", "UpdateInboxRules"}
)

// logonType ties a DefaultAuditSet value to its attribute and parameter.
type logonType struct {
	Name  string // DefaultAuditSet value
	Param string // Set-Mailbox parameter
	Attr  string // attribute name
	Valid []string
}

var logonTypes = []logonType{
	{"Admin", "AuditAdmin", "audit_admin", auditAdminActions},
	{"Delegate", "AuditDelegate", "audit_delegate", auditDelegateActions},
	{"Owner", "AuditOwner", "audit_owner", auditOwnerActions},
}

// maxAuditAgeDays is the largest AuditLogAgeLimit Exchange accepts
// (EnhancedTimeSpan, 24855 days).
const maxAuditAgeDays = 24855

var (
	_ resource.ResourceWithConfigure   = &mailboxAuditResource{}
	_ resource.ResourceWithImportState = &mailboxAuditResource{}
	_ resource.ResourceWithModifyPlan  = &mailboxAuditResource{}
)

// NewMailboxAuditResource returns the m365harden_mailbox_audit resource.
func NewMailboxAuditResource() resource.Resource { return &mailboxAuditResource{} }

type mailboxAuditResource struct {
	clients *clients.Set
}

func (r *mailboxAuditResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_mailbox_audit"
}

func actionSetAttr(lt logonType) schema.SetAttribute {
	return schema.SetAttribute{
		MarkdownDescription: fmt.Sprintf("The mailbox actions logged for the %s logon type (`Set-Mailbox -%s`). Setting it pins a custom list: Exchange then removes `%s` from `default_audit_set`, and actions Microsoft adds later are not audited for this logon type. Leave it unset to keep (or return to) Microsoft's managed default list (`Set-Mailbox -DefaultAuditSet %s`). An empty set logs nothing. Valid actions: %s.",
			strings.ToLower(lt.Name), lt.Param, lt.Name, lt.Name, "`"+strings.Join(lt.Valid, "`, `")+"`"),
		ElementType: types.StringType,
		Optional:    true,
		Computed:    true,
		Validators:  []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(lt.Valid...))},
	}
}

func (r *mailboxAuditResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The mailbox's Exchange GUID (`Guid`).",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"identity": schema.StringAttribute{
			MarkdownDescription: "The mailbox: its user principal name, primary SMTP address or GUID (the `-Identity` of `Get-Mailbox`/`Set-Mailbox`). Changing it manages another mailbox (replace).",
			Required:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			Validators:          []validator.String{stringvalidator.LengthBetween(1, 320)},
		},
		"user_principal_name": schema.StringAttribute{
			MarkdownDescription: "The mailbox's user principal name (`UserPrincipalName`).",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"audit_enabled": schema.BoolAttribute{
			MarkdownDescription: "Whether mailbox audit logging is on for the mailbox (`Set-Mailbox -AuditEnabled`). Default and hardened value: `true` (CIS 6.1.2).",
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(true),
		},
		"audit_log_age_limit_days": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("How many days audit records are kept in the mailbox (`Set-Mailbox -AuditLogAgeLimit`, a time span such as `90.00:00:00` on the wire). Exchange's default is 90. 0 to %d. Unset: read, not managed.", maxAuditAgeDays),
			Optional:            true,
			Computed:            true,
			Validators:          []validator.Int64{int64validator.Between(0, maxAuditAgeDays)},
			PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		},
		"default_audit_set": schema.SetAttribute{
			MarkdownDescription: "The logon types (`Admin`, `Delegate`, `Owner`) that use Microsoft's managed default action list (`DefaultAuditSet`): exactly those whose action set is not configured here.",
			ElementType:         types.StringType,
			Computed:            true,
		},
	}
	for _, lt := range logonTypes {
		attrs[lt.Attr] = actionSetAttr(lt)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Mailbox audit logging settings of one mailbox (Exchange Online `Set-Mailbox -AuditEnabled/-AuditLogAgeLimit/-AuditAdmin/-AuditDelegate/-AuditOwner/-DefaultAuditSet`; CIS 6.1.2, 6.1.3).\n\n" +
			"Destroying the resource restores Microsoft's defaults on the mailbox: auditing on, a 90-day age limit and the managed default action lists for all three logon types. A mailbox deleted outside Terraform is removed from state and its settings are re-applied once the mailbox exists again.",
		Attributes: attrs,
	}
}

func (r *mailboxAuditResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan predicts default_audit_set and the action sets left to
// Microsoft's defaults, so the plan is exact and an untouched mailbox plans
// empty.
func (r *mailboxAuditResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var cfg, plan mailboxAuditModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *mailboxAuditModel
	if !req.State.Raw.IsNull() {
		state = &mailboxAuditModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	var defaults []string
	for _, lt := range logonTypes {
		c := cfg.actions(lt)
		if c.IsUnknown() {
			plan.DefaultAuditSet = types.SetUnknown(types.StringType)
			resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
			return
		}
		if !c.IsNull() {
			continue
		}
		defaults = append(defaults, lt.Name)
		// Left to Microsoft: the current list stays when the logon type is
		// already on the default set; otherwise the reset changes it.
		if state != nil && setHas(state.DefaultAuditSet, lt.Name) && !state.actions(lt).IsNull() {
			plan.setActions(lt, state.actions(lt))
		} else {
			plan.setActions(lt, types.SetUnknown(types.StringType))
		}
	}
	plan.DefaultAuditSet = stringSet(defaults)
	if state != nil && plan.AuditLogAgeLimitDays.IsUnknown() && cfg.AuditLogAgeLimitDays.IsNull() {
		plan.AuditLogAgeLimitDays = state.AuditLogAgeLimitDays
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func setHas(s types.Set, v string) bool {
	if s.IsNull() || s.IsUnknown() {
		return false
	}
	for _, e := range s.Elements() {
		if sv, ok := e.(types.String); ok && strings.EqualFold(sv.ValueString(), v) {
			return true
		}
	}
	return false
}

func stringSet(vals []string) types.Set {
	elems := make([]attr.Value, 0, len(vals))
	for _, v := range vals {
		elems = append(elems, types.StringValue(v))
	}
	return types.SetValueMust(types.StringType, elems)
}

func setStrings(s types.Set) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	out := make([]string, 0, len(s.Elements()))
	for _, e := range s.Elements() {
		if sv, ok := e.(types.String); ok {
			out = append(out, sv.ValueString())
		}
	}
	sort.Strings(out)
	return out
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x := make(map[string]bool, len(a))
	for _, v := range a {
		x[strings.ToLower(v)] = true
	}
	for _, v := range b {
		if !x[strings.ToLower(v)] {
			return false
		}
	}
	return true
}

// model builds state from a mailbox; identity is kept as configured.
func mailboxAuditFromService(identity types.String, m *exchange.Mailbox) *mailboxAuditModel {
	out := &mailboxAuditModel{
		ID:                   types.StringValue(m.Guid),
		Identity:             identity,
		UserPrincipalName:    types.StringValue(m.UserPrincipalName),
		AuditEnabled:         types.BoolValue(m.AuditEnabled),
		AuditLogAgeLimitDays: types.Int64Value(int64(m.AuditLogAgeLimit / (24 * time.Hour))),
		DefaultAuditSet:      stringSet(m.DefaultAuditSet),
	}
	for _, lt := range logonTypes {
		var list []string
		switch lt.Name {
		case "Admin":
			list = m.AuditAdmin
		case "Delegate":
			list = m.AuditDelegate
		case "Owner":
			list = m.AuditOwner
		}
		var kept []string
		for _, a := range list {
			if !strings.EqualFold(a, "None") {
				kept = append(kept, a)
			}
		}
		out.setActions(lt, stringSet(kept))
	}
	return out
}

// changes returns the Set-Mailbox parameters that bring the mailbox to the
// plan (empty when it already matches).
func (m *mailboxAuditModel) changes(cfg *mailboxAuditModel, cur *exchange.Mailbox) map[string]any {
	p := map[string]any{}
	if !m.AuditEnabled.IsNull() && !m.AuditEnabled.IsUnknown() && m.AuditEnabled.ValueBool() != cur.AuditEnabled {
		p["AuditEnabled"] = m.AuditEnabled.ValueBool()
	}
	if !cfg.AuditLogAgeLimitDays.IsNull() && !cfg.AuditLogAgeLimitDays.IsUnknown() &&
		time.Duration(cfg.AuditLogAgeLimitDays.ValueInt64())*24*time.Hour != cur.AuditLogAgeLimit {
		p["AuditLogAgeLimit"] = exchange.FormatDays(cfg.AuditLogAgeLimitDays.ValueInt64())
	}
	var reset []string
	for _, lt := range logonTypes {
		c := cfg.actions(lt)
		onDefault := containsFold(cur.DefaultAuditSet, lt.Name)
		if c.IsNull() {
			if !onDefault {
				reset = append(reset, lt.Name)
			}
			continue
		}
		want := setStrings(c)
		if onDefault || !sameStrings(want, currentActions(cur, lt)) {
			if len(want) == 0 {
				want = []string{"None"}
			}
			p[lt.Param] = want
		}
	}
	if len(reset) > 0 {
		p["DefaultAuditSet"] = reset
	}
	return p
}

func currentActions(m *exchange.Mailbox, lt logonType) []string {
	var list []string
	switch lt.Name {
	case "Admin":
		list = m.AuditAdmin
	case "Delegate":
		list = m.AuditDelegate
	case "Owner":
		list = m.AuditOwner
	}
	out := make([]string, 0, len(list))
	for _, a := range list {
		if !strings.EqualFold(a, "None") {
			out = append(out, a)
		}
	}
	return out
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// readDirect reads the mailbox from the service (not the cache), retrying
// not-found for a while: a mailbox just created elsewhere, or a write just
// made, may not be visible yet.
func (r *mailboxAuditResource) readDirect(ctx context.Context, identity string) (*exchange.Mailbox, error) {
	return r.clients.Exchange.GetMailbox(ctx, identity, auditReadFields...)
}

func (r *mailboxAuditResource) apply(ctx context.Context, cfg, plan *mailboxAuditModel) (*mailboxAuditModel, error) {
	identity := plan.Identity.ValueString()
	cur, err := r.readDirect(ctx, identity)
	if err != nil {
		return nil, err
	}
	params := plan.changes(cfg, cur)
	if len(params) > 0 {
		auditCacheFor(r.clients).invalidate()
		// Identify by GUID: unambiguous whatever form the user wrote.
		if err := r.clients.Exchange.SetMailbox(ctx, cur.Guid, params); err != nil {
			return nil, err
		}
	}
	var got *exchange.Mailbox
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.readDirect(ctx, cur.Guid)
		if err != nil {
			return err
		}
		got = m
		if left := plan.changes(cfg, m); len(left) > 0 {
			keys := make([]string, 0, len(left))
			for k := range left {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return wait.NotYet("mailbox %s still differs in %s", identity, strings.Join(keys, ", "))
		}
		return nil
	})
	if got == nil {
		return nil, err
	}
	return mailboxAuditFromService(plan.Identity, got), err
}

func (r *mailboxAuditResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Config, req.Plan, &resp.State, &resp.Diagnostics, true)
}

func (r *mailboxAuditResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Config, req.Plan, &resp.State, &resp.Diagnostics, false)
}

type configGetter interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

type stateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// write applies the plan. After a failed update, state is set to what the
// mailbox now holds; a failed create changed nothing that Terraform owns, so
// nothing is saved.
func (r *mailboxAuditResource) write(ctx context.Context, config, plan configGetter, state stateSetter, diags *diag.Diagnostics, create bool) {
	if r.clients == nil {
		common.NotConfigured(diags)
		return
	}
	var cfg, p mailboxAuditModel
	diags.Append(config.Get(ctx, &cfg)...)
	diags.Append(plan.Get(ctx, &p)...)
	if diags.HasError() {
		return
	}
	got, err := r.apply(ctx, &cfg, &p)
	if err != nil {
		what := fmt.Sprintf("Changing the audit settings of mailbox %q failed", p.Identity.ValueString())
		if exchange.IsNotFound(err) {
			common.AddAPIError(diags, what, fmt.Errorf("%w\n\nCheck the identity: it must be the mailbox's user principal name, primary SMTP address or GUID", err))
		} else {
			common.AddAPIError(diags, what, err)
		}
		if create {
			return
		}
		if got != nil {
			diags.Append(state.Set(ctx, got)...)
		} else if cur, rerr := r.readDirect(ctx, p.Identity.ValueString()); rerr == nil {
			diags.Append(state.Set(ctx, mailboxAuditFromService(p.Identity, cur))...)
		}
		return
	}
	diags.Append(state.Set(ctx, got)...)
}

func (r *mailboxAuditResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var st mailboxAuditModel
	resp.Diagnostics.Append(req.State.Get(ctx, &st)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Read by GUID once known: it survives renames and address changes.
	id := st.ID.ValueString()
	if id == "" {
		id = st.Identity.ValueString()
	}
	m, err := auditCacheFor(r.clients).get(ctx, id)
	if exchange.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Mailbox not found",
			fmt.Sprintf("Mailbox %q no longer exists; m365harden_mailbox_audit was removed from state and will be created again once the mailbox exists.", st.Identity.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Reading the audit settings of mailbox %q failed", st.Identity.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, mailboxAuditFromService(st.Identity, m))...)
}

func (r *mailboxAuditResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var st mailboxAuditModel
	resp.Diagnostics.Append(req.State.Get(ctx, &st)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := st.ID.ValueString()
	if id == "" {
		id = st.Identity.ValueString()
	}
	auditCacheFor(r.clients).invalidate()
	// Microsoft's defaults: auditing on, 90 days, managed action lists.
	err := r.clients.Exchange.SetMailbox(ctx, id, map[string]any{
		"AuditEnabled":     true,
		"AuditLogAgeLimit": exchange.FormatDays(90),
		"DefaultAuditSet":  []string{"Admin", "Delegate", "Owner"},
	})
	if err != nil && !exchange.IsNotFound(err) {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Restoring the default audit settings of mailbox %q failed", st.Identity.ValueString()), err)
	}
}

func (r *mailboxAuditResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	m, err := r.readDirect(ctx, req.ID)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Importing mailbox %q failed", req.ID), err)
		return
	}
	// Any identity form imports; state records the user principal name.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("identity"), m.UserPrincipalName)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), m.Guid)...)
}

type mailboxAuditModel struct {
	ID                   types.String `tfsdk:"id"`
	Identity             types.String `tfsdk:"identity"`
	UserPrincipalName    types.String `tfsdk:"user_principal_name"`
	AuditEnabled         types.Bool   `tfsdk:"audit_enabled"`
	AuditLogAgeLimitDays types.Int64  `tfsdk:"audit_log_age_limit_days"`
	AuditAdmin           types.Set    `tfsdk:"audit_admin"`
	AuditDelegate        types.Set    `tfsdk:"audit_delegate"`
	AuditOwner           types.Set    `tfsdk:"audit_owner"`
	DefaultAuditSet      types.Set    `tfsdk:"default_audit_set"`
}

func (m *mailboxAuditModel) actions(lt logonType) types.Set {
	switch lt.Name {
	case "Admin":
		return m.AuditAdmin
	case "Delegate":
		return m.AuditDelegate
	}
	return m.AuditOwner
}

func (m *mailboxAuditModel) setActions(lt logonType, v types.Set) {
	switch lt.Name {
	case "Admin":
		m.AuditAdmin = v
	case "Delegate":
		m.AuditDelegate = v
	default:
		m.AuditOwner = v
	}
}
