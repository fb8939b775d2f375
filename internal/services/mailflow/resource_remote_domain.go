package mailflow

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
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
	_ resource.ResourceWithConfigure      = &remoteDomainResource{}
	_ resource.ResourceWithImportState    = &remoteDomainResource{}
	_ resource.ResourceWithValidateConfig = &remoteDomainResource{}
)

// defaultRemoteDomain is the built-in remote domain (DomainName "*") that
// every Exchange Online organization has and that can't be removed.
const defaultRemoteDomain = "Default"

// allowedOOFTypes are Set-RemoteDomain -AllowedOOFType's values.
var allowedOOFTypes = []string{"External", "ExternalLegacy", "InternalLegacy", "None"}

// NewRemoteDomainResource returns the m365harden_remote_domain resource.
func NewRemoteDomainResource() resource.Resource { return &remoteDomainResource{} }

type remoteDomainResource struct {
	clients *clients.Set
}

func (r *remoteDomainResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_remote_domain"
}

func (r *remoteDomainResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	optBool := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{
			MarkdownDescription: desc + " Unset: read but not managed.",
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An Exchange Online remote domain (`New-RemoteDomain`/`Set-RemoteDomain`): the settings for mail sent to one external domain, above all whether messages that Outlook and inbox rules **auto-forward** may leave for it (CIS 6.2.1 route 1, ScubaGear MS.EXO.1.1v2).\n\n" +
			"The built-in remote domain `Default` (domain `*`, every domain without its own remote domain) is **adopted**: declare it with `name = \"Default\"` and `domain_name = \"*\"`; it is never created or removed, and destroying the resource leaves its settings as they are. Other remote domains are created and, on destroy, removed.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The remote domain's name (its identity in Exchange).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The remote domain's unique name (`-Name`, at most 64 characters). `Default` adopts the built-in remote domain. Exchange compares names without regard to case: `default` adopts `Default` too, and the configured spelling is kept. Changing it (other than in case) replaces the resource.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{common.FoldStateString(), stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 64),
					stringvalidator.RegexMatches(regexpNoEdgeSpaces, "must not start or end with a space"),
				},
			},
			"domain_name": schema.StringAttribute{
				MarkdownDescription: "The SMTP domain (`-DomainName`): `contoso.com`, `*.contoso.com` (the domain and its subdomains) or `*` (only for `Default`). Domain names are compared without regard to case; the configured spelling is kept. Exchange can't change it in place, so changing it (other than in case) replaces the resource.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{common.FoldStateString(), stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.LengthAtMost(256),
					stringvalidator.RegexMatches(remoteDomainRe, "must be an SMTP domain such as contoso.com, *.contoso.com, or * for the Default remote domain (a wildcard only as the first label)"),
				},
			},
			"auto_forward_enabled": optBool("Whether messages auto-forwarded by client rules are delivered to the domain (`-AutoForwardEnabled`; Exchange Online's default is `true`). Hardened: `false` on `Default` and every domain that is not an approved partner."),
			"auto_reply_enabled":   optBool("Whether automatic replies from client rules are delivered to the domain (`-AutoReplyEnabled`; default `true`)."),
			"delivery_report_enabled": optBool(
				"Whether delivery reports from client software are delivered to the domain (`-DeliveryReportEnabled`; default `true`)."),
			"ndr_enabled": optBool("Whether non-delivery reports are sent to the domain (`-NDREnabled`; default `true`)."),
			"allowed_oof_type": schema.StringAttribute{
				MarkdownDescription: "Which automatic (out-of-office) replies are sent to the domain (`-AllowedOOFType`): " + quoteList(allowedOOFTypes) + "; default `External`. Unset: read but not managed.",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators:    []validator.String{stringvalidator.OneOf(allowedOOFTypes...)},
			},
			"timeouts": common.TimeoutsAttribute(),
		},
	}
}

func (r *remoteDomainResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (r *remoteDomainResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m remoteDomainModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !known(m.Name) || !known(m.DomainName) {
		return
	}
	isDefault := strings.EqualFold(m.Name.ValueString(), defaultRemoteDomain)
	if isDefault != (m.DomainName.ValueString() == "*") {
		resp.Diagnostics.AddAttributeError(path.Root("domain_name"), "Default remote domain",
			"The built-in remote domain is named \"Default\" and has domain_name \"*\"; use both together to adopt it, and neither for any other remote domain.")
	}
}

// remoteDomainModelFrom turns the service's remote domain into a model;
// prior (plan or state, may be nil) keeps the user's spelling of the name
// and domain, which Exchange compares without regard to case.
func remoteDomainModelFrom(d *exchange.RemoteDomain, prior *remoteDomainModel) *remoteDomainModel {
	m := &remoteDomainModel{
		ID:                    types.StringValue(d.Name),
		Name:                  types.StringValue(d.Name),
		DomainName:            types.StringValue(strings.ToLower(d.DomainName)),
		AutoForwardEnabled:    types.BoolValue(d.AutoForwardEnabled),
		AutoReplyEnabled:      types.BoolValue(d.AutoReplyEnabled),
		DeliveryReportEnabled: types.BoolValue(d.DeliveryReportEnabled),
		NDREnabled:            types.BoolValue(d.NDREnabled),
		AllowedOOFType:        types.StringValue(canonicalEnum(allowedOOFTypes, d.AllowedOOFType)),
	}
	m.Timeouts = common.KeepTimeouts(nil)
	if prior != nil {
		m.Timeouts = common.KeepTimeouts(&prior.Timeouts)
		m.Name = common.FoldKeepString(prior.Name, m.Name)
		m.DomainName = common.FoldKeepString(prior.DomainName, m.DomainName)
	}
	return m
}

// changes returns the Set-RemoteDomain parameters that move cur to plan.
func (m remoteDomainModel) changes(cur *remoteDomainModel) map[string]any {
	p := map[string]any{}
	for _, b := range []struct {
		param      string
		want, have types.Bool
	}{
		{"AutoForwardEnabled", m.AutoForwardEnabled, cur.AutoForwardEnabled},
		{"AutoReplyEnabled", m.AutoReplyEnabled, cur.AutoReplyEnabled},
		{"DeliveryReportEnabled", m.DeliveryReportEnabled, cur.DeliveryReportEnabled},
		{"NDREnabled", m.NDREnabled, cur.NDREnabled},
	} {
		if known(b.want) && b.want.ValueBool() != b.have.ValueBool() {
			p[b.param] = b.want.ValueBool()
		}
	}
	if known(m.AllowedOOFType) && !strings.EqualFold(m.AllowedOOFType.ValueString(), cur.AllowedOOFType.ValueString()) {
		p["AllowedOOFType"] = canonicalEnum(allowedOOFTypes, m.AllowedOOFType.ValueString())
	}
	return p
}

// read fetches the remote domain; a missing one is exchange.ErrNotFound.
func (r *remoteDomainResource) read(ctx context.Context, name string, prior *remoteDomainModel) (*remoteDomainModel, error) {
	d, err := r.clients.Exchange.GetRemoteDomain(ctx, name)
	if err != nil {
		return nil, err
	}
	return remoteDomainModelFrom(d, prior), nil
}

// apply sets what differs and waits until reads show it.
func (r *remoteDomainResource) apply(ctx context.Context, plan remoteDomainModel, cur *remoteDomainModel) (*remoteDomainModel, error) {
	name := plan.Name.ValueString()
	if p := plan.changes(cur); len(p) > 0 {
		if err := r.clients.Exchange.SetRemoteDomain(ctx, name, p); err != nil {
			return nil, err
		}
	}
	var got *remoteDomainModel
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.read(ctx, name, &plan)
		if exchange.IsNotFound(err) {
			return wait.NotYet("remote domain %s is not readable yet", name)
		}
		if err != nil {
			return err
		}
		got = m
		if left := plan.changes(m); len(left) > 0 {
			return wait.NotYet("remote domain %s still differs in %d settings", name, len(left))
		}
		return nil
	})
	return got, err
}

func (r *remoteDomainResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan remoteDomainModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "create", &resp.Diagnostics)
	name := plan.Name.ValueString()
	var cur *remoteDomainModel
	if strings.EqualFold(name, defaultRemoteDomain) {
		m, err := r.read(ctx, defaultRemoteDomain, &plan)
		if err != nil {
			common.AddAPIError(&resp.Diagnostics, "Reading the Default remote domain failed", err)
			return
		}
		cur = m
	} else {
		common.SafeCreate[remoteDomainModel]{
			What: "remote domain", Name: name,
			New: func(ctx context.Context) (string, error) {
				return name, r.clients.Exchange.NewRemoteDomain(ctx, name, plan.DomainName.ValueString())
			},
			Find: func(ctx context.Context) (string, string, error) {
				m, err := r.read(ctx, name, &plan)
				if exchange.IsNotFound(err) {
					return "", "", nil
				}
				if err != nil {
					return "", "", err
				}
				if !strings.EqualFold(m.DomainName.ValueString(), plan.DomainName.ValueString()) {
					return name, fmt.Sprintf("is for domain %s", m.DomainName.ValueString()), nil
				}
				return name, "", nil
			},
			SetID: func(m *remoteDomainModel, id string) { m.ID = types.StringValue(id) },
			Finish: func(ctx context.Context, plan remoteDomainModel) (*remoteDomainModel, error) {
				// New-RemoteDomain takes no settings: they follow with
				// Set-RemoteDomain once the new domain is readable.
				var cur *remoteDomainModel
				err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
					m, err := r.read(ctx, name, &plan)
					if exchange.IsNotFound(err) {
						return wait.NotYet("remote domain %s is not readable yet", name)
					}
					cur = m
					return err
				})
				if err != nil {
					return nil, err
				}
				got, err := r.apply(ctx, plan, cur)
				if err != nil {
					got, _ = r.read(ctx, name, &plan)
				}
				return got, err
			},
		}.Run(ctx, plan, &resp.State, &resp.Diagnostics)
		return
	}
	got, err := r.apply(ctx, plan, cur)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Configuring remote domain %q failed", name), err)
		// Keep what exists in state so the next plan shows what is left.
		if m, rerr := r.read(ctx, name, &plan); rerr == nil {
			resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, got)...)
}

func (r *remoteDomainResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	common.ReadByID(ctx, r.clients, req, resp, "remote domain", func(m remoteDomainModel) string { return m.ID.ValueString() }, r.read)
}

func (r *remoteDomainResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan remoteDomainModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "update", &resp.Diagnostics)
	name := plan.Name.ValueString()
	cur, err := r.read(ctx, name, &plan)
	if err == nil {
		cur, err = r.apply(ctx, plan, cur)
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Updating remote domain %q failed", name), err)
		if m, rerr := r.read(ctx, name, &plan); rerr == nil {
			resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, cur)...)
}

func (r *remoteDomainResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var state remoteDomainModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.ID.ValueString()
	if strings.EqualFold(name, defaultRemoteDomain) {
		resp.Diagnostics.AddWarning("Default remote domain left in place",
			"m365harden_remote_domain."+name+" was removed from Terraform state. The built-in Default remote domain can't be removed and its settings were not changed (auto_forward_enabled stays as it is).")
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, state.Timeouts, "delete", &resp.Diagnostics)
	err := r.clients.Exchange.RemoveRemoteDomain(ctx, name)
	if err != nil && !exchange.IsNotFound(err) {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Removing remote domain %q failed", name), err)
		return
	}
	if err := waitGone(ctx, r.clients.ConsistencyTimeout, "remote domain "+name, func(ctx context.Context) error {
		_, err := r.clients.Exchange.GetRemoteDomain(ctx, name)
		return err
	}); err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Remote domain %q was removed but still reads back", name), err)
	}
}

func (r *remoteDomainResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportByRead(ctx, r.clients, req, resp, "remote domain", "import by the remote domain's name, e.g. Default",
		func(ctx context.Context, name string) (*remoteDomainModel, error) { return r.read(ctx, name, nil) })
}

type remoteDomainModel struct {
	ID                    types.String   `tfsdk:"id"`
	Name                  types.String   `tfsdk:"name"`
	DomainName            types.String   `tfsdk:"domain_name"`
	AutoForwardEnabled    types.Bool     `tfsdk:"auto_forward_enabled"`
	AutoReplyEnabled      types.Bool     `tfsdk:"auto_reply_enabled"`
	DeliveryReportEnabled types.Bool     `tfsdk:"delivery_report_enabled"`
	NDREnabled            types.Bool     `tfsdk:"ndr_enabled"`
	AllowedOOFType        types.String   `tfsdk:"allowed_oof_type"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}
