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

var (
	_ resource.ResourceWithConfigure      = &outboundRuleResource{}
	_ resource.ResourceWithImportState    = &outboundRuleResource{}
	_ resource.ResourceWithValidateConfig = &outboundRuleResource{}
	_ resource.ResourceWithModifyPlan     = &outboundRuleResource{}
)

// NewOutboundSpamFilterRuleResource returns m365harden_outbound_spam_filter_rule.
func NewOutboundSpamFilterRuleResource() resource.Resource { return &outboundRuleResource{} }

type outboundRuleResource struct {
	clients *clients.Set
}

// ruleConditions maps the condition attributes to their cmdlet parameters;
// recipient marks the RecipientIdParameter[] ones, which Exchange resolves
// and reports as the recipients' primary SMTP addresses.
var ruleConditions = []struct {
	attr, param string
	recipient   bool
}{
	{"from", "From", true},
	{"from_member_of", "FromMemberOf", true},
	{"sender_domain_is", "SenderDomainIs", false},
	{"except_if_from", "ExceptIfFrom", true},
	{"except_if_from_member_of", "ExceptIfFromMemberOf", true},
	{"except_if_sender_domain_is", "ExceptIfSenderDomainIs", false},
}

func (r *outboundRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_outbound_spam_filter_rule"
}

func (r *outboundRuleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	recipients := func(param, what, kinds string) schema.SetAttribute {
		return schema.SetAttribute{
			MarkdownDescription: fmt.Sprintf("%s (`-%s`): %s in the organization, by any value that identifies them (email address, alias, name or GUID). "+
				"Exchange resolves each to the recipient and reports its primary SMTP address; the configured spelling is kept as long as it names the same recipients, and a value that names nobody is refused at plan time. Leave out for none.", what, param, kinds),
			ElementType: types.StringType, Optional: true,
			PlanModifiers: []planmodifier.Set{common.FoldStateSet()},
			Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(
				stringvalidator.LengthBetween(1, 256),
				stringvalidator.RegexMatches(regexpNoEdgeSpaces, "must not start or end with a space"),
			)},
		}
	}
	domains := func(param, what string) schema.SetAttribute {
		return schema.SetAttribute{
			MarkdownDescription: fmt.Sprintf("%s (`-%s`), domains such as `contoso.com`, compared without regard to case. Leave out for none.", what, param),
			ElementType:         types.StringType, Optional: true,
			PlanModifiers: []planmodifier.Set{common.FoldStateSet()},
			Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(
				stringvalidator.RegexMatches(smtpDomainRe, "must be a domain such as contoso.com"),
			)},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An outbound spam filter rule (`New-/Set-HostedOutboundSpamFilterRule`): applies a custom outbound spam filter policy to senders, group members or sender domains. The usual hardening pattern is `auto_forwarding_mode = \"Off\"` on the Default policy and a custom policy with `On` that a rule scopes to the few senders allowed to forward.\n\n" +
			"Exchange's rules apply: a rule must use a custom policy (never `Default`), a policy can have only one rule, and priorities are contiguous from 0 (highest): creating or moving a rule to a priority shifts the other rules down. When several rules are declared with explicit priorities, create them in priority order (`depends_on`), because a priority above the current number of rules is refused. Destroy removes the rule (the policy stays).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The rule's name.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The rule's unique name (`-Name`, at most 64 characters). Names are compared without regard to case; changing it other than in case replaces the rule.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{common.FoldStateString(), stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 64), stringvalidator.RegexMatches(regexpNoEdgeSpaces, "must not start or end with a space")},
			},
			"policy": schema.StringAttribute{
				MarkdownDescription: "The name of the custom outbound spam filter policy the rule applies (`-HostedOutboundSpamFilterPolicy`); not `Default`. Compared without regard to case (the configured spelling is kept).",
				Required:            true,
				PlanModifiers:       []planmodifier.String{common.FoldStateString()},
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 64), stringvalidator.NoneOfCaseInsensitive(defaultOutboundPolicy)},
			},
			"priority": schema.Int64Attribute{
				MarkdownDescription: "The rule's priority (`-Priority`): 0 is the highest; rules can't share a value. Unset: a new rule goes last and the priority is read but not managed.",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
				Validators:    []validator.Int64{int64validator.AtLeast(0)},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the rule is enabled (`State`; set with `Enable-`/`Disable-HostedOutboundSpamFilterRule`). Default `true`.",
				Optional:            true, Computed: true,
				Default: booldefault.StaticBool(true),
			},
			"comments": schema.StringAttribute{
				MarkdownDescription: "Free-text comments (`-Comments`, at most 1024 characters).",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 1024)},
			},
			"from":                       recipients("From", "Senders the rule applies to", "mailboxes"),
			"from_member_of":             recipients("FromMemberOf", "Groups whose members the rule applies to", "distribution groups, mail-enabled security groups or Microsoft 365 Groups"),
			"sender_domain_is":           domains("SenderDomainIs", "Sender domains the rule applies to"),
			"except_if_from":             recipients("ExceptIfFrom", "Senders excepted from the rule", "mailboxes"),
			"except_if_from_member_of":   recipients("ExceptIfFromMemberOf", "Groups whose members are excepted", "distribution groups, mail-enabled security groups or Microsoft 365 Groups"),
			"except_if_sender_domain_is": domains("ExceptIfSenderDomainIs", "Sender domains excepted from the rule"),

			"timeouts": common.TimeoutsAttribute(),
		},
	}
}

func (r *outboundRuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m outboundRuleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, s := range []types.Set{m.From, m.FromMemberOf, m.SenderDomainIs} {
		if !s.IsNull() {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(path.Root("from"), "Rule without a condition",
		"An outbound spam filter rule needs at least one of from, from_member_of or sender_domain_is; the Default policy already covers everyone else.")
}

func (r *outboundRuleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func outboundRuleModelFrom(x *exchange.OutboundSpamRule) *outboundRuleModel {
	m := &outboundRuleModel{
		ID:                     types.StringValue(x.Name),
		Name:                   types.StringValue(x.Name),
		Policy:                 types.StringValue(x.HostedOutboundSpamFilterPolicy),
		Priority:               types.Int64Value(x.Priority),
		Enabled:                types.BoolValue(x.Enabled),
		Comments:               types.StringNull(),
		From:                   nullableStringSet(x.From),
		FromMemberOf:           nullableStringSet(x.FromMemberOf),
		SenderDomainIs:         nullableStringSet(x.SenderDomainIs),
		ExceptIfFrom:           nullableStringSet(x.ExceptIfFrom),
		ExceptIfFromMemberOf:   nullableStringSet(x.ExceptIfFromMemberOf),
		ExceptIfSenderDomainIs: nullableStringSet(x.ExceptIfSenderDomainIs),
	}
	if x.Comments != "" {
		m.Comments = types.StringValue(x.Comments)
	}
	return m
}

func (m *outboundRuleModel) conditions() []types.Set {
	return []types.Set{m.From, m.FromMemberOf, m.SenderDomainIs, m.ExceptIfFrom, m.ExceptIfFromMemberOf, m.ExceptIfSenderDomainIs}
}

func (m *outboundRuleModel) conditionFields() []*types.Set {
	return []*types.Set{&m.From, &m.FromMemberOf, &m.SenderDomainIs, &m.ExceptIfFrom, &m.ExceptIfFromMemberOf, &m.ExceptIfSenderDomainIs}
}

// keepSpelling keeps prior's values (the plan or state) where the tenant
// holds the same thing in another spelling: names and domains in another
// case, recipients by another identity. The recipients are compared by
// resolving prior's spellings (Get-Recipient).
func (m *outboundRuleModel) keepSpelling(ctx context.Context, res *common.RecipientResolver, prior *outboundRuleModel) error {
	m.Name = common.FoldKeepString(prior.Name, m.Name)
	m.Policy = common.FoldKeepString(prior.Policy, m.Policy)
	have, was := m.conditionFields(), prior.conditionFields()
	for i, c := range ruleConditions {
		if !c.recipient {
			*have[i] = common.FoldKeepSet(ctx, *was[i], *have[i])
			continue
		}
		p, ok1 := common.SetStrings(ctx, *was[i])
		g, ok2 := common.SetStrings(ctx, *have[i])
		if !ok1 || !ok2 {
			continue
		}
		same, err := res.Same(ctx, p, g, true)
		if err != nil {
			return fmt.Errorf("resolving %s: %w", c.param, err)
		}
		if same {
			*have[i] = *was[i]
		}
	}
	return nil
}

// changes returns the Set-HostedOutboundSpamFilterRule parameters that move
// cur to the plan (everything the plan sets when cur is nil).
func (m outboundRuleModel) changes(ctx context.Context, cur *outboundRuleModel, diags *diag.Diagnostics) map[string]any {
	p := map[string]any{}
	if cur == nil || !strings.EqualFold(m.Policy.ValueString(), cur.Policy.ValueString()) {
		p["HostedOutboundSpamFilterPolicy"] = m.Policy.ValueString()
	}
	if known(m.Priority) && (cur == nil || m.Priority.ValueInt64() != cur.Priority.ValueInt64()) {
		p["Priority"] = m.Priority.ValueInt64()
	}
	if cur == nil || m.Comments.ValueString() != cur.Comments.ValueString() {
		if cur != nil || m.Comments.ValueString() != "" {
			p["Comments"] = m.Comments.ValueString()
		}
	}
	want := m.conditions()
	var have []types.Set
	if cur != nil {
		have = cur.conditions()
	}
	for i, c := range ruleConditions {
		w := stringsOf(ctx, want[i], diags)
		if cur == nil {
			if len(w) > 0 {
				p[c.param] = w
			}
			continue
		}
		if !sameFold(w, stringsOf(ctx, have[i], diags)) {
			if w == nil {
				p[c.param] = nil
			} else {
				p[c.param] = w
			}
		}
	}
	return p
}

// read fetches the rule; prior (plan or state, may be nil) keeps the
// user's spelling of values the tenant holds in another form.
func (r *outboundRuleResource) read(ctx context.Context, name string, prior *outboundRuleModel, res *common.RecipientResolver) (*outboundRuleModel, error) {
	x, err := r.clients.Exchange.GetOutboundSpamRule(ctx, name)
	if err != nil {
		return nil, err
	}
	m := outboundRuleModelFrom(x)
	m.Timeouts = common.KeepTimeouts(nil)
	if prior != nil {
		m.Timeouts = common.KeepTimeouts(&prior.Timeouts)
		if err := m.keepSpelling(ctx, res, prior); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// ModifyPlan resolves the recipient conditions at plan time: a value that
// names nobody in the tenant is refused (Exchange refuses it at apply), and
// a configuration that names the same recipients as the state in another
// way (an alias for the address the tenant reports, after an import) plans
// no change. Terraform accepts the prior state as the plan in place of an
// equivalent configuration value.
func (r *outboundRuleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_outbound_spam_filter_rule", "name", "outbound spam filter rule")
	common.ClaimRulePolicy(ctx, r.clients, req, resp, "m365harden_outbound_spam_filter_rule", "policy", "outbound spam filter policy")
	if req.Plan.Raw.IsNull() || r.clients == nil {
		return
	}
	var cfg, plan outboundRuleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *outboundRuleModel
	if !req.State.Raw.IsNull() {
		state = &outboundRuleModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	res := common.NewRecipientResolver(r.clients.Exchange)
	conf := cfg.conditionFields()
	for i, c := range ruleConditions {
		if !c.recipient {
			continue
		}
		want, ok := common.SetStrings(ctx, *conf[i])
		if !ok {
			continue
		}
		for _, v := range want {
			rec, err := res.Resolve(ctx, v)
			if err != nil {
				if exchange.IsForbidden(err) {
					// Without a recipient-reading role the check is left to
					// Exchange at apply time.
					return
				}
				common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Resolving %s %q failed", c.attr, v), err)
				return
			}
			if rec == nil {
				resp.Diagnostics.AddAttributeError(path.Root(c.attr), "Recipient not found",
					fmt.Sprintf("%q does not name a recipient in the tenant. Exchange refuses rule conditions that name nobody; use an existing recipient's email address, alias, name or GUID.", v))
			}
		}
		if state == nil {
			continue
		}
		have, ok := common.SetStrings(ctx, *state.conditionFields()[i])
		if !ok || conf[i].Equal(*state.conditionFields()[i]) {
			continue
		}
		same, err := res.Same(ctx, want, have, false)
		if err != nil {
			common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Resolving %s failed", c.attr), err)
			return
		}
		if same {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(c.attr), *state.conditionFields()[i])...)
		}
	}
}

// converge writes what differs (Set, then Enable/Disable) and waits until
// reads show the plan.
func (r *outboundRuleResource) converge(ctx context.Context, plan outboundRuleModel, diags *diag.Diagnostics) (*outboundRuleModel, error) {
	name := plan.Name.ValueString()
	res := common.NewRecipientResolver(r.clients.Exchange)
	var got *outboundRuleModel
	wrote := false
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.read(ctx, name, &plan, res)
		if exchange.IsNotFound(err) {
			return wait.NotYet("outbound spam filter rule %s is not readable yet", name)
		}
		if err != nil {
			return err
		}
		got = m
		p := plan.changes(ctx, m, diags)
		enable := plan.Enabled.ValueBool() != m.Enabled.ValueBool()
		if len(p) == 0 && !enable {
			return nil
		}
		if wrote {
			return wait.NotYet("outbound spam filter rule %s does not show the change yet", name)
		}
		wrote = true
		if len(p) > 0 {
			if err := r.clients.Exchange.SetOutboundSpamRule(ctx, name, p); err != nil {
				return err
			}
		}
		if enable {
			if err := r.clients.Exchange.SetOutboundSpamRuleEnabled(ctx, name, plan.Enabled.ValueBool()); err != nil {
				return err
			}
		}
		return wait.NotYet("outbound spam filter rule %s was just changed", name)
	})
	return got, err
}

func (r *outboundRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan outboundRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "create", &resp.Diagnostics)
	name := plan.Name.ValueString()
	params := plan.changes(ctx, nil, &resp.Diagnostics)
	params["Name"] = name
	params["Enabled"] = plan.Enabled.ValueBool()
	common.SafeCreate[outboundRuleModel]{
		What: "outbound spam filter rule", Name: name,
		New: func(ctx context.Context) (string, error) {
			return name, r.clients.Exchange.NewOutboundSpamRule(ctx, params)
		},
		Find: func(ctx context.Context) (string, string, error) {
			cur, err := r.read(ctx, name, &plan, common.NewRecipientResolver(r.clients.Exchange))
			return common.Found(name, err, func() map[string]any { return plan.changes(ctx, cur, new(diag.Diagnostics)) })
		},
		SetID: func(m *outboundRuleModel, id string) { m.ID = types.StringValue(id) },
		Finish: func(ctx context.Context, plan outboundRuleModel) (*outboundRuleModel, error) {
			return r.converge(ctx, plan, &resp.Diagnostics)
		},
	}.Run(ctx, plan, &resp.State, &resp.Diagnostics)
}

func (r *outboundRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	common.ReadByID(ctx, r.clients, req, resp, "outbound spam filter rule", func(m outboundRuleModel) string { return m.ID.ValueString() },
		func(ctx context.Context, name string, prior *outboundRuleModel) (*outboundRuleModel, error) {
			return r.read(ctx, name, prior, common.NewRecipientResolver(r.clients.Exchange))
		})
}

func (r *outboundRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan outboundRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "update", &resp.Diagnostics)
	got, err := r.converge(ctx, plan, &resp.Diagnostics)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Updating outbound spam filter rule %q failed", plan.Name.ValueString()), err)
		if m, rerr := r.read(ctx, plan.Name.ValueString(), &plan, common.NewRecipientResolver(r.clients.Exchange)); rerr == nil {
			resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, got)...)
}

func (r *outboundRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var state outboundRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, state.Timeouts, "delete", &resp.Diagnostics)
	name := state.ID.ValueString()
	if err := r.clients.Exchange.RemoveOutboundSpamRule(ctx, name); err != nil && !exchange.IsNotFound(err) {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Removing outbound spam filter rule %q failed", name), err)
		return
	}
	if err := waitGone(ctx, r.clients.ConsistencyTimeout, "outbound spam filter rule "+name, func(ctx context.Context) error {
		_, err := r.clients.Exchange.GetOutboundSpamRule(ctx, name)
		return err
	}); err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Outbound spam filter rule %q was removed but still reads back", name), err)
	}
}

func (r *outboundRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportByRead(ctx, r.clients, req, resp, "outbound spam filter rule", "import by the rule's name",
		func(ctx context.Context, name string) (*outboundRuleModel, error) { return r.read(ctx, name, nil, nil) })
}

type outboundRuleModel struct {
	ID                     types.String   `tfsdk:"id"`
	Name                   types.String   `tfsdk:"name"`
	Policy                 types.String   `tfsdk:"policy"`
	Priority               types.Int64    `tfsdk:"priority"`
	Enabled                types.Bool     `tfsdk:"enabled"`
	Comments               types.String   `tfsdk:"comments"`
	From                   types.Set      `tfsdk:"from"`
	FromMemberOf           types.Set      `tfsdk:"from_member_of"`
	SenderDomainIs         types.Set      `tfsdk:"sender_domain_is"`
	ExceptIfFrom           types.Set      `tfsdk:"except_if_from"`
	ExceptIfFromMemberOf   types.Set      `tfsdk:"except_if_from_member_of"`
	ExceptIfSenderDomainIs types.Set      `tfsdk:"except_if_sender_domain_is"`
	Timeouts               timeouts.Value `tfsdk:"timeouts"`
}
