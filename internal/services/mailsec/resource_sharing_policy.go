package mailsec

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

var (
	_ resource.ResourceWithConfigure   = &sharingPolicyResource{}
	_ resource.ResourceWithImportState = &sharingPolicyResource{}
)

// NewSharingPolicyResource returns the m365harden_sharing_policy resource.
func NewSharingPolicyResource() resource.Resource { return &sharingPolicyResource{} }

type sharingPolicyResource struct {
	clients *clients.Set
}

type sharingPolicyModel struct {
	ID       types.String   `tfsdk:"id"`
	Name     types.String   `tfsdk:"name"`
	Enabled  types.Bool     `tfsdk:"enabled"`
	Domains  types.Set      `tfsdk:"domains"`
	Default  types.Bool     `tfsdk:"default"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (r *sharingPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sharing_policy"
}

func (r *sharingPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An existing Exchange Online sharing policy (`Get-SharingPolicy` / `Set-SharingPolicy`): what calendar and contact information users may share with other organizations and anonymous users (ScubaGear MS.EXO.6.1 contacts not shared with all domains, MS.EXO.6.2 calendar details not shared with all domains; Microsoft365DSC EXOSharingPolicy).\n\n" +
			"The policy is **adopted**, never created: declare the built-in `Default Sharing Policy` (or another existing policy) by name. Destroying the resource removes it from Terraform state and **leaves the policy as it is**.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.SettingsTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The policy's name.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The existing policy's name (`-Identity`), e.g. `Default Sharing Policy`. Changing it replaces the resource (the old policy is left as it is).",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 64)},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the policy is in effect (`-Enabled`). `false` stops all external sharing for the mailboxes it applies to. Unset: read but not managed.",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"domains": schema.SetAttribute{
				MarkdownDescription: "The sharing allowed per domain (`-Domains`), each `\"<domain>:<Action>[,<Action>]\"` without spaces. `<domain>` is a domain (`contoso.com`, without its subdomains, in lower case), `*` (every federated organization) or `Anonymous` (anyone with the link). Actions: " + quoteList(sharingActions) + "; at most one calendar action per domain, no `ContactsSharing` for `Anonymous`. Hardened (MS.EXO.6.1/6.2): no `*` entry with `ContactsSharing` or a calendar action beyond `CalendarSharingFreeBusySimple`, and no `Anonymous` entry; `[]` disallows all external sharing. Unset: read but not managed.",
				ElementType:         types.StringType,
				Optional:            true, Computed: true,
				Validators: []validator.Set{
					setvalidator.ValueStringsAre(stringCheck{desc: "domain:Action[,Action]", problem: sharingProblem}),
				},
				PlanModifiers: []planmodifier.Set{
					common.SameStateSet("Keeps the entries in state when the configuration allows the same sharing in another spelling.", sameSharing),
					setplanmodifier.UseStateForUnknown(),
				},
			},
			"default": schema.BoolAttribute{
				MarkdownDescription: "Whether this is the organization's default sharing policy, applied to mailboxes without another (`Default`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *sharingPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// sharingSet returns the service's entries in normal form.
func sharingSet(items []string) types.Set {
	out := make([]string, 0, len(items))
	for _, s := range items {
		out = append(out, normalSharing(s))
	}
	return common.StringSet(out)
}

// sameSharing reports whether two lists allow the same sharing.
func sameSharing(a, b []string) bool {
	na, nb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		na[i] = normalSharing(a[i])
	}
	for i := range b {
		nb[i] = normalSharing(b[i])
	}
	return common.FoldSame(na, nb)
}

// keepSharing keeps the prior spelling when it allows the same sharing.
func keepSharing(ctx context.Context, prior, got types.Set) types.Set {
	p, ok1 := common.SetStrings(ctx, prior)
	g, ok2 := common.SetStrings(ctx, got)
	if ok1 && ok2 && sameSharing(p, g) {
		return prior
	}
	return got
}

func (r *sharingPolicyResource) read(ctx context.Context, name string, prior *sharingPolicyModel) (*sharingPolicyModel, error) {
	p, err := r.clients.Exchange.GetSharingPolicy(ctx, name)
	if err != nil {
		return nil, err
	}
	m := &sharingPolicyModel{
		ID: types.StringValue(p.Name), Name: types.StringValue(p.Name),
		Enabled: types.BoolValue(p.Enabled), Domains: sharingSet(p.Domains), Default: types.BoolValue(p.Default),
		Timeouts: common.KeepSettingsTimeouts(nil),
	}
	if prior != nil {
		m.Timeouts = common.KeepSettingsTimeouts(&prior.Timeouts)
		m.Name = common.FoldKeepString(prior.Name, m.Name)
		m.Domains = keepSharing(ctx, prior.Domains, m.Domains)
	}
	return m, nil
}

func (m *sharingPolicyModel) changes(ctx context.Context, cur *sharingPolicyModel) map[string]any {
	p := map[string]any{}
	if known(m.Enabled) && m.Enabled.ValueBool() != cur.Enabled.ValueBool() {
		p["Enabled"] = m.Enabled.ValueBool()
	}
	if want, ok := common.SetStrings(ctx, m.Domains); ok {
		have, _ := common.SetStrings(ctx, cur.Domains)
		if !sameSharing(want, have) {
			if want == nil {
				want = []string{}
			}
			p["Domains"] = want
		}
	}
	return p
}

func (r *sharingPolicyResource) apply(ctx context.Context, plan sharingPolicyModel) (*sharingPolicyModel, error) {
	name := plan.Name.ValueString()
	read := func(ctx context.Context) (*sharingPolicyModel, error) { return r.read(ctx, name, &plan) }
	cur, err := read(ctx)
	if err != nil {
		return nil, err
	}
	params := plan.changes(ctx, cur)
	if len(params) == 0 {
		return cur, nil
	}
	if err := r.clients.Exchange.SetSharingPolicy(ctx, name, params); err != nil {
		return nil, err
	}
	return settle(ctx, r.clients.ConsistencyTimeout, "sharing policy "+name, read,
		func(m *sharingPolicyModel) int { return len(plan.changes(ctx, m)) })
}

func (r *sharingPolicyResource) write(ctx context.Context, op string, diags *diag.Diagnostics, planGet func(context.Context, any) error, set func(*sharingPolicyModel), addErr func(string, error)) {
	var plan sharingPolicyModel
	if err := planGet(ctx, &plan); err != nil {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, op, diags)
	got, err := r.apply(ctx, plan)
	if err != nil {
		addErr(fmt.Sprintf("Configuring sharing policy %q failed", plan.Name.ValueString()), err)
		if m, rerr := r.read(ctx, plan.Name.ValueString(), &plan); rerr == nil {
			set(m)
		}
		return
	}
	set(got)
}

func (r *sharingPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	r.write(ctx, "create", &resp.Diagnostics, func(ctx context.Context, m any) error {
		d := req.Plan.Get(ctx, m)
		resp.Diagnostics.Append(d...)
		if d.HasError() {
			return fmt.Errorf("plan")
		}
		return nil
	}, func(m *sharingPolicyModel) { resp.Diagnostics.Append(resp.State.Set(ctx, m)...) },
		func(s string, err error) { common.AddAPIError(&resp.Diagnostics, s, err) })
}

func (r *sharingPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	r.write(ctx, "update", &resp.Diagnostics, func(ctx context.Context, m any) error {
		d := req.Plan.Get(ctx, m)
		resp.Diagnostics.Append(d...)
		if d.HasError() {
			return fmt.Errorf("plan")
		}
		return nil
	}, func(m *sharingPolicyModel) { resp.Diagnostics.Append(resp.State.Set(ctx, m)...) },
		func(s string, err error) { common.AddAPIError(&resp.Diagnostics, s, err) })
}

func (r *sharingPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	common.ReadByID(ctx, r.clients, req, resp, "sharing policy", func(m sharingPolicyModel) string { return m.ID.ValueString() }, r.read)
}

func (r *sharingPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state sharingPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.AddWarning("Sharing policy left in place",
		fmt.Sprintf("m365harden_sharing_policy %q was removed from Terraform state; the policy and its domains were not changed.", strings.TrimSpace(state.Name.ValueString())))
}

func (r *sharingPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportByRead(ctx, r.clients, req, resp, "sharing policy", "import by the policy's name, e.g. Default Sharing Policy",
		func(ctx context.Context, name string) (*sharingPolicyModel, error) { return r.read(ctx, name, nil) })
}
