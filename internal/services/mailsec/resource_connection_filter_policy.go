package mailsec

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

var (
	_ resource.ResourceWithConfigure   = &connectionFilterPolicyResource{}
	_ resource.ResourceWithImportState = &connectionFilterPolicyResource{}
)

// defaultConnectionFilter is the one connection filter policy an
// organization has.
const defaultConnectionFilter = "Default"

// NewConnectionFilterPolicyResource returns the m365harden_connection_filter_policy resource.
func NewConnectionFilterPolicyResource() resource.Resource { return &connectionFilterPolicyResource{} }

type connectionFilterPolicyResource struct {
	clients *clients.Set
}

type connectionFilterPolicyModel struct {
	ID             types.String   `tfsdk:"id"`
	IPAllowList    types.Set      `tfsdk:"ip_allow_list"`
	IPBlockList    types.Set      `tfsdk:"ip_block_list"`
	EnableSafeList types.Bool     `tfsdk:"enable_safe_list"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (r *connectionFilterPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_filter_policy"
}

func (r *connectionFilterPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	ipList := func(param, desc string) schema.SetAttribute {
		return schema.SetAttribute{
			MarkdownDescription: desc + " (`-" + param + "`): IPv4 addresses (`192.168.1.1`), ranges of at most 256 addresses (`192.168.0.1-192.168.0.254`) or CIDR ranges `/24` to `/32` (`192.168.0.0/24`); IPv6 is not supported. `[]` empties it. Unset: read but not managed.",
			ElementType:         types.StringType,
			Optional:            true, Computed: true,
			Validators:    []validator.Set{setvalidator.ValueStringsAre(stringCheck{desc: "an IPv4 address, range or CIDR range", problem: ipRangeProblem})},
			PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The organization's connection filter policy, `Default` (`Get-HostedConnectionFilterPolicy` / `Set-HostedConnectionFilterPolicy`; Microsoft365DSC EXOHostedConnectionFilterPolicy). Hardened: **no IP allow list** (CIS 2.1.12: allowed IPs skip spam filtering) and **the safe list off** (CIS 2.1.13).\n\n" +
			"Every organization has exactly this one policy, so it is a singleton: creating the resource adopts it and changes only the attributes you set; destroying it removes it from Terraform state and **leaves the policy as it is**.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.SettingsTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The policy's name, `Default`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"ip_allow_list": ipList("IPAllowList", "Source IP addresses whose messages skip spam filtering. Hardened: `[]` (CIS 2.1.12)"),
			"ip_block_list": ipList("IPBlockList", "Source IP addresses whose messages are always rejected as spam"),
			"enable_safe_list": schema.BoolAttribute{
				MarkdownDescription: "Whether Microsoft's list of third-party safe senders skips spam filtering (`-EnableSafeList`; `false` in a new organization). Hardened: `false` (CIS 2.1.13). Unset: read but not managed.",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *connectionFilterPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (r *connectionFilterPolicyResource) read(ctx context.Context) (*connectionFilterPolicyModel, error) {
	p, err := r.clients.Exchange.GetConnectionFilterPolicy(ctx, defaultConnectionFilter)
	if err != nil {
		return nil, err
	}
	return &connectionFilterPolicyModel{
		Timeouts:    common.KeepSettingsTimeouts(nil),
		ID:          types.StringValue(p.Name),
		IPAllowList: common.StringSet(p.IPAllowList), IPBlockList: common.StringSet(p.IPBlockList),
		EnableSafeList: types.BoolValue(p.EnableSafeList),
	}, nil
}

func (m *connectionFilterPolicyModel) changes(ctx context.Context, cur *connectionFilterPolicyModel) map[string]any {
	p := map[string]any{}
	for _, l := range []struct {
		param      string
		want, have types.Set
	}{{"IPAllowList", m.IPAllowList, cur.IPAllowList}, {"IPBlockList", m.IPBlockList, cur.IPBlockList}} {
		if want, ok := common.SetStrings(ctx, l.want); ok {
			have, _ := common.SetStrings(ctx, l.have)
			if !common.FoldSame(want, have) {
				if want == nil {
					want = []string{}
				}
				p[l.param] = want
			}
		}
	}
	if known(m.EnableSafeList) && m.EnableSafeList.ValueBool() != cur.EnableSafeList.ValueBool() {
		p["EnableSafeList"] = m.EnableSafeList.ValueBool()
	}
	return p
}

func (r *connectionFilterPolicyResource) apply(ctx context.Context, plan connectionFilterPolicyModel) (*connectionFilterPolicyModel, error) {
	cur, err := r.read(ctx)
	if err != nil {
		return nil, err
	}
	params := plan.changes(ctx, cur)
	if len(params) == 0 {
		return cur, nil
	}
	if err := r.clients.Exchange.SetConnectionFilterPolicy(ctx, defaultConnectionFilter, params); err != nil {
		return nil, err
	}
	return settle(ctx, r.clients.ConsistencyTimeout, "the connection filter policy", r.read,
		func(m *connectionFilterPolicyModel) int { return len(plan.changes(ctx, m)) })
}

func (r *connectionFilterPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics, "create")
}

func (r *connectionFilterPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics, "update")
}

func (r *connectionFilterPolicyResource) write(ctx context.Context, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics, op string) {
	common.WriteSingletonWithin(ctx, r.clients, plan, state, diags, "the connection filter policy", op,
		func(m *connectionFilterPolicyModel, t timeouts.Value) { m.Timeouts = t }, r.apply, r.read)
}

func (r *connectionFilterPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	m, err := r.read(ctx)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Reading the connection filter policy failed", err)
		return
	}
	prior := common.TimeoutsOf(ctx, req.State, &resp.Diagnostics)
	m.Timeouts = common.KeepSettingsTimeouts(&prior)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *connectionFilterPolicyResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddWarning("Connection filter policy left in place",
		"m365harden_connection_filter_policy was removed from Terraform state; the Default connection filter policy can't be removed and was not changed.")
}

func (r *connectionFilterPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	if !strings.EqualFold(strings.TrimSpace(req.ID), defaultConnectionFilter) {
		resp.Diagnostics.AddError("Wrong import ID",
			fmt.Sprintf("m365harden_connection_filter_policy is imported by the policy's name, %q (the only connection filter policy); got %q.", defaultConnectionFilter, req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), defaultConnectionFilter)...)
}
