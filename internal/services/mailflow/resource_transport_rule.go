package mailflow

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure      = &transportRuleResource{}
	_ resource.ResourceWithImportState    = &transportRuleResource{}
	_ resource.ResourceWithValidateConfig = &transportRuleResource{}
)

// Value sets of New-TransportRule parameters, defined once.
// https://learn.microsoft.com/powershell/module/exchangepowershell/new-transportrule
var (
	transportRuleModes = []string{"Audit", "AuditAndNotify", "Enforce"}
	// Exchange Online knows only these two scopes (ExternalPartner and
	// ExternalNonPartner are on-premises only).
	transportRuleScopes       = []string{"InOrganization", "NotInOrganization"}
	transportRuleMessageTypes = []string{"OOF", "AutoForward", "Encrypted", "Calendaring", "PermissionControlled", "Voicemail", "Signed", "ApprovalRequest", "ReadReceipt"}
)

// What Exchange fills in when only one half of the reject action is given
// (New-TransportRule -RejectMessageEnhancedStatusCode / -RejectMessageReasonText).
const (
	transportRuleDefaultRejectText = "Delivery not authorized, message refused"
	transportRuleDefaultRejectCode = "5.7.1"
)

// transportRuleRejectCodeRe is 5.7.1 or 5.7.900-5.7.999.
var transportRuleRejectCodeRe = regexp.MustCompile(`^5\.7\.(?:1|9\d\d)$`)

// NewTransportRuleResource returns the m365harden_transport_rule resource.
func NewTransportRuleResource() resource.Resource { return &transportRuleResource{} }

type transportRuleResource struct {
	clients *clients.Set
}

func (r *transportRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_transport_rule"
}

// trString describes one single-valued string condition or action.
type trString struct {
	attr, param string
	enum        []string // nil: free text
	fold        bool     // the service compares it case-insensitively
	desc        string
	field       func(m *transportRuleModel) *types.String
	from        func(r *exchange.TransportRule) string
}

// trSet describes one domain-list condition.
type trSet struct {
	attr, param, desc string
	field             func(m *transportRuleModel) *types.Set
	from              func(r *exchange.TransportRule) []string
}

// trBool describes one boolean action (default false).
type trBool struct {
	attr, param, desc string
	field             func(m *transportRuleModel) *types.Bool
	from              func(r *exchange.TransportRule) bool
}

var trStrings = []trString{
	{attr: "from_scope", param: "FromScope", enum: transportRuleScopes, desc: "Condition: where the sender is.",
		field: func(m *transportRuleModel) *types.String { return &m.FromScope }, from: func(r *exchange.TransportRule) string { return r.FromScope }},
	{attr: "sent_to_scope", param: "SentToScope", enum: transportRuleScopes, desc: "Condition: where a recipient is. `NotInOrganization` with `message_type_matches = \"AutoForward\"` matches auto-forwarded mail leaving the organization.",
		field: func(m *transportRuleModel) *types.String { return &m.SentToScope }, from: func(r *exchange.TransportRule) string { return r.SentToScope }},
	{attr: "message_type_matches", param: "MessageTypeMatches", enum: transportRuleMessageTypes, desc: "Condition: the message type. `AutoForward` does not match mailbox (SMTP) forwarding; block that with `m365harden_mailbox_forwarding` and the outbound spam policy.",
		field: func(m *transportRuleModel) *types.String { return &m.MessageTypeMatches }, from: func(r *exchange.TransportRule) string { return r.MessageTypeMatches }},
	{attr: "except_if_from_scope", param: "ExceptIfFromScope", enum: transportRuleScopes, desc: "Exception: where the sender is.",
		field: func(m *transportRuleModel) *types.String { return &m.ExceptIfFromScope }, from: func(r *exchange.TransportRule) string { return r.ExceptIfFromScope }},
	{attr: "except_if_sent_to_scope", param: "ExceptIfSentToScope", enum: transportRuleScopes, desc: "Exception: where a recipient is.",
		field: func(m *transportRuleModel) *types.String { return &m.ExceptIfSentToScope }, from: func(r *exchange.TransportRule) string { return r.ExceptIfSentToScope }},
	{attr: "except_if_message_type_matches", param: "ExceptIfMessageTypeMatches", enum: transportRuleMessageTypes, desc: "Exception: the message type.",
		field: func(m *transportRuleModel) *types.String { return &m.ExceptIfMessageTypeMatches }, from: func(r *exchange.TransportRule) string { return r.ExceptIfMessageTypeMatches }},
	{attr: "apply_rights_protection_template", param: "ApplyRightsProtectionTemplate", fold: true,
		desc:  "Action: encrypt with this rights management template, by name, not GUID (see the `m365harden_rms_templates` data source; every tenant has `Encrypt` and `Do Not Forward`). Needs `azure_rms_licensing_enabled` in `m365harden_irm_configuration`.",
		field: func(m *transportRuleModel) *types.String { return &m.ApplyRightsProtectionTemplate }, from: func(r *exchange.TransportRule) string { return r.ApplyRightsProtectionTemplate }},
	{attr: "prepend_subject", param: "PrependSubject", desc: "Action: text added to the start of the subject (end it with a space or `: `).",
		field: func(m *transportRuleModel) *types.String { return &m.PrependSubject }, from: func(r *exchange.TransportRule) string { return r.PrependSubject }},
	{attr: "generate_incident_report", param: "GenerateIncidentReport", fold: true, desc: "Action: the SMTP address that receives an incident report for each matching message.",
		field: func(m *transportRuleModel) *types.String { return &m.GenerateIncidentReport }, from: func(r *exchange.TransportRule) string { return r.GenerateIncidentReport }},
	{attr: "reject_message_reason_text", param: "RejectMessageReasonText",
		desc:  "Action: reject the message with this text in the non-delivery report (at most 1024 characters). Set alone, `reject_message_enhanced_status_code` becomes `" + transportRuleDefaultRejectCode + "`.",
		field: func(m *transportRuleModel) *types.String { return &m.RejectMessageReasonText }, from: func(r *exchange.TransportRule) string { return r.RejectMessageReasonText }},
	{attr: "reject_message_enhanced_status_code", param: "RejectMessageEnhancedStatusCode",
		desc:  "Action: reject the message with this enhanced status code: `5.7.1` or `5.7.900` to `5.7.999`. Set alone, `reject_message_reason_text` becomes `" + transportRuleDefaultRejectText + "`.",
		field: func(m *transportRuleModel) *types.String { return &m.RejectMessageEnhancedStatusCode }, from: func(r *exchange.TransportRule) string { return r.RejectMessageEnhancedStatusCode }},
}

var trSets = []trSet{
	{"recipient_domain_is", "RecipientDomainIs", "Condition: a recipient's address is in one of these domains (subdomains match too).",
		func(m *transportRuleModel) *types.Set { return &m.RecipientDomainIs }, func(r *exchange.TransportRule) []string { return r.RecipientDomainIs }},
	{"sender_domain_is", "SenderDomainIs", "Condition: the sender's address is in one of these domains (subdomains match too).",
		func(m *transportRuleModel) *types.Set { return &m.SenderDomainIs }, func(r *exchange.TransportRule) []string { return r.SenderDomainIs }},
	{"except_if_recipient_domain_is", "ExceptIfRecipientDomainIs", "Exception: a recipient's address is in one of these domains.",
		func(m *transportRuleModel) *types.Set { return &m.ExceptIfRecipientDomainIs }, func(r *exchange.TransportRule) []string { return r.ExceptIfRecipientDomainIs }},
	{"except_if_sender_domain_is", "ExceptIfSenderDomainIs", "Exception: the sender's address is in one of these domains.",
		func(m *transportRuleModel) *types.Set { return &m.ExceptIfSenderDomainIs }, func(r *exchange.TransportRule) []string { return r.ExceptIfSenderDomainIs }},
}

var trBools = []trBool{
	{"apply_ome", "ApplyOME", "Action: encrypt the message and its attachments with Microsoft Purview Message Encryption. Can't be combined with `apply_rights_protection_template`; needs `azure_rms_licensing_enabled`.",
		func(m *transportRuleModel) *types.Bool { return &m.ApplyOME }, func(r *exchange.TransportRule) bool { return r.ApplyOME }},
	{"remove_ome", "RemoveOME", "Action: remove the previous version of Microsoft Purview Message Encryption. Can't be combined with an encryption action.",
		func(m *transportRuleModel) *types.Bool { return &m.RemoveOME }, func(r *exchange.TransportRule) bool { return r.RemoveOME }},
	{"remove_ome_v2", "RemoveOMEv2", "Action: remove Microsoft Purview Message Encryption. Can't be combined with an encryption action.",
		func(m *transportRuleModel) *types.Bool { return &m.RemoveOMEv2 }, func(r *exchange.TransportRule) bool { return r.RemoveOMEv2 }},
	{"stop_rule_processing", "StopRuleProcessing", "Action: don't evaluate lower-priority rules for a matching message.",
		func(m *transportRuleModel) *types.Bool { return &m.StopRuleProcessing }, func(r *exchange.TransportRule) bool { return r.StopRuleProcessing }},
}

func (r *transportRuleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	domainSet := []validator.Set{
		setvalidator.SizeAtLeast(1),
		setvalidator.ValueStringsAre(stringvalidator.RegexMatches(smtpDomainRe, "must be a domain such as partner.example")),
	}
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The rule's GUID (`Guid`); it stays the same when the rule is renamed.",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "The rule's unique name (`-Name`, at most 64 characters). Renaming changes the rule in place (`Set-TransportRule -Name`).",
			Required:            true,
			Validators: []validator.String{
				stringvalidator.LengthBetween(1, 64),
				stringvalidator.RegexMatches(regexpNoEdgeSpaces, "must not start or end with blanks"),
			},
		},
		"priority": schema.Int64Attribute{
			MarkdownDescription: "Where the rule is evaluated (`-Priority`): 0 is first, and priorities are contiguous, so creating, moving or removing a rule shifts the others. With N existing rules a new rule may take 0 to N and an existing one 0 to N-1; a larger value fails as it does in Exchange. Leave it unset to append the rule and follow the position other changes give it (an update of the rule never moves it; when other rules created or moved in the same apply shift it, state shows the new position after the next refresh, without a diff); set it to manage the position (a move by someone else then shows as drift).",
			Optional:            true, Computed: true,
			Validators: []validator.Int64{int64validator.AtLeast(0)},
			// An unmanaged position stays as it is through an update, so
			// the plan shows it unchanged rather than "known after apply".
			PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		},
		"enabled": schema.BoolAttribute{
			MarkdownDescription: "Whether the rule is enabled (`State` is `Enabled`): `New-TransportRule -Enabled`, then `Enable-TransportRule` / `Disable-TransportRule`. Default `true`.",
			Optional:            true, Computed: true,
			Default: booldefault.StaticBool(true),
		},
		"mode": schema.StringAttribute{
			MarkdownDescription: "How the rule operates (`-Mode`): one of " + quoteList(transportRuleModes) + ". `Audit` and `AuditAndNotify` only log (and report) what the rule would do. Default `Enforce`.",
			Optional:            true, Computed: true,
			Default:    stringdefault.StaticString("Enforce"),
			Validators: []validator.String{stringvalidator.OneOf(transportRuleModes...)},
		},
		"comments": schema.StringAttribute{
			MarkdownDescription: "Free text about the rule (`-Comments`, at most 1024 characters).",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthBetween(1, 1024)},
		},
		"set_scl": schema.Int64Attribute{
			MarkdownDescription: "Action: set the spam confidence level (`-SetSCL`): -1 (bypass spam filtering; CIS 6.2.2 flags rules that do this for sender domains) or 0 to 9.",
			Optional:            true,
			Validators:          []validator.Int64{int64validator.Between(-1, 9)},
		},
	}
	for _, s := range trStrings {
		a := schema.StringAttribute{
			MarkdownDescription: s.desc + " Maps to `-" + s.param + "`.",
			Optional:            true,
		}
		if s.fold {
			a.MarkdownDescription += " Compared without regard to case (the configured spelling is kept)."
			a.PlanModifiers = []planmodifier.String{common.FoldStateString()}
		}
		switch {
		case s.enum != nil:
			a.MarkdownDescription = s.desc + " Maps to `-" + s.param + "`; one of " + quoteList(s.enum) + "."
			a.Validators = []validator.String{stringvalidator.OneOf(s.enum...)}
		case s.attr == "generate_incident_report":
			a.Validators = []validator.String{stringvalidator.RegexMatches(smtpAddressRe, "must be an SMTP address")}
		case s.attr == "reject_message_reason_text":
			a.Validators = []validator.String{stringvalidator.LengthBetween(1, 1024)}
			a.Computed = true
			a.PlanModifiers = []planmodifier.String{rejectHalfDefault{sibling: "reject_message_enhanced_status_code", def: transportRuleDefaultRejectText}}
		case s.attr == "reject_message_enhanced_status_code":
			a.Validators = []validator.String{stringvalidator.RegexMatches(transportRuleRejectCodeRe, "must be 5.7.1 or between 5.7.900 and 5.7.999")}
			a.Computed = true
			a.PlanModifiers = []planmodifier.String{rejectHalfDefault{sibling: "reject_message_reason_text", def: transportRuleDefaultRejectCode}}
		case s.attr == "apply_rights_protection_template":
			a.Validators = []validator.String{stringvalidator.LengthAtLeast(1), templateByName{}}
		default:
			a.Validators = []validator.String{stringvalidator.LengthAtLeast(1)}
		}
		attrs[s.attr] = a
	}
	for _, s := range trSets {
		attrs[s.attr] = schema.SetAttribute{
			MarkdownDescription: s.desc + " Maps to `-" + s.param + "`. Domains are compared without regard to case (the configured spelling is kept).",
			ElementType:         types.StringType,
			Optional:            true,
			Validators:          domainSet,
			PlanModifiers:       []planmodifier.Set{common.FoldStateSet()},
		}
	}
	for _, b := range trBools {
		attrs[b.attr] = schema.BoolAttribute{
			MarkdownDescription: b.desc + " Maps to `-" + b.param + "`. Default `false`.",
			Optional:            true, Computed: true,
			Default: booldefault.StaticBool(false),
		}
	}
	attrs["timeouts"] = common.TimeoutsAttribute()
	resp.Schema = schema.Schema{
		MarkdownDescription: "A mail flow (transport) rule in Exchange Online, limited to the conditions and actions used for hardening: encryption to selected domains (`apply_rights_protection_template`, `apply_ome`), blocking external auto-forwarding (`message_type_matches = \"AutoForward\"` with `sent_to_scope = \"NotInOrganization\"` and a reject action), rejecting, the spam confidence level, a subject prefix and incident reports (`New-`/`Get-`/`Set-`/`Remove-TransportRule`). A rule needs at least one action.",
		Attributes:          attrs,
	}
}

// guidRe is a GUID such as cf5cf348-a8d7-40d5-91ef-a600b88a395d.
var guidRe = regexp.MustCompile(`^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$`)

// templateByName refuses a template GUID: Exchange accepts one but reports
// the template's name, which would read back as a permanent difference.
type templateByName struct{}

func (templateByName) Description(context.Context) string {
	return "must be the template's name, not its GUID"
}

func (v templateByName) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (templateByName) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if known(req.ConfigValue) && guidRe.MatchString(req.ConfigValue.ValueString()) {
		resp.Diagnostics.AddAttributeError(req.Path, "Template given by GUID",
			fmt.Sprintf("Name the template (for example \"Encrypt\" or \"Do Not Forward\") instead of its GUID %s: Exchange reports rules by template name. The m365harden_rms_templates data source maps GUIDs to names.", req.ConfigValue.ValueString()))
	}
}

// rejectHalfDefault plans one half of the reject action: what the user set,
// else Exchange's default when the other half is set, else nothing.
type rejectHalfDefault struct {
	sibling, def string
}

func (m rejectHalfDefault) Description(context.Context) string {
	return "`" + m.def + "` when only " + m.sibling + " is set"
}

func (m rejectHalfDefault) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (m rejectHalfDefault) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	var sib types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(m.sibling), &sib)...)
	switch {
	case sib.IsUnknown():
		resp.PlanValue = types.StringUnknown()
	case sib.IsNull():
		resp.PlanValue = types.StringNull()
	default:
		resp.PlanValue = types.StringValue(m.def)
	}
}

func (r *transportRuleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses at plan time what Exchange refuses at apply time: a
// rule without an action, and contradicting encryption actions.
func (r *transportRuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m transportRuleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	isTrue := func(b types.Bool) bool { return known(b) && b.ValueBool() }
	template := !m.ApplyRightsProtectionTemplate.IsNull()
	if template && isTrue(m.ApplyOME) {
		resp.Diagnostics.AddAttributeError(path.Root("apply_ome"), "Conflicting encryption actions",
			"A transport rule can use apply_rights_protection_template or apply_ome, not both: Exchange refuses the combination.")
	}
	if (template || isTrue(m.ApplyOME)) && (isTrue(m.RemoveOME) || isTrue(m.RemoveOMEv2)) {
		resp.Diagnostics.AddAttributeError(path.Root("remove_ome_v2"), "Conflicting encryption actions",
			"A transport rule can't both apply encryption (apply_rights_protection_template, apply_ome) and remove it (remove_ome, remove_ome_v2).")
	}
	// Unknown values may turn out to be actions: decide on known ones only.
	unknown, hasAction := false, false
	for _, v := range []attr.Value{m.ApplyRightsProtectionTemplate, m.RejectMessageReasonText, m.RejectMessageEnhancedStatusCode, m.SetSCL, m.PrependSubject, m.GenerateIncidentReport} {
		unknown = unknown || v.IsUnknown()
		hasAction = hasAction || known(v)
	}
	for _, b := range []types.Bool{m.ApplyOME, m.RemoveOME, m.RemoveOMEv2, m.StopRuleProcessing} {
		unknown = unknown || b.IsUnknown()
		hasAction = hasAction || isTrue(b)
	}
	if !hasAction && !unknown {
		resp.Diagnostics.AddError("Transport rule without an action",
			"Exchange needs at least one action in a transport rule: set apply_rights_protection_template, apply_ome, remove_ome, remove_ome_v2, reject_message_reason_text, reject_message_enhanced_status_code, set_scl, prepend_subject, generate_incident_report or stop_rule_processing.")
	}
}

// transportRuleModelFrom turns a rule as the service reports it into a
// model. prior is the plan or state it replaces: values the service compares
// case-insensitively keep the user's spelling.
func transportRuleModelFrom(ctx context.Context, rule *exchange.TransportRule, prior *transportRuleModel) *transportRuleModel {
	m := &transportRuleModel{
		ID:       types.StringValue(rule.Guid),
		Name:     types.StringValue(rule.Name),
		Priority: types.Int64Value(rule.Priority),
		Enabled:  types.BoolValue(!strings.EqualFold(rule.State, "Disabled")),
		Mode:     types.StringValue(canonicalEnum(transportRuleModes, rule.Mode)),
		Comments: types.StringNull(),
		SetSCL:   types.Int64Null(),
		Timeouts: common.KeepTimeouts(nil),
	}
	if prior != nil {
		m.Timeouts = common.KeepTimeouts(&prior.Timeouts)
	}
	if rule.Mode == "" {
		m.Mode = types.StringValue("Enforce")
	}
	if rule.Comments != "" {
		m.Comments = types.StringValue(rule.Comments)
	}
	if rule.SetSCL != nil {
		m.SetSCL = types.Int64Value(*rule.SetSCL)
	}
	for _, s := range trStrings {
		v := s.from(rule)
		f := s.field(m)
		switch {
		case v == "":
			*f = types.StringNull()
		case s.enum != nil:
			*f = types.StringValue(canonicalEnum(s.enum, v))
		case s.fold && prior != nil && strings.EqualFold(s.field(prior).ValueString(), v):
			*f = *s.field(prior)
		default:
			*f = types.StringValue(v)
		}
	}
	for _, s := range trSets {
		got := s.from(rule)
		f := s.field(m)
		if len(got) == 0 {
			*f = types.SetNull(types.StringType)
			continue
		}
		if prior != nil {
			if p := s.field(prior); known(*p) {
				var have []string
				p.ElementsAs(ctx, &have, false)
				if sameFold(have, got) {
					*f = *p
					continue
				}
			}
		}
		vals := make([]attr.Value, 0, len(got))
		for _, d := range got {
			vals = append(vals, types.StringValue(d))
		}
		*f = types.SetValueMust(types.StringType, vals)
	}
	for _, b := range trBools {
		*b.field(m) = types.BoolValue(b.from(rule))
	}
	return m
}

// transportRuleSetParams returns the Set-TransportRule parameters that bring
// cur to plan (nil clears a condition or action), without -Identity.
// Enabled is not among them: it has its own cmdlets.
func transportRuleSetParams(ctx context.Context, plan, cur *transportRuleModel) map[string]any {
	p := map[string]any{}
	if known(plan.Name) && plan.Name.ValueString() != cur.Name.ValueString() {
		p["Name"] = plan.Name.ValueString()
	}
	if known(plan.Priority) && plan.Priority.ValueInt64() != cur.Priority.ValueInt64() {
		p["Priority"] = plan.Priority.ValueInt64()
	}
	if known(plan.Mode) && !strings.EqualFold(plan.Mode.ValueString(), cur.Mode.ValueString()) {
		p["Mode"] = plan.Mode.ValueString()
	}
	if !plan.Comments.IsUnknown() && plan.Comments.ValueString() != cur.Comments.ValueString() {
		p["Comments"] = nullableString(plan.Comments)
	}
	if !plan.SetSCL.IsUnknown() && !plan.SetSCL.Equal(cur.SetSCL) {
		if plan.SetSCL.IsNull() {
			p["SetSCL"] = nil
		} else {
			p["SetSCL"] = plan.SetSCL.ValueInt64()
		}
	}
	for _, s := range trStrings {
		want, have := *s.field(plan), *s.field(cur)
		if want.IsUnknown() {
			continue
		}
		same := want.ValueString() == have.ValueString() || ((s.fold || s.enum != nil) && strings.EqualFold(want.ValueString(), have.ValueString()))
		if want.IsNull() != have.IsNull() || !same {
			p[s.param] = nullableString(want)
		}
	}
	for _, s := range trSets {
		want, have := *s.field(plan), *s.field(cur)
		if want.IsUnknown() {
			continue
		}
		var w, h []string
		want.ElementsAs(ctx, &w, false)
		have.ElementsAs(ctx, &h, false)
		if !sameFold(w, h) {
			if len(w) == 0 {
				p[s.param] = nil
			} else {
				sort.Strings(w)
				p[s.param] = w
			}
		}
	}
	for _, b := range trBools {
		want, have := *b.field(plan), *b.field(cur)
		if known(want) && want.ValueBool() != have.ValueBool() {
			p[b.param] = want.ValueBool()
		}
	}
	return p
}

// nullableString is a string value, or nil ($null) when the attribute is null.
func nullableString(v types.String) any {
	if v.IsNull() {
		return nil
	}
	return v.ValueString()
}

// transportRuleNewParams returns New-TransportRule's parameters, without
// -Name. cfg is the configuration: the half of the reject action the user
// left out is not sent, so Exchange pairs it with its own default.
func transportRuleNewParams(ctx context.Context, plan, cfg *transportRuleModel) map[string]any {
	empty := &transportRuleModel{
		Name: plan.Name, Priority: plan.Priority, Mode: types.StringValue("Enforce"),
		Comments: types.StringNull(), SetSCL: types.Int64Null(),
	}
	for _, s := range trStrings {
		*s.field(empty) = types.StringNull()
	}
	for _, s := range trSets {
		*s.field(empty) = types.SetNull(types.StringType)
	}
	for _, b := range trBools {
		*b.field(empty) = types.BoolValue(false)
	}
	p := transportRuleSetParams(ctx, plan, empty)
	delete(p, "Name")
	for k, v := range p {
		if v == nil {
			delete(p, k)
		}
	}
	if known(plan.Priority) {
		p["Priority"] = plan.Priority.ValueInt64()
	}
	if known(plan.Enabled) && !plan.Enabled.ValueBool() {
		p["Enabled"] = false
	}
	if cfg.RejectMessageReasonText.IsNull() {
		delete(p, "RejectMessageReasonText")
	}
	if cfg.RejectMessageEnhancedStatusCode.IsNull() {
		delete(p, "RejectMessageEnhancedStatusCode")
	}
	return p
}

// transportRulePending lists what still differs between plan and tenant.
func transportRulePending(ctx context.Context, plan, cur *transportRuleModel) []string {
	var out []string
	for k := range transportRuleSetParams(ctx, plan, cur) {
		out = append(out, k)
	}
	if known(plan.Enabled) && plan.Enabled.ValueBool() != cur.Enabled.ValueBool() {
		out = append(out, "State")
	}
	sort.Strings(out)
	return out
}

// waitFor reads the rule until it matches the plan (replication lag).
func (r *transportRuleResource) waitFor(ctx context.Context, id string, plan *transportRuleModel) (*transportRuleModel, error) {
	var got *transportRuleModel
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		rule, err := r.clients.Exchange.GetTransportRule(ctx, id)
		if exchange.IsNotFound(err) {
			return wait.NotYet("transport rule %s is not readable yet", id)
		}
		if err != nil {
			return err
		}
		got = transportRuleModelFrom(ctx, rule, plan)
		if left := transportRulePending(ctx, plan, got); len(left) > 0 {
			return wait.NotYet("transport rule %s still differs in %s", id, strings.Join(left, ", "))
		}
		return nil
	})
	return got, err
}

func (r *transportRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan, cfg transportRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "create", &resp.Diagnostics)
	name := plan.Name.ValueString()
	params := transportRuleNewParams(ctx, &plan, &cfg)
	common.SafeCreate[transportRuleModel]{
		What: "transport rule", Name: name,
		New: func(ctx context.Context) (string, error) {
			return r.clients.Exchange.NewTransportRule(ctx, name, params)
		},
		Find: func(ctx context.Context) (string, string, error) {
			rule, err := r.clients.Exchange.GetTransportRule(ctx, name)
			if err != nil {
				return common.Found("", err, nil)
			}
			if left := transportRulePending(ctx, &plan, transportRuleModelFrom(ctx, rule, &plan)); len(left) > 0 {
				return rule.Guid, "its settings differ from the configuration (" + strings.Join(left, ", ") + ")", nil
			}
			return rule.Guid, "", nil
		},
		SetID: func(m *transportRuleModel, id string) { m.ID = types.StringValue(id) },
		Finish: func(ctx context.Context, plan transportRuleModel) (*transportRuleModel, error) {
			return r.waitFor(ctx, plan.ID.ValueString(), &plan)
		},
	}.Run(ctx, plan, &resp.State, &resp.Diagnostics)
}

func (r *transportRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var state transportRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	rule, err := r.clients.Exchange.GetTransportRule(ctx, state.ID.ValueString())
	if exchange.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Reading transport rule %q failed", state.Name.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, transportRuleModelFrom(ctx, rule, &state))...)
}

func (r *transportRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan, state transportRuleModel
	var cfgPriority types.Int64
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("priority"), &cfgPriority)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "update", &resp.Diagnostics)
	planned := plan.Priority
	if cfgPriority.IsNull() {
		// Unmanaged position: other rules created or moved earlier in this
		// apply may have shifted it since the plan; don't move it back.
		plan.Priority = types.Int64Unknown()
	}
	id, name := state.ID.ValueString(), plan.Name.ValueString()
	cur, err := r.clients.Exchange.GetTransportRule(ctx, id)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Reading transport rule %q before the update failed", name), err)
		return
	}
	if err := r.update(ctx, id, &plan, transportRuleModelFrom(ctx, cur, &state)); err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Updating transport rule %q failed", name), err)
		// State follows the tenant, so the next plan shows what is left.
		if now, rerr := r.clients.Exchange.GetTransportRule(ctx, id); rerr == nil {
			m := transportRuleModelFrom(ctx, now, &state)
			m.Timeouts = plan.Timeouts
			resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		}
		return
	}
	got, err := r.waitFor(ctx, id, &plan)
	if got != nil {
		if cfgPriority.IsNull() && known(planned) && err == nil {
			// The plan showed the unmanaged position unchanged, and the
			// update did not move the rule; a shift by other rules in this
			// apply shows in state at the next refresh (without a diff).
			got.Priority = planned
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, got)...)
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Transport rule %q was updated but did not read back as planned", name), err)
	}
}

// update sends Set-TransportRule for the differences, then switches State.
func (r *transportRuleResource) update(ctx context.Context, id string, plan, cur *transportRuleModel) error {
	if p := transportRuleSetParams(ctx, plan, cur); len(p) > 0 {
		if err := r.clients.Exchange.SetTransportRule(ctx, id, p); err != nil {
			return err
		}
	}
	if known(plan.Enabled) && plan.Enabled.ValueBool() != cur.Enabled.ValueBool() {
		return r.clients.Exchange.SetTransportRuleEnabled(ctx, id, plan.Enabled.ValueBool())
	}
	return nil
}

func (r *transportRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var state transportRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, state.Timeouts, "delete", &resp.Diagnostics)
	id, name := state.ID.ValueString(), state.Name.ValueString()
	err := r.clients.Exchange.RemoveTransportRule(ctx, id)
	if exchange.IsNotFound(err) {
		return
	}
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Removing transport rule %q failed", name), err)
		return
	}
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		_, err := r.clients.Exchange.GetTransportRule(ctx, id)
		if exchange.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return wait.NotYet("transport rule %s still reads back", name)
	})
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Transport rule %q was removed but still reads back", name), err)
	}
}

// ImportState takes the rule's name or GUID.
func (r *transportRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	rule, err := r.clients.Exchange.GetTransportRule(ctx, req.ID)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, fmt.Sprintf("Importing transport rule %q failed (import by the rule's name or GUID)", req.ID), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, transportRuleModelFrom(ctx, rule, nil))...)
}

type transportRuleModel struct {
	ID       types.String `tfsdk:"id"`
	Name     types.String `tfsdk:"name"`
	Priority types.Int64  `tfsdk:"priority"`
	Enabled  types.Bool   `tfsdk:"enabled"`
	Mode     types.String `tfsdk:"mode"`
	Comments types.String `tfsdk:"comments"`

	RecipientDomainIs          types.Set    `tfsdk:"recipient_domain_is"`
	SenderDomainIs             types.Set    `tfsdk:"sender_domain_is"`
	FromScope                  types.String `tfsdk:"from_scope"`
	SentToScope                types.String `tfsdk:"sent_to_scope"`
	MessageTypeMatches         types.String `tfsdk:"message_type_matches"`
	ExceptIfRecipientDomainIs  types.Set    `tfsdk:"except_if_recipient_domain_is"`
	ExceptIfSenderDomainIs     types.Set    `tfsdk:"except_if_sender_domain_is"`
	ExceptIfFromScope          types.String `tfsdk:"except_if_from_scope"`
	ExceptIfSentToScope        types.String `tfsdk:"except_if_sent_to_scope"`
	ExceptIfMessageTypeMatches types.String `tfsdk:"except_if_message_type_matches"`

	ApplyRightsProtectionTemplate   types.String   `tfsdk:"apply_rights_protection_template"`
	ApplyOME                        types.Bool     `tfsdk:"apply_ome"`
	RemoveOME                       types.Bool     `tfsdk:"remove_ome"`
	RemoveOMEv2                     types.Bool     `tfsdk:"remove_ome_v2"`
	RejectMessageReasonText         types.String   `tfsdk:"reject_message_reason_text"`
	RejectMessageEnhancedStatusCode types.String   `tfsdk:"reject_message_enhanced_status_code"`
	SetSCL                          types.Int64    `tfsdk:"set_scl"`
	PrependSubject                  types.String   `tfsdk:"prepend_subject"`
	GenerateIncidentReport          types.String   `tfsdk:"generate_incident_report"`
	StopRuleProcessing              types.Bool     `tfsdk:"stop_rule_processing"`
	Timeouts                        timeouts.Value `tfsdk:"timeouts"`
}
