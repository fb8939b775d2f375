package defender

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
	_ resource.ResourceWithConfigure      = &policyRuleResource{}
	_ resource.ResourceWithImportState    = &policyRuleResource{}
	_ resource.ResourceWithValidateConfig = &policyRuleResource{}
	_ resource.ResourceWithModifyPlan     = &policyRuleResource{}
)

// ruleKind is one family of rules that assign a threat-protection policy
// to recipients: the cmdlets New/Set/Get/Remove/Enable/Disable-<noun> with
// the policy in -<policyParam>.
type ruleKind struct {
	typeSuffix  string // "anti_phish_rule"
	noun        string // "AntiPhishRule"
	policyParam string // "AntiPhishPolicy"
	what        string // "anti-phishing rule"
	policyType  string // "m365harden_anti_phish_policy"
	// refused are policy names a rule can't use (the built-in policies).
	refused []string
	// intro opens the type's description.
	intro string
	// explain adds what a refusal usually means (licences); nil for none.
	explain func(error) error
}

func (k ruleKind) explainErr(err error) error {
	if k.explain == nil {
		return err
	}
	return k.explain(err)
}

// NewAntiPhishRuleResource returns m365harden_anti_phish_rule.
func NewAntiPhishRuleResource() resource.Resource {
	return &policyRuleResource{kind: ruleKind{
		typeSuffix: "anti_phish_rule", noun: "AntiPhishRule", policyParam: "AntiPhishPolicy", what: "anti-phishing rule",
		policyType: "m365harden_anti_phish_policy", refused: []string{defaultAntiPhishPolicy},
		intro: "An anti-phishing rule (`New-/Set-AntiPhishRule`): applies a custom anti-phishing policy (`m365harden_anti_phish_policy`) to recipients, group members or recipient domains, e.g. stricter impersonation protection for executives (ScubaGear MS.DEFENDER.2.1 asks it for sensitive accounts in the preset policies).",
	}}
}

type policyRuleResource struct {
	kind    ruleKind
	clients *clients.Set
}

// ruleConditions maps the condition attributes to their cmdlet parameters;
// recipient marks the RecipientIdParameter[] ones, which Exchange resolves
// and reports as the recipients' primary SMTP addresses.
var ruleConditions = []struct {
	attr, param string
	recipient   bool
}{
	{"sent_to", "SentTo", true},
	{"sent_to_member_of", "SentToMemberOf", true},
	{"recipient_domain_is", "RecipientDomainIs", false},
	{"except_if_sent_to", "ExceptIfSentTo", true},
	{"except_if_sent_to_member_of", "ExceptIfSentToMemberOf", true},
	{"except_if_recipient_domain_is", "ExceptIfRecipientDomainIs", false},
}

func (r *policyRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.kind.typeSuffix
}

// conditionAttributes are the schema attributes of the six recipient
// conditions (ruleConditions); refusedWhen says when a recipient that names
// nobody is refused ("at plan time", "by Exchange at apply").
func conditionAttributes(refusedWhen string) map[string]schema.Attribute {
	recipients := func(param, what, kinds string) schema.SetAttribute {
		return schema.SetAttribute{
			MarkdownDescription: fmt.Sprintf("%s (`-%s`): %s in the organization, by any value that identifies them (email address, alias, name or GUID). "+
				"Exchange resolves each to the recipient and reports its primary SMTP address; the configured spelling is kept as long as it names the same recipients, and a value that names nobody is refused %s. Leave out for none.", what, param, kinds, refusedWhen),
			ElementType: types.StringType, Optional: true,
			PlanModifiers: []planmodifier.Set{common.FoldStateSet()},
			Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(
				stringvalidator.LengthBetween(1, 256),
				stringvalidator.RegexMatches(noEdgeSpacesRe, "must not start or end with a space"),
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
	return map[string]schema.Attribute{
		"sent_to":                       recipients("SentTo", "Recipients the rule applies to", "mailboxes and other recipients"),
		"sent_to_member_of":             recipients("SentToMemberOf", "Groups whose members the rule applies to", "distribution groups, mail-enabled security groups or Microsoft 365 Groups"),
		"recipient_domain_is":           domains("RecipientDomainIs", "Recipient domains the rule applies to"),
		"except_if_sent_to":             recipients("ExceptIfSentTo", "Recipients excepted from the rule", "mailboxes and other recipients"),
		"except_if_sent_to_member_of":   recipients("ExceptIfSentToMemberOf", "Groups whose members are excepted", "distribution groups, mail-enabled security groups or Microsoft 365 Groups"),
		"except_if_recipient_domain_is": domains("ExceptIfRecipientDomainIs", "Recipient domains excepted from the rule"),
	}
}

func (r *policyRuleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: r.kind.intro + "\n\n" +
			"Exchange's rules apply: a rule must use a custom policy (never " + common.QuoteList(r.kind.refused) + "), a policy can have only one rule, and priorities are contiguous from 0 (highest): creating or moving a rule to a priority shifts the other rules down. When several rules are declared with explicit priorities, create them in priority order (`depends_on`). Destroy removes the rule (the policy stays).",
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
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 64), stringvalidator.RegexMatches(noEdgeSpacesRe, "must not start or end with a space")},
			},
			"policy": schema.StringAttribute{
				MarkdownDescription: "The name of the custom policy the rule applies (`-" + r.kind.policyParam + "`, a `" + r.kind.policyType + "`); not " + common.QuoteList(r.kind.refused) + ". Compared without regard to case (the configured spelling is kept).",
				Required:            true,
				PlanModifiers:       []planmodifier.String{common.FoldStateString()},
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 64), stringvalidator.NoneOfCaseInsensitive(r.kind.refused...)},
			},
			"priority": schema.Int64Attribute{
				MarkdownDescription: "The rule's priority (`-Priority`): 0 is the highest; rules can't share a value. Unset: a new rule goes last and the priority is read but not managed.",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
				Validators:    []validator.Int64{int64validator.AtLeast(0)},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the rule is enabled (`State`; set with `Enable-`/`Disable-" + r.kind.noun + "`). Default `true`.",
				Optional:            true, Computed: true,
				Default: booldefault.StaticBool(true),
			},
			"comments": schema.StringAttribute{
				MarkdownDescription: "Free-text comments (`-Comments`, at most 1024 characters).",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 1024)},
			},
			"timeouts": common.TimeoutsAttribute(),
		},
	}
	for k, v := range conditionAttributes("at plan time") {
		resp.Schema.Attributes[k] = v
	}
}

func (r *policyRuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m policyRuleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, s := range []types.Set{m.SentTo, m.SentToMemberOf, m.RecipientDomainIs} {
		if !s.IsNull() {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(path.Root("sent_to"), "Rule without a condition",
		"A rule needs at least one of sent_to, sent_to_member_of or recipient_domain_is; "+common.QuoteList(r.kind.refused)+" already covers everyone else.")
}

func (r *policyRuleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func policyRuleModelFrom(x *exchange.PolicyRule) *policyRuleModel {
	m := &policyRuleModel{
		ID:                        types.StringValue(x.Name),
		Name:                      types.StringValue(x.Name),
		Policy:                    types.StringValue(x.Policy),
		Priority:                  types.Int64Value(x.Priority),
		Enabled:                   types.BoolValue(x.Enabled),
		Comments:                  types.StringNull(),
		SentTo:                    nullableStringSet(x.SentTo),
		SentToMemberOf:            nullableStringSet(x.SentToMemberOf),
		RecipientDomainIs:         nullableStringSet(x.RecipientDomainIs),
		ExceptIfSentTo:            nullableStringSet(x.ExceptIfSentTo),
		ExceptIfSentToMemberOf:    nullableStringSet(x.ExceptIfSentToMemberOf),
		ExceptIfRecipientDomainIs: nullableStringSet(x.ExceptIfRecipientDomainIs),
	}
	if x.Comments != "" {
		m.Comments = types.StringValue(x.Comments)
	}
	return m
}

func (m *policyRuleModel) conditions() []types.Set {
	return []types.Set{m.SentTo, m.SentToMemberOf, m.RecipientDomainIs, m.ExceptIfSentTo, m.ExceptIfSentToMemberOf, m.ExceptIfRecipientDomainIs}
}

func (m *policyRuleModel) conditionFields() []*types.Set {
	return []*types.Set{&m.SentTo, &m.SentToMemberOf, &m.RecipientDomainIs, &m.ExceptIfSentTo, &m.ExceptIfSentToMemberOf, &m.ExceptIfRecipientDomainIs}
}

// keepSpelling keeps prior's values (the plan or state) where the tenant
// holds the same thing in another spelling: names and domains in another
// case, recipients by another identity. The recipients are compared by
// resolving prior's spellings (Get-Recipient).
func (m *policyRuleModel) keepSpelling(ctx context.Context, res *common.RecipientResolver, prior *policyRuleModel) error {
	m.Name = common.FoldKeepString(prior.Name, m.Name)
	m.Policy = common.FoldKeepString(prior.Policy, m.Policy)
	return keepConditionSpelling(ctx, res, m.conditionFields(), prior.conditionFields())
}

// keepConditionSpelling sets each condition in have to its value in was
// (both in ruleConditions order) where they name the same domains or
// recipients.
func keepConditionSpelling(ctx context.Context, res *common.RecipientResolver, have, was []*types.Set) error {
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

// changes returns the Set-<noun> parameters that move cur to the plan
// (everything the plan sets when cur is nil); policyParam names the
// policy parameter.
func (m policyRuleModel) changes(ctx context.Context, policyParam string, cur *policyRuleModel, diags *diag.Diagnostics) map[string]any {
	p := map[string]any{}
	if cur == nil || !strings.EqualFold(m.Policy.ValueString(), cur.Policy.ValueString()) {
		p[policyParam] = m.Policy.ValueString()
	}
	if common.Known(m.Priority) && (cur == nil || m.Priority.ValueInt64() != cur.Priority.ValueInt64()) {
		p["Priority"] = m.Priority.ValueInt64()
	}
	if cur == nil || m.Comments.ValueString() != cur.Comments.ValueString() {
		if cur != nil || m.Comments.ValueString() != "" {
			p["Comments"] = m.Comments.ValueString()
		}
	}
	var have []types.Set
	if cur != nil {
		have = cur.conditions()
	}
	conditionChanges(ctx, p, m.conditions(), have, diags)
	return p
}

// conditionChanges adds to p the condition parameters that move have (nil
// when creating) to want, both in ruleConditions order.
func conditionChanges(ctx context.Context, p map[string]any, want, have []types.Set, diags *diag.Diagnostics) {
	for i, c := range ruleConditions {
		w := stringsOf(ctx, want[i], diags)
		if have == nil {
			if len(w) > 0 {
				p[c.param] = w
			}
			continue
		}
		if !common.FoldSame(w, stringsOf(ctx, have[i], diags)) {
			if w == nil {
				p[c.param] = nil
			} else {
				p[c.param] = w
			}
		}
	}
}

// read fetches the rule; prior (plan or state, may be nil) keeps the
// user's spelling of values the tenant holds in another form.
func (r *policyRuleResource) read(ctx context.Context, name string, prior *policyRuleModel, res *common.RecipientResolver) (*policyRuleModel, error) {
	x, err := r.clients.Exchange.GetPolicyRule(ctx, r.kind.noun, r.kind.policyParam, name)
	if err != nil {
		return nil, err
	}
	m := policyRuleModelFrom(x)
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
func (r *policyRuleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.claimRule(ctx, req, resp)
	if req.Plan.Raw.IsNull() || r.clients == nil {
		return
	}
	var cfg, plan policyRuleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *policyRuleModel
	if !req.State.Raw.IsNull() {
		state = &policyRuleModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	var was []*types.Set
	if state != nil {
		was = state.conditionFields()
	}
	planConditions(ctx, common.NewRecipientResolver(r.clients.Exchange), cfg.conditionFields(), was, path.Empty(), resp)
}

// planConditions checks the configured recipient conditions conf at plan
// time (a value that names nobody is an error) and, where the state's
// conditions was (nil when creating) name the same recipients in another
// spelling, plans the state's value. at is the conditions' parent path.
func planConditions(ctx context.Context, res *common.RecipientResolver, conf, was []*types.Set, at path.Path, resp *resource.ModifyPlanResponse) {
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
				resp.Diagnostics.AddAttributeError(at.AtName(c.attr), "Recipient not found",
					fmt.Sprintf("%q does not name a recipient in the tenant. Exchange refuses rule conditions that name nobody; use an existing recipient's email address, alias, name or GUID.", v))
			}
		}
		if was == nil {
			continue
		}
		have, ok := common.SetStrings(ctx, *was[i])
		if !ok || conf[i].Equal(*was[i]) {
			continue
		}
		same, err := res.Same(ctx, want, have, false)
		if err != nil {
			common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Resolving %s failed", c.attr), err)
			return
		}
		if same {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, at.AtName(c.attr), *was[i])...)
		}
	}
}

// converge writes what differs (Set, then Enable/Disable) and waits until
// reads show the plan.
func (r *policyRuleResource) converge(ctx context.Context, plan policyRuleModel, diags *diag.Diagnostics) (*policyRuleModel, error) {
	name := plan.Name.ValueString()
	res := common.NewRecipientResolver(r.clients.Exchange)
	var got *policyRuleModel
	wrote := false
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.read(ctx, name, &plan, res)
		if exchange.IsNotFound(err) {
			return wait.NotYet("%s %s is not readable yet", r.kind.what, name)
		}
		if err != nil {
			return err
		}
		got = m
		p := plan.changes(ctx, r.kind.policyParam, m, diags)
		enable := plan.Enabled.ValueBool() != m.Enabled.ValueBool()
		if len(p) == 0 && !enable {
			return nil
		}
		if wrote {
			return wait.NotYet("%s %s does not show the change yet", r.kind.what, name)
		}
		wrote = true
		if len(p) > 0 {
			if err := r.clients.Exchange.SetPolicyRule(ctx, r.kind.noun, name, p); err != nil {
				return err
			}
		}
		if enable {
			if err := r.clients.Exchange.SetPolicyRuleEnabled(ctx, r.kind.noun, name, plan.Enabled.ValueBool()); err != nil {
				return err
			}
		}
		return wait.NotYet("%s %s was just changed", r.kind.what, name)
	})
	return got, err
}

func (r *policyRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan policyRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "create", &resp.Diagnostics)
	name := plan.Name.ValueString()
	params := plan.changes(ctx, r.kind.policyParam, nil, &resp.Diagnostics)
	params["Name"] = name
	params["Enabled"] = plan.Enabled.ValueBool()
	common.SafeCreate[policyRuleModel]{
		What: r.kind.what, Name: name,
		New: func(ctx context.Context) (string, error) {
			return name, r.kind.explainErr(r.clients.Exchange.NewPolicyRule(ctx, r.kind.noun, params))
		},
		Find: func(ctx context.Context) (string, string, error) {
			cur, err := r.read(ctx, name, &plan, common.NewRecipientResolver(r.clients.Exchange))
			return common.Found(name, err, func() map[string]any { return plan.changes(ctx, r.kind.policyParam, cur, new(diag.Diagnostics)) })
		},
		SetID: func(m *policyRuleModel, id string) { m.ID = types.StringValue(id) },
		Finish: func(ctx context.Context, m policyRuleModel) (*policyRuleModel, error) {
			return r.converge(ctx, m, &resp.Diagnostics)
		},
	}.Run(ctx, plan, &resp.State, &resp.Diagnostics)
}

func (r *policyRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	common.ReadByID(ctx, r.clients, req, resp, r.kind.what, func(m policyRuleModel) string { return m.ID.ValueString() },
		func(ctx context.Context, name string, prior *policyRuleModel) (*policyRuleModel, error) {
			return r.read(ctx, name, prior, common.NewRecipientResolver(r.clients.Exchange))
		})
}

func (r *policyRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan policyRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "update", &resp.Diagnostics)
	got, err := r.converge(ctx, plan, &resp.Diagnostics)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Updating %s %q failed", r.kind.what, plan.Name.ValueString()), r.kind.explainErr(err))
		if m, rerr := r.read(ctx, plan.Name.ValueString(), &plan, common.NewRecipientResolver(r.clients.Exchange)); rerr == nil {
			resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, got)...)
}

func (r *policyRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var state policyRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, state.Timeouts, "delete", &resp.Diagnostics)
	name := state.ID.ValueString()
	if err := r.clients.Exchange.RemovePolicyRule(ctx, r.kind.noun, name); err != nil && !exchange.IsNotFound(err) {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Removing %s %q failed", r.kind.what, name), err)
		return
	}
	if err := waitGone(ctx, r.clients.ConsistencyTimeout, r.kind.what+" "+name, func(ctx context.Context) error {
		_, err := r.clients.Exchange.GetPolicyRule(ctx, r.kind.noun, r.kind.policyParam, name)
		return err
	}); err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("%s %q was removed but still reads back", r.kind.what, name), err)
	}
}

func (r *policyRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportByRead(ctx, r.clients, req, resp, r.kind.what, "import by the rule's name",
		func(ctx context.Context, name string) (*policyRuleModel, error) {
			return r.read(ctx, name, nil, nil)
		})
}

type policyRuleModel struct {
	ID                        types.String   `tfsdk:"id"`
	Name                      types.String   `tfsdk:"name"`
	Policy                    types.String   `tfsdk:"policy"`
	Priority                  types.Int64    `tfsdk:"priority"`
	Enabled                   types.Bool     `tfsdk:"enabled"`
	Comments                  types.String   `tfsdk:"comments"`
	SentTo                    types.Set      `tfsdk:"sent_to"`
	SentToMemberOf            types.Set      `tfsdk:"sent_to_member_of"`
	RecipientDomainIs         types.Set      `tfsdk:"recipient_domain_is"`
	ExceptIfSentTo            types.Set      `tfsdk:"except_if_sent_to"`
	ExceptIfSentToMemberOf    types.Set      `tfsdk:"except_if_sent_to_member_of"`
	ExceptIfRecipientDomainIs types.Set      `tfsdk:"except_if_recipient_domain_is"`
	Timeouts                  timeouts.Value `tfsdk:"timeouts"`
}
