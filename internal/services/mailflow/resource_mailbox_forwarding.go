package mailflow

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure      = &mailboxForwardingResource{}
	_ resource.ResourceWithImportState    = &mailboxForwardingResource{}
	_ resource.ResourceWithValidateConfig = &mailboxForwardingResource{}
	_ resource.ResourceWithModifyPlan     = &mailboxForwardingResource{}
)

// forwardingSmtpRe is an SMTP address, optionally with the "smtp:" prefix
// Exchange reports ForwardingSmtpAddress with.
var forwardingSmtpRe = regexp.MustCompile(`^(?i:smtp:)?` + strings.TrimPrefix(smtpAddressRe.String(), "^"))

// NewMailboxForwardingResource returns m365harden_mailbox_forwarding.
func NewMailboxForwardingResource() resource.Resource { return &mailboxForwardingResource{} }

type mailboxForwardingResource struct {
	clients *clients.Set
}

func (r *mailboxForwardingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_mailbox_forwarding"
}

func (r *mailboxForwardingResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One mailbox's forwarding (`Set-Mailbox -ForwardingSmtpAddress/-ForwardingAddress/-DeliverToMailboxAndForward`): declare **no forwarding** (leave both addresses out) or an approved forward. Every setting is managed: a forward someone adds out of band shows in the next plan and the apply clears it (CIS 6.4.1).\n\n" +
			"The resource follows the mailbox by its GUID, kept in state: renaming the mailbox's user principal name does not lose it. The mailbox itself is not created or deleted. Destroying the resource removes it from Terraform state and **leaves the mailbox's forwarding as it is**. Use `m365harden_forwarding_report` to find mailboxes that forward, and the remote domain and outbound spam filter policy resources to block automatic external forwarding tenant-wide.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The mailbox's GUID (`Guid`). Reads and writes use it, so the resource keeps following the mailbox when its UPN or address changes.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"mailbox": schema.StringAttribute{
				MarkdownDescription: "The mailbox (`-Identity`): user principal name, primary SMTP address, alias or GUID. Another spelling of the same mailbox changes nothing; naming a different mailbox replaces the resource.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 256), stringvalidator.RegexMatches(regexpNoEdgeSpaces, "must not start or end with a space")},
			},
			"forwarding_smtp_address": schema.StringAttribute{
				MarkdownDescription: "Forward the mailbox's mail to this SMTP address (`-ForwardingSmtpAddress`), which may be outside the organization. Exchange reports it as `smtp:user@domain`; the prefix and letter case are normalised, so `user@domain` and `smtp:User@Domain` are the same value. Not the mailbox's own address. Leave out for none.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(forwardingSmtpRe, "must be an SMTP address such as alex@partner.example (optionally with the smtp: prefix)")},
			},
			"forwarding_address": schema.StringAttribute{
				MarkdownDescription: "Forward the mailbox's mail to this recipient in the organization (`-ForwardingAddress`): a mailbox, mail user or contact, by name, alias, UPN, address or GUID. Exchange reports the recipient's name; any spelling that names the same recipient is the same value. It takes precedence over `forwarding_smtp_address`. Not the mailbox itself. Leave out for none.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 256)},
			},
			"deliver_to_mailbox_and_forward": schema.BoolAttribute{
				MarkdownDescription: "Keep a copy in the mailbox as well as forwarding (`-DeliverToMailboxAndForward`). Default `false` (forwarded mail is not kept). `true` needs a forward: without one it does nothing, so it is refused.",
				Optional:            true, Computed: true,
				Default: booldefault.StaticBool(false),
			},
			"timeouts": common.SettingsTimeoutsAttribute(),
		},
	}
}

func (r *mailboxForwardingResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses what Set-Mailbox accepts but can only be a
// mistake: keeping a copy without a forward (Exchange then just delivers to
// the mailbox), and a forward to the mailbox itself spelled the same way
// (other spellings are caught in ModifyPlan).
func (r *mailboxForwardingResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m mailboxForwardingModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if known(m.DeliverToMailboxAndForward) && m.DeliverToMailboxAndForward.ValueBool() &&
		m.ForwardingSmtpAddress.IsNull() && m.ForwardingAddress.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("deliver_to_mailbox_and_forward"), "Copy kept without a forward",
			"deliver_to_mailbox_and_forward = true keeps a copy of forwarded mail, but neither forwarding_smtp_address nor forwarding_address is set, so nothing is forwarded. Set a forward, or leave deliver_to_mailbox_and_forward out.")
	}
	if known(m.Mailbox) {
		for _, f := range []struct {
			attr string
			v    types.String
		}{{"forwarding_smtp_address", m.ForwardingSmtpAddress}, {"forwarding_address", m.ForwardingAddress}} {
			if known(f.v) && strings.EqualFold(exchange.StripSMTPPrefix(f.v.ValueString()), m.Mailbox.ValueString()) {
				resp.Diagnostics.AddAttributeError(path.Root(f.attr), "Mailbox forwards to itself", selfForwardDetail(f.attr, f.v.ValueString(), m.Mailbox.ValueString()))
			}
		}
	}
}

func selfForwardDetail(attr, target, mailbox string) string {
	return fmt.Sprintf("%s %q is mailbox %q itself. A mailbox that forwards to itself forwards nothing; leave %s out for no forwarding.", attr, target, mailbox, attr)
}

// ModifyPlan looks the mailbox and the forwarding target up at plan time:
//   - another spelling of the mailbox in state (UPN, address, alias, GUID)
//     is the same mailbox: no replacement; a different mailbox replaces;
//   - a forward to the mailbox itself, however spelled, is refused;
//   - a second block for the same mailbox, however spelled, is refused;
//   - a forwarding target spelled differently from state but naming the
//     same recipient or address (after an import, say) plans no change:
//     Terraform accepts the prior state as the plan in place of an
//     equivalent configuration value.
func (r *mailboxForwardingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var cfg mailboxForwardingModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	var state *mailboxForwardingModel
	if !req.State.Raw.IsNull() {
		state = &mailboxForwardingModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	mailboxChanged := state != nil && !cfg.Mailbox.Equal(state.Mailbox)
	if r.clients == nil || !known(cfg.Mailbox) {
		if mailboxChanged {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("mailbox"))
		}
		return
	}
	mb, err := r.clients.Exchange.GetMailbox(ctx, cfg.Mailbox.ValueString(), "Identity", "Guid", "Name", "Alias", "UserPrincipalName", "PrimarySmtpAddress", "EmailAddresses")
	switch {
	case exchange.IsNotFound(err):
		// Reported by the apply, which names the mailbox that is missing.
		if mailboxChanged {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("mailbox"))
		}
		return
	case err != nil:
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Looking up mailbox %q failed", cfg.Mailbox.ValueString()), err)
		return
	}
	common.ClaimMailbox(r.clients, req, &resp.Diagnostics, path.Root("mailbox"), "m365harden_mailbox_forwarding", cfg.Mailbox.ValueString(), mb.Guid)
	if mailboxChanged {
		if strings.EqualFold(mb.Guid, state.ID.ValueString()) {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("mailbox"), state.Mailbox)...)
		} else {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("mailbox"))
			state = nil // a new mailbox: nothing to keep
		}
	}
	if known(cfg.ForwardingSmtpAddress) {
		addr := exchange.StripSMTPPrefix(cfg.ForwardingSmtpAddress.ValueString())
		for _, own := range append([]string{mb.UserPrincipalName, mb.PrimarySmtpAddress}, mb.EmailAddresses...) {
			if own != "" && strings.EqualFold(exchange.StripSMTPPrefix(own), addr) {
				resp.Diagnostics.AddAttributeError(path.Root("forwarding_smtp_address"), "Mailbox forwards to itself",
					selfForwardDetail("forwarding_smtp_address", cfg.ForwardingSmtpAddress.ValueString(), cfg.Mailbox.ValueString()))
			}
		}
		if state != nil && known(state.ForwardingSmtpAddress) && !cfg.ForwardingSmtpAddress.Equal(state.ForwardingSmtpAddress) &&
			sameSMTP(addr, state.ForwardingSmtpAddress.ValueString()) {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("forwarding_smtp_address"), state.ForwardingSmtpAddress)...)
		}
	}
	if known(cfg.ForwardingAddress) {
		res := common.NewRecipientResolver(r.clients.Exchange)
		target, err := res.Resolve(ctx, cfg.ForwardingAddress.ValueString())
		if err != nil {
			common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Looking up forwarding_address %q failed", cfg.ForwardingAddress.ValueString()), err)
			return
		}
		if target != nil && strings.EqualFold(target.Guid, mb.Guid) {
			resp.Diagnostics.AddAttributeError(path.Root("forwarding_address"), "Mailbox forwards to itself",
				selfForwardDetail("forwarding_address", cfg.ForwardingAddress.ValueString(), cfg.Mailbox.ValueString()))
		}
		if target != nil && state != nil && known(state.ForwardingAddress) && !cfg.ForwardingAddress.Equal(state.ForwardingAddress) {
			was, err := res.Resolve(ctx, state.ForwardingAddress.ValueString())
			if err != nil {
				common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Looking up forwarding_address %q failed", state.ForwardingAddress.ValueString()), err)
				return
			}
			if was != nil && strings.EqualFold(was.Guid, target.Guid) {
				resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("forwarding_address"), state.ForwardingAddress)...)
			}
		}
	}
}

// sameSMTP compares forwarding SMTP addresses the way Exchange does.
func sameSMTP(a, b string) bool {
	return strings.EqualFold(exchange.StripSMTPPrefix(a), exchange.StripSMTPPrefix(b))
}

// namesRecipient reports whether the service's ForwardingAddress value (the
// recipient's name) is the recipient rec.
func namesRecipient(rec *exchange.Recipient, reported string) bool {
	for _, v := range []string{rec.Name, rec.Alias, rec.PrimarySmtpAddress, rec.Guid} {
		if v != "" && strings.EqualFold(v, reported) {
			return true
		}
	}
	return false
}

// identity is how the resource names the mailbox to Exchange: its GUID once
// known (it survives renames), else the configured spelling.
func (m *mailboxForwardingModel) identity() string {
	if known(m.ID) && m.ID.ValueString() != "" {
		return m.ID.ValueString()
	}
	return m.Mailbox.ValueString()
}

// read returns the mailbox's forwarding as a model. want (the plan or prior
// state) keeps the user's spelling of the mailbox and of values that denote
// the same thing.
func (r *mailboxForwardingResource) read(ctx context.Context, identity string, want *mailboxForwardingModel) (*mailboxForwardingModel, error) {
	mb, err := r.clients.Exchange.GetMailbox(ctx, identity, "Identity", "Guid", "Name", "ForwardingAddress", "ForwardingSmtpAddress", "DeliverToMailboxAndForward")
	if err != nil {
		return nil, err
	}
	m := &mailboxForwardingModel{
		ID:                         types.StringValue(mb.Guid),
		Mailbox:                    types.StringValue(identity),
		ForwardingSmtpAddress:      types.StringNull(),
		ForwardingAddress:          types.StringNull(),
		DeliverToMailboxAndForward: types.BoolValue(mb.DeliverToMailboxAndForward),
		Timeouts:                   common.KeepSettingsTimeouts(nil),
	}
	if want != nil {
		m.Timeouts = common.KeepSettingsTimeouts(&want.Timeouts)
	}
	if want != nil && known(want.Mailbox) {
		m.Mailbox = want.Mailbox
	}
	if mb.ForwardingSmtpAddress != "" {
		m.ForwardingSmtpAddress = types.StringValue(strings.ToLower(mb.ForwardingSmtpAddress))
		if want != nil && known(want.ForwardingSmtpAddress) && sameSMTP(want.ForwardingSmtpAddress.ValueString(), mb.ForwardingSmtpAddress) {
			m.ForwardingSmtpAddress = want.ForwardingSmtpAddress
		}
	}
	if mb.ForwardingAddress != "" {
		m.ForwardingAddress = types.StringValue(mb.ForwardingAddress)
		// Exchange reports the recipient's name; keep the user's spelling
		// (UPN, address, alias, GUID) when it names the same recipient.
		if want != nil && known(want.ForwardingAddress) {
			if strings.EqualFold(want.ForwardingAddress.ValueString(), mb.ForwardingAddress) {
				m.ForwardingAddress = want.ForwardingAddress
			} else if target, err := common.NewRecipientResolver(r.clients.Exchange).Resolve(ctx, want.ForwardingAddress.ValueString()); err != nil {
				return nil, err
			} else if target != nil && namesRecipient(target, mb.ForwardingAddress) {
				m.ForwardingAddress = want.ForwardingAddress
			}
		}
	}
	return m, nil
}

// changes returns the Set-Mailbox parameters that move cur to plan; nil
// values clear a forward.
func (plan mailboxForwardingModel) changes(cur *mailboxForwardingModel) map[string]any {
	p := map[string]any{}
	if plan.ForwardingSmtpAddress.IsNull() != cur.ForwardingSmtpAddress.IsNull() ||
		(!plan.ForwardingSmtpAddress.IsNull() && !sameSMTP(plan.ForwardingSmtpAddress.ValueString(), cur.ForwardingSmtpAddress.ValueString())) {
		if plan.ForwardingSmtpAddress.IsNull() {
			p["ForwardingSmtpAddress"] = nil
		} else {
			p["ForwardingSmtpAddress"] = exchange.StripSMTPPrefix(plan.ForwardingSmtpAddress.ValueString())
		}
	}
	if plan.ForwardingAddress.IsNull() != cur.ForwardingAddress.IsNull() ||
		(!plan.ForwardingAddress.IsNull() && plan.ForwardingAddress.ValueString() != cur.ForwardingAddress.ValueString()) {
		if plan.ForwardingAddress.IsNull() {
			p["ForwardingAddress"] = nil
		} else {
			p["ForwardingAddress"] = plan.ForwardingAddress.ValueString()
		}
	}
	if known(plan.DeliverToMailboxAndForward) && plan.DeliverToMailboxAndForward.ValueBool() != cur.DeliverToMailboxAndForward.ValueBool() {
		p["DeliverToMailboxAndForward"] = plan.DeliverToMailboxAndForward.ValueBool()
	}
	return p
}

// apply writes what differs and waits until reads show the plan.
func (r *mailboxForwardingResource) apply(ctx context.Context, plan mailboxForwardingModel) (*mailboxForwardingModel, error) {
	cur, err := r.read(ctx, plan.identity(), &plan)
	if err != nil {
		return nil, err
	}
	// From here on the mailbox is named by its GUID.
	id := cur.ID.ValueString()
	if p := plan.changes(cur); len(p) > 0 {
		if err := r.clients.Exchange.SetMailbox(ctx, id, p); err != nil {
			return cur, err
		}
	} else {
		return cur, nil
	}
	var got *mailboxForwardingModel
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.read(ctx, id, &plan)
		if err != nil {
			return err
		}
		got = m
		if left := plan.changes(m); len(left) > 0 {
			return wait.NotYet("mailbox %s still shows the old forwarding", plan.Mailbox.ValueString())
		}
		return nil
	})
	return got, err
}

func (r *mailboxForwardingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics, "Setting the forwarding of mailbox", "create")
}

func (r *mailboxForwardingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics, "Changing the forwarding of mailbox", "update")
}

// write applies the plan; on failure state holds what the mailbox now has.
func (r *mailboxForwardingResource) write(ctx context.Context, planIn tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics, what, op string) {
	if r.clients == nil {
		common.NotConfigured(diags)
		return
	}
	var plan mailboxForwardingModel
	diags.Append(planIn.Get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, op, diags)
	got, err := r.apply(ctx, plan)
	if err != nil {
		common.AddAPIError(diags, fmt.Sprintf("%s %q failed", what, plan.Mailbox.ValueString()), err)
		if got != nil {
			diags.Append(state.Set(ctx, got)...)
		}
		return
	}
	diags.Append(state.Set(ctx, got)...)
}

// Read follows the mailbox by the GUID in state, so a renamed UPN does not
// drop it; a mailbox gone from the tenant is removed from state.
func (r *mailboxForwardingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var state mailboxForwardingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, err := r.read(ctx, state.identity(), &state)
	if exchange.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Reading the forwarding of mailbox %q failed", state.Mailbox.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *mailboxForwardingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state mailboxForwardingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.AddWarning("Mailbox forwarding left in place",
		fmt.Sprintf("m365harden_mailbox_forwarding for %s was removed from Terraform state; the mailbox's forwarding settings were not changed.", state.Mailbox.ValueString()))
}

// ImportState takes the mailbox as the configuration names it (UPN,
// address, alias or GUID); state keeps that spelling and the GUID.
func (r *mailboxForwardingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	m, err := r.read(ctx, req.ID, nil)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Importing the forwarding of mailbox %q failed (import by the mailbox's UPN, address or GUID)", req.ID), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

type mailboxForwardingModel struct {
	ID                         types.String   `tfsdk:"id"`
	Mailbox                    types.String   `tfsdk:"mailbox"`
	ForwardingSmtpAddress      types.String   `tfsdk:"forwarding_smtp_address"`
	ForwardingAddress          types.String   `tfsdk:"forwarding_address"`
	DeliverToMailboxAndForward types.Bool     `tfsdk:"deliver_to_mailbox_and_forward"`
	Timeouts                   timeouts.Value `tfsdk:"timeouts"`
}
