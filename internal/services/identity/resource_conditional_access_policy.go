package identity

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure      = &conditionalAccessPolicyResource{}
	_ resource.ResourceWithImportState    = &conditionalAccessPolicyResource{}
	_ resource.ResourceWithValidateConfig = &conditionalAccessPolicyResource{}
)

// Enum values, from the Graph resource type pages:
// conditionalAccessPolicy (state), conditionalAccessConditionSet
// (clientAppTypes, risk levels), conditionalAccessGrantControls
// (operator, builtInControls), conditionalAccessPlatforms,
// conditionalAccessFilter, conditionalAccessGuestsOrExternalUsers,
// signInFrequencySessionControl and persistentBrowserSessionControl; each
// list is the msgraph-sdk-go models enum less unknownFutureValue
// (internal/services/identity's unit test checks them against the SDK).
var (
	caStates         = []string{"enabled", "disabled", "enabledForReportingButNotEnforced"}
	caClientAppTypes = []string{"all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"}
	caRiskLevels     = []string{"low", "medium", "high", "hidden", "none"}
	caOperators      = []string{"AND", "OR"}
	caGrantControls  = []string{"block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication", "passwordChange"}
	caUserKeywords   = []string{"All", "None", "GuestsOrExternalUsers"}
	caAppKeywords    = []string{"All", "None", "Office365", "MicrosoftAdminPortals"}
	caLocKeywords    = []string{"All", "AllTrusted"}
	// conditionalAccessDevicePlatform, less unknownFutureValue.
	caPlatforms = []string{"android", "iOS", "windows", "windowsPhone", "macOS", "linux", "all"}
	// conditionalAccessGuestOrExternalUserTypes (a flags enum), less none
	// (which selects nobody) and unknownFutureValue.
	caGuestTypes = []string{"internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider"}
	// conditionalAccessExternalTenantsMembershipKind, less unknownFutureValue.
	caMembershipKinds = []string{"all", "enumerated"}
	caFilterModes     = []string{"include", "exclude"}
	// signinFrequencyType, signInFrequencyInterval,
	// signInFrequencyAuthenticationType and persistentBrowserSessionMode,
	// less unknownFutureValue.
	caFrequencyTypes     = []string{"days", "hours"}
	caFrequencyIntervals = []string{"timeBased", "everyTime"}
	caFrequencyAuthTypes = []string{"primaryAndSecondaryAuthentication", "secondaryAuthentication"}
	caBrowserModes       = []string{"always", "never"}
)

// Graph reports object ids in lower case; requiring that form keeps plans
// empty after a read.
const guidPattern = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

var guidRe = regexp.MustCompile(`^` + guidPattern + `$`)

func idOrKeyword(keywords []string) validator.Set {
	re := `^(` + guidPattern
	for _, k := range keywords {
		re += `|` + regexp.QuoteMeta(k)
	}
	re += `)$`
	msg := "must be a lower-case object ID (GUID)"
	if len(keywords) > 0 {
		msg += " or one of " + quoteList(keywords)
	}
	return setvalidator.ValueStringsAre(stringvalidator.RegexMatches(regexp.MustCompile(re), msg))
}

func quoteList(v []string) string {
	q := make([]string, len(v))
	for i := range v {
		q[i] = "`" + v[i] + "`"
	}
	return strings.Join(q, ", ")
}

var emptySet = types.SetValueMust(types.StringType, []attr.Value{})

// NewConditionalAccessPolicyResource returns the m365harden_conditional_access_policy resource.
func NewConditionalAccessPolicyResource() resource.Resource {
	return &conditionalAccessPolicyResource{}
}

type conditionalAccessPolicyResource struct {
	clients *clients.Set
}

func (r *conditionalAccessPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_conditional_access_policy"
}

func (r *conditionalAccessPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	idSet := func(desc string, keywords []string) schema.SetAttribute {
		return schema.SetAttribute{
			MarkdownDescription: desc + " Unset is the same as empty.",
			ElementType:         types.StringType,
			Optional:            true, Computed: true,
			Default:    setdefault.StaticValue(emptySet),
			Validators: []validator.Set{idOrKeyword(keywords)},
		}
	}
	enumSet := func(desc string, values []string, def types.Set) schema.SetAttribute {
		return schema.SetAttribute{
			MarkdownDescription: desc + " One or more of " + quoteList(values) + ".",
			ElementType:         types.StringType,
			Optional:            true, Computed: true,
			Default:    setdefault.StaticValue(def),
			Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(values...))},
		}
	}
	guests := func(desc string) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{
			MarkdownDescription: desc,
			Optional:            true,
			Attributes: map[string]schema.Attribute{
				"guest_or_external_user_types": schema.SetAttribute{
					MarkdownDescription: "Kinds of guest and external users (Graph `guestOrExternalUserTypes`, sent as one comma-separated value): one or more of " + quoteList(caGuestTypes) + ".",
					ElementType:         types.StringType,
					Required:            true,
					Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(caGuestTypes...))},
				},
				"external_tenants_membership_kind": schema.StringAttribute{
					MarkdownDescription: "Which external tenants the users come from (Graph `externalTenants.membershipKind`): `all` or `enumerated` (then list them in `external_tenants_members`). Unset: Graph's `externalTenants` is null.",
					Optional:            true,
					Validators:          []validator.String{stringvalidator.OneOf(caMembershipKinds...)},
				},
				"external_tenants_members": schema.SetAttribute{
					MarkdownDescription: "Tenant IDs (Graph `externalTenants.members` of a `conditionalAccessEnumeratedExternalTenants`); only with `external_tenants_membership_kind = \"enumerated\"`, which needs at least one.",
					ElementType:         types.StringType,
					Optional:            true,
					Validators:          []validator.Set{setvalidator.SizeAtLeast(1), idOrKeyword(nil)},
				},
			},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Microsoft Entra Conditional Access policy (Microsoft Graph v1.0 `/identity/conditionalAccess/policies`) with the conditions and controls hardening baselines use: **MFA for all users** except break-glass accounts (CIS 5.2.2.1/5.2.2.2, ScubaGear MS.AAD.3.1 with an authentication strength such as phishing-resistant MFA), **blocking legacy authentication** (`client_app_types = [\"exchangeActiveSync\", \"other\"]` with `block`, CIS 5.2.2.3, ScubaGear MS.AAD.1.1), **risk-based policies** (`user_risk_levels` / `sign_in_risk_levels` with `block` or MFA, CIS 5.2.2.6/5.2.2.7, ScubaGear MS.AAD.2.1/2.3), **locations** (named locations, e.g. a country block), **device platforms**, **device filters**, **guests and external users**, and **session controls** (sign-in frequency and persistent browser, CIS 5.2.2.4).\n\n" +
			"Every condition and control in the schema is read back and compared on refresh, and removing an optional block (for example `locations`, `authentication_strength_id` or `session_controls`) clears it in the tenant: the provider sends Graph an explicit `null`, because Graph merges update bodies. A location, platform, device filter, guest condition, authentication strength or session control added in the tenant out of band shows as drift and the next apply removes it. Conditions and controls the schema does not have (user actions, authentication contexts, application filters, client applications, service principal and insider risk, authentication flows, custom controls, terms of use, application enforced restrictions, Defender for Cloud Apps, resilience defaults, secure sign-in sessions) are not hidden either: when the tenant has any of them set, `unmanaged_settings` names them, the plan shows it, and the next apply clears them.\n\n" +
			"Conditional Access needs Microsoft Entra ID P1; risk conditions need P2. While security defaults are on, Graph refuses to create or update a policy with `state = \"enabled\"`: turn `m365harden_security_defaults` off first (`depends_on`). Permissions: Microsoft Graph application permissions `Policy.Read.All` and `Policy.ReadWrite.ConditionalAccess`. Graph allows several policies with the same name; this resource does not: creating a policy whose `display_name` already exists in the tenant is refused with an error that says how to import it. Destroying the resource deletes the policy.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.TimeoutsAttribute(),
			"unmanaged_settings": schema.SetAttribute{
				MarkdownDescription: "The Graph properties set on the policy that this resource does not manage (" + quoteList(graph.UnmanagedCAProperties) + "), as read on refresh. " +
					"It must stay empty in configuration (the default): when another administrator sets one of them, the plan shows it here and the next apply clears it (an empty collection or `null` in the PATCH).",
				ElementType: types.StringType,
				Optional:    true, Computed: true,
				Default:    setdefault.StaticValue(emptySet),
				Validators: []validator.Set{setvalidator.SizeAtMost(0)},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The policy's object ID (Graph `id`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: "The policy's name (Graph `displayName`).",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"state": schema.StringAttribute{
				MarkdownDescription: "Whether the policy is enforced (Graph `state`): " + quoteList(caStates) + ". `enabledForReportingButNotEnforced` is report-only mode: evaluate a new policy's impact there before enforcing it.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(caStates...)},
			},
			"conditions": schema.SingleNestedAttribute{
				MarkdownDescription: "When the policy applies (Graph `conditions`, a conditionalAccessConditionSet).",
				Required:            true,
				Attributes: map[string]schema.Attribute{
					"users": schema.SingleNestedAttribute{
						MarkdownDescription: "Who the policy applies to (Graph `conditions.users`). At least one of `include_users`, `include_groups` and `include_roles` must be set (`include_users = [\"None\"]` includes nobody).",
						Required:            true,
						Attributes: map[string]schema.Attribute{
							"include_users":                    idSet("User object IDs the policy applies to (Graph `includeUsers`), or "+quoteList(caUserKeywords)+". `All` applies to every user, including your emergency-access accounts: exclude them.", caUserKeywords),
							"exclude_users":                    idSet("User object IDs the policy never applies to (Graph `excludeUsers`), e.g. break-glass accounts, or `GuestsOrExternalUsers`.", caUserKeywords),
							"include_groups":                   idSet("Group object IDs the policy applies to (Graph `includeGroups`).", nil),
							"exclude_groups":                   idSet("Group object IDs the policy never applies to (Graph `excludeGroups`).", nil),
							"include_roles":                    idSet("Directory role template IDs the policy applies to (Graph `includeRoles`).", nil),
							"exclude_roles":                    idSet("Directory role template IDs the policy never applies to (Graph `excludeRoles`).", nil),
							"include_guests_or_external_users": guests("Guest and external users the policy applies to (Graph `includeGuestsOrExternalUsers`). Unset: none by this condition."),
							"exclude_guests_or_external_users": guests("Guest and external users the policy never applies to (Graph `excludeGuestsOrExternalUsers`). Unset: none are excluded by this condition. An exclusion here is a gap in the policy: posture reports it."),
						},
					},
					"applications": schema.SingleNestedAttribute{
						MarkdownDescription: "Which cloud apps the policy applies to (Graph `conditions.applications`).",
						Required:            true,
						Attributes: map[string]schema.Attribute{
							"include_applications": schema.SetAttribute{
								MarkdownDescription: "Application (client) IDs the policy applies to (Graph `includeApplications`), or " + quoteList(caAppKeywords) + ".",
								ElementType:         types.StringType,
								Required:            true,
								Validators:          []validator.Set{setvalidator.SizeAtLeast(1), idOrKeyword(caAppKeywords)},
							},
							"exclude_applications": idSet("Application IDs the policy never applies to (Graph `excludeApplications`), or "+quoteList(caAppKeywords)+".", caAppKeywords),
						},
					},
					"client_app_types": func() schema.SetAttribute {
						a := enumSet("Client app types the policy applies to (Graph `clientAppTypes`, which Graph requires to be non-empty). Legacy authentication is `exchangeActiveSync` and `other`. Default `[\"all\"]`.", caClientAppTypes,
							types.SetValueMust(types.StringType, []attr.Value{types.StringValue("all")}))
						a.Validators = append(a.Validators, setvalidator.SizeAtLeast(1))
						return a
					}(),
					"user_risk_levels":    enumSet("User risk levels the policy applies to (Graph `userRiskLevels`; Microsoft Entra ID P2). Default: none.", caRiskLevels, emptySet),
					"sign_in_risk_levels": enumSet("Sign-in risk levels the policy applies to (Graph `signInRiskLevels`; Microsoft Entra ID P2). Default: none.", caRiskLevels, emptySet),
					"locations": schema.SingleNestedAttribute{
						MarkdownDescription: "Network locations the policy applies to (Graph `conditions.locations`). Unset: every location.",
						Optional:            true,
						Attributes: map[string]schema.Attribute{
							"include_locations": schema.SetAttribute{
								MarkdownDescription: "Named location IDs (Graph `includeLocations`), or " + quoteList(caLocKeywords) + ".",
								ElementType:         types.StringType,
								Required:            true,
								Validators:          []validator.Set{setvalidator.SizeAtLeast(1), idOrKeyword(caLocKeywords)},
							},
							"exclude_locations": idSet("Named location IDs excluded (Graph `excludeLocations`), or "+quoteList(caLocKeywords)+".", caLocKeywords),
						},
					},
					"platforms": schema.SingleNestedAttribute{
						MarkdownDescription: "Device platforms the policy applies to (Graph `conditions.platforms`). Unset: every platform.",
						Optional:            true,
						Attributes: map[string]schema.Attribute{
							"include_platforms": schema.SetAttribute{
								MarkdownDescription: "Platforms included (Graph `includePlatforms`): one or more of " + quoteList(caPlatforms) + ".",
								ElementType:         types.StringType,
								Required:            true,
								Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(caPlatforms...))},
							},
							"exclude_platforms": enumSet("Platforms excluded (Graph `excludePlatforms`). Default: none.", caPlatforms, emptySet),
						},
					},
					"devices": schema.SingleNestedAttribute{
						MarkdownDescription: "Device condition (Graph `conditions.devices`). Unset: no device filter.",
						Optional:            true,
						Attributes: map[string]schema.Attribute{
							"device_filter": schema.SingleNestedAttribute{
								MarkdownDescription: "A filter on device properties (Graph `deviceFilter`, a conditionalAccessFilter).",
								Required:            true,
								Attributes: map[string]schema.Attribute{
									"mode": schema.StringAttribute{
										MarkdownDescription: "Whether matching devices are in or out of the policy's scope (Graph `mode`): " + quoteList(caFilterModes) + ".",
										Required:            true,
										Validators:          []validator.String{stringvalidator.OneOf(caFilterModes...)},
									},
									"rule": schema.StringAttribute{
										MarkdownDescription: "The filter rule (Graph `rule`), e.g. `device.trustType -eq \"ServerAD\"`; see Microsoft's filter for devices syntax.",
										Required:            true,
										Validators:          []validator.String{stringvalidator.LengthBetween(1, 3072)},
									},
								},
							},
						},
					},
				},
			},
			"grant_controls": schema.SingleNestedAttribute{
				MarkdownDescription: "What a sign-in must satisfy (Graph `grantControls`). At least one of `built_in_controls` and `authentication_strength_id` must be set. A policy needs `grant_controls`, `session_controls` or both.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"operator": schema.StringAttribute{
						MarkdownDescription: "How the controls combine (Graph `operator`): " + quoteList(caOperators) + ".",
						Required:            true,
						Validators:          []validator.String{stringvalidator.OneOf(caOperators...)},
					},
					"built_in_controls": enumSet("Built-in controls (Graph `builtInControls`). `passwordChange` must be combined with `mfa` under `AND`, in a policy with `user_risk_levels` and no `sign_in_risk_levels` or `locations` (Graph's documented rules).", caGrantControls, emptySet),
					"authentication_strength_id": schema.StringAttribute{
						MarkdownDescription: "The ID of an authentication strength the sign-in must satisfy (Graph `authenticationStrength`), e.g. the built-in `00000000-0000-0000-0000-000000000004` (phishing-resistant MFA).",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.RegexMatches(guidRe, "must be a lower-case authentication strength policy ID (GUID)")},
					},
				},
			},
			"session_controls": schema.SingleNestedAttribute{
				MarkdownDescription: "Session controls (Graph `sessionControls`). Unset: none.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"sign_in_frequency": schema.SingleNestedAttribute{
						MarkdownDescription: "How often users must sign in again (Graph `signInFrequency`, a signInFrequencySessionControl).",
						Optional:            true,
						Attributes: map[string]schema.Attribute{
							"is_enabled": schema.BoolAttribute{
								MarkdownDescription: "Whether the control is on (Graph `isEnabled`). Default `true`.",
								Optional:            true, Computed: true,
								Default: booldefault.StaticBool(true),
							},
							"frequency_interval": schema.StringAttribute{
								MarkdownDescription: "Graph `frequencyInterval`: " + quoteList(caFrequencyIntervals) + ". `timeBased` needs `value` and `type`; `everyTime` allows neither. Default `timeBased`.",
								Optional:            true, Computed: true,
								Default:    stringdefault.StaticString("timeBased"),
								Validators: []validator.String{stringvalidator.OneOf(caFrequencyIntervals...)},
							},
							"value": schema.Int64Attribute{
								MarkdownDescription: "The number of `type` units (Graph `value`): 1 to 23 hours or 1 to 365 days.",
								Optional:            true,
								Validators:          []validator.Int64{int64validator.Between(1, 365)},
							},
							"type": schema.StringAttribute{
								MarkdownDescription: "The unit of `value` (Graph `type`): " + quoteList(caFrequencyTypes) + ".",
								Optional:            true,
								Validators:          []validator.String{stringvalidator.OneOf(caFrequencyTypes...)},
							},
							"authentication_type": schema.StringAttribute{
								MarkdownDescription: "Which authentications the frequency applies to (Graph `authenticationType`): " + quoteList(caFrequencyAuthTypes) + ". Default `primaryAndSecondaryAuthentication`.",
								Optional:            true, Computed: true,
								Default:    stringdefault.StaticString("primaryAndSecondaryAuthentication"),
								Validators: []validator.String{stringvalidator.OneOf(caFrequencyAuthTypes...)},
							},
						},
					},
					"persistent_browser": schema.SingleNestedAttribute{
						MarkdownDescription: "Whether browser sessions persist after the browser is closed (Graph `persistentBrowser`). Graph notes that all cloud apps must be selected for this control to work correctly: `include_applications = [\"All\"]`.",
						Optional:            true,
						Attributes: map[string]schema.Attribute{
							"mode": schema.StringAttribute{
								MarkdownDescription: "Graph `mode`: " + quoteList(caBrowserModes) + ". CIS 5.2.2.4 asks for `never` for administrators.",
								Required:            true,
								Validators:          []validator.String{stringvalidator.OneOf(caBrowserModes...)},
							},
							"is_enabled": schema.BoolAttribute{
								MarkdownDescription: "Whether the control is on (Graph `isEnabled`). Default `true`.",
								Optional:            true, Computed: true,
								Default: booldefault.StaticBool(true),
							},
						},
					},
				},
			},
		},
	}
}

func (r *conditionalAccessPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks, at plan time, the rules Graph documents for the
// combination of values.
func (r *conditionalAccessPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	strs := func(p path.Path) ([]string, bool) {
		var s types.Set
		if d := req.Config.GetAttribute(ctx, p, &s); d.HasError() || s.IsUnknown() {
			return nil, false
		}
		var out []string
		if s.IsNull() {
			return out, true
		}
		for _, e := range s.Elements() {
			v, ok := e.(types.String)
			if !ok || v.IsUnknown() {
				return nil, false
			}
			out = append(out, v.ValueString())
		}
		return out, true
	}
	users := path.Root("conditions").AtName("users")
	inc, ok1 := strs(users.AtName("include_users"))
	grp, ok2 := strs(users.AtName("include_groups"))
	rol, ok3 := strs(users.AtName("include_roles"))
	if ok1 && ok2 && ok3 && len(inc)+len(grp)+len(rol) == 0 {
		var u types.Object
		if d := req.Config.GetAttribute(ctx, users, &u); !d.HasError() && !u.IsNull() && !u.IsUnknown() {
			resp.Diagnostics.AddAttributeError(users, "No users included",
				"Set include_users, include_groups or include_roles: Graph requires a user rule (include_users = [\"None\"] includes nobody).")
		}
	}
	// Graph allows "All" without exclusions, but such a policy also binds the
	// emergency-access accounts: say so, without refusing it.
	exc, ok4 := strs(users.AtName("exclude_users"))
	var state types.String
	_ = req.Config.GetAttribute(ctx, path.Root("state"), &state)
	if ok1 && ok4 && slices.Contains(inc, "All") && len(exc) == 0 && state.ValueString() == "enabled" {
		resp.Diagnostics.AddAttributeWarning(users.AtName("exclude_users"), "Policy applies to every account",
			"include_users contains \"All\" and nothing is excluded: the policy also applies to your emergency-access (break-glass) accounts, and a mistake in it can lock every administrator out. Exclude them in exclude_users.")
	}
	// Guests and external users: enumerated tenants need members, and only
	// they may have members (conditionalAccessEnumeratedExternalTenants vs
	// conditionalAccessAllExternalTenants).
	for _, name := range []string{"include_guests_or_external_users", "exclude_guests_or_external_users"} {
		gp := users.AtName(name)
		var kind types.String
		if d := req.Config.GetAttribute(ctx, gp.AtName("external_tenants_membership_kind"), &kind); d.HasError() || kind.IsUnknown() {
			continue
		}
		members, okm := strs(gp.AtName("external_tenants_members"))
		switch {
		case !okm:
		case kind.ValueString() == "enumerated" && len(members) == 0:
			resp.Diagnostics.AddAttributeError(gp.AtName("external_tenants_members"), "External tenants missing",
				"external_tenants_membership_kind = \"enumerated\" needs the tenant IDs in external_tenants_members.")
		case kind.ValueString() != "enumerated" && len(members) > 0:
			resp.Diagnostics.AddAttributeError(gp.AtName("external_tenants_members"), "External tenants not allowed",
				"external_tenants_members is only allowed with external_tenants_membership_kind = \"enumerated\".")
		}
	}
	session := path.Root("session_controls")
	var sessionObj types.Object
	_ = req.Config.GetAttribute(ctx, session, &sessionObj)
	sif := session.AtName("sign_in_frequency")
	var interval, unit types.String
	var value types.Int64
	var sifObj types.Object
	_ = req.Config.GetAttribute(ctx, sif, &sifObj)
	_ = req.Config.GetAttribute(ctx, sif.AtName("frequency_interval"), &interval)
	_ = req.Config.GetAttribute(ctx, sif.AtName("type"), &unit)
	_ = req.Config.GetAttribute(ctx, sif.AtName("value"), &value)
	if !sifObj.IsNull() && !sifObj.IsUnknown() && !interval.IsUnknown() && !unit.IsUnknown() && !value.IsUnknown() {
		// signInFrequencySessionControl: type is null when frequencyInterval is
		// everyTime (https://learn.microsoft.com/en-us/graph/api/resources/signinfrequencysessioncontrol?view=graph-rest-beta).
		if interval.ValueString() == "everyTime" {
			if !value.IsNull() || !unit.IsNull() {
				resp.Diagnostics.AddAttributeError(sif, "Sign-in frequency every time takes no value",
					"frequency_interval = \"everyTime\" allows neither value nor type.")
			}
		} else if value.IsNull() || unit.IsNull() {
			resp.Diagnostics.AddAttributeError(sif, "Sign-in frequency needs value and type",
				"A time-based sign-in frequency needs value and type (\"hours\" or \"days\").")
		} else if unit.ValueString() == "hours" && value.ValueInt64() > 23 {
			resp.Diagnostics.AddAttributeError(sif.AtName("value"), "Sign-in frequency out of range",
				"With type = \"hours\" the value is 1 to 23; use type = \"days\" for longer periods.")
		}
	}
	var browser types.Object
	_ = req.Config.GetAttribute(ctx, session.AtName("persistent_browser"), &browser)
	if apps, ok := strs(path.Root("conditions").AtName("applications").AtName("include_applications")); ok && !browser.IsNull() && !browser.IsUnknown() && !slices.Contains(apps, "All") {
		resp.Diagnostics.AddAttributeWarning(session.AtName("persistent_browser"), "Persistent browser needs all cloud apps",
			"Microsoft documents that the persistent browser session control works correctly only when all cloud apps are selected (include_applications = [\"All\"]).")
	}
	grant := path.Root("grant_controls")
	var grantObj types.Object
	if d := req.Config.GetAttribute(ctx, grant, &grantObj); !d.HasError() && grantObj.IsNull() && sessionObj.IsNull() {
		resp.Diagnostics.AddAttributeError(grant, "No grant or session control",
			"Set grant_controls, session_controls or both: Graph refuses a policy with neither.")
	}
	controls, okc := strs(grant.AtName("built_in_controls"))
	var strength, operator types.String
	_ = req.Config.GetAttribute(ctx, grant.AtName("authentication_strength_id"), &strength)
	_ = req.Config.GetAttribute(ctx, grant.AtName("operator"), &operator)
	var g types.Object
	if d := req.Config.GetAttribute(ctx, grant, &g); d.HasError() || g.IsNull() || g.IsUnknown() {
		return
	}
	if okc && len(controls) == 0 && strength.IsNull() {
		resp.Diagnostics.AddAttributeError(grant, "No grant control",
			"Set built_in_controls or authentication_strength_id: a policy needs at least one grant control.")
	}
	if okc && slices.Contains(controls, "passwordChange") {
		if !operator.IsUnknown() && (operator.ValueString() != "AND" || !slices.Contains(controls, "mfa")) {
			resp.Diagnostics.AddAttributeError(grant.AtName("built_in_controls"), "passwordChange needs mfa under AND",
				"Graph requires passwordChange to be accompanied by mfa with operator = \"AND\".")
		}
		userRisk, okU := strs(path.Root("conditions").AtName("user_risk_levels"))
		signInRisk, okS := strs(path.Root("conditions").AtName("sign_in_risk_levels"))
		if okU && len(userRisk) == 0 {
			resp.Diagnostics.AddAttributeError(grant.AtName("built_in_controls"), "passwordChange needs user_risk_levels",
				"Graph allows passwordChange only in a policy with conditions.user_risk_levels.")
		}
		other := okS && len(signInRisk) > 0
		for _, name := range []string{"locations", "platforms", "devices"} {
			var o types.Object
			_ = req.Config.GetAttribute(ctx, path.Root("conditions").AtName(name), &o)
			other = other || (!o.IsNull() && !o.IsUnknown())
		}
		if other {
			resp.Diagnostics.AddAttributeError(grant.AtName("built_in_controls"), "passwordChange allows no other conditions",
				"Graph allows no condition other than users, applications and user_risk_levels in a policy with passwordChange: remove sign_in_risk_levels, locations, platforms and devices.")
		}
	}
}

// caAPIError adds an error diagnostic with advice for the failures users can act on.
func caAPIError(diags *diag.Diagnostics, summary string, err error) {
	switch {
	case errors.Is(err, graph.ErrLicence):
		diags.AddError(summary, "Conditional Access needs Microsoft Entra ID P1 in the tenant; user_risk_levels and sign_in_risk_levels need Microsoft Entra ID P2.\n\n"+err.Error())
	case errors.Is(err, graph.ErrSecurityDefaultsOn):
		diags.AddError(summary, "Security defaults are on in the tenant, and Graph refuses an enabled conditional access policy while they are. "+
			"Fix: turn them off first with `m365harden_security_defaults` (`enabled = false`) and give this policy `depends_on = [m365harden_security_defaults.<name>]` so the two change in that order; "+
			"or keep the policy in report-only mode (state = \"enabledForReportingButNotEnforced\") until security defaults are off.\n\n"+err.Error())
	case errors.Is(err, graph.ErrInvalidPolicy):
		diags.AddError(summary, "Microsoft Graph refused the policy as invalid; check the conditions and grant controls against the message below.\n\n"+err.Error())
	case errors.Is(err, graph.ErrForbidden):
		diags.AddError(summary, "Permission problem: the app needs the Microsoft Graph application permissions Policy.Read.All (to read) and Policy.ReadWrite.ConditionalAccess (to write), with admin consent.\n\n"+err.Error())
	default:
		common.AddAPIError(diags, summary, err)
	}
}

func (r *conditionalAccessPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan caModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	want, diags := plan.toAPI(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "create", &resp.Diagnostics)
	// Graph allows several policies with one name; this resource does not,
	// so that a create can be recognised after an ambiguous failure.
	uniqueCreate[*graph.ConditionalAccessPolicy]{
		what: "conditional access policy", name: want.DisplayName,
		list:   r.clients.Graph.ListConditionalAccessPolicies,
		nameOf: func(p *graph.ConditionalAccessPolicy) string { return p.DisplayName },
		idOf:   func(p *graph.ConditionalAccessPolicy) string { return p.ID },
		post: func(ctx context.Context) (*graph.ConditionalAccessPolicy, error) {
			return r.clients.Graph.CreateConditionalAccessPolicy(ctx, want)
		},
		record: func(ctx context.Context, created *graph.ConditionalAccessPolicy) {
			plan.ID = types.StringValue(created.ID)
			resp.Diagnostics.Append(common.SaveCreated(ctx, &resp.State, &plan)...)
		},
		wait: func(ctx context.Context, id string) error {
			got, err := r.waitFor(ctx, id, want)
			if err == nil {
				resp.Diagnostics.Append(resp.State.Set(ctx, fromAPI(ctx, got, &plan.Timeouts, &resp.Diagnostics))...)
			}
			return err
		},
		report: caAPIError,
		settle: r.clients.ConsistencyTimeout,
	}.run(ctx, &resp.Diagnostics)
}

// waitFor polls the policy until reads show what was written, then until
// two more consecutive reads agree: Graph replicates policies, and a read
// may be served by a replica that has not seen the write yet.
func (r *conditionalAccessPolicyResource) waitFor(ctx context.Context, id string, want *graph.ConditionalAccessPolicy) (*graph.ConditionalAccessPolicy, error) {
	var got *graph.ConditionalAccessPolicy
	check := func(ctx context.Context) error {
		p, err := r.clients.Graph.GetConditionalAccessPolicy(ctx, id)
		if graph.IsNotFound(err) {
			return wait.NotYet("the policy is not visible yet")
		}
		if err != nil {
			return err
		}
		if !caEqual(p, want) {
			return wait.NotYet("reads still show the previous version")
		}
		got = p
		return nil
	}
	if err := wait.Until(ctx, r.clients.ConsistencyTimeout, check); err != nil {
		return nil, err
	}
	agreed := 1
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		if err := check(ctx); err != nil {
			agreed = 0
			return err
		}
		if agreed++; agreed < 3 {
			return wait.NotYet("%d consecutive reads agree", agreed)
		}
		return nil
	})
	return got, err
}

func (r *conditionalAccessPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, err := r.clients.Graph.GetConditionalAccessPolicy(ctx, id.ValueString())
	if graph.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Conditional access policy not found",
			fmt.Sprintf("Conditional access policy %s no longer exists; it was removed from state and will be created again on the next apply.", id.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		caAPIError(&resp.Diagnostics, fmt.Sprintf("Reading conditional access policy %s failed", id.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, fromAPI(ctx, p, common.PriorTimeouts(ctx, req.State, &resp.Diagnostics), &resp.Diagnostics))...)
}

func (r *conditionalAccessPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan caModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	want, diags := plan.toAPI(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The unmanaged properties the last read found are cleared in the same
	// PATCH; the wait then expects a read without any.
	var unmanaged []string
	var stateUnmanaged types.Set
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("unmanaged_settings"), &stateUnmanaged)...)
	if !stateUnmanaged.IsNull() && !stateUnmanaged.IsUnknown() {
		resp.Diagnostics.Append(stateUnmanaged.ElementsAs(ctx, &unmanaged, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	write := *want
	write.Unmanaged = unmanaged
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "update", &resp.Diagnostics)
	if err := r.clients.Graph.UpdateConditionalAccessPolicy(ctx, id.ValueString(), &write); err != nil {
		caAPIError(&resp.Diagnostics, fmt.Sprintf("Updating conditional access policy %q (%s) failed", want.DisplayName, id.ValueString()), err)
		// Leave state as the tenant has it.
		if cur, rerr := r.clients.Graph.GetConditionalAccessPolicy(ctx, id.ValueString()); rerr == nil {
			resp.Diagnostics.Append(resp.State.Set(ctx, fromAPI(ctx, cur, &plan.Timeouts, &resp.Diagnostics))...)
		}
		return
	}
	got, err := r.waitFor(ctx, id.ValueString(), want)
	if err != nil {
		caAPIError(&resp.Diagnostics, fmt.Sprintf("Conditional access policy %q (%s) was updated but reads do not show the change yet", want.DisplayName, id.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, fromAPI(ctx, got, &plan.Timeouts, &resp.Diagnostics))...)
}

func (r *conditionalAccessPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, *common.PriorTimeouts(ctx, req.State, &resp.Diagnostics), "delete", &resp.Diagnostics)
	err := r.clients.Graph.DeleteConditionalAccessPolicy(ctx, id.ValueString())
	if err != nil && !graph.IsNotFound(err) {
		caAPIError(&resp.Diagnostics, fmt.Sprintf("Deleting conditional access policy %s failed", id.ValueString()), err)
		return
	}
	// Wait until reads stop showing it, so a re-create by name that follows
	// does not race with a stale replica.
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		_, err := r.clients.Graph.GetConditionalAccessPolicy(ctx, id.ValueString())
		switch {
		case graph.IsNotFound(err):
			return nil
		case err != nil:
			return err
		}
		return wait.NotYet("reads still show the policy")
	})
	if err != nil {
		caAPIError(&resp.Diagnostics, fmt.Sprintf("Conditional access policy %s was deleted but reads still show it", id.ValueString()), err)
	}
}

func (r *conditionalAccessPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.ToLower(strings.TrimSpace(req.ID))
	if !guidRe.MatchString(id) {
		resp.Diagnostics.AddError("Wrong import ID",
			fmt.Sprintf("m365harden_conditional_access_policy is imported by the policy's object ID (a GUID, shown as \"Policy ID\" in the Entra admin centre); got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// caEqual compares the properties the resource manages, sets as sets
// (ignoring case, as Graph does for ids and keywords).
func caEqual(a, b *graph.ConditionalAccessPolicy) bool {
	return reflect.DeepEqual(caNormal(a), caNormal(b))
}

func caNormal(p *graph.ConditionalAccessPolicy) graph.ConditionalAccessPolicy {
	norm := func(v []string) []string {
		out := make([]string, len(v))
		for i := range v {
			out[i] = strings.ToLower(v[i])
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	guests := func(g *graph.ConditionalAccessGuestsOrExternalUsers) *graph.ConditionalAccessGuestsOrExternalUsers {
		if g == nil {
			return nil
		}
		return &graph.ConditionalAccessGuestsOrExternalUsers{GuestOrExternalUserTypes: norm(g.GuestOrExternalUserTypes), MembershipKind: g.MembershipKind, Members: norm(g.Members)}
	}
	c := p.Conditions
	out := graph.ConditionalAccessPolicy{DisplayName: p.DisplayName, State: p.State, Conditions: graph.ConditionalAccessConditions{
		IncludeUsers: norm(c.IncludeUsers), ExcludeUsers: norm(c.ExcludeUsers),
		IncludeGroups: norm(c.IncludeGroups), ExcludeGroups: norm(c.ExcludeGroups),
		IncludeRoles: norm(c.IncludeRoles), ExcludeRoles: norm(c.ExcludeRoles),
		IncludeApplications: norm(c.IncludeApplications), ExcludeApplications: norm(c.ExcludeApplications),
		ClientAppTypes: norm(c.ClientAppTypes), UserRiskLevels: norm(c.UserRiskLevels), SignInRiskLevels: norm(c.SignInRiskLevels),
		IncludeGuestsOrExternalUsers: guests(c.IncludeGuestsOrExternalUsers), ExcludeGuestsOrExternalUsers: guests(c.ExcludeGuestsOrExternalUsers),
		DeviceFilter: c.DeviceFilter,
	}}
	if l := c.Locations; l != nil {
		out.Conditions.Locations = &graph.ConditionalAccessLocations{IncludeLocations: norm(l.IncludeLocations), ExcludeLocations: norm(l.ExcludeLocations)}
	}
	if pl := c.Platforms; pl != nil {
		out.Conditions.Platforms = &graph.ConditionalAccessPlatforms{IncludePlatforms: norm(pl.IncludePlatforms), ExcludePlatforms: norm(pl.ExcludePlatforms)}
	}
	if g := p.GrantControls; g != nil {
		out.GrantControls = &graph.ConditionalAccessGrantControls{Operator: g.Operator, BuiltInControls: norm(g.BuiltInControls), AuthenticationStrengthID: strings.ToLower(g.AuthenticationStrengthID)}
	}
	out.SessionControls = p.SessionControls
	out.Unmanaged = norm(p.Unmanaged)
	return out
}

type caModel struct {
	ID              types.String      `tfsdk:"id"`
	DisplayName     types.String      `tfsdk:"display_name"`
	State           types.String      `tfsdk:"state"`
	Conditions      *caConditionsData `tfsdk:"conditions"`
	GrantControls   *caGrantData      `tfsdk:"grant_controls"`
	SessionControls *caSessionData    `tfsdk:"session_controls"`
	// UnmanagedSettings names the Graph properties set in the tenant that
	// the schema does not have (graph.UnmanagedCAProperties).
	UnmanagedSettings types.Set `tfsdk:"unmanaged_settings"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

type caGuestsData struct {
	GuestOrExternalUserTypes      types.Set    `tfsdk:"guest_or_external_user_types"`
	ExternalTenantsMembershipKind types.String `tfsdk:"external_tenants_membership_kind"`
	ExternalTenantsMembers        types.Set    `tfsdk:"external_tenants_members"`
}

type caPlatformsData struct {
	IncludePlatforms types.Set `tfsdk:"include_platforms"`
	ExcludePlatforms types.Set `tfsdk:"exclude_platforms"`
}

type caDevicesData struct {
	DeviceFilter *caFilterData `tfsdk:"device_filter"`
}

type caFilterData struct {
	Mode types.String `tfsdk:"mode"`
	Rule types.String `tfsdk:"rule"`
}

type caSessionData struct {
	SignInFrequency   *caSignInFrequencyData   `tfsdk:"sign_in_frequency"`
	PersistentBrowser *caPersistentBrowserData `tfsdk:"persistent_browser"`
}

type caSignInFrequencyData struct {
	IsEnabled          types.Bool   `tfsdk:"is_enabled"`
	FrequencyInterval  types.String `tfsdk:"frequency_interval"`
	Value              types.Int64  `tfsdk:"value"`
	Type               types.String `tfsdk:"type"`
	AuthenticationType types.String `tfsdk:"authentication_type"`
}

type caPersistentBrowserData struct {
	Mode      types.String `tfsdk:"mode"`
	IsEnabled types.Bool   `tfsdk:"is_enabled"`
}

type caConditionsData struct {
	Users            *caUsersData     `tfsdk:"users"`
	Applications     *caAppsData      `tfsdk:"applications"`
	ClientAppTypes   types.Set        `tfsdk:"client_app_types"`
	UserRiskLevels   types.Set        `tfsdk:"user_risk_levels"`
	SignInRiskLevels types.Set        `tfsdk:"sign_in_risk_levels"`
	Locations        *caLocationsData `tfsdk:"locations"`
	Platforms        *caPlatformsData `tfsdk:"platforms"`
	Devices          *caDevicesData   `tfsdk:"devices"`
}

type caUsersData struct {
	IncludeUsers  types.Set `tfsdk:"include_users"`
	ExcludeUsers  types.Set `tfsdk:"exclude_users"`
	IncludeGroups types.Set `tfsdk:"include_groups"`
	ExcludeGroups types.Set `tfsdk:"exclude_groups"`
	IncludeRoles  types.Set `tfsdk:"include_roles"`
	ExcludeRoles  types.Set `tfsdk:"exclude_roles"`

	IncludeGuestsOrExternalUsers *caGuestsData `tfsdk:"include_guests_or_external_users"`
	ExcludeGuestsOrExternalUsers *caGuestsData `tfsdk:"exclude_guests_or_external_users"`
}

type caAppsData struct {
	IncludeApplications types.Set `tfsdk:"include_applications"`
	ExcludeApplications types.Set `tfsdk:"exclude_applications"`
}

type caLocationsData struct {
	IncludeLocations types.Set `tfsdk:"include_locations"`
	ExcludeLocations types.Set `tfsdk:"exclude_locations"`
}

type caGrantData struct {
	Operator                 types.String `tfsdk:"operator"`
	BuiltInControls          types.Set    `tfsdk:"built_in_controls"`
	AuthenticationStrengthID types.String `tfsdk:"authentication_strength_id"`
}

func setStrings(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	out := []string{}
	if s.IsNull() || s.IsUnknown() {
		return out
	}
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	return out
}

func stringSet(ctx context.Context, v []string, diags *diag.Diagnostics) types.Set {
	if v == nil {
		v = []string{}
	}
	s, d := types.SetValueFrom(ctx, types.StringType, v)
	diags.Append(d...)
	return s
}

func (m *caModel) toAPI(ctx context.Context) (*graph.ConditionalAccessPolicy, diag.Diagnostics) {
	var diags diag.Diagnostics
	p := &graph.ConditionalAccessPolicy{DisplayName: m.DisplayName.ValueString(), State: m.State.ValueString()}
	if c := m.Conditions; c != nil {
		if u := c.Users; u != nil {
			p.Conditions.IncludeUsers = setStrings(ctx, u.IncludeUsers, &diags)
			p.Conditions.ExcludeUsers = setStrings(ctx, u.ExcludeUsers, &diags)
			p.Conditions.IncludeGroups = setStrings(ctx, u.IncludeGroups, &diags)
			p.Conditions.ExcludeGroups = setStrings(ctx, u.ExcludeGroups, &diags)
			p.Conditions.IncludeRoles = setStrings(ctx, u.IncludeRoles, &diags)
			p.Conditions.ExcludeRoles = setStrings(ctx, u.ExcludeRoles, &diags)
			p.Conditions.IncludeGuestsOrExternalUsers = u.IncludeGuestsOrExternalUsers.toAPI(ctx, &diags)
			p.Conditions.ExcludeGuestsOrExternalUsers = u.ExcludeGuestsOrExternalUsers.toAPI(ctx, &diags)
		}
		if a := c.Applications; a != nil {
			p.Conditions.IncludeApplications = setStrings(ctx, a.IncludeApplications, &diags)
			p.Conditions.ExcludeApplications = setStrings(ctx, a.ExcludeApplications, &diags)
		}
		p.Conditions.ClientAppTypes = setStrings(ctx, c.ClientAppTypes, &diags)
		p.Conditions.UserRiskLevels = setStrings(ctx, c.UserRiskLevels, &diags)
		p.Conditions.SignInRiskLevels = setStrings(ctx, c.SignInRiskLevels, &diags)
		if l := c.Locations; l != nil {
			p.Conditions.Locations = &graph.ConditionalAccessLocations{
				IncludeLocations: setStrings(ctx, l.IncludeLocations, &diags),
				ExcludeLocations: setStrings(ctx, l.ExcludeLocations, &diags),
			}
		}
		if pl := c.Platforms; pl != nil {
			p.Conditions.Platforms = &graph.ConditionalAccessPlatforms{
				IncludePlatforms: setStrings(ctx, pl.IncludePlatforms, &diags),
				ExcludePlatforms: setStrings(ctx, pl.ExcludePlatforms, &diags),
			}
		}
		if d := c.Devices; d != nil && d.DeviceFilter != nil {
			p.Conditions.DeviceFilter = &graph.ConditionalAccessFilter{Mode: d.DeviceFilter.Mode.ValueString(), Rule: d.DeviceFilter.Rule.ValueString()}
		}
	}
	if g := m.GrantControls; g != nil {
		p.GrantControls = &graph.ConditionalAccessGrantControls{
			Operator:                 g.Operator.ValueString(),
			BuiltInControls:          setStrings(ctx, g.BuiltInControls, &diags),
			AuthenticationStrengthID: g.AuthenticationStrengthID.ValueString(),
		}
	}
	if sc := m.SessionControls; sc != nil {
		p.SessionControls = &graph.ConditionalAccessSessionControls{}
		if f := sc.SignInFrequency; f != nil {
			p.SessionControls.SignInFrequency = &graph.SignInFrequencySessionControl{
				IsEnabled:          f.IsEnabled.ValueBool(),
				Value:              int32(f.Value.ValueInt64()), //nolint:gosec // validated 1..365
				Type:               f.Type.ValueString(),
				FrequencyInterval:  f.FrequencyInterval.ValueString(),
				AuthenticationType: f.AuthenticationType.ValueString(),
			}
		}
		if b := sc.PersistentBrowser; b != nil {
			p.SessionControls.PersistentBrowser = &graph.PersistentBrowserSessionControl{IsEnabled: b.IsEnabled.ValueBool(), Mode: b.Mode.ValueString()}
		}
	}
	return p, diags
}

func (g *caGuestsData) toAPI(ctx context.Context, diags *diag.Diagnostics) *graph.ConditionalAccessGuestsOrExternalUsers {
	if g == nil {
		return nil
	}
	out := &graph.ConditionalAccessGuestsOrExternalUsers{
		GuestOrExternalUserTypes: setStrings(ctx, g.GuestOrExternalUserTypes, diags),
		MembershipKind:           g.ExternalTenantsMembershipKind.ValueString(),
		Members:                  setStrings(ctx, g.ExternalTenantsMembers, diags),
	}
	// Graph's flags enum is one comma-separated value: send a stable order.
	slices.SortFunc(out.GuestOrExternalUserTypes, func(a, b string) int {
		return slices.Index(caGuestTypes, a) - slices.Index(caGuestTypes, b)
	})
	return out
}

func guestsFromAPI(ctx context.Context, g *graph.ConditionalAccessGuestsOrExternalUsers, diags *diag.Diagnostics) *caGuestsData {
	if g == nil {
		return nil
	}
	out := &caGuestsData{
		GuestOrExternalUserTypes:      stringSet(ctx, g.GuestOrExternalUserTypes, diags),
		ExternalTenantsMembershipKind: types.StringNull(),
		ExternalTenantsMembers:        types.SetNull(types.StringType),
	}
	if g.MembershipKind != "" {
		out.ExternalTenantsMembershipKind = types.StringValue(g.MembershipKind)
	}
	if len(g.Members) > 0 {
		out.ExternalTenantsMembers = stringSet(ctx, g.Members, diags)
	}
	return out
}

func fromAPI(ctx context.Context, p *graph.ConditionalAccessPolicy, prior *timeouts.Value, diags *diag.Diagnostics) *caModel {
	c := p.Conditions
	m := &caModel{
		ID:          types.StringValue(p.ID),
		DisplayName: types.StringValue(p.DisplayName),
		State:       types.StringValue(p.State),
		Timeouts:    common.KeepTimeouts(prior),

		UnmanagedSettings: stringSet(ctx, p.Unmanaged, diags),
		Conditions: &caConditionsData{
			Users: &caUsersData{
				IncludeUsers: stringSet(ctx, c.IncludeUsers, diags), ExcludeUsers: stringSet(ctx, c.ExcludeUsers, diags),
				IncludeGroups: stringSet(ctx, c.IncludeGroups, diags), ExcludeGroups: stringSet(ctx, c.ExcludeGroups, diags),
				IncludeRoles: stringSet(ctx, c.IncludeRoles, diags), ExcludeRoles: stringSet(ctx, c.ExcludeRoles, diags),
				IncludeGuestsOrExternalUsers: guestsFromAPI(ctx, c.IncludeGuestsOrExternalUsers, diags),
				ExcludeGuestsOrExternalUsers: guestsFromAPI(ctx, c.ExcludeGuestsOrExternalUsers, diags),
			},
			Applications: &caAppsData{
				IncludeApplications: stringSet(ctx, c.IncludeApplications, diags),
				ExcludeApplications: stringSet(ctx, c.ExcludeApplications, diags),
			},
			ClientAppTypes:   stringSet(ctx, c.ClientAppTypes, diags),
			UserRiskLevels:   stringSet(ctx, c.UserRiskLevels, diags),
			SignInRiskLevels: stringSet(ctx, c.SignInRiskLevels, diags),
		},
	}
	if l := c.Locations; l != nil {
		m.Conditions.Locations = &caLocationsData{IncludeLocations: stringSet(ctx, l.IncludeLocations, diags), ExcludeLocations: stringSet(ctx, l.ExcludeLocations, diags)}
	}
	if pl := c.Platforms; pl != nil {
		m.Conditions.Platforms = &caPlatformsData{IncludePlatforms: stringSet(ctx, pl.IncludePlatforms, diags), ExcludePlatforms: stringSet(ctx, pl.ExcludePlatforms, diags)}
	}
	if f := c.DeviceFilter; f != nil {
		m.Conditions.Devices = &caDevicesData{DeviceFilter: &caFilterData{Mode: types.StringValue(f.Mode), Rule: types.StringValue(f.Rule)}}
	}
	if sc := p.SessionControls; sc != nil {
		m.SessionControls = &caSessionData{}
		if f := sc.SignInFrequency; f != nil {
			d := &caSignInFrequencyData{
				IsEnabled:          types.BoolValue(f.IsEnabled),
				FrequencyInterval:  types.StringValue(f.FrequencyInterval),
				Value:              types.Int64Null(),
				Type:               types.StringNull(),
				AuthenticationType: types.StringValue(f.AuthenticationType),
			}
			if f.Value != 0 {
				d.Value = types.Int64Value(int64(f.Value))
			}
			if f.Type != "" {
				d.Type = types.StringValue(f.Type)
			}
			m.SessionControls.SignInFrequency = d
		}
		if b := sc.PersistentBrowser; b != nil {
			m.SessionControls.PersistentBrowser = &caPersistentBrowserData{Mode: types.StringValue(b.Mode), IsEnabled: types.BoolValue(b.IsEnabled)}
		}
	}
	if g := p.GrantControls; g != nil {
		m.GrantControls = &caGrantData{
			Operator:                 types.StringValue(g.Operator),
			BuiltInControls:          stringSet(ctx, g.BuiltInControls, diags),
			AuthenticationStrengthID: types.StringNull(),
		}
		if g.AuthenticationStrengthID != "" {
			m.GrantControls.AuthenticationStrengthID = types.StringValue(g.AuthenticationStrengthID)
		}
	}
	return m
}
