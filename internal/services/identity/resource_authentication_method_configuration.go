package identity

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
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
	_ resource.ResourceWithConfigure      = &authMethodConfigResource{}
	_ resource.ResourceWithImportState    = &authMethodConfigResource{}
	_ resource.ResourceWithValidateConfig = &authMethodConfigResource{}
)

// The methods this resource manages: Graph's configuration IDs
// (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodconfiguration).
var amMethods = []string{
	graph.MethodFido2, graph.MethodMicrosoftAuthenticator, graph.MethodSms, graph.MethodVoice,
	graph.MethodEmail, graph.MethodTemporaryAccessPass, graph.MethodSoftwareOath,
	graph.MethodX509Certificate,
}

// NewAuthenticationMethodConfigurationResource returns the
// m365harden_authentication_method_configuration resource.
func NewAuthenticationMethodConfigurationResource() resource.Resource {
	return &authMethodConfigResource{}
}

type authMethodConfigResource struct {
	clients *clients.Set
}

type amConfigModel struct {
	ID                     types.String          `tfsdk:"id"`
	Method                 types.String          `tfsdk:"method"`
	State                  types.String          `tfsdk:"state"`
	IncludeTargets         types.Set             `tfsdk:"include_targets"`
	ExcludeTargets         types.Set             `tfsdk:"exclude_targets"`
	MicrosoftAuthenticator *amAuthenticatorModel `tfsdk:"microsoft_authenticator"`
	Fido2                  *amFido2Model         `tfsdk:"fido2"`
	Voice                  *amVoiceModel         `tfsdk:"voice"`
	Email                  *amEmailModel         `tfsdk:"email"`
	TemporaryAccessPass    *amTAPModel           `tfsdk:"temporary_access_pass"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

type amMethodTargetModel struct {
	ID                     types.String `tfsdk:"id"`
	TargetType             types.String `tfsdk:"target_type"`
	IsRegistrationRequired types.Bool   `tfsdk:"is_registration_required"`
	AuthenticationMode     types.String `tfsdk:"authentication_mode"`
	IsUsableForSignIn      types.Bool   `tfsdk:"is_usable_for_sign_in"`
}

type amAuthenticatorModel struct {
	IsSoftwareOathEnabled      types.Bool      `tfsdk:"is_software_oath_enabled"`
	DisplayAppInformation      *amFeatureModel `tfsdk:"display_app_information"`
	DisplayLocationInformation *amFeatureModel `tfsdk:"display_location_information"`
}

type amFeatureModel struct {
	State             types.String `tfsdk:"state"`
	IncludeTargetID   types.String `tfsdk:"include_target_id"`
	IncludeTargetType types.String `tfsdk:"include_target_type"`
	ExcludeTargetID   types.String `tfsdk:"exclude_target_id"`
	ExcludeTargetType types.String `tfsdk:"exclude_target_type"`
}

type amFido2Model struct {
	IsAttestationEnforced            types.Bool         `tfsdk:"is_attestation_enforced"`
	IsSelfServiceRegistrationAllowed types.Bool         `tfsdk:"is_self_service_registration_allowed"`
	KeyRestrictions                  *amKeyRestrictions `tfsdk:"key_restrictions"`
}

type amKeyRestrictions struct {
	IsEnforced      types.Bool   `tfsdk:"is_enforced"`
	EnforcementType types.String `tfsdk:"enforcement_type"`
	AAGUIDs         types.Set    `tfsdk:"aa_guids"`
}

type amVoiceModel struct {
	IsOfficePhoneAllowed types.Bool `tfsdk:"is_office_phone_allowed"`
}

type amEmailModel struct {
	AllowExternalIDToUseEmailOTP types.String `tfsdk:"allow_external_id_to_use_email_otp"`
}

type amTAPModel struct {
	DefaultLength            types.Int64 `tfsdk:"default_length"`
	DefaultLifetimeInMinutes types.Int64 `tfsdk:"default_lifetime_in_minutes"`
	MinimumLifetimeInMinutes types.Int64 `tfsdk:"minimum_lifetime_in_minutes"`
	MaximumLifetimeInMinutes types.Int64 `tfsdk:"maximum_lifetime_in_minutes"`
	IsUsableOnce             types.Bool  `tfsdk:"is_usable_once"`
}

var amMethodTargetType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id": types.StringType, "target_type": types.StringType, "is_registration_required": types.BoolType,
	"authentication_mode": types.StringType, "is_usable_for_sign_in": types.BoolType,
}}

func (r *authMethodConfigResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_authentication_method_configuration"
}

// Optional attributes left as the tenant has them when unset.
func amKeptString(desc string, values []string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc + " One of " + quoteList(values) + ".",
		Optional:            true, Computed: true,
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		Validators:    []validator.String{stringvalidator.OneOf(values...)},
	}
}

func amKeptBool(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{
		MarkdownDescription: desc, Optional: true, Computed: true,
		PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
	}
}

func amKeptInt(desc string, lo, hi int64) schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: desc + fmt.Sprintf(" %d–%d.", lo, hi), Optional: true, Computed: true,
		PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		Validators:    []validator.Int64{int64validator.Between(lo, hi)},
	}
}

func amKeptObject(desc string, attrs map[string]schema.Attribute) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: desc + " Unset: left as the tenant has it (and shown); attributes unset inside it likewise.",
		Optional:            true, Computed: true,
		PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
		Attributes:    attrs,
	}
}

func amFeatureSchema(desc string) schema.SingleNestedAttribute {
	return amKeptObject(desc, map[string]schema.Attribute{
		"state":               amKeptString("Graph `state`: `enabled` shows it, `disabled` hides it, `default` is Microsoft's choice.", amAdvancedStates),
		"include_target_id":   amKeptStringFree("Graph `includeTarget.id`: the group (or role, administrative unit) shown it, or `all_users`."),
		"include_target_type": amKeptString("Graph `includeTarget.targetType`.", amFeatureTargets),
		"exclude_target_id":   amKeptStringFree("Graph `excludeTarget.id`: the group (or role, administrative unit) not shown it; `00000000-0000-0000-0000-000000000000` for nobody."),
		"exclude_target_type": amKeptString("Graph `excludeTarget.targetType`.", amFeatureTargets),
	})
}

func amKeptStringFree(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc, Optional: true, Computed: true,
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		Validators:    []validator.String{stringvalidator.RegexMatches(amTargetIDRe, "must be a lower-case object ID (GUID) or `all_users`")},
	}
}

func (r *authMethodConfigResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One authentication method's configuration in the tenant's authentication methods policy (Microsoft Graph v1.0 `/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{method}`): whether the method is on, for whom, and its own settings — " +
			"**SMS, voice and email one-time passcodes off** (ScubaGear MS.AAD.3.5), **Microsoft Authenticator showing the app and location** (MS.AAD.3.3; number matching is always on and no longer a setting), **FIDO2 security keys and passkeys** (phishing-resistant MFA, MS.AAD.3.1) with attestation and key restrictions. " +
			"Manage one resource per method (`method`). Certificate-based authentication (`X509Certificate`) is managed for its state and targets only: its certificate user bindings and authentication mode rules are left as the tenant has them. Hardware OATH tokens (Graph beta only) are not covered.\n\n" +
			"Every method configuration always exists in a tenant: creating this resource adopts it and changes the attributes you set; attributes you leave unset are read and shown but not changed. " +
			"Destroying it removes it from Terraform state and **leaves the method as it is** (a disabled SMS stays disabled). Graph's own DELETE, which reverts a method to Microsoft's defaults, is never called.\n\n" +
			"The legacy MFA and SSPR policies still decide while `m365harden_authentication_methods_policy.policy_migration_state` is not `migrationComplete`.\n\n" +
			"Permissions: Microsoft Graph application permission `Policy.ReadWrite.AuthenticationMethod`; for a signed-in user, the Authentication Policy Administrator role.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.StandingTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The configuration's ID as Graph reports it (the method).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"method": schema.StringAttribute{
				MarkdownDescription: "The method (Graph configuration `id`): one of " + quoteList(amMethods) + ". Changing it manages another method (replace; the old one is left as it is).",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.OneOf(amMethods...)},
			},
			"state": amKeptString("Graph `state`: whether the method is on. Hardened: `disabled` for `Sms`, `Voice` and `Email` (MS.AAD.3.5). Unset: left as the tenant has it (and shown).", amMethodStates),
			"include_targets": schema.SetNestedAttribute{
				MarkdownDescription: "Graph `includeTargets`: who may use the method. Unset: left as the tenant has it (and shown); `[]` clears it.",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":          amTargetID("A group's (or user's) object ID, or `all_users` (Graph `id`)."),
					"target_type": amTargetType("targetType", amTargetTypes),
					"is_registration_required": schema.BoolAttribute{
						MarkdownDescription: "Graph `isRegistrationRequired`. Default `false`.",
						Optional:            true, Computed: true, Default: booldefault.StaticBool(false),
					},
					"authentication_mode": schema.StringAttribute{
						MarkdownDescription: "`MicrosoftAuthenticator` only, and required there (Graph `authenticationMode`): one of " + quoteList(amAuthModes) + ".",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.OneOf(amAuthModes...)},
					},
					"is_usable_for_sign_in": schema.BoolAttribute{
						MarkdownDescription: "`Sms` only, and required there (Graph `isUsableForSignIn`): whether the SMS code may be used to sign in without a password.",
						Optional:            true,
					},
				}},
			},
			"exclude_targets": amExcludeTargetsSchema("Who may not use the method"),
			"microsoft_authenticator": amKeptObject("`MicrosoftAuthenticator` only: its settings.", map[string]schema.Attribute{
				"is_software_oath_enabled":     amKeptBool("Graph `isSoftwareOathEnabled`: whether Authenticator's one-time codes (software OATH) count."),
				"display_app_information":      amFeatureSchema("Graph `featureSettings.displayAppInformationRequiredState`: Authenticator shows the app being signed in to (MS.AAD.3.3)."),
				"display_location_information": amFeatureSchema("Graph `featureSettings.displayLocationInformationRequiredState`: Authenticator shows where the sign-in comes from (MS.AAD.3.3)."),
			}),
			"fido2": amKeptObject("`Fido2` only: FIDO2 security keys and passkeys.", map[string]schema.Attribute{
				"is_attestation_enforced":              amKeptBool("Graph `isAttestationEnforced`: keys must prove their make and model at registration."),
				"is_self_service_registration_allowed": amKeptBool("Graph `isSelfServiceRegistrationAllowed`: users may register keys themselves."),
				"key_restrictions": amKeptObject("Graph `keyRestrictions`: which key models (AAGUIDs) may be used.", map[string]schema.Attribute{
					"is_enforced":      amKeptBool("Graph `isEnforced`."),
					"enforcement_type": amKeptString("Graph `enforcementType`: `allow` only the listed models or `block` them.", amKeyEnforcement),
					"aa_guids": schema.SetAttribute{
						MarkdownDescription: "Graph `aaGuids`: the key models' AAGUIDs. `[]` clears them.",
						ElementType:         types.StringType, Optional: true, Computed: true,
						PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
						Validators:    []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(guidRe, "must be a lower-case AAGUID"))},
					},
				}),
			}),
			"voice": amKeptObject("`Voice` only.", map[string]schema.Attribute{
				"is_office_phone_allowed": amKeptBool("Graph `isOfficePhoneAllowed`: office phones may receive the call."),
			}),
			"email": amKeptObject("`Email` only.", map[string]schema.Attribute{
				"allow_external_id_to_use_email_otp": amKeptString("Graph `allowExternalIdToUseEmailOtp`: whether external (B2B) users may use email one-time passcodes.", amEmailOTPStates),
			}),
			"temporary_access_pass": amKeptObject("`TemporaryAccessPass` only: Temporary Access Pass limits.", map[string]schema.Attribute{
				"default_length":              amKeptInt("Graph `defaultLength`: characters,", 8, 48),
				"default_lifetime_in_minutes": amKeptInt("Graph `defaultLifetimeInMinutes`, between the minimum and the maximum:", 10, 43200),
				"minimum_lifetime_in_minutes": amKeptInt("Graph `minimumLifetimeInMinutes`:", 10, 43200),
				"maximum_lifetime_in_minutes": amKeptInt("Graph `maximumLifetimeInMinutes`:", 10, 43200),
				"is_usable_once":              amKeptBool("Graph `isUsableOnce`: every pass is one-time."),
			}),
		},
	}
}

func (r *authMethodConfigResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses settings of another method, and targets without
// (or with) a method's own target property.
func (r *authMethodConfigResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg amConfigModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !common.Known(cfg.Method) {
		return
	}
	method := cfg.Method.ValueString()
	for name, set := range map[string]struct {
		owner string
		set   bool
	}{
		"microsoft_authenticator": {graph.MethodMicrosoftAuthenticator, cfg.MicrosoftAuthenticator != nil},
		"fido2":                   {graph.MethodFido2, cfg.Fido2 != nil},
		"voice":                   {graph.MethodVoice, cfg.Voice != nil},
		"email":                   {graph.MethodEmail, cfg.Email != nil},
		"temporary_access_pass":   {graph.MethodTemporaryAccessPass, cfg.TemporaryAccessPass != nil},
	} {
		if set.set && set.owner != method {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Setting of another method",
				fmt.Sprintf("%s applies to method %q only; this resource manages %q.", name, set.owner, method))
		}
	}
	if !common.Known(cfg.IncludeTargets) {
		return
	}
	var ts []amMethodTargetModel
	resp.Diagnostics.Append(cfg.IncludeTargets.ElementsAs(ctx, &ts, false)...)
	for _, t := range ts {
		check := func(attr string, isSet bool, owner string) {
			switch {
			case method == owner && !isSet:
				resp.Diagnostics.AddAttributeError(path.Root("include_targets"), "Missing target setting",
					fmt.Sprintf("Every include target of %s needs %s (target %s).", owner, attr, t.ID.ValueString()))
			case method != owner && isSet:
				resp.Diagnostics.AddAttributeError(path.Root("include_targets"), "Target setting of another method",
					fmt.Sprintf("%s applies to %s targets only; this resource manages %q.", attr, owner, method))
			}
		}
		check("authentication_mode", !t.AuthenticationMode.IsNull(), graph.MethodMicrosoftAuthenticator)
		check("is_usable_for_sign_in", !t.IsUsableForSignIn.IsNull(), graph.MethodSms)
	}
}

func amConfigFromAPI(c *graph.AuthMethodConfig, prior *timeouts.Value) *amConfigModel {
	inc := []attr.Value{}
	for _, t := range c.IncludeTargets {
		inc = append(inc, types.ObjectValueMust(amMethodTargetType.AttrTypes, map[string]attr.Value{
			"id": types.StringValue(t.ID), "target_type": types.StringValue(t.TargetType),
			"is_registration_required": types.BoolValue(t.IsRegistrationRequired),
			"authentication_mode":      types.StringPointerValue(t.AuthenticationMode),
			"is_usable_for_sign_in":    types.BoolPointerValue(t.IsUsableForSignIn),
		}))
	}
	m := &amConfigModel{
		ID: types.StringValue(c.ID), Method: types.StringValue(c.ID), State: types.StringValue(c.State),
		IncludeTargets: types.SetValueMust(amMethodTargetType, inc),
		ExcludeTargets: excludeTargetsToSet(c.ExcludeTargets),
		Timeouts:       common.KeepTimeouts(prior),
	}
	feature := func(f graph.FeatureConfig) *amFeatureModel {
		return &amFeatureModel{
			State:           types.StringValue(f.State),
			IncludeTargetID: types.StringValue(f.IncludeTargetID), IncludeTargetType: types.StringValue(f.IncludeTargetType),
			ExcludeTargetID: types.StringValue(f.ExcludeTargetID), ExcludeTargetType: types.StringValue(f.ExcludeTargetType),
		}
	}
	if a := c.Authenticator; a != nil {
		m.MicrosoftAuthenticator = &amAuthenticatorModel{
			IsSoftwareOathEnabled:      types.BoolValue(a.IsSoftwareOathEnabled),
			DisplayAppInformation:      feature(a.DisplayAppInformation),
			DisplayLocationInformation: feature(a.DisplayLocationInfo),
		}
	}
	if f := c.Fido2; f != nil {
		m.Fido2 = &amFido2Model{
			IsAttestationEnforced:            types.BoolValue(f.IsAttestationEnforced),
			IsSelfServiceRegistrationAllowed: types.BoolValue(f.IsSelfServiceRegistrationAllowed),
			KeyRestrictions: &amKeyRestrictions{
				IsEnforced: types.BoolValue(f.KeyRestrictionsEnforced), EnforcementType: types.StringValue(f.KeyRestrictionsEnforcementType),
				AAGUIDs: stringSetOf(lowerAll(f.AAGUIDs)),
			},
		}
	}
	if v := c.Voice; v != nil {
		m.Voice = &amVoiceModel{IsOfficePhoneAllowed: types.BoolValue(v.IsOfficePhoneAllowed)}
	}
	if e := c.Email; e != nil {
		m.Email = &amEmailModel{AllowExternalIDToUseEmailOTP: types.StringValue(e.AllowExternalIDToUseEmailOTP)}
	}
	if t := c.TAP; t != nil {
		m.TemporaryAccessPass = &amTAPModel{
			DefaultLength: types.Int64Value(t.DefaultLength), DefaultLifetimeInMinutes: types.Int64Value(t.DefaultLifetimeInMinutes),
			MinimumLifetimeInMinutes: types.Int64Value(t.MinimumLifetimeInMinutes), MaximumLifetimeInMinutes: types.Int64Value(t.MaximumLifetimeInMinutes),
			IsUsableOnce: types.BoolValue(t.IsUsableOnce),
		}
	}
	return m
}

func lowerAll(v []string) []string {
	out := make([]string, len(v))
	for i := range v {
		out[i] = strings.ToLower(v[i])
	}
	return out
}

// Overlays: a configured (known) value replaces the tenant's.
func setStr(v types.String, dst *string) {
	if common.Known(v) {
		*dst = v.ValueString()
	}
}

func setBool(v types.Bool, dst *bool) {
	if common.Known(v) {
		*dst = v.ValueBool()
	}
}

func setInt(v types.Int64, dst *int64) {
	if common.Known(v) {
		*dst = v.ValueInt64()
	}
}

func overlayFeature(m *amFeatureModel, f *graph.FeatureConfig) {
	if m == nil {
		return
	}
	setStr(m.State, &f.State)
	setStr(m.IncludeTargetID, &f.IncludeTargetID)
	setStr(m.IncludeTargetType, &f.IncludeTargetType)
	setStr(m.ExcludeTargetID, &f.ExcludeTargetID)
	setStr(m.ExcludeTargetType, &f.ExcludeTargetType)
}

// amDesired is the tenant's configuration with the configured values over
// it, in a canonical order.
func amDesired(ctx context.Context, cfg *amConfigModel, cur *graph.AuthMethodConfig, diags *diag.Diagnostics) *graph.AuthMethodConfig {
	w := amCanonical(cur)
	setStr(cfg.State, &w.State)
	if common.Known(cfg.IncludeTargets) {
		var ts []amMethodTargetModel
		diags.Append(cfg.IncludeTargets.ElementsAs(ctx, &ts, false)...)
		w.IncludeTargets = []graph.MethodTarget{}
		for _, t := range ts {
			w.IncludeTargets = append(w.IncludeTargets, graph.MethodTarget{
				ID: t.ID.ValueString(), TargetType: orDefault(t.TargetType, "group"), IsRegistrationRequired: t.IsRegistrationRequired.ValueBool(),
				AuthenticationMode: t.AuthenticationMode.ValueStringPointer(), IsUsableForSignIn: t.IsUsableForSignIn.ValueBoolPointer(),
			})
		}
	}
	if common.Known(cfg.ExcludeTargets) {
		w.ExcludeTargets = excludeTargetsFromSet(ctx, cfg.ExcludeTargets, diags)
	}
	if a, m := w.Authenticator, cfg.MicrosoftAuthenticator; a != nil && m != nil {
		setBool(m.IsSoftwareOathEnabled, &a.IsSoftwareOathEnabled)
		overlayFeature(m.DisplayAppInformation, &a.DisplayAppInformation)
		overlayFeature(m.DisplayLocationInformation, &a.DisplayLocationInfo)
	}
	if f, m := w.Fido2, cfg.Fido2; f != nil && m != nil {
		setBool(m.IsAttestationEnforced, &f.IsAttestationEnforced)
		setBool(m.IsSelfServiceRegistrationAllowed, &f.IsSelfServiceRegistrationAllowed)
		if k := m.KeyRestrictions; k != nil {
			setBool(k.IsEnforced, &f.KeyRestrictionsEnforced)
			setStr(k.EnforcementType, &f.KeyRestrictionsEnforcementType)
			if common.Known(k.AAGUIDs) {
				f.AAGUIDs, _ = common.SetStrings(ctx, k.AAGUIDs)
				f.AAGUIDs = lowerAll(f.AAGUIDs)
			}
		}
	}
	if v, m := w.Voice, cfg.Voice; v != nil && m != nil {
		setBool(m.IsOfficePhoneAllowed, &v.IsOfficePhoneAllowed)
	}
	if e, m := w.Email, cfg.Email; e != nil && m != nil {
		setStr(m.AllowExternalIDToUseEmailOTP, &e.AllowExternalIDToUseEmailOTP)
	}
	if t, m := w.TAP, cfg.TemporaryAccessPass; t != nil && m != nil {
		setInt(m.DefaultLength, &t.DefaultLength)
		setInt(m.DefaultLifetimeInMinutes, &t.DefaultLifetimeInMinutes)
		setInt(m.MinimumLifetimeInMinutes, &t.MinimumLifetimeInMinutes)
		setInt(m.MaximumLifetimeInMinutes, &t.MaximumLifetimeInMinutes)
		setBool(m.IsUsableOnce, &t.IsUsableOnce)
	}
	return amCanonical(w)
}

// amCanonical deep-copies c with its collections sorted.
func amCanonical(c *graph.AuthMethodConfig) *graph.AuthMethodConfig {
	w := *c
	w.IncludeTargets = slices.Clone(c.IncludeTargets)
	w.ExcludeTargets = slices.Clone(c.ExcludeTargets)
	sortTargets(w.IncludeTargets, func(t graph.MethodTarget) string { return t.ID })
	sortTargets(w.ExcludeTargets, func(t graph.ExcludeTarget) string { return t.ID })
	if c.Authenticator != nil {
		a := *c.Authenticator
		w.Authenticator = &a
	}
	if c.Fido2 != nil {
		f := *c.Fido2
		f.AAGUIDs = lowerAll(f.AAGUIDs)
		slices.Sort(f.AAGUIDs)
		w.Fido2 = &f
	}
	if c.Voice != nil {
		v := *c.Voice
		w.Voice = &v
	}
	if c.Email != nil {
		e := *c.Email
		w.Email = &e
	}
	if c.TAP != nil {
		t := *c.TAP
		w.TAP = &t
	}
	return &w
}

func (r *authMethodConfigResource) write(ctx context.Context, op string, config tfsdk.Config, state *tfsdk.State, diags *diag.Diagnostics) {
	if r.clients == nil {
		common.NotConfigured(diags)
		return
	}
	var cfg amConfigModel
	diags.Append(config.Get(ctx, &cfg)...)
	if diags.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, cfg.Timeouts, op, diags)
	g, method := r.clients.Graph, cfg.Method.ValueString()
	what := "the " + method + " authentication method configuration"
	cur, err := g.GetAuthMethodConfig(ctx, method)
	if err != nil {
		authMethodsAPIError(diags, "Reading "+what+" failed", err)
		return
	}
	want := amDesired(ctx, &cfg, cur, diags)
	if diags.HasError() {
		return
	}
	if !reflect.DeepEqual(want, amCanonical(cur)) {
		if err := g.UpdateAuthMethodConfig(ctx, want); err != nil {
			authMethodsAPIError(diags, "Changing "+what+" failed", err)
			diags.Append(state.Set(ctx, amConfigFromAPI(cur, &cfg.Timeouts))...)
			return
		}
		err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
			got, err := g.GetAuthMethodConfig(ctx, method)
			if err != nil {
				return err
			}
			cur = got
			if !reflect.DeepEqual(want, amCanonical(got)) {
				return wait.NotYet("reads do not show the change yet")
			}
			return nil
		})
		if err != nil {
			authMethodsAPIError(diags, what+" was changed but reads do not show it", err)
		}
	}
	diags.Append(state.Set(ctx, amConfigFromAPI(cur, &cfg.Timeouts))...)
}

func (r *authMethodConfigResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.write(ctx, "create", req.Config, &resp.State, &resp.Diagnostics)
}

func (r *authMethodConfigResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	r.write(ctx, "update", req.Config, &resp.State, &resp.Diagnostics)
}

func (r *authMethodConfigResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cur, err := r.clients.Graph.GetAuthMethodConfig(ctx, id.ValueString())
	if common.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		authMethodsAPIError(&resp.Diagnostics, "Reading the "+id.ValueString()+" authentication method configuration failed", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, amConfigFromAPI(cur, common.PriorTimeouts(ctx, req.State, &resp.Diagnostics)))...)
}

func (r *authMethodConfigResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddWarning("Authentication method configuration left in place",
		"m365harden_authentication_method_configuration was removed from Terraform state; the method's configuration in the tenant was not changed.")
}

// ImportState takes the method (Graph's configuration ID), e.g. "Sms".
func (r *authMethodConfigResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	i := slices.IndexFunc(amMethods, func(m string) bool { return strings.EqualFold(m, id) })
	if i < 0 {
		resp.Diagnostics.AddError("Wrong import ID",
			fmt.Sprintf("m365harden_authentication_method_configuration is imported by its method, one of %s; got %q.", strings.Join(amMethods, ", "), req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), amMethods[i])...)
}
