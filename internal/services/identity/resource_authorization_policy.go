package identity

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
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
	_ resource.ResourceWithConfigure   = &authorizationPolicyResource{}
	_ resource.ResourceWithImportState = &authorizationPolicyResource{}
)

const (
	authorizationPolicyID = "authorizationPolicy"
	grantForSelf          = "ManagePermissionGrantsForSelf."
)

// User consent settings as named values, and the permission grant policy
// each assigns to the default user role
// (https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-user-consent).
var userConsentPolicies = map[string]string{
	"disabled":            "",
	"verified_publishers": grantForSelf + "microsoft-user-default-low",
	"microsoft_managed":   grantForSelf + "microsoft-user-default-recommended",
	"all_apps":            grantForSelf + "microsoft-user-default-legacy",
}

var userConsentValues = []string{"disabled", "verified_publishers", "microsoft_managed", "all_apps"}

// Guest user access levels as named values, and the role template each
// stands for (https://learn.microsoft.com/en-us/graph/api/resources/authorizationpolicy).
var guestAccessRoles = map[string]string{
	"same_as_members": "a0b1b346-4d3e-4e8b-98f8-753987be4970",
	"limited":         "10dae51f-b6af-4016-8d66-8c2a99b929b3",
	"restricted":      "2af84b1e-32c8-42b7-82bc-daa82404023b",
}

var guestAccessValues = []string{"same_as_members", "limited", "restricted"}

var allowInvitesFromValues = []string{"none", "adminsAndGuestInviters", "adminsGuestInvitersAndAllMembers", "everyone"}

// NewAuthorizationPolicyResource returns the m365harden_authorization_policy resource.
func NewAuthorizationPolicyResource() resource.Resource { return &authorizationPolicyResource{} }

type authorizationPolicyResource struct {
	clients *clients.Set
}

type authorizationPolicyModel struct {
	ID                                 types.String `tfsdk:"id"`
	UserConsent                        types.String `tfsdk:"user_consent"`
	AllowUserConsentForRiskyApps       types.Bool   `tfsdk:"allow_user_consent_for_risky_apps"`
	AllowedToCreateApps                types.Bool   `tfsdk:"allowed_to_create_apps"`
	AllowedToCreateSecurityGroups      types.Bool   `tfsdk:"allowed_to_create_security_groups"`
	AllowedToCreateTenants             types.Bool   `tfsdk:"allowed_to_create_tenants"`
	AllowedToReadOtherUsers            types.Bool   `tfsdk:"allowed_to_read_other_users"`
	AllowedToReadBitlockerKeys         types.Bool   `tfsdk:"allowed_to_read_bitlocker_keys_for_owned_device"`
	AllowInvitesFrom                   types.String `tfsdk:"allow_invites_from"`
	GuestUserAccess                    types.String `tfsdk:"guest_user_access"`
	AllowedToSignUpEmailSubscriptions  types.Bool   `tfsdk:"allowed_to_sign_up_email_based_subscriptions"`
	AllowedToUseSSPR                   types.Bool   `tfsdk:"allowed_to_use_sspr"`
	AllowEmailVerifiedUsersToJoin      types.Bool   `tfsdk:"allow_email_verified_users_to_join_organization"`
	BlockMsolPowerShell                types.Bool   `tfsdk:"block_msol_powershell"`
	PermissionGrantPoliciesForOwnedRes types.Set    `tfsdk:"owner_consent_policies"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (r *authorizationPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_authorization_policy"
}

func (r *authorizationPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	b := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{
			MarkdownDescription: desc + " Unset: left as the tenant has it (and shown).",
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		}
	}
	s := func(desc string, values []string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: desc + " One of " + quoteList(values) + ". Unset: left as the tenant has it (and shown).",
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			Validators:    []validator.String{stringvalidator.OneOf(values...)},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The tenant's authorization policy (Microsoft Graph v1.0 `/policies/authorizationPolicy`): what users may consent to and create, and what guests may do and who may invite them — **user consent to apps off or limited to verified publishers** (ScubaGear MS.AAD.5.2, CIS 5.1.5.1), **users cannot register applications** (MS.AAD.5.1, CIS 5.1.2.2), **guest invitations limited** and **guest access restricted** (MS.AAD.8.1–8.2, CIS 5.1.6.2–5.1.6.3).\n\n" +
			"This is a singleton: creating it adopts the tenant's policy and changes the attributes you set; attributes you leave unset are read and shown but not changed. Destroying it removes it from Terraform state and **leaves the policy as it is**.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.StandingTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The policy's ID as Graph reports it (`authorizationPolicy`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"user_consent": s("Whether users may consent to apps accessing company data on their behalf: the `ManagePermissionGrantsForSelf.*` entry of Graph `defaultUserRolePermissions.permissionGrantPoliciesAssigned`. "+
				"`disabled` (no entry: admins consent), `verified_publishers` (`microsoft-user-default-low`: apps from verified publishers, low-risk permissions), `microsoft_managed` (`microsoft-user-default-recommended`) or `all_apps` (`microsoft-user-default-legacy`). "+
				"A custom permission grant policy reads as its full `ManagePermissionGrantsForSelf.<id>` name.", userConsentValues),
			"owner_consent_policies": schema.SetAttribute{
				MarkdownDescription: "The other entries of Graph `defaultUserRolePermissions.permissionGrantPoliciesAssigned` (group and team owner consent, `ManagePermissionGrantsForOwnedResource.*`), read-only: they are kept as they are when `user_consent` changes.",
				ElementType:         types.StringType,
				Computed:            true,
				PlanModifiers:       []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
			},
			"allow_user_consent_for_risky_apps":               b("Whether users may consent to apps Microsoft flags as risky (Graph `allowUserConsentForRiskyApps`). Hardened: `false`."),
			"allowed_to_create_apps":                          b("Whether users may register applications (Graph `defaultUserRolePermissions.allowedToCreateApps`). Hardened: `false` (MS.AAD.5.1, CIS 5.1.2.2)."),
			"allowed_to_create_security_groups":               b("Whether users may create security groups (Graph `defaultUserRolePermissions.allowedToCreateSecurityGroups`)."),
			"allowed_to_create_tenants":                       b("Whether users may create tenants (Graph `defaultUserRolePermissions.allowedToCreateTenants`). Hardened: `false` (CIS 5.1.2.3)."),
			"allowed_to_read_other_users":                     b("Whether users may read other users (Graph `defaultUserRolePermissions.allowedToReadOtherUsers`). `false` breaks many apps; leave `true` unless you know you need it."),
			"allowed_to_read_bitlocker_keys_for_owned_device": b("Whether users may read the BitLocker keys of their own devices (Graph `defaultUserRolePermissions.allowedToReadBitlockerKeysForOwnedDevice`)."),
			"allow_invites_from":                              s("Who may invite guests (Graph `allowInvitesFrom`). Hardened: `adminsAndGuestInviters` (MS.AAD.8.2, CIS 5.1.6.2) or `none`.", allowInvitesFromValues),
			"guest_user_access":                               s("What guests can see in the directory (Graph `guestUserRoleId`): `same_as_members` (User role, a0b1b346-…), `limited` (Guest User, 10dae51f-…) or `restricted` (Restricted Guest User, 2af84b1e-…). Hardened: `limited` or `restricted` (MS.AAD.8.1, CIS 5.1.6.3).", guestAccessValues),
			"allowed_to_sign_up_email_based_subscriptions":    b("Whether users may sign up for email-based subscriptions (Graph `allowedToSignUpEmailBasedSubscriptions`)."),
			"allowed_to_use_sspr":                             b("Whether users may use self-service password reset (Graph `allowedToUseSSPR`)."),
			"allow_email_verified_users_to_join_organization": b("Whether users may join the tenant by email validation (Graph `allowEmailVerifiedUsersToJoinOrganization`). Hardened: `false`."),
			"block_msol_powershell":                           b("Whether the legacy MSOnline PowerShell module is blocked for non-admin users (Graph `blockMsolPowerShell`)."),
		},
	}
}

func (r *authorizationPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func authorizationPolicyFromAPI(p *graph.AuthorizationPolicy, prior *timeouts.Value) *authorizationPolicyModel {
	d := p.DefaultUserRolePermissions
	consent := "disabled"
	var owned []string
	for _, g := range d.PermissionGrantPoliciesAssigned {
		if !strings.HasPrefix(g, grantForSelf) {
			owned = append(owned, g)
			continue
		}
		consent = g
		for name, id := range userConsentPolicies {
			if id != "" && strings.EqualFold(id, g) {
				consent = name
			}
		}
	}
	guest := p.GuestUserRoleID
	for name, id := range guestAccessRoles {
		if strings.EqualFold(id, p.GuestUserRoleID) {
			guest = name
		}
	}
	slices.Sort(owned)
	return &authorizationPolicyModel{
		Timeouts:                           common.KeepTimeouts(prior),
		ID:                                 types.StringValue(p.ID),
		UserConsent:                        types.StringValue(consent),
		PermissionGrantPoliciesForOwnedRes: stringSetOf(owned),
		AllowUserConsentForRiskyApps:       types.BoolValue(p.AllowUserConsentForRiskyApps),
		AllowedToCreateApps:                types.BoolValue(d.AllowedToCreateApps),
		AllowedToCreateSecurityGroups:      types.BoolValue(d.AllowedToCreateSecurityGroups),
		AllowedToCreateTenants:             types.BoolValue(d.AllowedToCreateTenants),
		AllowedToReadOtherUsers:            types.BoolValue(d.AllowedToReadOtherUsers),
		AllowedToReadBitlockerKeys:         types.BoolValue(d.AllowedToReadBitlockerKeysForOwnedDevice),
		AllowInvitesFrom:                   types.StringValue(p.AllowInvitesFrom),
		GuestUserAccess:                    types.StringValue(guest),
		AllowedToSignUpEmailSubscriptions:  types.BoolValue(p.AllowedToSignUpEmailBasedSubscriptions),
		AllowedToUseSSPR:                   types.BoolValue(p.AllowedToUseSSPR),
		AllowEmailVerifiedUsersToJoin:      types.BoolValue(p.AllowEmailVerifiedUsersToJoinOrganization),
		BlockMsolPowerShell:                types.BoolValue(p.BlockMsolPowerShell),
	}
}

func stringSetOf(v []string) types.Set {
	var d diag.Diagnostics
	return stringSet(context.Background(), v, &d)
}

// patchFor returns the changes that bring cur to the configured values
// (nil: nothing to change). Only attributes set in the configuration count.
func patchFor(cfg *authorizationPolicyModel, cur *graph.AuthorizationPolicy) *graph.AuthorizationPolicyPatch {
	p := &graph.AuthorizationPolicyPatch{}
	changed := false
	setBool := func(want types.Bool, have bool, dst **bool) {
		if want.IsNull() || want.IsUnknown() || want.ValueBool() == have {
			return
		}
		v := want.ValueBool()
		*dst, changed = &v, true
	}
	setBool(cfg.AllowUserConsentForRiskyApps, cur.AllowUserConsentForRiskyApps, &p.AllowUserConsentForRiskyApps)
	setBool(cfg.AllowedToSignUpEmailSubscriptions, cur.AllowedToSignUpEmailBasedSubscriptions, &p.AllowedToSignUpEmailBasedSubscriptions)
	setBool(cfg.AllowedToUseSSPR, cur.AllowedToUseSSPR, &p.AllowedToUseSSPR)
	setBool(cfg.AllowEmailVerifiedUsersToJoin, cur.AllowEmailVerifiedUsersToJoinOrganization, &p.AllowEmailVerifiedUsersToJoinOrganization)
	setBool(cfg.BlockMsolPowerShell, cur.BlockMsolPowerShell, &p.BlockMsolPowerShell)
	if v := cfg.AllowInvitesFrom; !v.IsNull() && !v.IsUnknown() && v.ValueString() != cur.AllowInvitesFrom {
		s := v.ValueString()
		p.AllowInvitesFrom, changed = &s, true
	}
	if v := cfg.GuestUserAccess; !v.IsNull() && !v.IsUnknown() && !strings.EqualFold(guestAccessRoles[v.ValueString()], cur.GuestUserRoleID) {
		s := guestAccessRoles[v.ValueString()]
		p.GuestUserRoleID, changed = &s, true
	}
	// defaultUserRolePermissions is sent whole: the tenant's values with the
	// configured ones over them.
	d := cur.DefaultUserRolePermissions
	d.PermissionGrantPoliciesAssigned = slices.Clone(d.PermissionGrantPoliciesAssigned)
	dChanged := false
	for _, f := range []struct {
		want types.Bool
		dst  *bool
	}{
		{cfg.AllowedToCreateApps, &d.AllowedToCreateApps},
		{cfg.AllowedToCreateSecurityGroups, &d.AllowedToCreateSecurityGroups},
		{cfg.AllowedToCreateTenants, &d.AllowedToCreateTenants},
		{cfg.AllowedToReadOtherUsers, &d.AllowedToReadOtherUsers},
		{cfg.AllowedToReadBitlockerKeys, &d.AllowedToReadBitlockerKeysForOwnedDevice},
	} {
		if !f.want.IsNull() && !f.want.IsUnknown() && f.want.ValueBool() != *f.dst {
			*f.dst, dChanged = f.want.ValueBool(), true
		}
	}
	if v := cfg.UserConsent; !v.IsNull() && !v.IsUnknown() {
		want := userConsentPolicies[v.ValueString()]
		var keep []string
		have := ""
		for _, g := range d.PermissionGrantPoliciesAssigned {
			if strings.HasPrefix(g, grantForSelf) {
				have = g
				continue
			}
			keep = append(keep, g)
		}
		if !strings.EqualFold(have, want) {
			if want != "" {
				keep = append(keep, want)
			}
			d.PermissionGrantPoliciesAssigned, dChanged = keep, true
		}
	}
	if dChanged {
		p.DefaultUserRolePermissions, changed = &d, true
	}
	if !changed {
		return nil
	}
	return p
}

func authorizationAPIError(diags *diag.Diagnostics, summary string, err error) {
	if errors.Is(err, graph.ErrForbidden) {
		diags.AddError(summary, "Permission problem: the app needs the Microsoft Graph application permissions Policy.Read.All (to read) and Policy.ReadWrite.Authorization (to change the policy), with admin consent.\n\n"+err.Error())
		return
	}
	common.AddAPIError(diags, summary, err)
}

func (r *authorizationPolicyResource) write(ctx context.Context, op string, config tfsdk.Config, state *tfsdk.State, diags *diag.Diagnostics) {
	if r.clients == nil {
		common.NotConfigured(diags)
		return
	}
	var cfg authorizationPolicyModel
	diags.Append(config.Get(ctx, &cfg)...)
	if diags.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, cfg.Timeouts, op, diags)
	cur, err := r.clients.Graph.GetAuthorizationPolicy(ctx)
	if err != nil {
		authorizationAPIError(diags, "Reading the tenant's authorization policy failed", err)
		return
	}
	p := patchFor(&cfg, cur)
	if p != nil {
		if err := r.clients.Graph.UpdateAuthorizationPolicy(ctx, p); err != nil {
			authorizationAPIError(diags, "Changing the tenant's authorization policy failed", err)
			diags.Append(state.Set(ctx, authorizationPolicyFromAPI(cur, &cfg.Timeouts))...)
			return
		}
		err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
			got, err := r.clients.Graph.GetAuthorizationPolicy(ctx)
			if err != nil {
				return err
			}
			cur = got
			if patchFor(&cfg, got) != nil {
				return wait.NotYet("reads do not show the change yet")
			}
			return nil
		})
		if err != nil {
			authorizationAPIError(diags, "The authorization policy was changed but reads do not show it", err)
		}
	}
	diags.Append(state.Set(ctx, authorizationPolicyFromAPI(cur, &cfg.Timeouts))...)
}

func (r *authorizationPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.write(ctx, "create", req.Config, &resp.State, &resp.Diagnostics)
}

func (r *authorizationPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	r.write(ctx, "update", req.Config, &resp.State, &resp.Diagnostics)
}

func (r *authorizationPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	cur, err := r.clients.Graph.GetAuthorizationPolicy(ctx)
	if err != nil {
		authorizationAPIError(&resp.Diagnostics, "Reading the tenant's authorization policy failed", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, authorizationPolicyFromAPI(cur, common.PriorTimeouts(ctx, req.State, &resp.Diagnostics)))...)
}

func (r *authorizationPolicyResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddWarning("Authorization policy left in place",
		"m365harden_authorization_policy was removed from Terraform state; the tenant's authorization policy was not changed.")
}

// ImportState takes the tenant ID or the policy's ID.
func (r *authorizationPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportGraphSingleton(ctx, r.clients, "m365harden_authorization_policy", authorizationPolicyID, req, resp)
}
