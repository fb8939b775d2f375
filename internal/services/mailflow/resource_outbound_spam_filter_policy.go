package mailflow

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure   = &outboundPolicyResource{}
	_ resource.ResourceWithImportState = &outboundPolicyResource{}
)

// defaultOutboundPolicy is the built-in policy that applies to everyone not
// covered by a custom policy's rule; it can't be removed.
const defaultOutboundPolicy = "Default"

// Enum values of Set-HostedOutboundSpamFilterPolicy.
var (
	autoForwardingModes         = []string{"Automatic", "On", "Off"}
	actionsWhenThresholdReached = []string{"Alert", "BlockUser", "BlockUserForToday"}
)

// NewOutboundSpamFilterPolicyResource returns m365harden_outbound_spam_filter_policy.
func NewOutboundSpamFilterPolicyResource() resource.Resource { return &outboundPolicyResource{} }

type outboundPolicyResource struct {
	clients *clients.Set
}

func (r *outboundPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_outbound_spam_filter_policy"
}

func (r *outboundPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	unmanaged := " Unset: read but not managed."
	optBool := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{MarkdownDescription: desc + unmanaged, Optional: true, Computed: true,
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}}
	}
	addrSet := func(desc string) schema.SetAttribute {
		return schema.SetAttribute{
			MarkdownDescription: desc + " Addresses are compared without regard to case (the configured spelling is kept); `[]` clears the list." + unmanaged,
			ElementType:         types.StringType, Optional: true, Computed: true,
			PlanModifiers: []planmodifier.Set{common.FoldStateSet(), setplanmodifier.UseStateForUnknown()},
			Validators: []validator.Set{setvalidator.ValueStringsAre(
				stringvalidator.RegexMatches(smtpAddressRe, "must be an SMTP address such as soc@contoso.com"),
			)},
		}
	}
	limit := func(param string, desc string) schema.Int64Attribute {
		return schema.Int64Attribute{
			MarkdownDescription: desc + " (`-" + param + "`, 0 to 10000; 0 means the service default)." + unmanaged,
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			Validators:    []validator.Int64{int64validator.Between(0, 10000)},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An outbound spam filter policy (`New-/Set-HostedOutboundSpamFilterPolicy`): the automatic external forwarding switch (CIS 6.2.1 route 2), outbound spam notifications (CIS 2.1.6) and sending limits.\n\n" +
			"The built-in policy `Default` applies to every sender not covered by a custom policy's rule. It is **adopted** (declare it with `name = \"Default\"`): never created or removed, and destroying the resource leaves its settings as they are. Custom policies are created and, on destroy, removed; assign one to senders with `m365harden_outbound_spam_filter_rule`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The policy's name.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The policy's unique name (`-Name`, at most 64 characters). `Default` adopts the built-in policy. Exchange compares names without regard to case: `default` adopts `Default` too, and the configured spelling is kept. Changing it (other than in case) replaces the resource.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{common.FoldStateString(), stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 64), stringvalidator.RegexMatches(regexpNoEdgeSpaces, "must not start or end with a space")},
			},
			"is_default": schema.BoolAttribute{
				MarkdownDescription: "Whether this is the built-in Default policy (`IsDefault`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"auto_forwarding_mode": schema.StringAttribute{
				MarkdownDescription: "Automatic forwarding to external recipients (`-AutoForwardingMode`): " + quoteList(autoForwardingModes) + ". " + common.AutomaticForwardingMeaning + "; the hardened value is `Off`." + unmanaged,
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators:    []validator.String{stringvalidator.OneOf(autoForwardingModes...)},
			},
			"notify_outbound_spam":                          optBool("Notify `notify_outbound_spam_recipients` when a sender is blocked for outbound spam (`-NotifyOutboundSpam`). " + common.NotifyOutboundSpamReplaced + " (CIS 2.1.6 still asks for it)."),
			"notify_outbound_spam_recipients":               addrSet("Who is notified (`-NotifyOutboundSpamRecipients`). Use internal addresses: external forwarding rules do not apply to them, but mail to outside addresses may be blocked once forwarding is locked down."),
			"bcc_suspicious_outbound_mail":                  optBool("Blind-copy suspicious outbound messages to `bcc_suspicious_outbound_additional_recipients` (`-BccSuspiciousOutboundMail`)."),
			"bcc_suspicious_outbound_additional_recipients": addrSet("Who gets the blind copies (`-BccSuspiciousOutboundAdditionalRecipients`)."),
			"recipient_limit_external_per_hour":             limit("RecipientLimitExternalPerHour", "External recipients a user may send to per hour"),
			"recipient_limit_internal_per_hour":             limit("RecipientLimitInternalPerHour", "Internal recipients a user may send to per hour"),
			"recipient_limit_per_day":                       limit("RecipientLimitPerDay", "Recipients a user may send to per day"),
			"action_when_threshold_reached": schema.StringAttribute{
				MarkdownDescription: "What happens when a limit is reached (`-ActionWhenThresholdReached`): " + quoteList(actionsWhenThresholdReached) + "; default `BlockUserForToday`." + unmanaged,
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators:    []validator.String{stringvalidator.OneOf(actionsWhenThresholdReached...)},
			},
			"timeouts": common.TimeoutsAttribute(),
		},
	}
}

func (r *outboundPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// outboundPolicyModelFrom turns the service's policy into a model; prior
// (plan or state, may be nil) keeps the user's spelling of the name and the
// addresses, which Exchange compares without regard to case.
func outboundPolicyModelFrom(ctx context.Context, p *exchange.OutboundSpamPolicy, prior *outboundPolicyModel) *outboundPolicyModel {
	m := &outboundPolicyModel{
		ID:                         types.StringValue(p.Name),
		Name:                       types.StringValue(p.Name),
		IsDefault:                  types.BoolValue(p.IsDefault),
		AutoForwardingMode:         types.StringValue(canonicalEnum(autoForwardingModes, p.AutoForwardingMode)),
		NotifyOutboundSpam:         types.BoolValue(p.NotifyOutboundSpam),
		NotifyRecipients:           common.StringSet(p.NotifyOutboundSpamRecipients),
		BccSuspiciousOutboundMail:  types.BoolValue(p.BccSuspiciousOutboundMail),
		BccRecipients:              common.StringSet(p.BccSuspiciousOutboundAdditionalRecipients),
		RecipientLimitExternalHour: types.Int64Value(p.RecipientLimitExternalPerHour),
		RecipientLimitInternalHour: types.Int64Value(p.RecipientLimitInternalPerHour),
		RecipientLimitPerDay:       types.Int64Value(p.RecipientLimitPerDay),
		ActionWhenThresholdReached: types.StringValue(canonicalEnum(actionsWhenThresholdReached, p.ActionWhenThresholdReached)),
		Timeouts:                   common.KeepTimeouts(nil),
	}
	if prior != nil {
		m.Timeouts = common.KeepTimeouts(&prior.Timeouts)
		m.Name = common.FoldKeepString(prior.Name, m.Name)
		m.NotifyRecipients = common.FoldKeepSet(ctx, prior.NotifyRecipients, m.NotifyRecipients)
		m.BccRecipients = common.FoldKeepSet(ctx, prior.BccRecipients, m.BccRecipients)
	}
	return m
}

// changes returns the Set-HostedOutboundSpamFilterPolicy parameters that
// move cur (nil: a new policy with the service defaults) to the plan.
func (m outboundPolicyModel) changes(ctx context.Context, cur *outboundPolicyModel, diags *diag.Diagnostics) map[string]any {
	p := map[string]any{}
	str := func(param string, want types.String, have func() string) {
		if known(want) && (cur == nil || !strings.EqualFold(want.ValueString(), have())) {
			p[param] = want.ValueString()
		}
	}
	bl := func(param string, want types.Bool, have func() bool) {
		if known(want) && (cur == nil || want.ValueBool() != have()) {
			p[param] = want.ValueBool()
		}
	}
	num := func(param string, want types.Int64, have func() int64) {
		if known(want) && (cur == nil || want.ValueInt64() != have()) {
			p[param] = want.ValueInt64()
		}
	}
	list := func(param string, want types.Set, have func() types.Set) {
		if !known(want) {
			return
		}
		w := stringsOf(ctx, want, diags)
		if cur == nil || !sameFold(w, stringsOf(ctx, have(), diags)) {
			if w == nil {
				w = []string{}
			}
			p[param] = w
		}
	}
	str("AutoForwardingMode", m.AutoForwardingMode, func() string { return cur.AutoForwardingMode.ValueString() })
	str("ActionWhenThresholdReached", m.ActionWhenThresholdReached, func() string { return cur.ActionWhenThresholdReached.ValueString() })
	bl("NotifyOutboundSpam", m.NotifyOutboundSpam, func() bool { return cur.NotifyOutboundSpam.ValueBool() })
	bl("BccSuspiciousOutboundMail", m.BccSuspiciousOutboundMail, func() bool { return cur.BccSuspiciousOutboundMail.ValueBool() })
	num("RecipientLimitExternalPerHour", m.RecipientLimitExternalHour, func() int64 { return cur.RecipientLimitExternalHour.ValueInt64() })
	num("RecipientLimitInternalPerHour", m.RecipientLimitInternalHour, func() int64 { return cur.RecipientLimitInternalHour.ValueInt64() })
	num("RecipientLimitPerDay", m.RecipientLimitPerDay, func() int64 { return cur.RecipientLimitPerDay.ValueInt64() })
	list("NotifyOutboundSpamRecipients", m.NotifyRecipients, func() types.Set { return cur.NotifyRecipients })
	list("BccSuspiciousOutboundAdditionalRecipients", m.BccRecipients, func() types.Set { return cur.BccRecipients })
	return p
}

func (r *outboundPolicyResource) read(ctx context.Context, name string, prior *outboundPolicyModel) (*outboundPolicyModel, error) {
	p, err := r.clients.Exchange.GetOutboundSpamPolicy(ctx, name)
	if err != nil {
		return nil, err
	}
	return outboundPolicyModelFrom(ctx, p, prior), nil
}

// settle waits until the policy is readable and matches the plan.
func (r *outboundPolicyResource) settle(ctx context.Context, plan outboundPolicyModel, diags *diag.Diagnostics) (*outboundPolicyModel, error) {
	name := plan.Name.ValueString()
	var got *outboundPolicyModel
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.read(ctx, name, &plan)
		if exchange.IsNotFound(err) {
			return wait.NotYet("outbound spam filter policy %s is not readable yet", name)
		}
		if err != nil {
			return err
		}
		got = m
		if left := plan.changes(ctx, m, diags); len(left) > 0 {
			return wait.NotYet("outbound spam filter policy %s still differs in %d settings", name, len(left))
		}
		return nil
	})
	return got, err
}

func (r *outboundPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan outboundPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "create", &resp.Diagnostics)
	name := plan.Name.ValueString()
	var err error
	if strings.EqualFold(name, defaultOutboundPolicy) {
		var cur *outboundPolicyModel
		cur, err = r.read(ctx, defaultOutboundPolicy, &plan)
		if err == nil {
			if p := plan.changes(ctx, cur, &resp.Diagnostics); len(p) > 0 {
				err = r.clients.Exchange.SetOutboundSpamPolicy(ctx, defaultOutboundPolicy, p)
			}
		}
	} else {
		params := plan.changes(ctx, nil, &resp.Diagnostics)
		common.SafeCreate[outboundPolicyModel]{
			What: "outbound spam filter policy", Name: name,
			New: func(ctx context.Context) (string, error) {
				return name, r.clients.Exchange.NewOutboundSpamPolicy(ctx, name, params)
			},
			Find: func(ctx context.Context) (string, string, error) {
				cur, err := r.read(ctx, name, &plan)
				return common.Found(name, err, func() map[string]any { return plan.changes(ctx, cur, new(diag.Diagnostics)) })
			},
			SetID: func(m *outboundPolicyModel, id string) { m.ID = types.StringValue(id) },
			Finish: func(ctx context.Context, plan outboundPolicyModel) (*outboundPolicyModel, error) {
				return r.settle(ctx, plan, &resp.Diagnostics)
			},
		}.Run(ctx, plan, &resp.State, &resp.Diagnostics)
		return
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Creating outbound spam filter policy %q failed", name), err)
		return
	}
	got, err := r.settle(ctx, plan, &resp.Diagnostics)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Outbound spam filter policy %q was written but does not read back as planned", name), err)
		if got != nil {
			resp.Diagnostics.Append(resp.State.Set(ctx, got)...)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, got)...)
}

func (r *outboundPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	common.ReadByID(ctx, r.clients, req, resp, "outbound spam filter policy", func(m outboundPolicyModel) string { return m.ID.ValueString() }, r.read)
}

func (r *outboundPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan outboundPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "update", &resp.Diagnostics)
	name := plan.Name.ValueString()
	cur, err := r.read(ctx, name, &plan)
	if err == nil {
		if p := plan.changes(ctx, cur, &resp.Diagnostics); len(p) > 0 {
			err = r.clients.Exchange.SetOutboundSpamPolicy(ctx, name, p)
		}
	}
	if err == nil {
		cur, err = r.settle(ctx, plan, &resp.Diagnostics)
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Updating outbound spam filter policy %q failed", name), err)
		if m, rerr := r.read(ctx, name, &plan); rerr == nil {
			resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, cur)...)
}

func (r *outboundPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var state outboundPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, state.Timeouts, "delete", &resp.Diagnostics)
	name := state.ID.ValueString()
	if strings.EqualFold(name, defaultOutboundPolicy) {
		resp.Diagnostics.AddWarning("Default outbound spam filter policy left in place",
			"m365harden_outbound_spam_filter_policy."+name+" was removed from Terraform state. The built-in Default policy can't be removed and its settings were not changed (auto_forwarding_mode stays as it is).")
		return
	}
	if err := r.clients.Exchange.RemoveOutboundSpamPolicy(ctx, name); err != nil && !exchange.IsNotFound(err) {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Removing outbound spam filter policy %q failed", name), err)
		return
	}
	if err := waitGone(ctx, r.clients.ConsistencyTimeout, "outbound spam filter policy "+name, func(ctx context.Context) error {
		_, err := r.clients.Exchange.GetOutboundSpamPolicy(ctx, name)
		return err
	}); err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Outbound spam filter policy %q was removed but still reads back", name), err)
	}
}

func (r *outboundPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportByRead(ctx, r.clients, req, resp, "outbound spam filter policy", "import by the policy's name, e.g. Default",
		func(ctx context.Context, name string) (*outboundPolicyModel, error) { return r.read(ctx, name, nil) })
}

type outboundPolicyModel struct {
	ID                         types.String   `tfsdk:"id"`
	Name                       types.String   `tfsdk:"name"`
	IsDefault                  types.Bool     `tfsdk:"is_default"`
	AutoForwardingMode         types.String   `tfsdk:"auto_forwarding_mode"`
	NotifyOutboundSpam         types.Bool     `tfsdk:"notify_outbound_spam"`
	NotifyRecipients           types.Set      `tfsdk:"notify_outbound_spam_recipients"`
	BccSuspiciousOutboundMail  types.Bool     `tfsdk:"bcc_suspicious_outbound_mail"`
	BccRecipients              types.Set      `tfsdk:"bcc_suspicious_outbound_additional_recipients"`
	RecipientLimitExternalHour types.Int64    `tfsdk:"recipient_limit_external_per_hour"`
	RecipientLimitInternalHour types.Int64    `tfsdk:"recipient_limit_internal_per_hour"`
	RecipientLimitPerDay       types.Int64    `tfsdk:"recipient_limit_per_day"`
	ActionWhenThresholdReached types.String   `tfsdk:"action_when_threshold_reached"`
	Timeouts                   timeouts.Value `tfsdk:"timeouts"`
}
