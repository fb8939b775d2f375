package mailsec

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

var (
	_ resource.ResourceWithConfigure   = &transportConfigResource{}
	_ resource.ResourceWithImportState = &transportConfigResource{}
)

// NewTransportConfigResource returns the m365harden_transport_config resource.
func NewTransportConfigResource() resource.Resource { return &transportConfigResource{} }

type transportConfigResource struct {
	clients *clients.Set
}

type transportConfigModel struct {
	ID                            types.String   `tfsdk:"id"`
	SmtpClientAuthDisabled        types.Bool     `tfsdk:"smtp_client_authentication_disabled"`
	ReplyAllStormProtection       types.Bool     `tfsdk:"reply_all_storm_protection_enabled"`
	ReplyAllStormMinRecipients    types.Int64    `tfsdk:"reply_all_storm_detection_minimum_recipients"`
	ReplyAllStormMinReplies       types.Int64    `tfsdk:"reply_all_storm_detection_minimum_replies"`
	ReplyAllStormBlockDurationHrs types.Int64    `tfsdk:"reply_all_storm_block_duration_hours"`
	Timeouts                      timeouts.Value `tfsdk:"timeouts"`
}

func (r *transportConfigResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_transport_config"
}

func (r *transportConfigResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	optBool := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{
			MarkdownDescription: desc + " Unset: read but not managed.",
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		}
	}
	optInt := func(desc string, lo, hi int64) schema.Int64Attribute {
		return schema.Int64Attribute{
			MarkdownDescription: desc + " Unset: read but not managed.",
			Optional:            true, Computed: true,
			Validators:    []validator.Int64{int64validator.Between(lo, hi)},
			PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The organization-wide Exchange Online transport settings that matter against business e-mail compromise (`Get-TransportConfig` / `Set-TransportConfig`; Microsoft365DSC EXOTransportConfig): above all **SMTP client authentication off** for the whole organization (ScubaGear MS.EXO.5.1, CIS 6.5.4), so stolen passwords can't be used to send mail through basic-auth SMTP, and reply-all storm protection.\n\n" +
			"This is a singleton: creating it adopts the tenant's settings and changes only the attributes you set; destroying it removes it from Terraform state and **leaves the tenant's settings as they are**. An attribute you leave unset is read but not managed.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.SettingsTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The tenant ID.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"smtp_client_authentication_disabled": optBool("Whether authenticated SMTP (SMTP AUTH) is disabled for the whole organization (`-SmtpClientAuthenticationDisabled`; `true` is the default for organizations created after January 2020). Mailboxes whose own `SmtpClientAuthenticationDisabled` (`Set-CASMailbox`) is `$false` still allow it. Hardened: `true` (MS.EXO.5.1, CIS 6.5.4)."),
			"reply_all_storm_protection_enabled":  optBool("Whether reply-all storm protection is on (`-ReplyAllStormProtectionEnabled`; default `true`)."),
			"reply_all_storm_detection_minimum_recipients": optInt(
				"How many recipients a message needs before reply-all storm detection counts its reply-alls (`-ReplyAllStormDetectionMinimumRecipients`; 1000 to 5000, default 2500).", 1000, 5000),
			"reply_all_storm_detection_minimum_replies": optInt(
				"How many reply-alls within an hour make a storm (`-ReplyAllStormDetectionMinimumReplies`; 5 to 20, default 10).", 5, 20),
			"reply_all_storm_block_duration_hours": optInt(
				"How many hours further reply-alls are blocked once a storm is detected (`-ReplyAllStormBlockDurationHours`; 1 to 12, default 6).", 1, 12),
		},
	}
}

func (r *transportConfigResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (r *transportConfigResource) read(ctx context.Context) (*transportConfigModel, error) {
	c, err := r.clients.Exchange.GetTransportConfig(ctx)
	if err != nil {
		return nil, err
	}
	return &transportConfigModel{
		Timeouts:                      common.KeepSettingsTimeouts(nil),
		ID:                            types.StringValue(r.clients.TenantID),
		SmtpClientAuthDisabled:        types.BoolValue(c.SmtpClientAuthenticationDisabled),
		ReplyAllStormProtection:       types.BoolValue(c.ReplyAllStormProtectionEnabled),
		ReplyAllStormMinRecipients:    types.Int64Value(c.ReplyAllStormDetectionMinimumRecipients),
		ReplyAllStormMinReplies:       types.Int64Value(c.ReplyAllStormDetectionMinimumReplies),
		ReplyAllStormBlockDurationHrs: types.Int64Value(c.ReplyAllStormBlockDurationHours),
	}, nil
}

// changes returns the Set-TransportConfig parameters for the planned values
// that differ from the tenant's.
func (m *transportConfigModel) changes(cur *transportConfigModel) map[string]any {
	p := map[string]any{}
	for _, b := range []struct {
		param      string
		want, have types.Bool
	}{
		{"SmtpClientAuthenticationDisabled", m.SmtpClientAuthDisabled, cur.SmtpClientAuthDisabled},
		{"ReplyAllStormProtectionEnabled", m.ReplyAllStormProtection, cur.ReplyAllStormProtection},
	} {
		if known(b.want) && b.want.ValueBool() != b.have.ValueBool() {
			p[b.param] = b.want.ValueBool()
		}
	}
	for _, n := range []struct {
		param      string
		want, have types.Int64
	}{
		{"ReplyAllStormDetectionMinimumRecipients", m.ReplyAllStormMinRecipients, cur.ReplyAllStormMinRecipients},
		{"ReplyAllStormDetectionMinimumReplies", m.ReplyAllStormMinReplies, cur.ReplyAllStormMinReplies},
		{"ReplyAllStormBlockDurationHours", m.ReplyAllStormBlockDurationHrs, cur.ReplyAllStormBlockDurationHrs},
	} {
		if known(n.want) && n.want.ValueInt64() != n.have.ValueInt64() {
			p[n.param] = n.want.ValueInt64()
		}
	}
	return p
}

func (r *transportConfigResource) apply(ctx context.Context, plan transportConfigModel) (*transportConfigModel, error) {
	cur, err := r.read(ctx)
	if err != nil {
		return nil, err
	}
	params := plan.changes(cur)
	if len(params) == 0 {
		return cur, nil
	}
	if err := r.clients.Exchange.SetTransportConfig(ctx, params); err != nil {
		return nil, err
	}
	return settle(ctx, r.clients.ConsistencyTimeout, "the transport configuration", r.read,
		func(m *transportConfigModel) int { return len(plan.changes(m)) })
}

func (r *transportConfigResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics, "create")
}

func (r *transportConfigResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics, "update")
}

func (r *transportConfigResource) write(ctx context.Context, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics, op string) {
	common.WriteSingletonWithin(ctx, r.clients, plan, state, diags, "the tenant's transport configuration", op,
		func(m *transportConfigModel, t timeouts.Value) { m.Timeouts = t }, r.apply, r.read)
}

func (r *transportConfigResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	m, err := r.read(ctx)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Reading the tenant's transport configuration failed", err)
		return
	}
	prior := common.TimeoutsOf(ctx, req.State, &resp.Diagnostics)
	m.Timeouts = common.KeepSettingsTimeouts(&prior)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *transportConfigResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddWarning("Transport configuration left in place",
		"m365harden_transport_config was removed from Terraform state; the tenant's transport settings were not changed (SMTP AUTH stays as it is).")
}

func (r *transportConfigResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportTenantSingleton(ctx, r.clients, "m365harden_transport_config", req, resp)
}
