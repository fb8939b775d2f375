package mailflow

import (
	"context"
	"fmt"
	"regexp"
	"strings"

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
	_ resource.ResourceWithConfigure   = &mailboxForwardingResource{}
	_ resource.ResourceWithImportState = &mailboxForwardingResource{}
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
			"The mailbox itself is not created or deleted. Destroying the resource removes it from Terraform state and **leaves the mailbox's forwarding as it is**. Use `m365harden_forwarding_report` to find mailboxes that forward, and the remote domain and outbound spam filter policy resources to block automatic external forwarding tenant-wide.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The mailbox's GUID (`Guid`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"mailbox": schema.StringAttribute{
				MarkdownDescription: "The mailbox (`-Identity`): user principal name, primary SMTP address, alias or GUID. Changing it replaces the resource.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 256), stringvalidator.RegexMatches(regexpNoEdgeSpaces, "must not start or end with a space")},
			},
			"forwarding_smtp_address": schema.StringAttribute{
				MarkdownDescription: "Forward the mailbox's mail to this SMTP address (`-ForwardingSmtpAddress`), which may be outside the organization. Exchange reports it as `smtp:user@domain`; the prefix and letter case are normalised, so `user@domain` and `smtp:User@Domain` are the same value. Leave out for none.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(forwardingSmtpRe, "must be an SMTP address such as alex@partner.example (optionally with the smtp: prefix)")},
			},
			"forwarding_address": schema.StringAttribute{
				MarkdownDescription: "Forward the mailbox's mail to this recipient in the organization (`-ForwardingAddress`): a mailbox, mail user or contact, by name, alias, UPN or address. It takes precedence over `forwarding_smtp_address`. Leave out for none.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 256)},
			},
			"deliver_to_mailbox_and_forward": schema.BoolAttribute{
				MarkdownDescription: "Keep a copy in the mailbox as well as forwarding (`-DeliverToMailboxAndForward`). Default `false` (forwarded mail is not kept).",
				Optional:            true, Computed: true,
				Default: booldefault.StaticBool(false),
			},
		},
	}
}

func (r *mailboxForwardingResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// sameSMTP compares forwarding SMTP addresses the way Exchange does.
func sameSMTP(a, b string) bool {
	return strings.EqualFold(exchange.StripSMTPPrefix(a), exchange.StripSMTPPrefix(b))
}

// read returns the mailbox's forwarding as a model. want (the plan or prior
// state) keeps the user's spelling of values that denote the same thing.
func (r *mailboxForwardingResource) read(ctx context.Context, mailbox string, want *mailboxForwardingModel) (*mailboxForwardingModel, error) {
	mb, err := r.clients.Exchange.GetMailbox(ctx, mailbox, "Identity", "Guid", "Name", "ForwardingAddress", "ForwardingSmtpAddress", "DeliverToMailboxAndForward")
	if err != nil {
		return nil, err
	}
	m := &mailboxForwardingModel{
		ID:                         types.StringValue(mb.Guid),
		Mailbox:                    types.StringValue(mailbox),
		ForwardingSmtpAddress:      types.StringNull(),
		ForwardingAddress:          types.StringNull(),
		DeliverToMailboxAndForward: types.BoolValue(mb.DeliverToMailboxAndForward),
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
		// (UPN, address, alias) when it names the same recipient.
		if want != nil && known(want.ForwardingAddress) && !strings.EqualFold(want.ForwardingAddress.ValueString(), mb.ForwardingAddress) {
			if target, err := r.clients.Exchange.GetMailbox(ctx, want.ForwardingAddress.ValueString(), "Name", "Guid"); err == nil && strings.EqualFold(target.Name, mb.ForwardingAddress) {
				m.ForwardingAddress = want.ForwardingAddress
			} else if err != nil && !exchange.IsNotFound(err) {
				return nil, err
			}
		} else if want != nil && known(want.ForwardingAddress) {
			m.ForwardingAddress = want.ForwardingAddress
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
	mailbox := plan.Mailbox.ValueString()
	cur, err := r.read(ctx, mailbox, &plan)
	if err != nil {
		return nil, err
	}
	if p := plan.changes(cur); len(p) > 0 {
		if err := r.clients.Exchange.SetMailbox(ctx, mailbox, p); err != nil {
			return cur, err
		}
	} else {
		return cur, nil
	}
	var got *mailboxForwardingModel
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.read(ctx, mailbox, &plan)
		if err != nil {
			return err
		}
		got = m
		if left := plan.changes(m); len(left) > 0 {
			return wait.NotYet("mailbox %s still shows the old forwarding", mailbox)
		}
		return nil
	})
	return got, err
}

func (r *mailboxForwardingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics, "Setting the forwarding of mailbox")
}

func (r *mailboxForwardingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics, "Changing the forwarding of mailbox")
}

// write applies the plan; on failure state holds what the mailbox now has.
func (r *mailboxForwardingResource) write(ctx context.Context, planIn tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics, what string) {
	if r.clients == nil {
		common.NotConfigured(diags)
		return
	}
	var plan mailboxForwardingModel
	diags.Append(planIn.Get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
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
	m, err := r.read(ctx, state.Mailbox.ValueString(), &state)
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
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("mailbox"), req.ID)...)
}

type mailboxForwardingModel struct {
	ID                         types.String `tfsdk:"id"`
	Mailbox                    types.String `tfsdk:"mailbox"`
	ForwardingSmtpAddress      types.String `tfsdk:"forwarding_smtp_address"`
	ForwardingAddress          types.String `tfsdk:"forwarding_address"`
	DeliverToMailboxAndForward types.Bool   `tfsdk:"deliver_to_mailbox_and_forward"`
}
