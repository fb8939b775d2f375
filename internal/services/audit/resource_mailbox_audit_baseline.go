package audit

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/conv"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure   = &mailboxAuditBaselineResource{}
	_ resource.ResourceWithImportState = &mailboxAuditBaselineResource{}
	_ resource.ResourceWithModifyPlan  = &mailboxAuditBaselineResource{}
)

// baselineWorkers bounds concurrent Set-Mailbox calls when fixing
// deviations; Exchange throttles per app, and the client retries 429s.
const baselineWorkers = 4

// NewMailboxAuditBaselineResource returns the m365harden_mailbox_audit_baseline resource.
func NewMailboxAuditBaselineResource() resource.Resource { return &mailboxAuditBaselineResource{} }

type mailboxAuditBaselineResource struct {
	clients *clients.Set
}

func (r *mailboxAuditBaselineResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_mailbox_audit_baseline"
}

func requiredActionsAttr(lt logonType) schema.SetAttribute {
	return schema.SetAttribute{
		MarkdownDescription: fmt.Sprintf("Actions every mailbox must log for the %s logon type (`AuditAdmin`/`AuditDelegate`/`AuditOwner`). A mailbox that lacks any of them deviates; apply adds the missing ones with `Set-Mailbox -%s @{Add=...}` (which takes that logon type off Microsoft's managed default list, as Exchange does for any customisation). Valid actions: %s.",
			strings.ToLower(lt.Name), lt.Param, "`"+strings.Join(lt.Valid, "`, `")+"`"),
		ElementType: types.StringType,
		Optional:    true,
		Validators: []validator.Set{
			setvalidator.SizeAtLeast(1),
			setvalidator.ValueStringsAre(stringvalidator.OneOfCaseInsensitive(lt.Valid...)),
			conv.UniqueFold(),
		},
	}
}

func (r *mailboxAuditBaselineResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Keeps mailbox audit logging on for **every** mailbox of the chosen types, including mailboxes created later (CIS 6.1.2/6.1.3). " +
			"Each plan lists the mailboxes with one paged, server-side filtered `Get-Mailbox` (1000 per page, `$select` of the audit fields) and shows every mailbox that deviates in `deviations`; apply runs `Set-Mailbox` on the deviating mailboxes only.\n\n" +
			"Destroying the resource stops enforcement and leaves every mailbox as it is.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.StandingTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The tenant ID.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"recipient_types": schema.SetAttribute{
				MarkdownDescription: "The mailbox subtypes enforced (`Get-Mailbox -RecipientTypeDetails`): " + "`" + strings.Join(mailboxTypes, "`, `") + "`. Default: `UserMailbox` and `SharedMailbox`.",
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				Default:             setdefault.StaticValue(stringSet([]string{"SharedMailbox", "UserMailbox"})),
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOfCaseInsensitive(mailboxTypes...)),
					conv.UniqueFold(),
				},
			},
			"excluded_mailboxes": schema.SetAttribute{
				MarkdownDescription: "Mailboxes left alone, by user principal name, primary SMTP address or GUID (compared case-insensitively). " +
					"A mailbox that has its own `m365harden_mailbox_audit` must be listed here: otherwise the two would undo each other's settings on every apply, and the plan fails saying so.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.Set{setvalidator.ValueStringsAre(excludedMailboxValidator{}), conv.UniqueFold()},
			},
			"audit_enabled": schema.BoolAttribute{
				MarkdownDescription: "The `AuditEnabled` value every mailbox must have. Default and hardened: `true` (CIS 6.1.2 checks it). Exchange Online ignores this flag while mailbox auditing is on for the organization (`AuditDisabled = $false`): mailboxes are audited either way (https://learn.microsoft.com/purview/audit-mailboxes); the per-account off switch is the audit bypass.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"min_audit_log_age_limit_days": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The shortest `AuditLogAgeLimit` (days) allowed; a mailbox keeping its records for less deviates and is set to this value. 0 to %d. Unset: not enforced.", maxAuditAgeDays),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, maxAuditAgeDays)},
			},
			"required_audit_admin":    requiredActionsAttr(logonTypes[0]),
			"required_audit_delegate": requiredActionsAttr(logonTypes[1]),
			"required_audit_owner":    requiredActionsAttr(logonTypes[2]),
			"deviations": schema.MapAttribute{
				MarkdownDescription: "Mailboxes that deviate from the baseline, by user principal name, with what deviates. Empty after a successful apply; a plan that shows entries here names the mailboxes apply will fix.",
				ElementType:         types.StringType,
				Computed:            true,
			},
		},
	}
}

func (r *mailboxAuditBaselineResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan plans no deviations (a non-empty state makes the plan list the
// mailboxes apply will fix) and refuses mailboxes that also have their own
// m365harden_mailbox_audit.
func (r *mailboxAuditBaselineResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan mailboxAuditBaselineModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	common.ClaimSingleton(r.clients, req, resp, "m365harden_mailbox_audit_baseline", "mailbox audit baseline")
	if r.clients != nil && plan.known() {
		checkBaselineClaim(ctx, r.clients, plan.rule(), &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("deviations"), types.MapValueMust(types.StringType, map[string]attr.Value{}))...)
}

// known reports whether the rule is known at plan time.
func (m *mailboxAuditBaselineModel) known() bool {
	return !m.RecipientTypes.IsUnknown() && !m.ExcludedMailboxes.IsUnknown() && !m.AuditEnabled.IsUnknown() &&
		!m.MinAuditLogAgeLimitDays.IsUnknown() && !m.RequiredAuditAdmin.IsUnknown() && !m.RequiredAuditDelegate.IsUnknown() && !m.RequiredAuditOwner.IsUnknown()
}

// excludedMailboxValidator accepts what the baseline matches exclusions
// against: a user principal name or SMTP address, or a GUID.
type excludedMailboxValidator struct{}

func (excludedMailboxValidator) Description(context.Context) string {
	return "a user principal name, primary SMTP address or mailbox GUID"
}

func (v excludedMailboxValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (excludedMailboxValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	v := req.ConfigValue.ValueString()
	if guidRe.MatchString(v) || (common.MailboxIdentityProblem(v) == "" && common.IsSMTPAddress(v)) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Not a mailbox address or GUID",
		fmt.Sprintf("%q: excluded_mailboxes are matched against each mailbox's user principal name, primary SMTP address and GUID; an alias, a name or anything else would exclude nothing. Give one of those.", v))
}

// baselineRule is the baseline in Go terms.
type baselineRule struct {
	types        []string
	excluded     map[string]bool
	auditEnabled bool
	minAge       *time.Duration
	required     map[string][]string // logon type -> actions
}

func (m *mailboxAuditBaselineModel) rule() baselineRule {
	b := baselineRule{types: setStrings(m.RecipientTypes), excluded: map[string]bool{}, auditEnabled: true, required: map[string][]string{}}
	if !m.AuditEnabled.IsNull() && !m.AuditEnabled.IsUnknown() {
		b.auditEnabled = m.AuditEnabled.ValueBool()
	}
	for _, e := range setStrings(m.ExcludedMailboxes) {
		b.excluded[strings.ToLower(exchange.StripSMTPPrefix(e))] = true
	}
	if !m.MinAuditLogAgeLimitDays.IsNull() && !m.MinAuditLogAgeLimitDays.IsUnknown() {
		d := time.Duration(m.MinAuditLogAgeLimitDays.ValueInt64()) * 24 * time.Hour
		b.minAge = &d
	}
	for lt, s := range map[string]types.Set{"Admin": m.RequiredAuditAdmin, "Delegate": m.RequiredAuditDelegate, "Owner": m.RequiredAuditOwner} {
		if v := setStrings(s); len(v) > 0 {
			b.required[lt] = v
		}
	}
	return b
}

// query is the one Get-Mailbox that finds candidates. When only AuditEnabled
// is enforced the service filters on it too, so only deviating mailboxes
// come back; otherwise every mailbox of the types is read (with $select of
// the audit fields only) and checked here.
func (b baselineRule) query() exchange.MailboxQuery {
	q := exchange.MailboxQuery{
		RecipientTypeDetails: b.types,
		Fields:               append([]string{"Guid", "UserPrincipalName", "PrimarySmtpAddress", "RecipientTypeDetails"}, exchange.MailboxAuditFields...),
	}
	if b.minAge == nil && len(b.required) == 0 {
		q.Filter = fmt.Sprintf("AuditEnabled -eq $%t", !b.auditEnabled)
	}
	return q
}

// excludes reports whether m is in excluded_mailboxes.
func (b baselineRule) excludes(m *exchange.Mailbox) bool {
	for _, k := range []string{m.UserPrincipalName, m.PrimarySmtpAddress, m.Guid} {
		if b.excluded[strings.ToLower(k)] {
			return true
		}
	}
	return false
}

// covers reports whether the baseline enforces its settings on m.
func (b baselineRule) covers(m *exchange.Mailbox) bool {
	return containsFold(b.types, m.RecipientTypeDetails) && !b.excludes(m)
}

// fix returns the Set-Mailbox parameters that bring m to the baseline and a
// description of the deviation ("" when m complies or is excluded).
func (b baselineRule) fix(m *exchange.Mailbox) (map[string]any, string) {
	if b.excludes(m) {
		return nil, ""
	}
	p := map[string]any{}
	var why []string
	if m.AuditEnabled != b.auditEnabled {
		p["AuditEnabled"] = b.auditEnabled
		why = append(why, fmt.Sprintf("AuditEnabled is %t", m.AuditEnabled))
	}
	if b.minAge != nil && m.AuditLogAgeLimit < *b.minAge {
		p["AuditLogAgeLimit"] = conv.FormatTimeSpan(*b.minAge)
		why = append(why, "AuditLogAgeLimit is "+conv.FormatTimeSpan(m.AuditLogAgeLimit))
	}
	for _, lt := range logonTypes {
		need := b.required[lt.Name]
		if len(need) == 0 {
			continue
		}
		have := currentActions(m, lt)
		var missing []string
		for _, a := range need {
			if !containsFold(have, a) {
				missing = append(missing, a)
			}
		}
		if len(missing) > 0 {
			p[lt.Param] = map[string]any{"@odata.type": "#Exchange.GenericHashTable", "Add": missing}
			why = append(why, fmt.Sprintf("%s lacks %s", lt.Param, strings.Join(missing, ", ")))
		}
	}
	if len(why) == 0 {
		return nil, ""
	}
	return p, strings.Join(why, "; ")
}

// deviation is one mailbox to fix.
type deviation struct {
	guid, upn, why string
	params         map[string]any
}

// scan lists the candidates once and keeps only the deviating mailboxes;
// the Set-Mailbox parameters are kept only when apply needs them, so a plan
// holds no more than the names and reasons it shows.
func (b baselineRule) scan(ctx context.Context, c *exchange.Client, withParams bool) ([]deviation, error) {
	var out []deviation
	err := c.ListMailboxes(ctx, b.query(), func(m *exchange.Mailbox) error {
		if p, why := b.fix(m); why != "" {
			d := deviation{guid: m.Guid, upn: m.UserPrincipalName, why: why}
			if withParams {
				d.params = p
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

func deviationsMap(devs []deviation) types.Map {
	elems := make(map[string]attr.Value, len(devs))
	for _, d := range devs {
		key := d.upn
		if key == "" {
			key = d.guid
		}
		elems[key] = types.StringValue(d.why)
	}
	return types.MapValueMust(types.StringType, elems)
}

// apply fixes the deviating mailboxes and waits until a fresh scan is clean.
func (r *mailboxAuditBaselineResource) apply(ctx context.Context, b baselineRule) ([]deviation, error) {
	devs, err := b.scan(ctx, r.clients.Exchange, true)
	if err != nil {
		return nil, err
	}
	if len(devs) > 0 {
		auditCacheFor(r.clients).invalidate()
	}
	var (
		mu   sync.Mutex
		errs []string
		wg   sync.WaitGroup
		next = make(chan deviation)
	)
	for i := 0; i < baselineWorkers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range next {
				if err := r.clients.Exchange.SetMailbox(ctx, d.guid, d.params); err != nil && !exchange.IsNotFound(err) {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("%s: %v", d.upn, err))
					mu.Unlock()
				}
			}
		}()
	}
	for _, d := range devs {
		next <- d
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		sort.Strings(errs)
		left, _ := b.scan(ctx, r.clients.Exchange, false)
		shown := errs
		if len(shown) > 10 {
			shown = append(shown[:10:10], fmt.Sprintf("... and %d more", len(errs)-10))
		}
		return left, fmt.Errorf("%d of %d mailboxes could not be fixed:\n%s", len(errs), len(devs), strings.Join(shown, "\n"))
	}
	var left []deviation
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		l, err := b.scan(ctx, r.clients.Exchange, false)
		if err != nil {
			return err
		}
		left = l
		if len(l) > 0 {
			return wait.NotYet("%d mailboxes still deviate (e.g. %s: %s)", len(l), l[0].upn, l[0].why)
		}
		return nil
	})
	return left, err
}

func (r *mailboxAuditBaselineResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, "create", req.Plan.Get, &resp.State, &resp.Diagnostics)
}

func (r *mailboxAuditBaselineResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, "update", req.Plan.Get, &resp.State, &resp.Diagnostics)
}

func (r *mailboxAuditBaselineResource) write(ctx context.Context, op string, get func(context.Context, any) diag.Diagnostics, state stateSetter, diags *diag.Diagnostics) {
	if r.clients == nil {
		common.NotConfigured(diags)
		return
	}
	var m mailboxAuditBaselineModel
	diags.Append(get(ctx, &m)...)
	if diags.HasError() {
		return
	}
	m.ID = types.StringValue(r.clients.TenantID)
	ctx = common.ConsistencyBudget(ctx, r.clients, m.Timeouts, op, diags)
	left, err := r.apply(ctx, m.rule())
	m.Deviations = deviationsMap(left)
	if err != nil {
		common.AddAPIError(diags, "Enforcing the mailbox audit baseline failed", err)
	}
	// State always records the deviations that remain, so a failed apply
	// plans the rest next time.
	diags.Append(state.Set(ctx, &m)...)
}

func (r *mailboxAuditBaselineResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m mailboxAuditBaselineModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.RecipientTypes.IsNull() {
		m.RecipientTypes = stringSet([]string{"SharedMailbox", "UserMailbox"})
	}
	if m.AuditEnabled.IsNull() {
		m.AuditEnabled = types.BoolValue(true)
	}
	devs, err := m.rule().scan(ctx, r.clients.Exchange, false)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Listing mailboxes for the mailbox audit baseline failed", err)
		return
	}
	m.ID = types.StringValue(r.clients.TenantID)
	m.Deviations = deviationsMap(devs)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *mailboxAuditBaselineResource) Delete(ctx context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddWarning("Mailbox audit baseline no longer enforced",
		"m365harden_mailbox_audit_baseline was removed from Terraform state; every mailbox keeps its current audit settings.")
}

func (r *mailboxAuditBaselineResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	if !strings.EqualFold(req.ID, r.clients.TenantID) {
		resp.Diagnostics.AddError("Wrong import ID",
			fmt.Sprintf("m365harden_mailbox_audit_baseline is imported by the tenant ID the provider is configured for (%s); got %q.", r.clients.TenantID, req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), r.clients.TenantID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("recipient_types"), stringSet([]string{"SharedMailbox", "UserMailbox"}))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("audit_enabled"), true)...)
}

type mailboxAuditBaselineModel struct {
	ID                      types.String `tfsdk:"id"`
	RecipientTypes          types.Set    `tfsdk:"recipient_types"`
	ExcludedMailboxes       types.Set    `tfsdk:"excluded_mailboxes"`
	AuditEnabled            types.Bool   `tfsdk:"audit_enabled"`
	MinAuditLogAgeLimitDays types.Int64  `tfsdk:"min_audit_log_age_limit_days"`
	RequiredAuditAdmin      types.Set    `tfsdk:"required_audit_admin"`
	RequiredAuditDelegate   types.Set    `tfsdk:"required_audit_delegate"`
	RequiredAuditOwner      types.Set    `tfsdk:"required_audit_owner"`
	Deviations              types.Map    `tfsdk:"deviations"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}
