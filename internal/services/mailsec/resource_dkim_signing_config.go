package mailsec

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/cmdletref"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure   = &dkimSigningConfigResource{}
	_ resource.ResourceWithImportState = &dkimSigningConfigResource{}
)

// canonicalizations are -BodyCanonicalization/-HeaderCanonicalization's
// values, from the cmdlet catalogue.
var canonicalizations = cmdletref.Load().Cmdlet("Set-DkimSigningConfig").Param("BodyCanonicalization").Values

// lowerDomainRe refuses upper-case letters (Exchange reports domains in
// lower case; another spelling would show as a perpetual diff).
var lowerDomainRe = regexp.MustCompile(`^[^A-Z]*$`)

// NewDkimSigningConfigResource returns the m365harden_dkim_signing_config resource.
func NewDkimSigningConfigResource() resource.Resource { return &dkimSigningConfigResource{} }

type dkimSigningConfigResource struct {
	clients *clients.Set
}

type dkimSigningConfigModel struct {
	ID                     types.String   `tfsdk:"id"`
	DomainName             types.String   `tfsdk:"domain_name"`
	Enabled                types.Bool     `tfsdk:"enabled"`
	KeySize                types.Int64    `tfsdk:"key_size"`
	RotationTrigger        types.String   `tfsdk:"rotation_trigger"`
	BodyCanonicalization   types.String   `tfsdk:"body_canonicalization"`
	HeaderCanonicalization types.String   `tfsdk:"header_canonicalization"`
	Selector1Host          types.String   `tfsdk:"selector1_host"`
	Selector1CNAME         types.String   `tfsdk:"selector1_cname"`
	Selector2Host          types.String   `tfsdk:"selector2_host"`
	Selector2CNAME         types.String   `tfsdk:"selector2_cname"`
	Status                 types.String   `tfsdk:"status"`
	NewestSelector         types.String   `tfsdk:"newest_selector"`
	RotateOnDate           types.String   `tfsdk:"rotate_on_date"`
	Timeouts               timeouts.Value `tfsdk:"timeouts"`
}

func (r *dkimSigningConfigResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dkim_signing_config"
}

func (r *dkimSigningConfigResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	stable := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	canon := func(param string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: "How much the message " + strings.ToLower(strings.TrimSuffix(param, "Canonicalization")) + " may change in transit and still verify (`-" + param + "`): " + quoteList(canonicalizations) + "; default `Relaxed`. Unset: read but not managed.",
			Optional:            true, Computed: true,
			Validators:    []validator.String{stringvalidator.OneOf(canonicalizations...)},
			PlanModifiers: stable,
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "DKIM signing of outbound mail for one accepted domain (`New-DkimSigningConfig` / `Set-DkimSigningConfig` / `Rotate-DkimSigningConfig`; ScubaGear MS.EXO.3.1, CIS 2.1.9; Microsoft365DSC EXODkimSigningConfig).\n\n" +
			"Signing for a custom domain can be enabled only once the domain's two selector CNAME records are published; this resource exposes them (`selector1_host` → `selector1_cname`, `selector2_host` → `selector2_cname`) so another provider can publish them (`azurerm_dns_cname_record`, `cloudflare_dns_record`, ...). Create it with `enabled = false`, publish the records, then set `enabled = true`: enabling before Exchange Online sees the records fails with its `CnameMissing` error and the configuration stays disabled.\n\n" +
			"An existing configuration for the domain (the `*.onmicrosoft.com` domain always has one) is **adopted**. Exchange Online has no cmdlet to remove a DKIM configuration: destroying the resource removes it from Terraform state and **leaves signing as it is**.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.SettingsTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The domain (the configuration's identity in Exchange).",
				Computed:            true,
				PlanModifiers:       stable,
			},
			"domain_name": schema.StringAttribute{
				MarkdownDescription: "The accepted domain to sign for (`-DomainName`), in lower case, e.g. `contoso.com`. Changing it replaces the resource.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.LengthAtMost(255),
					stringvalidator.RegexMatches(smtpDomainRe, "must be a domain such as contoso.com"),
					stringvalidator.RegexMatches(lowerDomainRe, "must be in lower case (Exchange reports domains in lower case)"),
				},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether DKIM signing with this domain is on (`-Enabled`). Hardened: `true` (MS.EXO.3.1, CIS 2.1.9); needs the selector CNAME records published first.",
				Required:            true,
			},
			"key_size": schema.Int64Attribute{
				MarkdownDescription: "The size in bits of the newest signing key: `1024` or `2048` (`-KeySize` of `New-DkimSigningConfig` and `Rotate-DkimSigningConfig`); default `2048` (the service's own default is 1024). When the tenant's newest key has another size, apply **rotates the keys** with this size (`Rotate-DkimSigningConfig -KeySize`), which needs signing enabled.",
				Optional:            true, Computed: true,
				Default:    int64default.StaticInt64(2048),
				Validators: []validator.Int64{int64validator.OneOf(1024, 2048)},
			},
			"rotation_trigger": schema.StringAttribute{
				MarkdownDescription: "Any value; changing it (on an existing configuration) rotates the DKIM keys with `Rotate-DkimSigningConfig`. The new key signs after `rotate_on_date` (4 days); Exchange Online refuses another rotation before then. Not read from the service.",
				Optional:            true,
			},
			"body_canonicalization":   canon("BodyCanonicalization"),
			"header_canonicalization": canon("HeaderCanonicalization"),
			"selector1_host": schema.StringAttribute{
				MarkdownDescription: "The DNS name of the first selector's CNAME record: `selector1._domainkey.<domain>`.",
				Computed:            true, PlanModifiers: stable,
			},
			"selector1_cname": schema.StringAttribute{
				MarkdownDescription: "The target the first selector's CNAME record must point to (`Selector1CNAME`).",
				Computed:            true, PlanModifiers: stable,
			},
			"selector2_host": schema.StringAttribute{
				MarkdownDescription: "The DNS name of the second selector's CNAME record: `selector2._domainkey.<domain>`.",
				Computed:            true, PlanModifiers: stable,
			},
			"selector2_cname": schema.StringAttribute{
				MarkdownDescription: "The target the second selector's CNAME record must point to (`Selector2CNAME`).",
				Computed:            true, PlanModifiers: stable,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "The service's check of the configuration (`Status`): `Valid`, or `CnameMissing` while the CNAME records are not published.",
				Computed:            true,
			},
			"newest_selector": schema.StringAttribute{
				MarkdownDescription: "The selector that signs once any pending rotation takes effect (`SelectorAfterRotateOnDate`): `selector1` or `selector2`.",
				Computed:            true,
			},
			"rotate_on_date": schema.StringAttribute{
				MarkdownDescription: "When the newest key starts signing (`RotateOnDate`, RFC 3339).",
				Computed:            true,
			},
		},
	}
}

func (r *dkimSigningConfigResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func dkimModelFrom(d *exchange.DkimSigningConfig, prior *dkimSigningConfigModel) *dkimSigningConfigModel {
	m := &dkimSigningConfigModel{
		ID:                     types.StringValue(d.Domain),
		DomainName:             types.StringValue(d.Domain),
		Enabled:                types.BoolValue(d.Enabled),
		KeySize:                types.Int64Value(d.NewestKeySize()),
		RotationTrigger:        types.StringNull(),
		BodyCanonicalization:   types.StringValue(canonicalEnum(canonicalizations, d.BodyCanonicalization)),
		HeaderCanonicalization: types.StringValue(canonicalEnum(canonicalizations, d.HeaderCanonicalization)),
		Selector1Host:          types.StringValue("selector1._domainkey." + d.Domain),
		Selector1CNAME:         types.StringValue(d.Selector1CNAME),
		Selector2Host:          types.StringValue("selector2._domainkey." + d.Domain),
		Selector2CNAME:         types.StringValue(d.Selector2CNAME),
		Status:                 types.StringValue(d.Status),
		NewestSelector:         types.StringValue(d.SelectorAfterRotateOnDate),
		RotateOnDate:           types.StringValue(d.RotateOnDate),
		Timeouts:               common.KeepSettingsTimeouts(nil),
	}
	if prior != nil {
		m.Timeouts = common.KeepSettingsTimeouts(&prior.Timeouts)
		m.RotationTrigger = prior.RotationTrigger
	}
	return m
}

func (r *dkimSigningConfigResource) read(ctx context.Context, domain string, prior *dkimSigningConfigModel) (*dkimSigningConfigModel, error) {
	d, err := r.clients.Exchange.GetDkimSigningConfig(ctx, domain)
	if err != nil {
		return nil, err
	}
	return dkimModelFrom(d, prior), nil
}

// changes returns the Set-DkimSigningConfig parameters that move cur to plan.
func (m *dkimSigningConfigModel) changes(cur *dkimSigningConfigModel) map[string]any {
	p := map[string]any{}
	if known(m.Enabled) && m.Enabled.ValueBool() != cur.Enabled.ValueBool() {
		p["Enabled"] = m.Enabled.ValueBool()
	}
	if known(m.BodyCanonicalization) && !strings.EqualFold(m.BodyCanonicalization.ValueString(), cur.BodyCanonicalization.ValueString()) {
		p["BodyCanonicalization"] = m.BodyCanonicalization.ValueString()
	}
	if known(m.HeaderCanonicalization) && !strings.EqualFold(m.HeaderCanonicalization.ValueString(), cur.HeaderCanonicalization.ValueString()) {
		p["HeaderCanonicalization"] = m.HeaderCanonicalization.ValueString()
	}
	return p
}

// pending counts what still differs from the plan (settings and key size).
func (m *dkimSigningConfigModel) pending(cur *dkimSigningConfigModel) int {
	n := len(m.changes(cur))
	if known(m.KeySize) && m.KeySize.ValueInt64() != cur.KeySize.ValueInt64() {
		n++
	}
	return n
}

// apply sets what differs, rotates when asked or when the key size differs,
// and waits until reads show it. The configuration must exist.
func (r *dkimSigningConfigResource) apply(ctx context.Context, plan dkimSigningConfigModel, cur *dkimSigningConfigModel, rotate bool) (*dkimSigningConfigModel, error) {
	domain := plan.DomainName.ValueString()
	if p := plan.changes(cur); len(p) > 0 {
		if err := r.clients.Exchange.SetDkimSigningConfig(ctx, domain, p); err != nil {
			return nil, err
		}
	}
	if known(plan.KeySize) && plan.KeySize.ValueInt64() != cur.KeySize.ValueInt64() {
		rotate = true
	}
	if rotate {
		if err := r.clients.Exchange.RotateDkimSigningConfig(ctx, domain, plan.KeySize.ValueInt64()); err != nil {
			return nil, err
		}
	}
	return settle(ctx, r.clients.ConsistencyTimeout, "DKIM signing config "+domain,
		func(ctx context.Context) (*dkimSigningConfigModel, error) { return r.read(ctx, domain, &plan) },
		plan.pending)
}

// keepState stores what the tenant now holds after a failed write, so the
// next plan shows what is left.
func (r *dkimSigningConfigResource) keepState(ctx context.Context, domain string, plan *dkimSigningConfigModel, set func(*dkimSigningConfigModel)) {
	if m, err := r.read(ctx, domain, plan); err == nil {
		set(m)
	}
}

func (r *dkimSigningConfigResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan dkimSigningConfigModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "create", &resp.Diagnostics)
	domain := plan.DomainName.ValueString()
	cur, err := r.read(ctx, domain, &plan)
	if exchange.IsNotFound(err) {
		// New configurations start disabled: enabling needs the CNAME
		// records, and a failed enable must not lose the new keys' CNAMEs.
		params := map[string]any{"KeySize": plan.KeySize.ValueInt64()}
		common.SafeCreate[dkimSigningConfigModel]{
			What: "DKIM signing config", Name: domain,
			New: func(ctx context.Context) (string, error) {
				return domain, r.clients.Exchange.NewDkimSigningConfig(ctx, domain, false, params)
			},
			Find: func(ctx context.Context) (string, string, error) {
				_, err := r.read(ctx, domain, &plan)
				return common.Found(domain, err, func() map[string]any { return nil })
			},
			SetID: func(m *dkimSigningConfigModel, id string) { m.ID = types.StringValue(id) },
			Finish: func(ctx context.Context, plan dkimSigningConfigModel) (*dkimSigningConfigModel, error) {
				err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
					m, err := r.read(ctx, domain, &plan)
					if exchange.IsNotFound(err) {
						return wait.NotYet("DKIM signing config %s is not readable yet", domain)
					}
					cur = m
					return err
				})
				if err != nil {
					return nil, err
				}
				got, err := r.apply(ctx, plan, cur, false)
				if err != nil {
					r.keepState(ctx, domain, &plan, func(m *dkimSigningConfigModel) { got = m })
				}
				return got, err
			},
		}.Run(ctx, plan, &resp.State, &resp.Diagnostics)
		return
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Reading the DKIM signing config for %s failed", domain), err)
		return
	}
	got, err := r.apply(ctx, plan, cur, false)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Configuring DKIM signing for %s failed", domain), err)
		r.keepState(ctx, domain, &plan, func(m *dkimSigningConfigModel) { resp.Diagnostics.Append(resp.State.Set(ctx, m)...) })
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, got)...)
}

func (r *dkimSigningConfigResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	common.ReadByID(ctx, r.clients, req, resp, "DKIM signing config", func(m dkimSigningConfigModel) string { return m.ID.ValueString() }, r.read)
}

func (r *dkimSigningConfigResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan, state dkimSigningConfigModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "update", &resp.Diagnostics)
	domain := plan.DomainName.ValueString()
	rotate := known(plan.RotationTrigger) && plan.RotationTrigger.ValueString() != state.RotationTrigger.ValueString()
	cur, err := r.read(ctx, domain, &plan)
	if err == nil {
		cur, err = r.apply(ctx, plan, cur, rotate)
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Updating DKIM signing for %s failed", domain), err)
		// The trigger stays as it was, so the rotation is planned again.
		r.keepState(ctx, domain, &state, func(m *dkimSigningConfigModel) {
			m.Timeouts = plan.Timeouts
			resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		})
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, cur)...)
}

func (r *dkimSigningConfigResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state dkimSigningConfigModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.AddWarning("DKIM signing config left in place",
		fmt.Sprintf("m365harden_dkim_signing_config for %s was removed from Terraform state. Exchange Online has no cmdlet to remove a DKIM signing configuration; signing stays as it is (enabled: %v).",
			state.DomainName.ValueString(), state.Enabled.ValueBool()))
}

func (r *dkimSigningConfigResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportByRead(ctx, r.clients, req, resp, "DKIM signing config", "import by the domain, e.g. contoso.com",
		func(ctx context.Context, id string) (*dkimSigningConfigModel, error) {
			return r.read(ctx, strings.ToLower(strings.TrimSpace(id)), nil)
		})
}
