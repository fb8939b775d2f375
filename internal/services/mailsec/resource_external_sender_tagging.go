package mailsec

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	_ resource.ResourceWithConfigure   = &externalSenderTaggingResource{}
	_ resource.ResourceWithImportState = &externalSenderTaggingResource{}
)

// NewExternalSenderTaggingResource returns the m365harden_external_sender_tagging resource.
func NewExternalSenderTaggingResource() resource.Resource { return &externalSenderTaggingResource{} }

type externalSenderTaggingResource struct {
	clients *clients.Set
}

type externalSenderTaggingModel struct {
	ID        types.String   `tfsdk:"id"`
	Enabled   types.Bool     `tfsdk:"enabled"`
	AllowList types.Set      `tfsdk:"allow_list"`
	Timeouts  timeouts.Value `tfsdk:"timeouts"`
}

func (r *externalSenderTaggingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_external_sender_tagging"
}

func (r *externalSenderTaggingResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "External sender identification in Outlook (`Get-ExternalInOutlook` / `Set-ExternalInOutlook`): an **External** tag on messages from outside the organization, so users notice impersonation of colleagues (ScubaGear MS.EXO.7.1 alternative to a warning mail flow rule, CIS 6.2.3; Microsoft365DSC EXOExternalInOutlook).\n\n" +
			"This is a singleton: creating it adopts the tenant's setting and changes only the attributes you set; destroying it removes it from Terraform state and **leaves the setting as it is**.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.SettingsTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The tenant ID.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether Outlook tags messages from external senders (`-Enabled`; off in a new tenant). Hardened: `true`. Unset: read but not managed.",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"allow_list": schema.SetAttribute{
				MarkdownDescription: "Senders and domains whose messages are not tagged (`-AllowList`, matched against the `5322.From` address): domains (`contoso.com`), domains with their subdomains (`*.contoso.com`) or e-mail addresses, in lower case; at most 200 entries totalling 8 KB. `[]` empties the list. Unset: read but not managed.",
				ElementType:         types.StringType,
				Optional:            true, Computed: true,
				Validators: []validator.Set{
					setvalidator.SizeAtMost(200),
					setvalidator.ValueStringsAre(stringCheck{desc: "a domain, *.domain or an e-mail address", problem: allowListProblem}),
				},
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *externalSenderTaggingResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (r *externalSenderTaggingResource) read(ctx context.Context) (*externalSenderTaggingModel, error) {
	e, err := r.clients.Exchange.GetExternalInOutlook(ctx)
	if err != nil {
		return nil, err
	}
	return &externalSenderTaggingModel{
		Timeouts:  common.KeepSettingsTimeouts(nil),
		ID:        types.StringValue(r.clients.TenantID),
		Enabled:   types.BoolValue(e.Enabled),
		AllowList: lowerSet(e.AllowList),
	}, nil
}

func (m *externalSenderTaggingModel) changes(ctx context.Context, cur *externalSenderTaggingModel) map[string]any {
	p := map[string]any{}
	if known(m.Enabled) && m.Enabled.ValueBool() != cur.Enabled.ValueBool() {
		p["Enabled"] = m.Enabled.ValueBool()
	}
	if want, ok := common.SetStrings(ctx, m.AllowList); ok {
		have, _ := common.SetStrings(ctx, cur.AllowList)
		if !common.FoldSame(want, have) {
			if want == nil {
				want = []string{}
			}
			p["AllowList"] = want
		}
	}
	return p
}

func (r *externalSenderTaggingResource) apply(ctx context.Context, plan externalSenderTaggingModel) (*externalSenderTaggingModel, error) {
	cur, err := r.read(ctx)
	if err != nil {
		return nil, err
	}
	params := plan.changes(ctx, cur)
	if len(params) > 0 {
		if err := r.clients.Exchange.SetExternalInOutlook(ctx, params); err != nil {
			return nil, err
		}
		cur, err = settle(ctx, r.clients.ConsistencyTimeout, "external sender identification", r.read,
			func(m *externalSenderTaggingModel) int { return len(plan.changes(ctx, m)) })
		if err != nil {
			return nil, err
		}
	}
	cur.AllowList = common.FoldKeepSet(ctx, plan.AllowList, cur.AllowList)
	return cur, nil
}

func (r *externalSenderTaggingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics, "create")
}

func (r *externalSenderTaggingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics, "update")
}

func (r *externalSenderTaggingResource) write(ctx context.Context, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics, op string) {
	common.WriteSingletonWithin(ctx, r.clients, plan, state, diags, "external sender identification in Outlook", op,
		func(m *externalSenderTaggingModel, t timeouts.Value) { m.Timeouts = t }, r.apply, r.read)
}

func (r *externalSenderTaggingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var prior externalSenderTaggingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	m, err := r.read(ctx)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Reading external sender identification in Outlook failed", err)
		return
	}
	m.AllowList = common.FoldKeepSet(ctx, prior.AllowList, m.AllowList)
	m.Timeouts = common.KeepSettingsTimeouts(&prior.Timeouts)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *externalSenderTaggingResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddWarning("External sender identification left in place",
		"m365harden_external_sender_tagging was removed from Terraform state; the tenant's setting and allow list were not changed.")
}

func (r *externalSenderTaggingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportTenantSingleton(ctx, r.clients, "m365harden_external_sender_tagging", req, resp)
}
