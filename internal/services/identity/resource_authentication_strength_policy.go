package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure   = &authStrengthResource{}
	_ resource.ResourceWithImportState = &authStrengthResource{}
)

// NewAuthenticationStrengthPolicyResource returns the
// m365harden_authentication_strength_policy resource.
func NewAuthenticationStrengthPolicyResource() resource.Resource { return &authStrengthResource{} }

type authStrengthResource struct {
	clients *clients.Set
}

type authStrengthModel struct {
	ID                    types.String `tfsdk:"id"`
	DisplayName           types.String `tfsdk:"display_name"`
	Description           types.String `tfsdk:"description"`
	AllowedCombinations   types.Set    `tfsdk:"allowed_combinations"`
	RequirementsSatisfied types.String `tfsdk:"requirements_satisfied"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// combinationValidator accepts a combination of authenticationMethodModes
// the SDK knows, written as the SDK writes it (so reads compare equal).
type combinationValidator struct{}

func (combinationValidator) Description(context.Context) string {
	return "must be a combination of authenticationMethodModes members joined by commas, in the SDK's order"
}
func (v combinationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}
func (combinationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	c, ok := graph.CanonicalCombination(s)
	switch {
	case !ok:
		resp.Diagnostics.AddAttributeError(req.Path, "Unknown authentication method combination",
			fmt.Sprintf("%q is not a combination of authenticationMethodModes members (e.g. \"fido2\", \"password,microsoftAuthenticatorPush\"); members: %s.", s, strings.Join(authMethodModes, ", ")))
	case c != s:
		resp.Diagnostics.AddAttributeError(req.Path, "Authentication method combination not in Graph's form",
			fmt.Sprintf("Write %q as %q (Graph's order, no spaces).", s, c))
	}
}

// authMethodModes are the SDK's authenticationMethodModes members
// (https://learn.microsoft.com/en-us/graph/api/resources/authenticationstrengthpolicy).
var authMethodModes = []string{"password", "voice", "hardwareOath", "softwareOath", "sms", "fido2", "windowsHelloForBusiness",
	"microsoftAuthenticatorPush", "deviceBasedPush", "temporaryAccessPassOneTime", "temporaryAccessPassMultiUse", "email",
	"x509CertificateSingleFactor", "x509CertificateMultiFactor", "federatedSingleFactor", "federatedMultiFactor"}

func (r *authStrengthResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_authentication_strength_policy"
}

func (r *authStrengthResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A custom Microsoft Entra authentication strength (Microsoft Graph v1.0 `/policies/authenticationStrengthPolicies`): the combinations of authentication methods a Conditional Access policy's `grant_controls.authentication_strength_id` requires, e.g. phishing-resistant methods only (ScubaGear MS.AAD.3.1). The built-in strengths are listed by the `m365harden_authentication_strengths` data source.\n\n" +
			"Destroying the resource deletes the strength; Graph refuses while a Conditional Access policy uses it.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.TimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The strength's ID (Graph `id`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: "The strength's name (Graph `displayName`), unique in the tenant.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 30)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "The strength's description (Graph `description`). Unset: none.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"allowed_combinations": schema.SetAttribute{
				MarkdownDescription: "The authentication method combinations that satisfy the strength (Graph `allowedCombinations`, an `authenticationMethodModes` collection): each one member or several joined by commas in Graph's order, e.g. `fido2`, `windowsHelloForBusiness`, `x509CertificateMultiFactor` (phishing-resistant) or `password,microsoftAuthenticatorPush`. Changed with Graph's `updateAllowedCombinations` action, in place.",
				ElementType:         types.StringType,
				Required:            true,
				Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(combinationValidator{})},
			},
			"requirements_satisfied": schema.StringAttribute{
				MarkdownDescription: "What the strength satisfies (Graph `requirementsSatisfied`, read-only): `mfa` or `none`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *authStrengthResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func strengthModel(ctx context.Context, s *graph.AuthenticationStrength, prior *timeouts.Value, diags *diag.Diagnostics) *authStrengthModel {
	m := &authStrengthModel{ID: types.StringValue(s.ID), DisplayName: types.StringValue(s.DisplayName), Description: types.StringNull(),
		AllowedCombinations: stringSet(ctx, s.AllowedCombinations, diags), RequirementsSatisfied: types.StringValue(s.RequirementsSatisfied),
		Timeouts: common.KeepTimeouts(prior)}
	if s.Description != "" {
		m.Description = types.StringValue(s.Description)
	}
	return m
}

func sameStrength(s *graph.AuthenticationStrength, name, desc string, combos []string) bool {
	a, b := slices.Clone(s.AllowedCombinations), slices.Clone(combos)
	slices.Sort(a)
	slices.Sort(b)
	return s.DisplayName == name && s.Description == desc && slices.Equal(a, b)
}

func strengthAPIError(diags *diag.Diagnostics, summary string, err error) {
	switch {
	case errors.Is(err, graph.ErrForbidden):
		diags.AddError(summary, "Permission problem: the app needs the Microsoft Graph application permissions Policy.Read.All (to read) and Policy.ReadWrite.ConditionalAccess (to write), with admin consent.\n\n"+err.Error())
	case errors.Is(err, graph.ErrConflict):
		diags.AddError(summary, "An authentication strength with this name already exists: names are unique.\n\n"+err.Error())
	case errors.Is(err, graph.ErrInUse):
		diags.AddError(summary, "Microsoft Graph refused to delete the strength, most likely because a Conditional Access policy still requires it. Change those policies first.\n\n"+err.Error())
	default:
		common.AddAPIError(diags, summary, err)
	}
}

func (r *authStrengthResource) waitFor(ctx context.Context, id, name, desc string, combos []string) (*graph.AuthenticationStrength, error) {
	var got *graph.AuthenticationStrength
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		s, err := r.clients.Graph.GetAuthenticationStrength(ctx, id)
		if graph.IsNotFound(err) {
			return wait.NotYet("the strength is not visible yet")
		}
		if err != nil {
			return err
		}
		if !sameStrength(s, name, desc, combos) {
			return wait.NotYet("reads still show the previous version")
		}
		got = s
		return nil
	})
	return got, err
}

func (r *authStrengthResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan authStrengthModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	want := &graph.AuthenticationStrength{DisplayName: plan.DisplayName.ValueString(), Description: plan.Description.ValueString(),
		AllowedCombinations: setStrings(ctx, plan.AllowedCombinations, &resp.Diagnostics)}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "create", &resp.Diagnostics)
	// Names are unique among strengths (built-in ones included), which lets
	// a create be recognised after an ambiguous failure.
	uniqueCreate[*graph.AuthenticationStrength]{
		what: "authentication strength", name: want.DisplayName,
		list:   r.clients.Graph.ListAuthenticationStrengths,
		nameOf: func(s *graph.AuthenticationStrength) string { return s.DisplayName },
		idOf:   func(s *graph.AuthenticationStrength) string { return s.ID },
		post: func(ctx context.Context) (*graph.AuthenticationStrength, error) {
			return r.clients.Graph.CreateAuthenticationStrength(ctx, want)
		},
		record: func(ctx context.Context, created *graph.AuthenticationStrength) {
			plan.ID = types.StringValue(created.ID)
			plan.RequirementsSatisfied = types.StringValue(created.RequirementsSatisfied)
			resp.Diagnostics.Append(common.SaveCreated(ctx, &resp.State, &plan)...)
		},
		wait: func(ctx context.Context, id string) error {
			got, err := r.waitFor(ctx, id, want.DisplayName, want.Description, want.AllowedCombinations)
			if err == nil {
				resp.Diagnostics.Append(resp.State.Set(ctx, strengthModel(ctx, got, &plan.Timeouts, &resp.Diagnostics))...)
			}
			return err
		},
		report:  strengthAPIError,
		settle:  r.clients.ConsistencyTimeout,
		builtIn: func(s *graph.AuthenticationStrength) bool { return s.PolicyType == "builtIn" },
	}.run(ctx, &resp.Diagnostics)
}

func (r *authStrengthResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, err := r.clients.Graph.GetAuthenticationStrength(ctx, id.ValueString())
	if graph.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Authentication strength not found",
			fmt.Sprintf("Authentication strength %s no longer exists; it was removed from state and will be created again on the next apply.", id.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		strengthAPIError(&resp.Diagnostics, fmt.Sprintf("Reading authentication strength %s failed", id.ValueString()), err)
		return
	}
	if s.PolicyType == "builtIn" {
		resp.Diagnostics.AddError("Built-in authentication strength",
			fmt.Sprintf("%s is Microsoft's built-in strength %q, which cannot be managed: use its ID directly, or the m365harden_authentication_strengths data source.", s.ID, s.DisplayName))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, strengthModel(ctx, s, common.PriorTimeouts(ctx, req.State, &resp.Diagnostics), &resp.Diagnostics))...)
}

func (r *authStrengthResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan, state authStrengthModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "update", &resp.Diagnostics)
	id := state.ID.ValueString()
	name, desc := plan.DisplayName.ValueString(), plan.Description.ValueString()
	combos := setStrings(ctx, plan.AllowedCombinations, &resp.Diagnostics)
	restore := func() {
		if cur, err := r.clients.Graph.GetAuthenticationStrength(ctx, id); err == nil {
			resp.Diagnostics.Append(resp.State.Set(ctx, strengthModel(ctx, cur, &plan.Timeouts, &resp.Diagnostics))...)
		}
	}
	if name != state.DisplayName.ValueString() || desc != state.Description.ValueString() {
		if err := r.clients.Graph.UpdateAuthenticationStrength(ctx, id, name, desc); err != nil {
			strengthAPIError(&resp.Diagnostics, fmt.Sprintf("Updating authentication strength %q (%s) failed", name, id), err)
			restore()
			return
		}
	}
	prev := setStrings(ctx, state.AllowedCombinations, &resp.Diagnostics)
	slices.Sort(combos)
	slices.Sort(prev)
	if !slices.Equal(combos, prev) {
		if err := r.clients.Graph.UpdateAllowedCombinations(ctx, id, combos); err != nil {
			strengthAPIError(&resp.Diagnostics, fmt.Sprintf("Updating the allowed combinations of authentication strength %q (%s) failed", name, id), err)
			restore()
			return
		}
	}
	got, err := r.waitFor(ctx, id, name, desc, combos)
	if err != nil {
		strengthAPIError(&resp.Diagnostics, fmt.Sprintf("Authentication strength %q (%s) was updated but reads do not show it yet", name, id), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, strengthModel(ctx, got, &plan.Timeouts, &resp.Diagnostics))...)
}

func (r *authStrengthResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
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
	err := r.clients.Graph.DeleteAuthenticationStrength(ctx, id.ValueString())
	if err != nil && !graph.IsNotFound(err) {
		strengthAPIError(&resp.Diagnostics, fmt.Sprintf("Deleting authentication strength %s failed", id.ValueString()), err)
		return
	}
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		_, err := r.clients.Graph.GetAuthenticationStrength(ctx, id.ValueString())
		switch {
		case graph.IsNotFound(err):
			return nil
		case err != nil:
			return err
		}
		return wait.NotYet("reads still show the strength")
	})
	if err != nil {
		strengthAPIError(&resp.Diagnostics, fmt.Sprintf("Authentication strength %s was deleted but reads still show it", id.ValueString()), err)
	}
}

// ImportState takes the strength's ID.
func (r *authStrengthResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.ToLower(strings.TrimSpace(req.ID))
	if !guidRe.MatchString(id) {
		resp.Diagnostics.AddError("Wrong import ID",
			fmt.Sprintf("m365harden_authentication_strength_policy is imported by the strength's ID (a GUID); got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}
