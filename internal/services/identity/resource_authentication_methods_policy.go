package identity

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure   = &authMethodsPolicyResource{}
	_ resource.ResourceWithImportState = &authMethodsPolicyResource{}
)

const authMethodsPolicyID = "authenticationMethodsPolicy"

// Value lists: the msgraph-sdk-go models' enums less unknownFutureValue
// (see TestAuthenticationMethodsEnumsMatchSDK).
var (
	amMigrationStates = []string{"preMigration", "migrationInProgress", "migrationComplete"}
	amAdvancedStates  = []string{"default", "enabled", "disabled"}
	amTargetTypes     = []string{"user", "group"}
	amFeatureTargets  = []string{"group", "administrativeUnit", "role"}
	amMethodStates    = []string{"enabled", "disabled"}
	amAuthModes       = []string{"deviceBasedPush", "push", "any"}
	amKeyEnforcement  = []string{"allow", "block"}
	amEmailOTPStates  = []string{"default", "enabled", "disabled"}
	// targetId: a user or group object ID, or all_users
	// (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodtarget).
	amTargetIDRe = regexp.MustCompile(`^(all_users|` + guidPattern + `)$`)
)

// NewAuthenticationMethodsPolicyResource returns the
// m365harden_authentication_methods_policy resource.
func NewAuthenticationMethodsPolicyResource() resource.Resource { return &authMethodsPolicyResource{} }

type authMethodsPolicyResource struct {
	clients *clients.Set
}

type authMethodsPolicyModel struct {
	ID                   types.String     `tfsdk:"id"`
	PolicyMigrationState types.String     `tfsdk:"policy_migration_state"`
	RegistrationCampaign *amCampaignModel `tfsdk:"registration_campaign"`
	// Graph beta (resource_authentication_methods_policy_beta.go).
	SystemCredentialPreferences *amSystemPreferredModel  `tfsdk:"system_credential_preferences"`
	ReportSuspiciousActivity    *amReportSuspiciousModel `tfsdk:"report_suspicious_activity_settings"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

type amCampaignModel struct {
	State                types.String `tfsdk:"state"`
	SnoozeDurationInDays types.Int64  `tfsdk:"snooze_duration_in_days"`
	IncludeTargets       types.Set    `tfsdk:"include_targets"`
	ExcludeTargets       types.Set    `tfsdk:"exclude_targets"`
}

type amCampaignTargetModel struct {
	ID                           types.String `tfsdk:"id"`
	TargetType                   types.String `tfsdk:"target_type"`
	TargetedAuthenticationMethod types.String `tfsdk:"targeted_authentication_method"`
}

type amExcludeTargetModel struct {
	ID         types.String `tfsdk:"id"`
	TargetType types.String `tfsdk:"target_type"`
}

var (
	amCampaignTargetType = types.ObjectType{AttrTypes: map[string]attr.Type{"id": types.StringType, "target_type": types.StringType, "targeted_authentication_method": types.StringType}}
	amExcludeTargetType  = types.ObjectType{AttrTypes: map[string]attr.Type{"id": types.StringType, "target_type": types.StringType}}
)

func (r *authMethodsPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_authentication_methods_policy"
}

// amTargetID is the schema of a target's id.
func amTargetID(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc,
		Required:            true,
		Validators:          []validator.String{stringvalidator.RegexMatches(amTargetIDRe, "must be a lower-case object ID (GUID) or `all_users`")},
	}
}

// amTargetType is the schema of a target's type, group unless set.
func amTargetType(graphName string, values []string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "Graph `" + graphName + "`: one of " + quoteList(values) + ". Default `group`.",
		Optional:            true, Computed: true,
		Default:    stringdefault.StaticString("group"),
		Validators: []validator.String{stringvalidator.OneOf(values...)},
	}
}

// amExcludeTargetsSchema is the schema of an excludeTargets collection.
func amExcludeTargetsSchema(desc string) schema.SetNestedAttribute {
	return schema.SetNestedAttribute{
		MarkdownDescription: desc + " (Graph `excludeTargets`). Unset: left as the tenant has it (and shown); `[]` clears it.",
		Optional:            true, Computed: true,
		PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"id":          amTargetID("The excluded group's (or user's) object ID (Graph `id`)."),
			"target_type": amTargetType("targetType", amTargetTypes),
		}},
	}
}

func (r *authMethodsPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The tenant's authentication methods policy (Microsoft Graph v1.0 `/policies/authenticationMethodsPolicy`): the **migration off the legacy MFA and SSPR policies** (ScubaGear MS.AAD.3.4) and the **Microsoft Authenticator registration campaign** (nudge users to register Authenticator at sign-in). " +
			"The methods themselves (SMS, voice, email off — MS.AAD.3.5; Authenticator context; FIDO2/passkeys) are `m365harden_authentication_method_configuration` resources, one per method.\n\n" +
			"**Graph beta:** system-preferred MFA (`system_credential_preferences`, Graph `systemCredentialPreferences`) and suspicious-activity reporting (`report_suspicious_activity_settings`, Graph `reportSuspiciousActivitySettings`) exist only in Microsoft Graph beta; the provider reads and writes them with `GET`/`PATCH /beta/policies/authenticationMethodsPolicy`, on every read of this resource. Microsoft says beta APIs \"are subject to change\": these two attributes may break or change when Microsoft changes beta. Everything else uses v1.0.\n\n" +
			"This is a singleton: creating it adopts the tenant's policy and changes the attributes you set; attributes you leave unset are read and shown but not changed. Destroying it removes it from Terraform state and **leaves the policy as it is** (a migration marked complete stays complete).\n\n" +
			"Permissions: Microsoft Graph application permission `Policy.ReadWrite.AuthenticationMethod` (reading alone: `Policy.Read.AuthenticationMethod` or `Policy.Read.All`); for a signed-in user, the Authentication Policy Administrator role.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.StandingTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The policy's ID as Graph reports it (`authenticationMethodsPolicy`).",
				Computed:            true, PlanModifiers: keep,
			},
			"policy_migration_state": schema.StringAttribute{
				MarkdownDescription: "Graph `policyMigrationState`: where the tenant is in moving authentication method management from the legacy MFA and SSPR policies to this policy. One of " + quoteList(amMigrationStates) + ". Hardened: `migrationComplete` (MS.AAD.3.4: the legacy policies are then ignored). Unset: left as the tenant has it (and shown).",
				Optional:            true, Computed: true, PlanModifiers: keep,
				Validators: []validator.String{stringvalidator.OneOf(amMigrationStates...)},
			},
			"registration_campaign": schema.SingleNestedAttribute{
				MarkdownDescription: "Graph `registrationEnforcement.authenticationMethodsRegistrationCampaign`: after a successful MFA, prompt users who have not registered Microsoft Authenticator to do so. Unset: left as the tenant has it (and shown); attributes unset inside it likewise.",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"state": schema.StringAttribute{
						MarkdownDescription: "Graph `state`: one of " + quoteList(amAdvancedStates) + " (`default` is Microsoft's choice, which Microsoft documents as disabled).",
						Optional:            true, Computed: true, PlanModifiers: keep,
						Validators: []validator.String{stringvalidator.OneOf(amAdvancedStates...)},
					},
					"snooze_duration_in_days": schema.Int64Attribute{
						MarkdownDescription: "Graph `snoozeDurationInDays`: days before a user who chose \"Not now\" is prompted again, 0–14 (0: at every MFA).",
						Optional:            true, Computed: true,
						PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
						Validators:    []validator.Int64{int64validator.Between(0, 14)},
					},
					"include_targets": schema.SetNestedAttribute{
						MarkdownDescription: "Graph `includeTargets`: who is prompted. `[]` clears it.",
						Optional:            true, Computed: true,
						PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"id":          amTargetID("A group's or user's object ID, or `all_users` (Graph `id`)."),
							"target_type": amTargetType("targetType", amTargetTypes),
							"targeted_authentication_method": schema.StringAttribute{
								MarkdownDescription: "Graph `targetedAuthenticationMethod`; Graph accepts only `microsoftAuthenticator`, the default.",
								Optional:            true, Computed: true,
								Default:    stringdefault.StaticString("microsoftAuthenticator"),
								Validators: []validator.String{stringvalidator.OneOf("microsoftAuthenticator")},
							},
						}},
					},
					"exclude_targets": amExcludeTargetsSchema("Who is not prompted"),
				},
			},
			"system_credential_preferences":       amSystemPreferredSchema(),
			"report_suspicious_activity_settings": amReportSuspiciousSchema(),
		},
	}
}

func (r *authMethodsPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func excludeTargetsToSet(list []graph.ExcludeTarget) types.Set {
	vals := []attr.Value{}
	for _, t := range list {
		vals = append(vals, types.ObjectValueMust(amExcludeTargetType.AttrTypes, map[string]attr.Value{"id": types.StringValue(t.ID), "target_type": types.StringValue(t.TargetType)}))
	}
	return types.SetValueMust(amExcludeTargetType, vals)
}

func excludeTargetsFromSet(ctx context.Context, s types.Set, diags *diag.Diagnostics) []graph.ExcludeTarget {
	var ms []amExcludeTargetModel
	diags.Append(s.ElementsAs(ctx, &ms, false)...)
	out := []graph.ExcludeTarget{}
	for _, m := range ms {
		out = append(out, graph.ExcludeTarget{ID: m.ID.ValueString(), TargetType: orDefault(m.TargetType, "group")})
	}
	return out
}

func authMethodsPolicyFromAPI(p *graph.AuthMethodsPolicy, b *graph.AuthMethodsBetaSettings, prior *timeouts.Value) *authMethodsPolicyModel {
	inc := []attr.Value{}
	for _, t := range p.Campaign.IncludeTargets {
		inc = append(inc, types.ObjectValueMust(amCampaignTargetType.AttrTypes, map[string]attr.Value{
			"id": types.StringValue(t.ID), "target_type": types.StringValue(t.TargetType), "targeted_authentication_method": types.StringValue(t.TargetedAuthenticationMethod)}))
	}
	return &authMethodsPolicyModel{
		Timeouts:                    common.KeepTimeouts(prior),
		SystemCredentialPreferences: amSystemPreferredFromAPI(b.SystemPreferred),
		ReportSuspiciousActivity:    amReportSuspiciousFromAPI(b.ReportSuspicious),
		ID:                          types.StringValue(p.ID),
		PolicyMigrationState:        types.StringValue(p.PolicyMigrationState),
		RegistrationCampaign: &amCampaignModel{
			State:                types.StringValue(p.Campaign.State),
			SnoozeDurationInDays: types.Int64Value(p.Campaign.SnoozeDurationInDays),
			IncludeTargets:       types.SetValueMust(amCampaignTargetType, inc),
			ExcludeTargets:       excludeTargetsToSet(p.Campaign.ExcludeTargets),
		},
	}
}

// orDefault is a configured value, or the schema's default when unset (the
// configuration, unlike the plan, does not carry defaults).
func orDefault(v types.String, def string) string {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueString()
}

// sortTargets orders targets by ID so collections compare as sets.
func sortTargets[T any](list []T, id func(T) string) {
	slices.SortFunc(list, func(a, b T) int { return strings.Compare(id(a), id(b)) })
}

// authMethodsPolicyPatch returns the changes that bring cur to the
// configured values (nil: nothing to change).
func authMethodsPolicyPatch(ctx context.Context, cfg *authMethodsPolicyModel, cur *graph.AuthMethodsPolicy, diags *diag.Diagnostics) *graph.AuthMethodsPolicyPatch {
	p := &graph.AuthMethodsPolicyPatch{}
	changed := false
	if v := cfg.PolicyMigrationState; common.Known(v) && v.ValueString() != cur.PolicyMigrationState {
		s := v.ValueString()
		p.PolicyMigrationState, changed = &s, true
	}
	if c := cfg.RegistrationCampaign; c != nil {
		want := cur.Campaign
		want.IncludeTargets = slices.Clone(want.IncludeTargets)
		want.ExcludeTargets = slices.Clone(want.ExcludeTargets)
		if common.Known(c.State) {
			want.State = c.State.ValueString()
		}
		if common.Known(c.SnoozeDurationInDays) {
			want.SnoozeDurationInDays = c.SnoozeDurationInDays.ValueInt64()
		}
		if common.Known(c.IncludeTargets) {
			var ms []amCampaignTargetModel
			diags.Append(c.IncludeTargets.ElementsAs(ctx, &ms, false)...)
			want.IncludeTargets = []graph.CampaignTarget{}
			for _, m := range ms {
				want.IncludeTargets = append(want.IncludeTargets, graph.CampaignTarget{ID: m.ID.ValueString(), TargetType: orDefault(m.TargetType, "group"), TargetedAuthenticationMethod: orDefault(m.TargetedAuthenticationMethod, "microsoftAuthenticator")})
			}
		}
		if common.Known(c.ExcludeTargets) {
			want.ExcludeTargets = excludeTargetsFromSet(ctx, c.ExcludeTargets, diags)
		}
		have := cur.Campaign
		have.IncludeTargets, have.ExcludeTargets = slices.Clone(have.IncludeTargets), slices.Clone(have.ExcludeTargets)
		for _, x := range []*graph.RegistrationCampaign{&want, &have} {
			sortTargets(x.IncludeTargets, func(t graph.CampaignTarget) string { return t.ID })
			sortTargets(x.ExcludeTargets, func(t graph.ExcludeTarget) string { return t.ID })
		}
		if !reflect.DeepEqual(want, have) {
			p.Campaign, changed = &want, true
		}
	}
	if !changed {
		return nil
	}
	return p
}

// authMethodsAPIError explains a failed call, naming the permission on 403.
func authMethodsAPIError(diags *diag.Diagnostics, summary string, err error) {
	if errors.Is(err, graph.ErrForbidden) {
		diags.AddError(summary, "Permission problem: the app needs the Microsoft Graph application permission Policy.ReadWrite.AuthenticationMethod (reading alone: Policy.Read.AuthenticationMethod or Policy.Read.All), with admin consent; a signed-in user needs the Authentication Policy Administrator role.\n\n"+err.Error())
		return
	}
	common.AddAPIError(diags, summary, err)
}

func (r *authMethodsPolicyResource) write(ctx context.Context, op string, config tfsdk.Config, state *tfsdk.State, diags *diag.Diagnostics) {
	if r.clients == nil {
		common.NotConfigured(diags)
		return
	}
	var cfg authMethodsPolicyModel
	diags.Append(config.Get(ctx, &cfg)...)
	if diags.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, cfg.Timeouts, op, diags)
	g := r.clients.Graph
	cur, err := g.GetAuthMethodsPolicy(ctx)
	if err != nil {
		authMethodsAPIError(diags, "Reading the tenant's authentication methods policy failed", err)
		return
	}
	curBeta, err := g.GetAuthMethodsBetaSettings(ctx)
	if err != nil {
		authMethodsAPIError(diags, amBetaReadFailed, err)
		return
	}
	if p := authMethodsPolicyPatch(ctx, &cfg, cur, diags); p != nil && !diags.HasError() {
		if err := g.UpdateAuthMethodsPolicy(ctx, p); err != nil {
			authMethodsAPIError(diags, "Changing the tenant's authentication methods policy failed", err)
			diags.Append(state.Set(ctx, authMethodsPolicyFromAPI(cur, curBeta, &cfg.Timeouts))...)
			return
		}
		err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
			got, err := g.GetAuthMethodsPolicy(ctx)
			if err != nil {
				return err
			}
			cur = got
			var d diag.Diagnostics
			if authMethodsPolicyPatch(ctx, &cfg, got, &d) != nil {
				return wait.NotYet("reads do not show the change yet")
			}
			return nil
		})
		if err != nil {
			authMethodsAPIError(diags, "The authentication methods policy was changed but reads do not show it", err)
		}
	}
	r.writeBeta(ctx, &cfg, &curBeta, diags)
	diags.Append(state.Set(ctx, authMethodsPolicyFromAPI(cur, curBeta, &cfg.Timeouts))...)
}

func (r *authMethodsPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.write(ctx, "create", req.Config, &resp.State, &resp.Diagnostics)
}

func (r *authMethodsPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	r.write(ctx, "update", req.Config, &resp.State, &resp.Diagnostics)
}

func (r *authMethodsPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	cur, err := r.clients.Graph.GetAuthMethodsPolicy(ctx)
	if err != nil {
		authMethodsAPIError(&resp.Diagnostics, "Reading the tenant's authentication methods policy failed", err)
		return
	}
	curBeta, err := r.clients.Graph.GetAuthMethodsBetaSettings(ctx)
	if err != nil {
		authMethodsAPIError(&resp.Diagnostics, amBetaReadFailed, err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, authMethodsPolicyFromAPI(cur, curBeta, common.PriorTimeouts(ctx, req.State, &resp.Diagnostics)))...)
}

func (r *authMethodsPolicyResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddWarning("Authentication methods policy left in place",
		"m365harden_authentication_methods_policy was removed from Terraform state; the tenant's authentication methods policy was not changed.")
}

// ImportState takes the tenant ID or the policy's ID.
func (r *authMethodsPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportGraphSingleton(ctx, r.clients, "m365harden_authentication_methods_policy", authMethodsPolicyID, req, resp)
}
