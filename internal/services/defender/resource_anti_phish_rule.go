package defender

import (
	"context"
	"fmt"
	"strings"

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
	_ resource.ResourceWithConfigure      = &antiPhishRuleResource{}
	_ resource.ResourceWithImportState    = &antiPhishRuleResource{}
	_ resource.ResourceWithValidateConfig = &antiPhishRuleResource{}
	_ resource.ResourceWithModifyPlan     = &antiPhishRuleResource{}
)

// NewAntiPhishRuleResource returns m365harden_anti_phish_rule.
func NewAntiPhishRuleResource() resource.Resource { return &antiPhishRuleResource{} }

type antiPhishRuleResource struct {
	clients *clients.Set
}

// apRuleConditions maps the condition attributes to their cmdlet parameters;
// recipient marks the RecipientIdParameter[] ones, which Exchange resolves
// and reports as the recipients' primary SMTP addresses.
var apRuleConditions = []struct {
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

func (r *antiPhishRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_anti_phish_rule"
}

func (r *antiPhishRuleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	recipients := func(param, what, kinds string) schema.SetAttribute {
		return schema.SetAttribute{
			MarkdownDescription: fmt.Sprintf("%s (`-%s`): %s in the organization, by any value that identifies them (email address, alias, name or GUID). "+
				"Exchange resolves each to the recipient and reports its primary SMTP address; the configured spelling is kept as long as it names the same recipients, and a value that names nobody is refused at plan time. Leave out for none.", what, param, kinds),
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
	resp.Schema = schema.Schema{
		MarkdownDescription: "An anti-phishing rule (`New-/Set-AntiPhishRule`): applies a custom anti-phishing policy (`m365harden_anti_phish_policy`) to recipients, group members or recipient domains, e.g. stricter impersonation protection for executives (MS.DEFENDER.2.1 asks for protection of sensitive users).\n\n" +
			"Exchange's rules apply: a rule must use a custom policy (never the default `" + defaultAntiPhishPolicy + "`), a policy can have only one rule, and priorities are contiguous from 0 (highest): creating or moving a rule to a priority shifts the other rules down. When several rules are declared with explicit priorities, create them in priority order (`depends_on`). Destroy removes the rule (the policy stays).",
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
				MarkdownDescription: "The name of the custom anti-phishing policy the rule applies (`-AntiPhishPolicy`); not the default policy. Compared without regard to case (the configured spelling is kept).",
				Required:            true,
				PlanModifiers:       []planmodifier.String{common.FoldStateString()},
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 64), stringvalidator.NoneOfCaseInsensitive(defaultAntiPhishPolicy)},
			},
			"priority": schema.Int64Attribute{
				MarkdownDescription: "The rule's priority (`-Priority`): 0 is the highest; rules can't share a value. Unset: a new rule goes last and the priority is read but not managed.",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
				Validators:    []validator.Int64{int64validator.AtLeast(0)},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the rule is enabled (`State`; set with `Enable-`/`Disable-AntiPhishRule`). Default `true`.",
				Optional:            true, Computed: true,
				Default: booldefault.StaticBool(true),
			},
			"comments": schema.StringAttribute{
				MarkdownDescription: "Free-text comments (`-Comments`, at most 1024 characters).",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 1024)},
			},
			"sent_to":                       recipients("SentTo", "Recipients the rule applies to", "mailboxes and other recipients"),
			"sent_to_member_of":             recipients("SentToMemberOf", "Groups whose members the rule applies to", "distribution groups, mail-enabled security groups or Microsoft 365 Groups"),
			"recipient_domain_is":           domains("RecipientDomainIs", "Recipient domains the rule applies to"),
			"except_if_sent_to":             recipients("ExceptIfSentTo", "Recipients excepted from the rule", "mailboxes and other recipients"),
			"except_if_sent_to_member_of":   recipients("ExceptIfSentToMemberOf", "Groups whose members are excepted", "distribution groups, mail-enabled security groups or Microsoft 365 Groups"),
			"except_if_recipient_domain_is": domains("ExceptIfRecipientDomainIs", "Recipient domains excepted from the rule"),
		},
	}
}

func (r *antiPhishRuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m antiPhishRuleModel
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
		"An anti-phishing rule needs at least one of sent_to, sent_to_member_of or recipient_domain_is; the default policy already covers everyone else.")
}

func (r *antiPhishRuleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func antiPhishRuleModelFrom(x *exchange.AntiPhishRule) *antiPhishRuleModel {
	m := &antiPhishRuleModel{
		ID:                        types.StringValue(x.Name),
		Name:                      types.StringValue(x.Name),
		Policy:                    types.StringValue(x.AntiPhishPolicy),
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

func (m *antiPhishRuleModel) conditions() []types.Set {
	return []types.Set{m.SentTo, m.SentToMemberOf, m.RecipientDomainIs, m.ExceptIfSentTo, m.ExceptIfSentToMemberOf, m.ExceptIfRecipientDomainIs}
}

func (m *antiPhishRuleModel) conditionFields() []*types.Set {
	return []*types.Set{&m.SentTo, &m.SentToMemberOf, &m.RecipientDomainIs, &m.ExceptIfSentTo, &m.ExceptIfSentToMemberOf, &m.ExceptIfRecipientDomainIs}
}

// keepSpelling keeps prior's values (the plan or state) where the tenant
// holds the same thing in another spelling: names and domains in another
// case, recipients by another identity. The recipients are compared by
// resolving prior's spellings (Get-Recipient).
func (m *antiPhishRuleModel) keepSpelling(ctx context.Context, res *common.RecipientResolver, prior *antiPhishRuleModel) error {
	m.Name = common.FoldKeepString(prior.Name, m.Name)
	m.Policy = common.FoldKeepString(prior.Policy, m.Policy)
	have, was := m.conditionFields(), prior.conditionFields()
	for i, c := range apRuleConditions {
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

// changes returns the Set-AntiPhishRule parameters that move
// cur to the plan (everything the plan sets when cur is nil).
func (m antiPhishRuleModel) changes(ctx context.Context, cur *antiPhishRuleModel, diags *diag.Diagnostics) map[string]any {
	p := map[string]any{}
	if cur == nil || !strings.EqualFold(m.Policy.ValueString(), cur.Policy.ValueString()) {
		p["AntiPhishPolicy"] = m.Policy.ValueString()
	}
	if common.Known(m.Priority) && (cur == nil || m.Priority.ValueInt64() != cur.Priority.ValueInt64()) {
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
	for i, c := range apRuleConditions {
		w := stringsOf(ctx, want[i], diags)
		if cur == nil {
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
	return p
}

// read fetches the rule; prior (plan or state, may be nil) keeps the
// user's spelling of values the tenant holds in another form.
func (r *antiPhishRuleResource) read(ctx context.Context, name string, prior *antiPhishRuleModel, res *common.RecipientResolver) (*antiPhishRuleModel, error) {
	x, err := r.clients.Exchange.GetAntiPhishRule(ctx, name)
	if err != nil {
		return nil, err
	}
	m := antiPhishRuleModelFrom(x)
	if prior != nil {
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
func (r *antiPhishRuleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.clients == nil {
		return
	}
	var cfg, plan antiPhishRuleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *antiPhishRuleModel
	if !req.State.Raw.IsNull() {
		state = &antiPhishRuleModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	res := common.NewRecipientResolver(r.clients.Exchange)
	conf := cfg.conditionFields()
	for i, c := range apRuleConditions {
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
func (r *antiPhishRuleResource) converge(ctx context.Context, plan antiPhishRuleModel, diags *diag.Diagnostics) (*antiPhishRuleModel, error) {
	name := plan.Name.ValueString()
	res := common.NewRecipientResolver(r.clients.Exchange)
	var got *antiPhishRuleModel
	wrote := false
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.read(ctx, name, &plan, res)
		if exchange.IsNotFound(err) {
			return wait.NotYet("anti-phishing rule %s is not readable yet", name)
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
			return wait.NotYet("anti-phishing rule %s does not show the change yet", name)
		}
		wrote = true
		if len(p) > 0 {
			if err := r.clients.Exchange.SetAntiPhishRule(ctx, name, p); err != nil {
				return err
			}
		}
		if enable {
			if err := r.clients.Exchange.SetAntiPhishRuleEnabled(ctx, name, plan.Enabled.ValueBool()); err != nil {
				return err
			}
		}
		return wait.NotYet("anti-phishing rule %s was just changed", name)
	})
	return got, err
}

func (r *antiPhishRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan antiPhishRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := plan.Name.ValueString()
	params := plan.changes(ctx, nil, &resp.Diagnostics)
	params["Name"] = name
	params["Enabled"] = plan.Enabled.ValueBool()
	common.SafeCreate[antiPhishRuleModel]{
		What: "anti-phishing rule", Name: name,
		New: func(ctx context.Context) (string, error) {
			return name, r.clients.Exchange.NewAntiPhishRule(ctx, params)
		},
		Find: func(ctx context.Context) (string, string, error) {
			cur, err := r.read(ctx, name, &plan, common.NewRecipientResolver(r.clients.Exchange))
			return common.Found(name, err, func() map[string]any { return plan.changes(ctx, cur, new(diag.Diagnostics)) })
		},
		SetID: func(m *antiPhishRuleModel, id string) { m.ID = types.StringValue(id) },
		Finish: func(ctx context.Context, plan antiPhishRuleModel) (*antiPhishRuleModel, error) {
			return r.converge(ctx, plan, &resp.Diagnostics)
		},
	}.Run(ctx, plan, &resp.State, &resp.Diagnostics)
}

func (r *antiPhishRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	common.ReadByID(ctx, r.clients, req, resp, "anti-phishing rule", func(m antiPhishRuleModel) string { return m.ID.ValueString() },
		func(ctx context.Context, name string, prior *antiPhishRuleModel) (*antiPhishRuleModel, error) {
			return r.read(ctx, name, prior, common.NewRecipientResolver(r.clients.Exchange))
		})
}

func (r *antiPhishRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan antiPhishRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := r.converge(ctx, plan, &resp.Diagnostics)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Updating anti-phishing rule %q failed", plan.Name.ValueString()), err)
		if m, rerr := r.read(ctx, plan.Name.ValueString(), &plan, common.NewRecipientResolver(r.clients.Exchange)); rerr == nil {
			resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, got)...)
}

func (r *antiPhishRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var state antiPhishRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.ID.ValueString()
	if err := r.clients.Exchange.RemoveAntiPhishRule(ctx, name); err != nil && !exchange.IsNotFound(err) {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Removing anti-phishing rule %q failed", name), err)
		return
	}
	if err := waitGone(ctx, r.clients.ConsistencyTimeout, "anti-phishing rule "+name, func(ctx context.Context) error {
		_, err := r.clients.Exchange.GetAntiPhishRule(ctx, name)
		return err
	}); err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Anti-phishing rule %q was removed but still reads back", name), err)
	}
}

func (r *antiPhishRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportByRead(ctx, r.clients, req, resp, "anti-phishing rule", "import by the rule's name",
		func(ctx context.Context, name string) (*antiPhishRuleModel, error) {
			return r.read(ctx, name, nil, nil)
		})
}

type antiPhishRuleModel struct {
	ID                        types.String `tfsdk:"id"`
	Name                      types.String `tfsdk:"name"`
	Policy                    types.String `tfsdk:"policy"`
	Priority                  types.Int64  `tfsdk:"priority"`
	Enabled                   types.Bool   `tfsdk:"enabled"`
	Comments                  types.String `tfsdk:"comments"`
	SentTo                    types.Set    `tfsdk:"sent_to"`
	SentToMemberOf            types.Set    `tfsdk:"sent_to_member_of"`
	RecipientDomainIs         types.Set    `tfsdk:"recipient_domain_is"`
	ExceptIfSentTo            types.Set    `tfsdk:"except_if_sent_to"`
	ExceptIfSentToMemberOf    types.Set    `tfsdk:"except_if_sent_to_member_of"`
	ExceptIfRecipientDomainIs types.Set    `tfsdk:"except_if_recipient_domain_is"`
}
