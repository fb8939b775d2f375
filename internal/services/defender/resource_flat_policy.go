package defender

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
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

// A threat-protection policy whose settings are flat parameters of
// New-/Set-<noun> (anti-phishing, Safe Links, Safe Attachments): a table
// of fields (policyField) drives the schema, the read-back and the
// parameters sent, so each policy type is its table and its words.

var (
	_ resource.ResourceWithConfigure   = &flatPolicyResource{}
	_ resource.ResourceWithImportState = &flatPolicyResource{}
)

// Field kinds.
const (
	fBool    = "bool"
	fEnum    = "enum"    // one value of a catalogue list, sent as a string
	fAction  = "action"  // one value sent as a one-item list (MultiValuedProperty)
	fInt     = "int"     // a number within [min, max]
	fDomains = "domains" // set of domains
	fUsers   = "users"   // set of "DisplayName;EmailAddress"
	fString  = "string"  // free text up to max characters
	fAddress = "address" // one SMTP address
	fStrings = "strings" // set of free-form entries (e.g. URL patterns)
)

type policyField struct {
	attr, param, kind, desc string
	defender                bool  // available only with Defender for Office 365
	min, max                int64 // fInt range; fString/fStrings entry length (max)
}

// policyKind is one policy type.
type policyKind struct {
	typeSuffix string // "safe_links_policy"
	noun       string // "SafeLinksPolicy"
	what       string // "Safe Links policy"
	// adopt is the built-in policy that is adopted by name ("" for none);
	// isDefault the property that marks it ("IsDefault").
	adopt, isDefault string
	// refused are names the resource refuses (read-only built-in policies).
	refused []string
	fields  []policyField
	// description of the type (Markdown).
	description string
	// values returns the accepted values of an fEnum/fAction field; nil:
	// the catalogue's list of -param of Set-<noun>.
	values func(f policyField) []string
	// explain adds what a refusal usually means (licences); nil for none.
	explain func(error) error
}

func (k policyKind) fieldValues(f policyField) []string {
	if k.values != nil {
		if v := k.values(f); v != nil {
			return v
		}
	}
	return common.CmdletValues("Set-"+k.noun, f.param)
}

func (k policyKind) explainErr(err error) error {
	if k.explain == nil {
		return err
	}
	return k.explain(err)
}

type flatPolicyResource struct {
	kind    policyKind
	clients *clients.Set
}

func (r *flatPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.kind.typeSuffix
}

func (r *flatPolicyResource) schemaAttr(f policyField) schema.Attribute {
	desc := f.desc
	if f.defender {
		desc += " Needs Microsoft Defender for Office 365 (Plan 1 or 2)."
	}
	folded := " Compared without regard to case (the configured spelling is kept)." + common.Unmanaged
	switch f.kind {
	case fBool:
		return common.OptionalBool(desc)
	case fEnum, fAction:
		vals := r.kind.fieldValues(f)
		return schema.StringAttribute{
			MarkdownDescription: desc + " One of " + common.QuoteList(vals) + "." + common.Unmanaged,
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			Validators:    []validator.String{stringvalidator.OneOf(vals...)},
		}
	case fInt:
		return schema.Int64Attribute{
			MarkdownDescription: desc + common.Unmanaged,
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			Validators:    []validator.Int64{int64validator.Between(f.min, f.max)},
		}
	case fString:
		return schema.StringAttribute{
			MarkdownDescription: desc + common.Unmanaged,
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			Validators:    []validator.String{stringvalidator.LengthAtMost(int(f.max))},
		}
	case fAddress:
		return schema.StringAttribute{
			MarkdownDescription: desc + " `\"\"` clears it." + common.Unmanaged,
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			Validators:    []validator.String{stringvalidator.Any(stringvalidator.OneOf(""), common.SMTPAddress())},
		}
	case fDomains:
		return schema.SetAttribute{
			MarkdownDescription: desc + folded,
			ElementType:         types.StringType, Optional: true, Computed: true,
			PlanModifiers: []planmodifier.Set{common.FoldStateSet(), setplanmodifier.UseStateForUnknown()},
			Validators:    []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(smtpDomainRe, "must be a domain such as contoso.com"))},
		}
	case fStrings:
		return schema.SetAttribute{
			MarkdownDescription: desc + folded,
			ElementType:         types.StringType, Optional: true, Computed: true,
			PlanModifiers: []planmodifier.Set{common.FoldStateSet(), setplanmodifier.UseStateForUnknown()},
			Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthBetween(1, int(f.max)),
				stringvalidator.RegexMatches(noEdgeSpacesRe, "must not start or end with a space"))},
		}
	default: // fUsers
		return schema.SetAttribute{
			MarkdownDescription: desc + folded,
			ElementType:         types.StringType, Optional: true, Computed: true,
			PlanModifiers: []planmodifier.Set{common.FoldStateSet(), setplanmodifier.UseStateForUnknown()},
			Validators: []validator.Set{setvalidator.SizeAtMost(350), setvalidator.ValueStringsAre(
				stringvalidator.RegexMatches(protectedUserRe, `must be "Display name;address@domain"`))},
		}
	}
}

func (r *flatPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	k := r.kind
	nameDesc := "The policy's unique name (`-Name`, at most 64 characters)."
	nameValidators := []validator.String{stringvalidator.LengthBetween(1, 64), stringvalidator.RegexMatches(noEdgeSpacesRe, "must not start or end with a space")}
	if k.adopt != "" {
		nameDesc += " `" + k.adopt + "` adopts the built-in policy."
	}
	if len(k.refused) > 0 {
		nameDesc += " Not " + common.QuoteList(k.refused) + " (read-only)."
		nameValidators = append(nameValidators, stringvalidator.NoneOfCaseInsensitive(k.refused...))
	}
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The policy's name.",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			MarkdownDescription: nameDesc + " Names are compared without regard to case (the configured spelling is kept); changing it otherwise replaces the resource.",
			Required:            true,
			PlanModifiers:       []planmodifier.String{common.FoldStateString(), stringplanmodifier.RequiresReplace()},
			Validators:          nameValidators,
		},
		"admin_display_name": schema.StringAttribute{
			MarkdownDescription: "A description of the policy (`-AdminDisplayName`, at most 255 characters)." + common.Unmanaged,
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			Validators:    []validator.String{stringvalidator.LengthAtMost(255)},
		},
	}
	if k.isDefault != "" {
		attrs["is_default"] = schema.BoolAttribute{
			MarkdownDescription: "Whether this is the built-in default policy (`" + k.isDefault + "`).",
			Computed:            true,
			PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		}
	}
	for _, f := range k.fields {
		attrs[f.attr] = r.schemaAttr(f)
	}
	attrs["timeouts"] = common.TimeoutsAttribute()
	resp.Schema = schema.Schema{MarkdownDescription: k.description, Attributes: attrs}
}

func (r *flatPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// policyValues holds a policy's attributes by name.
type policyValues map[string]attr.Value

// timeouts is the timeouts attribute of a plan or state (null when v came
// from an import).
func (v policyValues) timeouts() timeouts.Value {
	t, _ := v["timeouts"].(timeouts.Value)
	return common.KeepTimeouts(&t)
}

type attrGetter interface {
	GetAttribute(ctx context.Context, p path.Path, target interface{}) diag.Diagnostics
}

func (k policyKind) get(ctx context.Context, src attrGetter, diags *diag.Diagnostics) policyValues {
	v := policyValues{}
	var s types.String
	diags.Append(src.GetAttribute(ctx, path.Root("name"), &s)...)
	v["name"] = s
	diags.Append(src.GetAttribute(ctx, path.Root("admin_display_name"), &s)...)
	v["admin_display_name"] = s
	v["timeouts"] = common.TimeoutsOf(ctx, src, diags)
	for _, f := range k.fields {
		switch f.kind {
		case fBool:
			var x types.Bool
			diags.Append(src.GetAttribute(ctx, path.Root(f.attr), &x)...)
			v[f.attr] = x
		case fEnum, fAction, fString, fAddress:
			var x types.String
			diags.Append(src.GetAttribute(ctx, path.Root(f.attr), &x)...)
			v[f.attr] = x
		case fInt:
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

func (v policyValues) store(ctx context.Context, dst attrSetter, diags *diag.Diagnostics) {
	for k, x := range v {
		diags.Append(dst.SetAttribute(ctx, path.Root(k), x)...)
	}
}

func isSetKind(kind string) bool { return kind == fDomains || kind == fUsers || kind == fStrings }

// from reads the service's policy; prior keeps the user's spelling of
// values Exchange compares without regard to case.
func (k policyKind) from(ctx context.Context, o exchange.Object, prior policyValues) policyValues {
	name := o.String("Name")
	v := policyValues{"id": types.StringValue(name), "name": types.StringValue(name), "admin_display_name": types.StringValue(o.String("AdminDisplayName"))}
	if k.isDefault != "" {
		v["is_default"] = types.BoolValue(o.Bool(k.isDefault))
	}
	for _, f := range k.fields {
		switch f.kind {
		case fBool:
			v[f.attr] = types.BoolValue(o.Bool(f.param))
		case fEnum, fAction:
			s := o.String(f.param)
			if s == "" {
				if l := o.Strings(f.param); len(l) > 0 {
					s = l[0]
				}
			}
			v[f.attr] = types.StringValue(common.CanonicalEnum(common.CmdletValues("Set-"+k.noun, f.param), s))
		case fString, fAddress:
			v[f.attr] = types.StringValue(o.String(f.param))
		case fInt:
			v[f.attr] = types.Int64Value(o.Int(f.param))
		default:
			v[f.attr] = common.StringSet(o.Strings(f.param))
		}
	}
	if prior != nil {
		if t, ok := prior["timeouts"]; ok {
			v["timeouts"] = t
		}
		if s, ok := prior["name"].(types.String); ok {
			v["name"] = common.FoldKeepString(s, v["name"].(types.String))
		}
		for _, f := range k.fields {
			if f.kind == fAddress {
				if s, ok := prior[f.attr].(types.String); ok {
					v[f.attr] = common.FoldKeepString(s, v[f.attr].(types.String))
				}
			}
			if isSetKind(f.kind) {
				if s, ok := prior[f.attr].(types.Set); ok {
					v[f.attr] = common.FoldKeepSet(ctx, s, v[f.attr].(types.Set))
				}
			}
		}
	}
	return v
}

// changes returns the Set-<noun> parameters that move cur (nil: a new
// policy with the service defaults) to the plan v.
func (k policyKind) changes(ctx context.Context, v, cur policyValues, diags *diag.Diagnostics) map[string]any {
	p := map[string]any{}
	if s := v["admin_display_name"].(types.String); common.Known(s) && (cur == nil || s.ValueString() != cur["admin_display_name"].(types.String).ValueString()) {
		p["AdminDisplayName"] = s.ValueString()
	}
	for _, f := range k.fields {
		want := v[f.attr]
		if !common.Known(want) {
			continue
		}
		switch f.kind {
		case fBool:
			if cur == nil || want.(types.Bool).ValueBool() != cur[f.attr].(types.Bool).ValueBool() {
				p[f.param] = want.(types.Bool).ValueBool()
			}
		case fEnum, fAction, fString, fAddress:
			w := want.(types.String).ValueString()
			same := cur != nil && w == cur[f.attr].(types.String).ValueString()
			if f.kind != fString && cur != nil {
				same = strings.EqualFold(w, cur[f.attr].(types.String).ValueString())
			}
			if cur == nil && w == "" {
				same = true // a new policy has no text
			}
			if !same {
				if f.kind == fAction {
					p[f.param] = []string{w}
				} else {
					p[f.param] = w
				}
			}
		case fInt:
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

func (k policyKind) selectFields() []string {
	out := []string{"AdminDisplayName"}
	if k.isDefault != "" {
		out = append(out, k.isDefault)
	}
	for _, f := range k.fields {
		out = append(out, f.param)
	}
	return out
}

func (r *flatPolicyResource) read(ctx context.Context, name string, prior policyValues) (policyValues, error) {
	o, err := r.clients.Exchange.GetPolicyObject(ctx, r.kind.noun, name, r.kind.selectFields())
	if err != nil {
		return nil, err
	}
	return r.kind.from(ctx, o, prior), nil
}

func (r *flatPolicyResource) settle(ctx context.Context, plan policyValues, diags *diag.Diagnostics) (policyValues, error) {
	name := plan["name"].(types.String).ValueString()
	var got policyValues
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.read(ctx, name, plan)
		if exchange.IsNotFound(err) {
			return wait.NotYet("%s %s is not readable yet", r.kind.what, name)
		}
		if err != nil {
			return err
		}
		got = m
		if left := r.kind.changes(ctx, plan, m, diags); len(left) > 0 {
			return wait.NotYet("%s %s still differs in %d settings", r.kind.what, name, len(left))
		}
		return nil
	})
	return got, err
}

func (r *flatPolicyResource) isAdopted(name string) bool {
	return r.kind.adopt != "" && strings.EqualFold(name, r.kind.adopt)
}

func (r *flatPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	plan := r.kind.get(ctx, req.Plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.timeouts(), "create", &resp.Diagnostics)
	name := plan["name"].(types.String).ValueString()
	var err error
	if r.isAdopted(name) {
		var cur policyValues
		cur, err = r.read(ctx, r.kind.adopt, plan)
		if err == nil {
			if p := r.kind.changes(ctx, plan, cur, &resp.Diagnostics); len(p) > 0 {
				err = r.clients.Exchange.SetPolicy(ctx, r.kind.noun, r.kind.adopt, p)
			}
		}
	} else {
		r.create(ctx, name, plan, resp)
		return
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Creating %s %q failed", r.kind.what, name), r.kind.explainErr(err))
		return
	}
	got, err := r.settle(ctx, plan, &resp.Diagnostics)
	if got != nil {
		got.store(ctx, &resp.State, &resp.Diagnostics)
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("%s %q was written but does not read back as planned", r.kind.what, name), err)
	}
}

// create makes a custom policy through common.SafeCreate: the name is in
// state as soon as New-* has run, and an ambiguous failure adopts the policy
// it made instead of making a second.
func (r *flatPolicyResource) create(ctx context.Context, name string, plan policyValues, resp *resource.CreateResponse) {
	params := r.kind.changes(ctx, plan, nil, &resp.Diagnostics)
	common.SafeCreate[policyValues]{
		What: r.kind.what, Name: name,
		New: func(ctx context.Context) (string, error) {
			return name, r.kind.explainErr(r.clients.Exchange.NewPolicy(ctx, r.kind.noun, name, params))
		},
		Find: func(ctx context.Context) (string, string, error) {
			cur, err := r.read(ctx, name, plan)
			return common.Found(name, err, func() map[string]any { return r.kind.changes(ctx, plan, cur, new(diag.Diagnostics)) })
		},
		SetID: func(m *policyValues, id string) { (*m)["id"] = types.StringValue(id) },
		Finish: func(ctx context.Context, m policyValues) (*policyValues, error) {
			got, err := r.settle(ctx, m, &resp.Diagnostics)
			if got == nil {
				return nil, err
			}
			return &got, err
		},
		Save: func(ctx context.Context, state *tfsdk.State, m *policyValues) diag.Diagnostics {
			var diags diag.Diagnostics
			m.store(ctx, state, &diags)
			return diags
		},
	}.Run(ctx, plan, &resp.State, &resp.Diagnostics)
}

func (r *flatPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	state := r.kind.get(ctx, req.State, &resp.Diagnostics)
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
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Reading %s %q failed", r.kind.what, id.ValueString()), r.kind.explainErr(err))
		return
	}
	m.store(ctx, &resp.State, &resp.Diagnostics)
}

func (r *flatPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	plan := r.kind.get(ctx, req.Plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.timeouts(), "update", &resp.Diagnostics)
	name := plan["name"].(types.String).ValueString()
	cur, err := r.read(ctx, name, plan)
	if err == nil {
		if p := r.kind.changes(ctx, plan, cur, &resp.Diagnostics); len(p) > 0 {
			err = r.clients.Exchange.SetPolicy(ctx, r.kind.noun, name, p)
		}
	}
	if err == nil {
		cur, err = r.settle(ctx, plan, &resp.Diagnostics)
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Updating %s %q failed", r.kind.what, name), r.kind.explainErr(err))
		if m, rerr := r.read(ctx, name, plan); rerr == nil {
			m.store(ctx, &resp.State, &resp.Diagnostics)
		}
		return
	}
	cur.store(ctx, &resp.State, &resp.Diagnostics)
}

func (r *flatPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
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
	if r.isAdopted(name) {
		resp.Diagnostics.AddWarning("Built-in "+r.kind.what+" left in place",
			"m365harden_"+r.kind.typeSuffix+" for \""+name+"\" was removed from Terraform state. The built-in policy can't be removed and its settings were not changed.")
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, common.TimeoutsOf(ctx, req.State, &resp.Diagnostics), "delete", &resp.Diagnostics)
	if err := r.clients.Exchange.RemovePolicy(ctx, r.kind.noun, name); err != nil && !exchange.IsNotFound(err) {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Removing %s %q failed", r.kind.what, name), r.kind.explainErr(err))
		return
	}
	if err := waitGone(ctx, r.clients.ConsistencyTimeout, r.kind.what+" "+name, func(ctx context.Context) error {
		_, err := r.clients.Exchange.GetPolicyObject(ctx, r.kind.noun, name, nil)
		return err
	}); err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("%s %q was removed but still reads back", r.kind.what, name), err)
	}
}

func (r *flatPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	for _, n := range r.kind.refused {
		if strings.EqualFold(req.ID, n) {
			resp.Diagnostics.AddError(fmt.Sprintf("Importing %s %q refused", r.kind.what, req.ID),
				fmt.Sprintf("%q is a read-only built-in policy; Terraform can't manage it. Import a custom policy by its name.", req.ID))
			return
		}
	}
	m, err := r.read(ctx, req.ID, nil)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Importing %s %q failed (import by the policy's name)", r.kind.what, req.ID), r.kind.explainErr(err))
		return
	}
	m.store(ctx, &resp.State, &resp.Diagnostics)
}
