package posture

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/cmdletref"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// defaultRetentionRecordTypes are the record types audit-log-retention
// requires by default: the Exchange, SharePoint and Microsoft Entra ID
// activity an investigation starts from.
var defaultRetentionRecordTypes = []string{"ExchangeAdmin", "ExchangeItem", "ExchangeItemGroup", "SharePoint", "SharePointFileOperation",
	"AzureActiveDirectory", "AzureActiveDirectoryStsLogon"}

// capExclusionPolicies are the ScubaGear policies this data source checks
// whose exclusion type is CapExclusions (the baseline's
// "<!--ExclusionType: CapExclusions-->" marker).
var capExclusionPolicies = []string{"MS.AAD.1.1v1", "MS.AAD.2.1v1", "MS.AAD.2.3v1", "MS.AAD.3.1v1", "MS.AAD.3.2v2", "MS.AAD.3.6v1", "MS.AAD.3.7v1"}

var _ datasource.DataSourceWithConfigure = &postureDataSource{}

// Defaults of the optional arguments.
const (
	defaultMinAuditAgeDays      = 90
	defaultAuditActions         = "E3"
	defaultMinRetention         = "TwelveMonths"
	defaultRiskyUserLevel       = "high"
	defaultInboxRuleConcurrency = 4
	maxInboxRuleConcurrency     = 16
	// maxAuditAgeDays is Set-Mailbox -AuditLogAgeLimit's upper bound.
	maxAuditAgeDays = 24855
)

const domainLabel = `[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?`

var (
	domainRe     = regexp.MustCompile(`^` + domainLabel + `(?:\.` + domainLabel + `)+$`)
	accountRe    = regexp.MustCompile(`^(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|[^@\s]+@` + domainLabel + `(?:\.` + domainLabel + `)+)$`)
	policyNameRe = regexp.MustCompile(`^\S(?:.*\S)?$`)
)

// NewPostureDataSource returns m365harden_posture.
func NewPostureDataSource() datasource.DataSource { return &postureDataSource{} }

type postureDataSource struct {
	clients *clients.Set
}

func (d *postureDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_posture"
}

func (d *postureDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	domains := func(desc string) schema.SetAttribute {
		return schema.SetAttribute{
			MarkdownDescription: desc, ElementType: types.StringType, Optional: true,
			Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(domainRe, "must be a domain name such as partner.example"))},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The hardening controls of the project's control list evaluated on the live tenant: for each, its baseline references (CIS Microsoft 365 Foundations Benchmark v3.1, CISA ScubaGear, Microsoft365DSC), `pass`, `fail` or `unknown`, and evidence (a sentence and the offending objects). " +
			"A control that cannot be evaluated (a missing Exchange role, Graph permission or licence) is `unknown` with the reason; the others still evaluate. " +
			"Each setting is read once and shared between the controls that need it, and up to four controls run at a time.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{MarkdownDescription: "The tenant ID.", Computed: true},
			"controls": schema.SetAttribute{
				MarkdownDescription: "The controls to evaluate, by id; default all. Ids: " + quoteList(controlIDs()) + ".",
				ElementType:         types.StringType, Optional: true,
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(controlIDs()...))},
			},
			"forwarding_allowed_domains": domains("Partner domains allowed to receive auto-forwarded mail (an entry covers its subdomains too). A remote domain for one of them may have `AutoForwardEnabled = $true`; forwards and transport rules to them are not findings. The Default remote domain (`*`) is never allowed."),
			"forwarding_allowed_outbound_policies": schema.SetAttribute{
				MarkdownDescription: "Names of custom outbound spam filter policies meant to allow automatic forwarding for the senders their rule scopes (`AutoForwardingMode = On`). The Default policy is never allowed.",
				ElementType:         types.StringType, Optional: true,
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthBetween(1, 64), stringvalidator.RegexMatches(policyNameRe, "must not start or end with blanks"),
					stringvalidator.NoneOfCaseInsensitive("Default"))},
			},
			"break_glass_accounts": schema.SetAttribute{
				MarkdownDescription: "Emergency-access accounts, by object id or user principal name, that conditional access policies may exclude without failing the MFA, legacy-authentication and risk controls. Policies hold object ids; a UPN is resolved with `GET /users/{upn}` (needs `User.Read.All`), and one that cannot be resolved is named in the evidence.",
				ElementType:         types.StringType, Optional: true,
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(accountRe, "must be an object id (GUID) or a user principal name"))},
			},
			"cap_exclusions": schema.MapNestedAttribute{
				MarkdownDescription: "ScubaGear's conditional access policy exclusions (`CapExclusions` in a ScubaGear configuration file), keyed by the ScubaGear policy id: " + quoteList(capExclusionPolicies) + ". `users` and `groups` are object ids a policy checked against that id may exclude, on top of `break_glass_accounts`; a policy that excludes anyone else fails with the extra principals named. CIS controls allow only `break_glass_accounts`.",
				Optional:            true,
				Validators:          []validator.Map{mapvalidator.KeysAre(stringvalidator.OneOf(capExclusionPolicies...))},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"users": schema.SetAttribute{MarkdownDescription: "User object ids the policy may exclude.", ElementType: types.StringType, Optional: true,
						Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(guidRe, "must be an object id (GUID)"))}},
					"groups": schema.SetAttribute{MarkdownDescription: "Group object ids the policy may exclude.", ElementType: types.StringType, Optional: true,
						Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(guidRe, "must be an object id (GUID)"))}},
				}},
			},
			"audit_retention_record_types": schema.SetAttribute{
				MarkdownDescription: "The record types (`RecordTypes` of `New-UnifiedAuditLogRetentionPolicy`, the `AuditLogRecordType` names) `" + ctlAuditLogRetention + "` requires a retention policy for. Default " + quoteList(defaultRetentionRecordTypes) + ".",
				ElementType:         types.StringType, Optional: true,
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(cmdletref.AuditLogRecordTypes...))},
			},
			"minimum_audit_log_age_days": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The shortest per-mailbox `AuditLogAgeLimit` that passes `%s`, in days (1 to %d). Default %d (CIS 6.1.2).", ctlMailboxAuditSettings, maxAuditAgeDays, defaultMinAuditAgeDays),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, maxAuditAgeDays)},
			},
			"mailbox_audit_actions": schema.StringAttribute{
				MarkdownDescription: "Which CIS action lists `" + ctlMailboxAuditSettings + "` requires in `AuditAdmin`, `AuditDelegate` and `AuditOwner`: " + quoteList(auditActionLevels) + " (E3 = CIS 6.1.2: Microsoft's default sets plus `Copy`, `FolderBind`, `Move`, `Create` and `MailboxLogin` where CIS lists them; E5 = CIS 6.1.3: adding `MailItemsAccessed` and `Send`). Default `" + defaultAuditActions + "`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(auditActionLevels...)},
			},
			"minimum_audit_log_retention": schema.StringAttribute{
				MarkdownDescription: "The shortest unified audit log retention (`RetentionDuration`) that passes `" + ctlAuditLogRetention + "`: " + quoteList(retentionDurations) + ". Default `" + defaultMinRetention + "` (ScubaGear MS.SECURITYSUITE.5.2v1).",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(retentionDurations...)},
			},
			"encryption_required_domains": domains("Recipient domains whose mail the organization must encrypt (`" + ctlEncryptionRules + "`); none by default."),
			"require_medium_sign_in_risk": schema.BoolAttribute{
				MarkdownDescription: "Whether `" + ctlSignInRiskPolicy + "` also requires medium sign-in risk to be challenged with MFA (CIS 5.2.2.7 asks for high and medium; ScubaGear MS.AAD.2.3v1, a block of high-risk sign-ins, is the separate control `" + ctlSignInRiskBlock + "`). Default `true`.",
				Optional:            true,
			},
			"risky_user_level": schema.StringAttribute{
				MarkdownDescription: "The lowest risk level at which a user at risk fails `" + ctlReviewSignInsAndRiskyUsers + "`: " + quoteList(riskLevels) + ". Default `" + defaultRiskyUserLevel + "`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(riskLevels...)},
			},
			"scan_inbox_rules": schema.BoolAttribute{
				MarkdownDescription: "Whether `" + ctlMailboxForwarding + "` also reads every mailbox's inbox rules (`Get-InboxRule -Mailbox`, **one call per mailbox**, `Mail Recipients` role). Default `false`: only mailbox forwarding settings are checked, and the evidence says so.",
				Optional:            true,
			},
			"inbox_rule_concurrency": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many `Get-InboxRule` calls run at once with `scan_inbox_rules`, 1 to %d. Default %d.", maxInboxRuleConcurrency, defaultInboxRuleConcurrency),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, maxInboxRuleConcurrency)},
			},
			"results": schema.ListNestedAttribute{
				MarkdownDescription: "One entry per evaluated control, in the order of the control list.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":    schema.StringAttribute{MarkdownDescription: "The control's stable id.", Computed: true},
					"title": schema.StringAttribute{MarkdownDescription: "The control's name.", Computed: true},
					"references": schema.ListAttribute{MarkdownDescription: "Where baselines name the control, e.g. `CIS 6.1.1`, `Scuba MS.EXO.13.1v1`, `DSC EXOOrganizationConfig`.",
						ElementType: types.StringType, Computed: true},
					"status":         schema.StringAttribute{MarkdownDescription: "The outcome: " + quoteList(statuses) + ".", Computed: true},
					"unknown_reason": schema.StringAttribute{MarkdownDescription: "Why the control is `unknown`: " + quoteList(unknownReasons) + "; null otherwise. The evidence summary names the role, permission or licence.", Computed: true},
					"evidence": schema.SingleNestedAttribute{
						MarkdownDescription: "What the evaluation found.",
						Computed:            true,
						Attributes: map[string]schema.Attribute{
							"summary": schema.StringAttribute{MarkdownDescription: "A sentence saying what was found.", Computed: true},
							"objects": schema.ListNestedAttribute{
								MarkdownDescription: fmt.Sprintf("The objects that make the control fail (at most %d, sorted by type and name).", maxObjects),
								Computed:            true,
								NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
									"type":   schema.StringAttribute{MarkdownDescription: "The kind of object, e.g. `remote_domain`, `mailbox`, `inbox_rule`, `transport_rule`, `outbound_spam_policy`, `alert_policy`, `conditional_access_policy`, `risky_user`.", Computed: true},
									"name":   schema.StringAttribute{MarkdownDescription: "The object's name (a mailbox's UPN, an inbox rule as `mailbox\\rule`).", Computed: true},
									"detail": schema.StringAttribute{MarkdownDescription: "What is wrong with it, in the service's property names.", Computed: true},
								}},
							},
							"objects_total": schema.Int64Attribute{MarkdownDescription: "How many objects were found, including any beyond the listed ones.", Computed: true},
						},
					},
				}},
			},
			"statuses":      schema.MapAttribute{MarkdownDescription: "Each evaluated control's status by id, for checks such as `statuses[\"" + ctlMailboxForwarding + "\"] == \"pass\"`.", ElementType: types.StringType, Computed: true},
			"pass_count":    schema.Int64Attribute{MarkdownDescription: "How many controls pass.", Computed: true},
			"fail_count":    schema.Int64Attribute{MarkdownDescription: "How many controls fail.", Computed: true},
			"unknown_count": schema.Int64Attribute{MarkdownDescription: "How many controls could not be evaluated.", Computed: true},
			"failed_controls": schema.ListAttribute{MarkdownDescription: "The ids of the failing controls, in control-list order.",
				ElementType: types.StringType, Computed: true},
			"unknown_controls": schema.ListAttribute{MarkdownDescription: "The ids of the controls that could not be evaluated, in control-list order.",
				ElementType: types.StringType, Computed: true},
		},
	}
}

func (d *postureDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func strs(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	return out
}

func lower(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}

// optionsFrom applies the defaults to the configuration.
func optionsFrom(ctx context.Context, m *postureModel, diags *diag.Diagnostics) options {
	opt := options{
		Controls:             map[string]bool{},
		AllowedDomains:       lower(strs(ctx, m.ForwardingAllowedDomains, diags)),
		AllowedPolicies:      map[string]bool{},
		BreakGlass:           strs(ctx, m.BreakGlassAccounts, diags),
		MinAuditAgeDays:      defaultMinAuditAgeDays,
		AuditActions:         defaultAuditActions,
		MinRetention:         defaultMinRetention,
		EncryptionDomains:    lower(strs(ctx, m.EncryptionRequiredDomains, diags)),
		RequireMediumSignIn:  m.RequireMediumSignInRisk.IsNull() || m.RequireMediumSignInRisk.ValueBool(),
		RiskyUserLevel:       defaultRiskyUserLevel,
		ScanInboxRules:       m.ScanInboxRules.ValueBool(),
		InboxRuleConcurrency: defaultInboxRuleConcurrency,
		CapExclusions:        map[string]capExclusion{},
		RetentionRecordTypes: defaultRetentionRecordTypes,
	}
	if rt := strs(ctx, m.AuditRetentionRecordTypes, diags); len(rt) > 0 {
		opt.RetentionRecordTypes = rt
	}
	for id, x := range m.CapExclusions {
		opt.CapExclusions[id] = capExclusion{Users: strs(ctx, x.Users, diags), Groups: strs(ctx, x.Groups, diags)}
	}
	ids := strs(ctx, m.Controls, diags)
	if m.Controls.IsNull() {
		ids = controlIDs()
	}
	for _, id := range ids {
		opt.Controls[id] = true
	}
	for _, p := range strs(ctx, m.ForwardingAllowedOutboundPolicies, diags) {
		opt.AllowedPolicies[strings.ToLower(p)] = true
	}
	if !m.MinimumAuditLogAgeDays.IsNull() {
		opt.MinAuditAgeDays = m.MinimumAuditLogAgeDays.ValueInt64()
	}
	if !m.MailboxAuditActions.IsNull() {
		opt.AuditActions = m.MailboxAuditActions.ValueString()
	}
	if !m.MinimumAuditLogRetention.IsNull() {
		opt.MinRetention = m.MinimumAuditLogRetention.ValueString()
	}
	if !m.RiskyUserLevel.IsNull() {
		opt.RiskyUserLevel = m.RiskyUserLevel.ValueString()
	}
	if !m.InboxRuleConcurrency.IsNull() {
		opt.InboxRuleConcurrency = int(m.InboxRuleConcurrency.ValueInt64())
	}
	return opt
}

func (d *postureDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m postureModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	opt := optionsFrom(ctx, &m, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	results := evaluate(ctx, d.clients, opt)
	if err := ctx.Err(); err != nil {
		resp.Diagnostics.AddError("Evaluating the tenant's posture was interrupted", err.Error())
		return
	}

	m.ID = types.StringValue(d.clients.TenantID)
	m.Results = make([]resultModel, 0, len(results))
	statusMap := map[string]attr.Value{}
	var failed, unknowns []attr.Value
	var nPass, nFail, nUnknown int64
	var unknownDetail []string
	for _, r := range results {
		objs, total := capObjects(r.Objects)
		om := make([]objectModel, len(objs))
		for i, o := range objs {
			om[i] = objectModel{Type: types.StringValue(o.Type), Name: types.StringValue(o.Name), Detail: types.StringValue(o.Detail)}
		}
		refs := make([]attr.Value, len(r.References))
		for i, ref := range r.References {
			refs[i] = types.StringValue(ref)
		}
		reason := types.StringNull()
		switch r.Status {
		case statusPass:
			nPass++
		case statusFail:
			nFail++
			failed = append(failed, types.StringValue(r.ID))
		case statusUnknown:
			nUnknown++
			unknowns = append(unknowns, types.StringValue(r.ID))
			reason = types.StringValue(r.Reason)
			unknownDetail = append(unknownDetail, r.ID+": "+r.Summary)
		}
		statusMap[r.ID] = types.StringValue(r.Status)
		m.Results = append(m.Results, resultModel{
			ID: types.StringValue(r.ID), Title: types.StringValue(r.Title),
			References: types.ListValueMust(types.StringType, refs),
			Status:     types.StringValue(r.Status), UnknownReason: reason,
			Evidence: evidenceModel{Summary: types.StringValue(r.Summary), Objects: om, ObjectsTotal: types.Int64Value(int64(total))},
		})
	}
	if len(unknownDetail) > 0 {
		resp.Diagnostics.AddWarning(fmt.Sprintf("%d posture controls could not be evaluated", len(unknownDetail)),
			"Their status is \"unknown\"; the other controls were evaluated.\n\n"+strings.Join(unknownDetail, "\n\n"))
	}
	m.Statuses = types.MapValueMust(types.StringType, statusMap)
	m.PassCount, m.FailCount, m.UnknownCount = types.Int64Value(nPass), types.Int64Value(nFail), types.Int64Value(nUnknown)
	m.FailedControls = types.ListValueMust(types.StringType, nonNil(failed))
	m.UnknownControls = types.ListValueMust(types.StringType, nonNil(unknowns))
	tflog.Debug(ctx, "posture evaluated", map[string]any{"pass": nPass, "fail": nFail, "unknown": nUnknown})
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func nonNil(v []attr.Value) []attr.Value {
	if v == nil {
		return []attr.Value{}
	}
	return v
}

type objectModel struct {
	Type   types.String `tfsdk:"type"`
	Name   types.String `tfsdk:"name"`
	Detail types.String `tfsdk:"detail"`
}

type evidenceModel struct {
	Summary      types.String  `tfsdk:"summary"`
	Objects      []objectModel `tfsdk:"objects"`
	ObjectsTotal types.Int64   `tfsdk:"objects_total"`
}

type capExclusionModel struct {
	Users  types.Set `tfsdk:"users"`
	Groups types.Set `tfsdk:"groups"`
}

type resultModel struct {
	ID            types.String  `tfsdk:"id"`
	Title         types.String  `tfsdk:"title"`
	References    types.List    `tfsdk:"references"`
	Status        types.String  `tfsdk:"status"`
	UnknownReason types.String  `tfsdk:"unknown_reason"`
	Evidence      evidenceModel `tfsdk:"evidence"`
}

type postureModel struct {
	ID                                types.String                 `tfsdk:"id"`
	Controls                          types.Set                    `tfsdk:"controls"`
	ForwardingAllowedDomains          types.Set                    `tfsdk:"forwarding_allowed_domains"`
	ForwardingAllowedOutboundPolicies types.Set                    `tfsdk:"forwarding_allowed_outbound_policies"`
	BreakGlassAccounts                types.Set                    `tfsdk:"break_glass_accounts"`
	CapExclusions                     map[string]capExclusionModel `tfsdk:"cap_exclusions"`
	AuditRetentionRecordTypes         types.Set                    `tfsdk:"audit_retention_record_types"`
	MinimumAuditLogAgeDays            types.Int64                  `tfsdk:"minimum_audit_log_age_days"`
	MailboxAuditActions               types.String                 `tfsdk:"mailbox_audit_actions"`
	MinimumAuditLogRetention          types.String                 `tfsdk:"minimum_audit_log_retention"`
	EncryptionRequiredDomains         types.Set                    `tfsdk:"encryption_required_domains"`
	RequireMediumSignInRisk           types.Bool                   `tfsdk:"require_medium_sign_in_risk"`
	RiskyUserLevel                    types.String                 `tfsdk:"risky_user_level"`
	ScanInboxRules                    types.Bool                   `tfsdk:"scan_inbox_rules"`
	InboxRuleConcurrency              types.Int64                  `tfsdk:"inbox_rule_concurrency"`
	Results                           []resultModel                `tfsdk:"results"`
	Statuses                          types.Map                    `tfsdk:"statuses"`
	PassCount                         types.Int64                  `tfsdk:"pass_count"`
	FailCount                         types.Int64                  `tfsdk:"fail_count"`
	UnknownCount                      types.Int64                  `tfsdk:"unknown_count"`
	FailedControls                    types.List                   `tfsdk:"failed_controls"`
	UnknownControls                   types.List                   `tfsdk:"unknown_controls"`
}
