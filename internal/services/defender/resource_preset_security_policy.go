package defender

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure   = &presetResource{}
	_ resource.ResourceWithImportState = &presetResource{}
	_ resource.ResourceWithModifyPlan  = &presetResource{}
)

// The Standard and Strict preset security policies
// (https://learn.microsoft.com/defender-office-365/preset-security-policies).
// A preset is two rules of the same name, "<level> Preset Security Policy":
// the EOP protections rule (*-EOPProtectionPolicyRule: anti-spam,
// anti-malware, anti-phishing) and, with Defender for Office 365, the
// Defender protections rule (*-ATPProtectionPolicyRule: Safe Links, Safe
// Attachments). The portal creates both the first time the preset is
// turned on; their settings are Microsoft's and can't be changed, only who
// they apply to and whether they are on. One resource per level manages
// both rules because the portal and ScubaGear treat them as one preset
// (turning it on means enabling both rules).

// presetLevels are the preset security policies that have rules.
var presetLevels = []string{"Standard", "Strict"}

// presetRule is one of a preset's two rules.
type presetRule struct {
	noun, what, attr string
}

var (
	presetEOPRule = presetRule{noun: "EOPProtectionPolicyRule", what: "EOP protections rule", attr: "eop_protection"}
	presetATPRule = presetRule{noun: "ATPProtectionPolicyRule", what: "Defender for Office 365 protections rule", attr: "defender_protection"}
)

// presetRuleName is the rules' name for a level.
func presetRuleName(level string) string { return level + " Preset Security Policy" }

// NewPresetSecurityPolicyResource returns m365harden_preset_security_policy.
func NewPresetSecurityPolicyResource() resource.Resource { return &presetResource{} }

type presetResource struct {
	clients *clients.Set
}

func (r *presetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_preset_security_policy"
}

// presetScopeTypes are the attribute types of eop_protection and
// defender_protection.
var presetScopeTypes = map[string]attr.Type{
	"sent_to": types.SetType{ElemType: types.StringType}, "sent_to_member_of": types.SetType{ElemType: types.StringType},
	"recipient_domain_is": types.SetType{ElemType: types.StringType}, "except_if_sent_to": types.SetType{ElemType: types.StringType},
	"except_if_sent_to_member_of": types.SetType{ElemType: types.StringType}, "except_if_recipient_domain_is": types.SetType{ElemType: types.StringType},
}

func (r *presetResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	scope := func(rule presetRule, cmdlets, what string) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{
			MarkdownDescription: fmt.Sprintf("Who the preset's %s applies to (`Set-%s`, rule `<level> Preset Security Policy`). "+
				"`{}` (no condition) applies it to all recipients, as the portal's **All recipients**; conditions of different kinds must all match (AND), exceptions of any kind exclude (OR). %s", what, rule.noun, cmdlets),
			Attributes: conditionAttributes("at plan time"),
		}
	}
	eop := scope(presetEOPRule, "Required: every tenant has Exchange Online Protection.", "EOP protections (anti-spam, anti-malware, anti-phishing)")
	eop.Required = true
	atp := scope(presetATPRule, "Leave out to leave the Defender rule alone (tenants without Microsoft Defender for Office 365, whose ATP cmdlets Exchange refuses).", "Defender for Office 365 protections (Safe Links, Safe Attachments, impersonation)")
	atp.Optional = true
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Standard or Strict preset security policy (`Get/Set/Enable/Disable-EOPProtectionPolicyRule` and `-ATPProtectionPolicyRule`): Microsoft's recommended anti-spam, anti-malware, anti-phishing, Safe Links and Safe Attachments settings, applied to the recipients you choose (MS.DEFENDER.1.1–1.5). " +
			"The settings themselves are Microsoft's and can't be changed; this resource manages whether the preset is on and who its EOP and Defender for Office 365 protections apply to.\n\n" +
			"The preset's rules exist only once the preset has been turned on in the Microsoft Defender portal (https://security.microsoft.com/presetSecurityPolicies) for the first time, which also creates its policies: Microsoft advises against creating them with PowerShell. Create fails with that instruction when the rules are missing; afterwards Terraform adopts them. " +
			"Priorities are fixed (Strict 0, Standard 1: \"You must use the default value for the rule\") and not managed.\n\n" +
			"Destroy turns the preset off (`Disable-EOPProtectionPolicyRule`, and `Disable-ATPProtectionPolicyRule` when `defender_protection` is managed) and leaves its rules and recipients in place, as turning it off in the portal does; it never removes the rules (\"The affected preset security policy can't function without a corresponding rule\").\n\n" +
			"Needs the Exchange role **Security Admin** (Entra roles Security Administrator or Exchange Administrator); reads also work with Security Reader. `defender_protection` needs Microsoft Defender for Office 365 (Plan 1 or 2).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The level (`Standard` or `Strict`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"level": schema.StringAttribute{
				MarkdownDescription: "The preset: " + common.QuoteList(presetLevels) + " (its rules are named `<level> Preset Security Policy`). Changing it replaces the resource.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.OneOf(presetLevels...)},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the preset is on: the rules' `State`, set with `Enable-`/`Disable-EOPProtectionPolicyRule` (and `-ATPProtectionPolicyRule` when `defender_protection` is set). Default `true`. Read as unknown-to-Terraform (null) when the two rules disagree, so the next apply sets both.",
				Optional:            true, Computed: true,
				Default: booldefault.StaticBool(true),
			},
			"eop_protection":      eop,
			"defender_protection": atp,
			"timeouts":            presetTimeoutsAttribute(),
		},
	}
}

// presetTimeoutsAttribute is common.StandingTimeoutsAttribute (the preset
// exists anyway: a create that runs out of time leaves nothing in state and
// the next apply adopts the preset again, with nothing left to send), whose
// delete bounds destroy's wait for reads to show the preset off.
func presetTimeoutsAttribute() schema.Attribute {
	a := common.StandingTimeoutsAttribute().(schema.SingleNestedAttribute)
	a.MarkdownDescription = "How long to wait for Exchange Online to show a change before the apply or destroy fails (`create`, `update`, `delete`; default `3m` each, the provider's consistency timeout). Reads right after a write can answer the old value while the service replicates."
	a.Attributes = maps.Clone(a.Attributes)
	d := a.Attributes["delete"].(schema.StringAttribute)
	d.Description = "How long a destroy waits for reads to show the preset off (default `3m`). When it passes, the destroy fails with an error naming the timeout and the resource stays in state; the next destroy, once reads show the preset off, has nothing left to send."
	d.MarkdownDescription = d.Description
	a.Attributes["delete"] = d
	return a
}

// ModifyPlan fails the plan of a second block for the same level (both
// would manage the same two rules, common.ClaimName), then resolves the
// recipient conditions at plan time, as the rule resources do
// (planConditions): a value that names nobody is refused, and a
// configuration naming the state's recipients another way plans no change.
func (r *presetResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.clients == nil {
		return
	}
	common.ClaimName(ctx, r.clients, req, resp, "m365harden_preset_security_policy", "level", "preset security policy")
	if resp.Diagnostics.HasError() {
		return
	}
	var cfg presetModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	var state *presetModel
	if !req.State.Raw.IsNull() {
		state = &presetModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	res := common.NewRecipientResolver(r.clients.Exchange)
	for _, rule := range []presetRule{presetEOPRule, presetATPRule} {
		c, w := cfg.EOP, types.ObjectNull(presetScopeTypes)
		if state != nil {
			w = state.EOP
		}
		if rule == presetATPRule {
			c = cfg.Defender
			if state != nil {
				w = state.Defender
			}
		}
		conf, ok := scopeOf(ctx, c, &resp.Diagnostics)
		if !ok {
			continue
		}
		var was []*types.Set
		if prior, ok := scopeOf(ctx, w, &resp.Diagnostics); ok {
			was = prior.fields()
		}
		planConditions(ctx, res, conf.fields(), was, path.Root(rule.attr), resp)
		if resp.Diagnostics.HasError() {
			return
		}
	}
}

func (r *presetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// presetScope is eop_protection or defender_protection.
type presetScope struct {
	SentTo                    types.Set `tfsdk:"sent_to"`
	SentToMemberOf            types.Set `tfsdk:"sent_to_member_of"`
	RecipientDomainIs         types.Set `tfsdk:"recipient_domain_is"`
	ExceptIfSentTo            types.Set `tfsdk:"except_if_sent_to"`
	ExceptIfSentToMemberOf    types.Set `tfsdk:"except_if_sent_to_member_of"`
	ExceptIfRecipientDomainIs types.Set `tfsdk:"except_if_recipient_domain_is"`
}

func (s *presetScope) fields() []*types.Set {
	return []*types.Set{&s.SentTo, &s.SentToMemberOf, &s.RecipientDomainIs, &s.ExceptIfSentTo, &s.ExceptIfSentToMemberOf, &s.ExceptIfRecipientDomainIs}
}

func (s *presetScope) values() []types.Set {
	var out []types.Set
	for _, f := range s.fields() {
		out = append(out, *f)
	}
	return out
}

func scopeFromRule(x *exchange.PolicyRule) presetScope {
	return presetScope{
		SentTo: nullableStringSet(x.SentTo), SentToMemberOf: nullableStringSet(x.SentToMemberOf), RecipientDomainIs: nullableStringSet(x.RecipientDomainIs),
		ExceptIfSentTo: nullableStringSet(x.ExceptIfSentTo), ExceptIfSentToMemberOf: nullableStringSet(x.ExceptIfSentToMemberOf), ExceptIfRecipientDomainIs: nullableStringSet(x.ExceptIfRecipientDomainIs),
	}
}

// scopeOf reads an object attribute; ok is false when it is null or unknown.
func scopeOf(ctx context.Context, o types.Object, diags *diag.Diagnostics) (presetScope, bool) {
	var s presetScope
	if o.IsNull() || o.IsUnknown() {
		return s, false
	}
	diags.Append(o.As(ctx, &s, basetypes.ObjectAsOptions{})...)
	return s, !diags.HasError()
}

func scopeObject(ctx context.Context, s presetScope, diags *diag.Diagnostics) types.Object {
	o, d := types.ObjectValueFrom(ctx, presetScopeTypes, s)
	diags.Append(d...)
	return o
}

// presetRead is what the tenant holds for a preset.
type presetRead struct {
	eop, atp *exchange.PolicyRule // atp nil when not managed
}

func (r *presetResource) get(ctx context.Context, rule presetRule, level string) (*exchange.PolicyRule, error) {
	x, err := r.clients.Exchange.GetPolicyRule(ctx, rule.noun, "", presetRuleName(level))
	if rule == presetATPRule {
		err = explainDefenderLicence(err)
	}
	return x, err
}

// fetch reads the EOP rule and, when withATP, the Defender rule.
func (r *presetResource) fetch(ctx context.Context, level string, withATP bool) (*presetRead, error) {
	var out presetRead
	var err error
	if out.eop, err = r.get(ctx, presetEOPRule, level); err != nil {
		return nil, err
	}
	if withATP {
		if out.atp, err = r.get(ctx, presetATPRule, level); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// model builds the state from what was read; prior (plan or state, may be
// nil) keeps the user's spelling of recipients and domains.
func (r *presetResource) model(ctx context.Context, level string, got *presetRead, prior *presetModel, diags *diag.Diagnostics) (*presetModel, error) {
	m := &presetModel{ID: types.StringValue(level), Level: types.StringValue(level), Defender: types.ObjectNull(presetScopeTypes)}
	var keep *timeouts.Value // Terraform's setting, not the tenant's
	if prior != nil {
		keep = &prior.Timeouts
	}
	m.Timeouts = common.KeepTimeouts(keep)
	res := common.NewRecipientResolver(r.clients.Exchange)
	scope := func(x *exchange.PolicyRule, was types.Object) (types.Object, error) {
		s := scopeFromRule(x)
		if p, ok := scopeOf(ctx, was, diags); ok {
			if err := keepConditionSpelling(ctx, res, s.fields(), p.fields()); err != nil {
				return types.ObjectNull(presetScopeTypes), err
			}
		}
		return scopeObject(ctx, s, diags), nil
	}
	var wasEOP, wasATP types.Object
	if prior != nil {
		wasEOP, wasATP = prior.EOP, prior.Defender
	}
	var err error
	if m.EOP, err = scope(got.eop, wasEOP); err != nil {
		return nil, err
	}
	m.Enabled = types.BoolValue(got.eop.Enabled)
	if got.atp != nil {
		if m.Defender, err = scope(got.atp, wasATP); err != nil {
			return nil, err
		}
		if got.atp.Enabled != got.eop.Enabled {
			m.Enabled = types.BoolNull()
		}
	}
	return m, nil
}

// canonicalLevel accepts a level in any case.
func canonicalLevel(s string) (string, bool) {
	for _, l := range presetLevels {
		if strings.EqualFold(l, strings.TrimSpace(s)) {
			return l, true
		}
	}
	return "", false
}

// neverTurnedOn explains a missing rule.
func neverTurnedOn(level string, rule presetRule, err error) error {
	if !exchange.IsNotFound(err) {
		return err
	}
	return fmt.Errorf("%w\n\nThe %s preset security policy has no %s (Get-%s -Identity %q finds nothing). Its rules are created when the preset is turned on in the Microsoft Defender portal for the first time (https://security.microsoft.com/presetSecurityPolicies, Email & collaboration > Policies & rules > Threat policies > Preset security policies); turn it on there once, then apply again. For the Defender rule the tenant also needs Microsoft Defender for Office 365",
		err, level, rule.what, rule.noun, presetRuleName(level))
}

// converge writes what differs (Set-, then Enable-/Disable-) on each managed
// rule and waits until reads show the plan.
func (r *presetResource) converge(ctx context.Context, plan presetModel, diags *diag.Diagnostics) (*presetModel, error) {
	level := plan.Level.ValueString()
	name := presetRuleName(level)
	// cur picks the rule and its conditions as read (in the plan's
	// spelling where they name the same recipients).
	type target struct {
		rule  presetRule
		scope presetScope
		cur   func(*presetRead, *presetModel) (*exchange.PolicyRule, types.Object)
	}
	var targets []target
	if s, ok := scopeOf(ctx, plan.EOP, diags); ok {
		targets = append(targets, target{presetEOPRule, s, func(g *presetRead, m *presetModel) (*exchange.PolicyRule, types.Object) { return g.eop, m.EOP }})
	}
	if s, ok := scopeOf(ctx, plan.Defender, diags); ok {
		targets = append(targets, target{presetATPRule, s, func(g *presetRead, m *presetModel) (*exchange.PolicyRule, types.Object) { return g.atp, m.Defender }})
	}
	if diags.HasError() {
		return nil, errors.New("invalid plan")
	}
	withATP := !plan.Defender.IsNull()
	var got *presetModel
	wrote := false
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		read, err := r.fetch(ctx, level, withATP)
		if err != nil {
			return err
		}
		if got, err = r.model(ctx, level, read, &plan, diags); err != nil {
			return err
		}
		pending := false
		for _, t := range targets {
			cur, obj := t.cur(read, got)
			curScope, _ := scopeOf(ctx, obj, diags)
			p := map[string]any{}
			conditionChanges(ctx, p, t.scope.values(), curScope.values(), diags)
			enable := plan.Enabled.ValueBool() != cur.Enabled
			if len(p) == 0 && !enable {
				continue
			}
			pending = true
			if wrote {
				continue
			}
			if len(p) > 0 {
				if err := r.clients.Exchange.SetPolicyRule(ctx, t.rule.noun, name, p); err != nil {
					return fmt.Errorf("Set-%s: %w", t.rule.noun, err)
				}
			}
			if enable {
				if err := r.clients.Exchange.SetPolicyRuleEnabled(ctx, t.rule.noun, name, plan.Enabled.ValueBool()); err != nil {
					return err
				}
			}
		}
		if !pending {
			return nil
		}
		if wrote {
			return wait.NotYet("the %s preset security policy does not show the change yet", level)
		}
		wrote = true
		return wait.NotYet("the %s preset security policy was just changed", level)
	})
	return got, err
}

// write converges within the plan's timeouts.<op>. A create that fails
// stores nothing: a tainted preset would be replaced, turning it off
// before turning it on again, whereas the next create adopts it again and
// sends only what still differs. An update that fails stores what reads
// showed, so the next plan shows what is left.
func (r *presetResource) write(ctx context.Context, plan presetModel, state *tfsdk.State, diags *diag.Diagnostics, verb, op string) {
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, op, diags)
	got, err := r.converge(ctx, plan, diags)
	if err != nil {
		common.AddAPIError(diags, fmt.Sprintf("%s the %s preset security policy failed", verb, plan.Level.ValueString()), err)
		if op == "update" && got != nil {
			diags.Append(state.Set(ctx, got)...)
		}
		return
	}
	diags.Append(state.Set(ctx, got)...)
}

func (r *presetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan presetModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	level := plan.Level.ValueString()
	// The rules must exist (the portal creates them); a missing one is
	// reported with what to do rather than retried.
	for _, rule := range []presetRule{presetEOPRule, presetATPRule} {
		if rule == presetATPRule && plan.Defender.IsNull() {
			continue
		}
		if _, err := r.get(ctx, rule, level); err != nil {
			common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Adopting the %s preset security policy failed", level), neverTurnedOn(level, rule, err))
			return
		}
	}
	plan.ID = types.StringValue(level)
	r.write(ctx, plan, &resp.State, &resp.Diagnostics, "Configuring", "create")
}

func (r *presetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	common.ReadByID(ctx, r.clients, req, resp, "preset security policy", func(m presetModel) string { return m.ID.ValueString() },
		func(ctx context.Context, level string, prior *presetModel) (*presetModel, error) {
			got, err := r.fetch(ctx, level, !prior.Defender.IsNull())
			if err != nil {
				return nil, err
			}
			return r.model(ctx, level, got, prior, &resp.Diagnostics)
		})
}

func (r *presetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	var plan presetModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.write(ctx, plan, &resp.State, &resp.Diagnostics, "Updating", "update")
}

// Delete turns the preset off and leaves its rules and recipients.
func (r *presetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var state presetModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	level := state.ID.ValueString()
	rules := []presetRule{presetEOPRule}
	if !state.Defender.IsNull() {
		rules = append(rules, presetATPRule)
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, state.Timeouts, "delete", &resp.Diagnostics)
	sent := map[presetRule]bool{} // Disable- is sent once; later reads may lag
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		on := false
		for _, rule := range rules {
			x, err := r.get(ctx, rule, level)
			if exchange.IsNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			if x.Enabled {
				on = true
				if sent[rule] {
					continue
				}
				if err := r.clients.Exchange.SetPolicyRuleEnabled(ctx, rule.noun, presetRuleName(level), false); err != nil && !exchange.IsNotFound(err) {
					return err
				}
				sent[rule] = true
			}
		}
		if on {
			return wait.NotYet("the %s preset security policy is still on", level)
		}
		return nil
	})
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Turning off the %s preset security policy failed", level), err)
	}
}

// ImportState imports by level; the Defender rule is imported when the
// tenant has it (a tenant without Defender for Office 365 refuses its
// cmdlets: defender_protection stays null).
func (r *presetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportByRead(ctx, r.clients, req, resp, "preset security policy", "import by the level, "+strings.Join(presetLevels, " or "),
		func(ctx context.Context, id string) (*presetModel, error) {
			level, ok := canonicalLevel(id)
			if !ok {
				return nil, fmt.Errorf("%q is not a preset security policy level; use %s", id, strings.Join(presetLevels, " or "))
			}
			got, err := r.fetch(ctx, level, false)
			if err != nil {
				return nil, neverTurnedOn(level, presetEOPRule, err)
			}
			atp, err := r.clients.Exchange.GetPolicyRule(ctx, presetATPRule.noun, "", presetRuleName(level))
			switch {
			case err == nil:
				got.atp = atp
			case !exchange.IsNotFound(err) && !exchange.IsForbidden(err):
				return nil, err
			}
			return r.model(ctx, level, got, nil, &resp.Diagnostics)
		})
}

type presetModel struct {
	ID       types.String   `tfsdk:"id"`
	Level    types.String   `tfsdk:"level"`
	Enabled  types.Bool     `tfsdk:"enabled"`
	EOP      types.Object   `tfsdk:"eop_protection"`
	Defender types.Object   `tfsdk:"defender_protection"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}
