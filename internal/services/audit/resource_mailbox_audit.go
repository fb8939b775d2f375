package audit

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	"github.com/m365harden/terraform-provider-m365harden/internal/services/conv"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

// Valid mailbox audit actions per logon type in Exchange Online, from the
// Set-Mailbox reference (AuditAdmin, AuditDelegate, AuditOwner; values for
// the cloud-based service) and the Audit (Premium) actions on
// https://learn.microsoft.com/purview/audit-mailboxes (MailItemsAccessed,
// Send, SearchQueryInitiated). Exchange binds them case-insensitively.
// "None" is not listed: an empty set means no actions.
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

// auditAgePurge says what lowering AuditLogAgeLimit does, from the
// AuditLogAgeLimit parameter of Set-Mailbox
// (https://learn.microsoft.com/powershell/module/exchangepowershell/set-mailbox#-auditlogagelimit),
// which says that log entries older than the limit are removed.
const auditAgePurge = "Exchange removes the mailbox's audit records older than the new limit the next time the Managed Folder Assistant processes the mailbox (Set-Mailbox -AuditLogAgeLimit); they cannot be recovered."

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
		MarkdownDescription: fmt.Sprintf("The mailbox actions logged for the %s logon type (`Set-Mailbox -%s`). Setting it pins a custom list: Exchange then removes `%s` from `default_audit_set`, and actions Microsoft adds later are not audited for this logon type (except that the exact list the logon type has now while on the default, as a configuration generated at import writes it, keeps the default and plans no change). Leave it unset to keep (or return to) Microsoft's managed default list (`Set-Mailbox -DefaultAuditSet %s`). An empty set logs nothing. Valid actions (any letter case; state keeps yours): %s.",
			strings.ToLower(lt.Name), lt.Param, lt.Name, lt.Name, "`"+strings.Join(lt.Valid, "`, `")+"`"),
		ElementType: types.StringType,
		Optional:    true,
		Computed:    true,
		Validators: []validator.Set{
			setvalidator.ValueStringsAre(stringvalidator.OneOfCaseInsensitive(lt.Valid...)),
			conv.UniqueFold(),
		},
	}
}

func (r *mailboxAuditResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"timeouts": common.StandingTimeoutsAttribute(),
		"id": schema.StringAttribute{
			MarkdownDescription: "The mailbox's Exchange GUID (`Guid`). Reads and writes use it, so the resource follows the mailbox through renames.",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"identity": schema.StringAttribute{
			MarkdownDescription: "The mailbox: its user principal name, primary SMTP address, alias or GUID (the `-Identity` of `Get-Mailbox`/`Set-Mailbox`). Another spelling of the same mailbox (another of its names, other letter case) is no change; naming another mailbox replaces the resource.",
			Required:            true,
			Validators:          []validator.String{stringvalidator.LengthBetween(1, 320), common.MailboxIdentity()},
		},
		"user_principal_name": schema.StringAttribute{
			MarkdownDescription: "The mailbox's user principal name (`UserPrincipalName`), as Exchange reports it now.",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"audit_enabled": schema.BoolAttribute{
			MarkdownDescription: "The mailbox's `AuditEnabled` flag (`Set-Mailbox -AuditEnabled`). Default: `true` (CIS 6.1.2 checks it).\n\n" +
				"**Exchange Online ignores this flag** while mailbox auditing on by default is on for the organization (`AuditDisabled = $false`, the default; `m365harden_audit_configuration`): the mailbox is audited even when the flag is `false`, and turning auditing on for the organization does not change the flag. When the organization turns auditing off, nothing is audited even when the flag is `true` (https://learn.microsoft.com/purview/audit-mailboxes). " +
				"The switch that really stops auditing is per account: `Set-MailboxAuditBypassAssociation -AuditBypassEnabled $true` (`m365harden_mailbox_audit_bypass`) exempts everything that account does in any mailbox.",
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(true),
		},
		"audit_log_age_limit_days": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("How many days audit records are kept in the mailbox (`Set-Mailbox -AuditLogAgeLimit`, sent as a time span such as `90.00:00:00`). Exchange's default is 90. 0 to %d. Unset: read, not managed. "+
				"Lowering it makes Exchange delete the older records; a plan that lowers it warns. A limit that is not a whole number of days (set outside Terraform) reads as the whole days below it, and `audit_log_age_limit` shows the exact value and the drift.", maxAuditAgeDays),
			Optional:   true,
			Computed:   true,
			Validators: []validator.Int64{int64validator.Between(0, maxAuditAgeDays)},
		},
		"audit_log_age_limit": schema.StringAttribute{
			MarkdownDescription: "The exact `AuditLogAgeLimit` the mailbox has, as Exchange reports it (`d.hh:mm:ss`, e.g. `90.00:00:00` or `365.12:00:00`). When `audit_log_age_limit_days` is set, a limit that differs from it by any amount (hours included) plans an update.",
			Computed:            true,
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
			"Destroying the resource (or replacing it) leaves the mailbox's audit settings as they are: in particular it never lowers `AuditLogAgeLimit`, which would make Exchange delete older audit records. A mailbox deleted outside Terraform is removed from state and its settings are re-applied once the mailbox exists again.\n\n" +
			"A mailbox must not be managed both by this resource and by an `m365harden_mailbox_audit_baseline` that covers it (each apply would undo the other): the plan fails until the mailbox is in the baseline's `excluded_mailboxes`.",
		Attributes: attrs,
	}
}

func (r *mailboxAuditResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// resolveGUID returns the GUID of the mailbox an identity names.
func (r *mailboxAuditResource) resolveGUID(ctx context.Context, identity string) (string, error) {
	if r.clients == nil {
		return "", fmt.Errorf("provider not configured")
	}
	m, err := auditCacheFor(r.clients).get(ctx, identity)
	if err != nil {
		return "", err
	}
	return m.Guid, nil
}

// ModifyPlan predicts default_audit_set, the action sets left to
// Microsoft's defaults and the exact age limit, so the plan is exact and an
// untouched mailbox plans empty; warns when the age limit goes down; and
// refuses a mailbox a baseline also enforces.
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
	if r.clients != nil {
		guid := plan.ID
		if state != nil && common.SameMailbox(ctx, &plan.Identity, state.Identity, state.ID, r.resolveGUID, exchange.IsNotFound, &resp.Diagnostics) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("identity"))
			guid = types.StringUnknown() // another mailbox
		}
		checkMailboxClaim(ctx, r.clients, plan.Identity, guid, &resp.Diagnostics)
		claimMailbox(ctx, r.clients, req, "m365harden_mailbox_audit", plan.Identity, guid, &resp.Diagnostics)
	}

	r.planAge(&cfg, &plan, state, &resp.Diagnostics)

	var defaults []string
	unknownSets := false
	for _, lt := range logonTypes {
		c := cfg.actions(lt)
		if c.IsUnknown() {
			unknownSets = true
			continue
		}
		if !c.IsNull() {
			// The very list the logon type has now while it is on
			// Microsoft's default (a configuration generated at import
			// writes it out) keeps the default: nothing to change.
			if state != nil && conv.ContainsFold(conv.Strings(state.DefaultAuditSet), lt.Name) && !state.actions(lt).IsNull() &&
				conv.EqualFold(conv.Strings(c), conv.Strings(state.actions(lt))) {
				defaults = append(defaults, lt.Name)
			}
			continue
		}
		defaults = append(defaults, lt.Name)
		// Left to Microsoft: the current list stays when the logon type is
		// already on the default set; otherwise the reset changes it.
		if state != nil && conv.ContainsFold(conv.Strings(state.DefaultAuditSet), lt.Name) && !state.actions(lt).IsNull() {
			plan.setActions(lt, state.actions(lt))
		} else {
			plan.setActions(lt, types.SetUnknown(types.StringType))
		}
	}
	if unknownSets {
		plan.DefaultAuditSet = types.SetUnknown(types.StringType)
	} else if state != nil {
		plan.DefaultAuditSet = conv.SetKeepCase(state.DefaultAuditSet, defaults)
	} else {
		plan.DefaultAuditSet = conv.StringSet(defaults)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// planAge plans audit_log_age_limit_days and the exact audit_log_age_limit.
func (r *mailboxAuditResource) planAge(cfg, plan, state *mailboxAuditModel, diags *diag.Diagnostics) {
	switch {
	case cfg.AuditLogAgeLimitDays.IsUnknown():
		plan.AuditLogAgeLimit = types.StringUnknown()
	case cfg.AuditLogAgeLimitDays.IsNull():
		// Not managed: whatever the mailbox has stays.
		if state != nil {
			plan.AuditLogAgeLimitDays = state.AuditLogAgeLimitDays
			plan.AuditLogAgeLimit = state.AuditLogAgeLimit
		} else {
			plan.AuditLogAgeLimitDays = types.Int64Unknown()
			plan.AuditLogAgeLimit = types.StringUnknown()
		}
	default:
		days := cfg.AuditLogAgeLimitDays.ValueInt64()
		plan.AuditLogAgeLimit = types.StringValue(conv.FormatDays(days))
		if state == nil || state.AuditLogAgeLimit.IsNull() || state.AuditLogAgeLimit.IsUnknown() {
			return
		}
		if cur, err := conv.ParseTimeSpan(state.AuditLogAgeLimit.ValueString()); err == nil && time.Duration(days)*24*time.Hour < cur {
			diags.AddAttributeWarning(path.Root("audit_log_age_limit_days"), "Audit records will be deleted",
				fmt.Sprintf("This plan lowers the AuditLogAgeLimit of mailbox %s from %s to %s. %s",
					plan.Identity.ValueString(), state.AuditLogAgeLimit.ValueString(), conv.FormatDays(days), auditAgePurge))
		}
	}
}

// mailboxAuditFromService builds state from a mailbox. prior is the plan
// (after a write) or the prior state (after a read): identity and values
// equal to the tenant's ignoring case keep prior's spelling.
func mailboxAuditFromService(prior *mailboxAuditModel, m *exchange.Mailbox) *mailboxAuditModel {
	days, _ := conv.WholeDays(m.AuditLogAgeLimit)
	out := &mailboxAuditModel{
		ID:                   types.StringValue(m.Guid),
		Identity:             prior.Identity,
		UserPrincipalName:    types.StringValue(m.UserPrincipalName),
		AuditEnabled:         types.BoolValue(m.AuditEnabled),
		AuditLogAgeLimitDays: types.Int64Value(days),
		AuditLogAgeLimit:     types.StringValue(conv.FormatTimeSpan(m.AuditLogAgeLimit)),
		DefaultAuditSet:      conv.SetKeepCase(prior.DefaultAuditSet, m.DefaultAuditSet),
		Timeouts:             common.KeepTimeouts(&prior.Timeouts),
	}
	for _, lt := range logonTypes {
		out.setActions(lt, conv.SetKeepCase(prior.actions(lt), currentActions(m, lt)))
	}
	return out
}

// changes returns the Set-Mailbox parameters that bring the mailbox to the
// plan (empty when it already matches). Action names compare ignoring case,
// as Exchange binds them.
func (m *mailboxAuditModel) changes(cfg *mailboxAuditModel, cur *exchange.Mailbox) map[string]any {
	p := map[string]any{}
	if !m.AuditEnabled.IsNull() && !m.AuditEnabled.IsUnknown() && m.AuditEnabled.ValueBool() != cur.AuditEnabled {
		p["AuditEnabled"] = m.AuditEnabled.ValueBool()
	}
	if !cfg.AuditLogAgeLimitDays.IsNull() && !cfg.AuditLogAgeLimitDays.IsUnknown() &&
		time.Duration(cfg.AuditLogAgeLimitDays.ValueInt64())*24*time.Hour != cur.AuditLogAgeLimit {
		p["AuditLogAgeLimit"] = conv.FormatDays(cfg.AuditLogAgeLimitDays.ValueInt64())
	}
	var reset []string
	for _, lt := range logonTypes {
		c := cfg.actions(lt)
		onDefault := conv.ContainsFold(cur.DefaultAuditSet, lt.Name)
		// The plan keeps a configured list on the default only when it is
		// the list the logon type has now (see ModifyPlan).
		keepDefault := onDefault && !m.DefaultAuditSet.IsUnknown() && conv.ContainsFold(conv.Strings(m.DefaultAuditSet), lt.Name)
		if c.IsNull() {
			if !onDefault {
				reset = append(reset, lt.Name)
			}
			continue
		}
		want := conv.Strings(c)
		if (onDefault && !keepDefault) || !conv.EqualFold(want, currentActions(cur, lt)) {
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

// currentActions is a mailbox's action list for a logon type, without the
// "None" Exchange reports for an empty list.
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

// readDirect reads the mailbox from the service, not the cache: a write is
// verified against the service itself.
func (r *mailboxAuditResource) readDirect(ctx context.Context, identity string) (*exchange.Mailbox, error) {
	return r.clients.Exchange.GetMailbox(ctx, identity, auditReadFields...)
}

// target is how a write names the mailbox: the GUID in state once known
// (it survives renames), else the configured identity.
func (m *mailboxAuditModel) target() string {
	if id := m.ID.ValueString(); !m.ID.IsUnknown() && id != "" {
		return id
	}
	return m.Identity.ValueString()
}

// apply brings the mailbox to the plan; before is the mailbox as it was.
func (r *mailboxAuditResource) apply(ctx context.Context, cfg, plan *mailboxAuditModel) (got *mailboxAuditModel, before *exchange.Mailbox, err error) {
	cur, err := r.readDirect(ctx, plan.target())
	if err != nil {
		return nil, nil, err
	}
	params := plan.changes(cfg, cur)
	if len(params) > 0 {
		auditCacheFor(r.clients).invalidate()
		// Identify by GUID: unambiguous whatever form the user wrote.
		if err := r.clients.Exchange.SetMailbox(ctx, cur.Guid, params); err != nil {
			return nil, cur, err
		}
	}
	var read *exchange.Mailbox
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.readDirect(ctx, cur.Guid)
		if err != nil {
			return err
		}
		read = m
		if left := plan.changes(cfg, m); len(left) > 0 {
			keys := make([]string, 0, len(left))
			for k := range left {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return wait.NotYet("mailbox %s still differs in %s", plan.Identity.ValueString(), strings.Join(keys, ", "))
		}
		return nil
	})
	if read == nil {
		return nil, cur, err
	}
	return mailboxAuditFromService(plan, read), cur, err
}

func (r *mailboxAuditResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Config, req.Plan, &resp.State, &resp.Diagnostics, true)
}

func (r *mailboxAuditResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
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
	op := "update"
	if create {
		op = "create"
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, p.Timeouts, op, diags)
	got, before, err := r.apply(ctx, &cfg, &p)
	if create && before != nil && got != nil && before.AuditLogAgeLimit > 0 {
		// Adopting a mailbox that kept its records longer: the plan could
		// not know, so say it now.
		if after, perr := conv.ParseTimeSpan(got.AuditLogAgeLimit.ValueString()); perr == nil && after < before.AuditLogAgeLimit {
			diags.AddWarning("Audit records will be deleted",
				fmt.Sprintf("Mailbox %s had an AuditLogAgeLimit of %s; the configuration set %s. %s",
					p.Identity.ValueString(), conv.FormatTimeSpan(before.AuditLogAgeLimit), got.AuditLogAgeLimit.ValueString(), auditAgePurge))
		}
	}
	if err != nil {
		what := fmt.Sprintf("Changing the audit settings of mailbox %q failed", p.Identity.ValueString())
		if exchange.IsNotFound(err) {
			common.AddAPIError(diags, what, fmt.Errorf("%w\n\nCheck the identity: it must be the mailbox's user principal name, primary SMTP address, alias or GUID", err))
		} else {
			common.AddAPIError(diags, what, err)
		}
		if create {
			return
		}
		if got != nil {
			diags.Append(state.Set(ctx, got)...)
		} else if cur, rerr := r.readDirect(ctx, p.target()); rerr == nil {
			diags.Append(state.Set(ctx, mailboxAuditFromService(&p, cur))...)
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
	m, err := auditCacheFor(r.clients).getByGUID(ctx, st.target())
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
	resp.Diagnostics.Append(resp.State.Set(ctx, mailboxAuditFromService(&st, m))...)
}

// Delete changes nothing in the tenant. Restoring "defaults" would lower a
// longer AuditLogAgeLimit to 90 days and make Exchange delete the older
// audit records (Set-Mailbox -AuditLogAgeLimit), and a replacement would do
// it between destroy and create.
func (r *mailboxAuditResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var identity types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("identity"), &identity)...)
	resp.Diagnostics.AddWarning("Mailbox audit settings left as they are",
		fmt.Sprintf("m365harden_mailbox_audit for mailbox %s was removed from Terraform state; the mailbox keeps its current audit settings (age limit and action lists included).", identity.ValueString()))
}

func (r *mailboxAuditResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	if why := common.MailboxIdentityProblem(req.ID); why != "" {
		resp.Diagnostics.AddError("Wrong import ID", fmt.Sprintf("%q cannot name a mailbox: %s. Import by user principal name, SMTP address, alias or GUID.", req.ID, why))
		return
	}
	m, err := r.readDirect(ctx, req.ID)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Importing mailbox %q failed", req.ID), err)
		return
	}
	// Any identity form imports; state records the user principal name. A
	// configuration that names the mailbox another way plans no change
	// (see the identity plan modifier).
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("identity"), m.UserPrincipalName)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), m.Guid)...)
}

type mailboxAuditModel struct {
	ID                   types.String `tfsdk:"id"`
	Identity             types.String `tfsdk:"identity"`
	UserPrincipalName    types.String `tfsdk:"user_principal_name"`
	AuditEnabled         types.Bool   `tfsdk:"audit_enabled"`
	AuditLogAgeLimitDays types.Int64  `tfsdk:"audit_log_age_limit_days"`
	AuditLogAgeLimit     types.String `tfsdk:"audit_log_age_limit"`
	AuditAdmin           types.Set    `tfsdk:"audit_admin"`
	AuditDelegate        types.Set    `tfsdk:"audit_delegate"`
	AuditOwner           types.Set    `tfsdk:"audit_owner"`
	DefaultAuditSet      types.Set    `tfsdk:"default_audit_set"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
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
