package defender

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure   = &antiPhishPolicyResource{}
	_ resource.ResourceWithImportState = &antiPhishPolicyResource{}
)

// defaultAntiPhishPolicy is the built-in policy
// (https://learn.microsoft.com/defender-office-365/anti-phishing-policies-eop-configure).
const defaultAntiPhishPolicy = "Office365 AntiPhish Default"

// protectedUserRe is a TargetedUsersToProtect entry, "DisplayName;EmailAddress".
var protectedUserRe = regexp.MustCompile(`^[^;\s](?:[^;]*[^;\s])?;[A-Za-z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@` + domainLabel + `(?:\.` + domainLabel + `)+$`)

// Field kinds of the anti-phishing policy.
const (
	apBool    = "bool"
	apEnum    = "enum"    // one value of a catalogue list, sent as a string
	apAction  = "action"  // one impersonation action, sent as a one-item list (MultiValuedProperty)
	apInt     = "int"     // PhishThresholdLevel
	apDomains = "domains" // set of domains
	apUsers   = "users"   // set of "DisplayName;EmailAddress"
)

type apField struct {
	attr, param, kind, desc string
	defender                bool // available only with Defender for Office 365
}

// Impersonation actions the resource accepts: the catalogue's list without
// BccMessage and Redirect, which act on *ActionRecipients parameters this
// resource does not manage yet.
func impersonationActions(param string) []string {
	var out []string
	for _, v := range common.CmdletValues("Set-AntiPhishPolicy", param) {
		if v != "BccMessage" && v != "Redirect" {
			out = append(out, v)
		}
	}
	return out
}

var antiPhishFields = []apField{
	{"enable_spoof_intelligence", "EnableSpoofIntelligence", apBool, "Spoof intelligence (`-EnableSpoofIntelligence`; MS.DEFENDER.2 spoof protection). Default `true`.", false},
	{"honor_dmarc_policy", "HonorDmarcPolicy", apBool, "Act on the sender domain's DMARC `p=quarantine`/`p=reject` (`-HonorDmarcPolicy`). Default `true`.", false},
	{"authentication_fail_action", "AuthenticationFailAction", apEnum, "What happens to spoofed mail that fails composite authentication (`-AuthenticationFailAction`). Default `MoveToJmf`; Strict preset `Quarantine`.", false},
	{"dmarc_quarantine_action", "DmarcQuarantineAction", apEnum, "Action when DMARC says quarantine (`-DmarcQuarantineAction`). Default `Quarantine`.", false},
	{"dmarc_reject_action", "DmarcRejectAction", apEnum, "Action when DMARC says reject (`-DmarcRejectAction`). Default `Reject`.", false},
	{"enable_first_contact_safety_tips", "EnableFirstContactSafetyTips", apBool, "The first contact safety tip (`-EnableFirstContactSafetyTips`; CIS 2.1.7 recommends `true`). Default `false`.", false},
	{"enable_unauthenticated_sender", "EnableUnauthenticatedSender", apBool, "The `?` unauthenticated-sender indicator in Outlook (`-EnableUnauthenticatedSender`). Default `true`.", false},
	{"enable_via_tag", "EnableViaTag", apBool, "The `via` tag in Outlook (`-EnableViaTag`). Default `true`.", false},
	{"phish_threshold_level", "PhishThresholdLevel", apInt, "Advanced phishing threshold (`-PhishThresholdLevel`): 1 Standard, 2 Aggressive, 3 More aggressive, 4 Most aggressive. Default 1; CIS 2.1.7 asks for 3 or higher (Strict preset 3, Standard 2).", true},
	{"enable_mailbox_intelligence", "EnableMailboxIntelligence", apBool, "Mailbox intelligence (`-EnableMailboxIntelligence`). Default `true`.", true},
	{"enable_mailbox_intelligence_protection", "EnableMailboxIntelligenceProtection", apBool, "Act on impersonation detected by mailbox intelligence (`-EnableMailboxIntelligenceProtection`; MS.DEFENDER.2.3). Default `false`.", true},
	{"mailbox_intelligence_protection_action", "MailboxIntelligenceProtectionAction", apEnum, "The action for mailbox-intelligence impersonation (`-MailboxIntelligenceProtectionAction`). Default `NoAction`.", true},
	{"enable_targeted_user_protection", "EnableTargetedUserProtection", apBool, "User impersonation protection for `targeted_users_to_protect` (`-EnableTargetedUserProtection`; MS.DEFENDER.2.1). Default `false`.", true},
	{"targeted_users_to_protect", "TargetedUsersToProtect", apUsers, "Users protected from impersonation (`-TargetedUsersToProtect`), each `\"Display name;address@domain\"`; at most 350. `[]` clears the list.", true},
	{"targeted_user_protection_action", "TargetedUserProtectionAction", apAction, "The action on mail impersonating a protected user (`-TargetedUserProtectionAction`). Default `NoAction`.", true},
	{"enable_organization_domains_protection", "EnableOrganizationDomainsProtection", apBool, "Domain impersonation protection for the organization's accepted domains (`-EnableOrganizationDomainsProtection`; MS.DEFENDER.2.2). Default `false`.", true},
	{"enable_targeted_domains_protection", "EnableTargetedDomainsProtection", apBool, "Domain impersonation protection for `targeted_domains_to_protect` (`-EnableTargetedDomainsProtection`; MS.DEFENDER.2.3). Default `false`.", true},
	{"targeted_domains_to_protect", "TargetedDomainsToProtect", apDomains, "Other domains protected from impersonation (`-TargetedDomainsToProtect`), e.g. partners. `[]` clears the list.", true},
	{"targeted_domain_protection_action", "TargetedDomainProtectionAction", apAction, "The action on mail impersonating a protected domain (`-TargetedDomainProtectionAction`). Default `NoAction`.", true},
	{"enable_similar_users_safety_tips", "EnableSimilarUsersSafetyTips", apBool, "The similar-users impersonation safety tip (`-EnableSimilarUsersSafetyTips`). Default `false`.", true},
	{"enable_similar_domains_safety_tips", "EnableSimilarDomainsSafetyTips", apBool, "The similar-domains impersonation safety tip (`-EnableSimilarDomainsSafetyTips`). Default `false`.", true},
	{"enable_unusual_characters_safety_tips", "EnableUnusualCharactersSafetyTips", apBool, "The unusual-characters impersonation safety tip (`-EnableUnusualCharactersSafetyTips`). Default `false`.", true},
}

// NewAntiPhishPolicyResource returns m365harden_anti_phish_policy.
func NewAntiPhishPolicyResource() resource.Resource { return &antiPhishPolicyResource{} }

type antiPhishPolicyResource struct {
	clients *clients.Set
}

func (r *antiPhishPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_anti_phish_policy"
}

func (f apField) values() []string {
	switch f.kind {
	case apAction:
		return impersonationActions(f.param)
	case apEnum:
		if f.param == "MailboxIntelligenceProtectionAction" {
			return impersonationActions(f.param)
		}
		return common.CmdletValues("Set-AntiPhishPolicy", f.param)
	}
	return nil
}

func (f apField) schemaAttr() schema.Attribute {
	desc := f.desc
	if f.defender {
		desc += " Needs Microsoft Defender for Office 365 (Plan 1 or 2)."
	}
	switch f.kind {
	case apBool:
		return common.OptionalBool(desc)
	case apEnum, apAction:
		vals := f.values()
		return schema.StringAttribute{
			MarkdownDescription: desc + " One of " + common.QuoteList(vals) + "." + common.Unmanaged,
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			Validators:    []validator.String{stringvalidator.OneOf(vals...)},
		}
	case apInt:
		return schema.Int64Attribute{
			MarkdownDescription: desc + common.Unmanaged,
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			Validators:    []validator.Int64{int64validator.Between(1, 4)},
		}
	case apDomains:
		return schema.SetAttribute{
			MarkdownDescription: desc + " Compared without regard to case (the configured spelling is kept)." + common.Unmanaged,
			ElementType:         types.StringType, Optional: true, Computed: true,
			PlanModifiers: []planmodifier.Set{common.FoldStateSet(), setplanmodifier.UseStateForUnknown()},
			Validators:    []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(smtpDomainRe, "must be a domain such as contoso.com"))},
		}
	default: // apUsers
		return schema.SetAttribute{
			MarkdownDescription: desc + " Compared without regard to case (the configured spelling is kept)." + common.Unmanaged,
			ElementType:         types.StringType, Optional: true, Computed: true,
			PlanModifiers: []planmodifier.Set{common.FoldStateSet(), setplanmodifier.UseStateForUnknown()},
			Validators: []validator.Set{setvalidator.SizeAtMost(350), setvalidator.ValueStringsAre(
				stringvalidator.RegexMatches(protectedUserRe, `must be "Display name;address@domain"`))},
		}
	}
}

func (r *antiPhishPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The policy's name.",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "The policy's unique name (`-Name`). `" + defaultAntiPhishPolicy + "` adopts the built-in policy. Names are compared without regard to case (the configured spelling is kept); changing it otherwise replaces the resource.",
			Required:            true,
			PlanModifiers:       []planmodifier.String{common.FoldStateString(), stringplanmodifier.RequiresReplace()},
			Validators:          []validator.String{stringvalidator.LengthBetween(1, 64), stringvalidator.RegexMatches(noEdgeSpacesRe, "must not start or end with a space")},
		},
		"is_default": schema.BoolAttribute{
			MarkdownDescription: "Whether this is the built-in default policy (`IsDefault`).",
			Computed:            true,
			PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		},
		"admin_display_name": schema.StringAttribute{
			MarkdownDescription: "A description of the policy (`-AdminDisplayName`, at most 255 characters)." + common.Unmanaged,
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			Validators:    []validator.String{stringvalidator.LengthAtMost(255)},
		},
	}
	for _, f := range antiPhishFields {
		attrs[f.attr] = f.schemaAttr()
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An anti-phishing policy (`New-/Set-AntiPhishPolicy`): spoof intelligence and DMARC handling, the first contact safety tip, and — with Microsoft Defender for Office 365 — user and domain impersonation protection, mailbox intelligence and the phishing threshold (MS.DEFENDER.2.1–2.3, CIS 2.1.7).\n\n" +
			"The built-in policy `" + defaultAntiPhishPolicy + "` applies to every recipient not covered by a custom policy's rule. It is **adopted** (declare it by that name): never created or removed, and destroying the resource leaves its settings as they are. Custom policies are created and, on destroy, removed; assign one to recipients with `m365harden_anti_phish_rule`.",
		Attributes: attrs,
	}
}

func (r *antiPhishPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// apValues holds the policy's attributes by name.
type apValues map[string]attr.Value

type attrGetter interface {
	GetAttribute(ctx context.Context, p path.Path, target interface{}) diag.Diagnostics
}

func getAPValues(ctx context.Context, src attrGetter, diags *diag.Diagnostics) apValues {
	v := apValues{}
	var s types.String
	var b types.Bool
	diags.Append(src.GetAttribute(ctx, path.Root("name"), &s)...)
	v["name"] = s
	diags.Append(src.GetAttribute(ctx, path.Root("admin_display_name"), &s)...)
	v["admin_display_name"] = s
	diags.Append(src.GetAttribute(ctx, path.Root("is_default"), &b)...)
	v["is_default"] = b
	for _, f := range antiPhishFields {
		switch f.kind {
		case apBool:
			var x types.Bool
			diags.Append(src.GetAttribute(ctx, path.Root(f.attr), &x)...)
			v[f.attr] = x
		case apEnum, apAction:
			var x types.String
			diags.Append(src.GetAttribute(ctx, path.Root(f.attr), &x)...)
			v[f.attr] = x
		case apInt:
			var x types.Int64
			diags.Append(src.GetAttribute(ctx, path.Root(f.attr), &x)...)
			v[f.attr] = x
		default:
			var x types.Set
			diags.Append(src.GetAttribute(ctx, path.Root(f.attr), &x)...)
			v[f.attr] = x
		}
	}
	return v
}

type attrSetter interface {
	SetAttribute(ctx context.Context, p path.Path, val interface{}) diag.Diagnostics
}

func (v apValues) store(ctx context.Context, dst attrSetter, diags *diag.Diagnostics) {
	for k, x := range v {
		diags.Append(dst.SetAttribute(ctx, path.Root(k), x)...)
	}
}

// apValuesFrom reads the service's policy; prior keeps the user's spelling
// of values Exchange compares without regard to case.
func apValuesFrom(ctx context.Context, p *exchange.AntiPhishPolicy, prior apValues) apValues {
	o := p.Object
	v := apValues{
		"id": types.StringValue(p.Name), "name": types.StringValue(p.Name), "is_default": types.BoolValue(p.IsDefault),
		"admin_display_name": types.StringValue(o.String("AdminDisplayName")),
	}
	for _, f := range antiPhishFields {
		switch f.kind {
		case apBool:
			v[f.attr] = types.BoolValue(o.Bool(f.param))
		case apEnum, apAction:
			s := o.String(f.param)
			if s == "" {
				if l := o.Strings(f.param); len(l) > 0 {
					s = l[0]
				}
			}
			v[f.attr] = types.StringValue(common.CanonicalEnum(common.CmdletValues("Set-AntiPhishPolicy", f.param), s))
		case apInt:
			v[f.attr] = types.Int64Value(o.Int(f.param))
		default:
			v[f.attr] = common.StringSet(o.Strings(f.param))
		}
	}
	if prior != nil {
		if s, ok := prior["name"].(types.String); ok {
			v["name"] = common.FoldKeepString(s, v["name"].(types.String))
		}
		for _, f := range antiPhishFields {
			if f.kind == apDomains || f.kind == apUsers {
				if s, ok := prior[f.attr].(types.Set); ok {
					v[f.attr] = common.FoldKeepSet(ctx, s, v[f.attr].(types.Set))
				}
			}
		}
	}
	return v
}

// changes returns the Set-AntiPhishPolicy parameters that move cur (nil: a
// new policy with the service defaults) to the plan.
func (v apValues) changes(ctx context.Context, cur apValues, diags *diag.Diagnostics) map[string]any {
	p := map[string]any{}
	if s := v["admin_display_name"].(types.String); common.Known(s) && (cur == nil || s.ValueString() != cur["admin_display_name"].(types.String).ValueString()) {
		p["AdminDisplayName"] = s.ValueString()
	}
	for _, f := range antiPhishFields {
		want := v[f.attr]
		if !common.Known(want) {
			continue
		}
		switch f.kind {
		case apBool:
			if cur == nil || want.(types.Bool).ValueBool() != cur[f.attr].(types.Bool).ValueBool() {
				p[f.param] = want.(types.Bool).ValueBool()
			}
		case apEnum, apAction:
			w := want.(types.String).ValueString()
			if cur == nil || !strings.EqualFold(w, cur[f.attr].(types.String).ValueString()) {
				if f.kind == apAction {
					p[f.param] = []string{w}
				} else {
					p[f.param] = w
				}
			}
		case apInt:
			if cur == nil || want.(types.Int64).ValueInt64() != cur[f.attr].(types.Int64).ValueInt64() {
				p[f.param] = want.(types.Int64).ValueInt64()
			}
		default:
			w := stringsOf(ctx, want.(types.Set), diags)
			if cur == nil || !common.FoldSame(w, stringsOf(ctx, cur[f.attr].(types.Set), diags)) {
				if w == nil {
					w = []string{}
				}
				p[f.param] = w
			}
		}
	}
	return p
}

func antiPhishSelect() []string {
	out := []string{"AdminDisplayName"}
	for _, f := range antiPhishFields {
		out = append(out, f.param)
	}
	return out
}

func (r *antiPhishPolicyResource) read(ctx context.Context, name string, prior apValues) (apValues, error) {
	p, err := r.clients.Exchange.GetAntiPhishPolicy(ctx, name, antiPhishSelect())
	if err != nil {
		return nil, err
	}
	return apValuesFrom(ctx, p, prior), nil
}

func (r *antiPhishPolicyResource) settle(ctx context.Context, plan apValues, diags *diag.Diagnostics) (apValues, error) {
	name := plan["name"].(types.String).ValueString()
	var got apValues
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.read(ctx, name, plan)
		if exchange.IsNotFound(err) {
			return wait.NotYet("anti-phishing policy %s is not readable yet", name)
		}
		if err != nil {
			return err
		}
		got = m
		if left := plan.changes(ctx, m, diags); len(left) > 0 {
			return wait.NotYet("anti-phishing policy %s still differs in %d settings", name, len(left))
		}
		return nil
	})
	return got, err
}

func (r *antiPhishPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	plan := getAPValues(ctx, req.Plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	name := plan["name"].(types.String).ValueString()
	var err error
	if strings.EqualFold(name, defaultAntiPhishPolicy) {
		var cur apValues
		cur, err = r.read(ctx, defaultAntiPhishPolicy, plan)
		if err == nil {
			if p := plan.changes(ctx, cur, &resp.Diagnostics); len(p) > 0 {
				err = r.clients.Exchange.SetAntiPhishPolicy(ctx, defaultAntiPhishPolicy, p)
			}
		}
	} else {
		params := plan.changes(ctx, nil, &resp.Diagnostics)
		common.SafeCreate[apValues]{
			What: "anti-phishing policy", Name: name,
			New: func(ctx context.Context) (string, error) {
				return name, explainLicence(r.clients.Exchange.NewAntiPhishPolicy(ctx, name, params))
			},
			Find: func(ctx context.Context) (string, string, error) {
				cur, err := r.read(ctx, name, plan)
				return common.Found(name, err, func() map[string]any { return plan.changes(ctx, cur, new(diag.Diagnostics)) })
			},
			SetID: func(m *apValues, id string) { (*m)["id"] = types.StringValue(id) },
			Finish: func(ctx context.Context, plan apValues) (*apValues, error) {
				got, err := r.settle(ctx, plan, &resp.Diagnostics)
				if got == nil {
					return nil, err
				}
				return &got, err
			},
			Save: func(ctx context.Context, state *tfsdk.State, m *apValues) diag.Diagnostics {
				var diags diag.Diagnostics
				m.store(ctx, state, &diags)
				return diags
			},
		}.Run(ctx, plan, &resp.State, &resp.Diagnostics)
		return
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Creating anti-phishing policy %q failed", name), explainLicence(err))
		return
	}
	got, err := r.settle(ctx, plan, &resp.Diagnostics)
	if got != nil {
		got.store(ctx, &resp.State, &resp.Diagnostics)
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Anti-phishing policy %q was written but does not read back as planned", name), err)
	}
}

func (r *antiPhishPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	state := getAPValues(ctx, req.State, &resp.Diagnostics)
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, err := r.read(ctx, id.ValueString(), state)
	if exchange.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Reading anti-phishing policy %q failed", id.ValueString()), err)
		return
	}
	m.store(ctx, &resp.State, &resp.Diagnostics)
}

func (r *antiPhishPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	plan := getAPValues(ctx, req.Plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	name := plan["name"].(types.String).ValueString()
	cur, err := r.read(ctx, name, plan)
	if err == nil {
		if p := plan.changes(ctx, cur, &resp.Diagnostics); len(p) > 0 {
			err = r.clients.Exchange.SetAntiPhishPolicy(ctx, name, p)
		}
	}
	if err == nil {
		cur, err = r.settle(ctx, plan, &resp.Diagnostics)
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Updating anti-phishing policy %q failed", name), explainLicence(err))
		if m, rerr := r.read(ctx, name, plan); rerr == nil {
			m.store(ctx, &resp.State, &resp.Diagnostics)
		}
		return
	}
	cur.store(ctx, &resp.State, &resp.Diagnostics)
}

func (r *antiPhishPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := id.ValueString()
	if strings.EqualFold(name, defaultAntiPhishPolicy) {
		resp.Diagnostics.AddWarning("Default anti-phishing policy left in place",
			"m365harden_anti_phish_policy for \""+name+"\" was removed from Terraform state. The built-in default policy can't be removed and its settings were not changed.")
		return
	}
	if err := r.clients.Exchange.RemoveAntiPhishPolicy(ctx, name); err != nil && !exchange.IsNotFound(err) {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Removing anti-phishing policy %q failed", name), err)
		return
	}
	if err := waitGone(ctx, r.clients.ConsistencyTimeout, "anti-phishing policy "+name, func(ctx context.Context) error {
		_, err := r.clients.Exchange.GetAntiPhishPolicy(ctx, name, nil)
		return err
	}); err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Anti-phishing policy %q was removed but still reads back", name), err)
	}
}

func (r *antiPhishPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	m, err := r.read(ctx, req.ID, nil)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Importing anti-phishing policy %q failed (import by the policy's name, e.g. %q)", req.ID, defaultAntiPhishPolicy), err)
		return
	}
	m.store(ctx, &resp.State, &resp.Diagnostics)
}

// explainLicence adds what a parameter-set refusal of Set-/New-AntiPhishPolicy
// usually means: the tenant has no Defender for Office 365 licence, so
// Exchange does not offer the Defender-only parameters (the error is the one
// for a parameter the cmdlet does not have: AmbiguousParameterSetException).
func explainLicence(err error) error {
	var e *exchange.Error
	if errors.As(err, &e) && strings.HasSuffix(e.Exception, "AmbiguousParameterSetException") {
		return fmt.Errorf("%w\n\nImpersonation protection, mailbox intelligence and the phishing threshold need Microsoft Defender for Office 365 (Plan 1 or 2); in a tenant without it Exchange does not offer those parameters. Leave those attributes out, or license the tenant", err)
	}
	return err
}
