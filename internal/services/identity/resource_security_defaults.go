package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure   = &securityDefaultsResource{}
	_ resource.ResourceWithImportState = &securityDefaultsResource{}
)

// securityDefaultsPolicyID is the id Graph reports for the policy
// (https://learn.microsoft.com/en-us/graph/api/identitysecuritydefaultsenforcementpolicy-get).
const securityDefaultsPolicyID = "00000000-0000-0000-0000-000000000005"

// NewSecurityDefaultsResource returns the m365harden_security_defaults resource.
func NewSecurityDefaultsResource() resource.Resource { return &securityDefaultsResource{} }

type securityDefaultsResource struct {
	clients *clients.Set
}

func (r *securityDefaultsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_security_defaults"
}

func (r *securityDefaultsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Microsoft Entra security defaults on or off (Microsoft Graph v1.0 `/policies/identitySecurityDefaultsEnforcementPolicy`, property `isEnabled`). Security defaults are the baseline for tenants without Conditional Access; tenants that enforce Conditional Access policies turn them off (CIS 5.1.1.1 prefers Conditional Access).\n\n" +
			"This is a singleton: creating it adopts the tenant's policy and sets `enabled`; destroying it removes it from Terraform state and **leaves security defaults as they are**.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.StandingTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The policy's ID as Graph reports it (`" + securityDefaultsPolicyID + "`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether security defaults are enforced (Graph `isEnabled`). Graph refuses an enabled Conditional Access policy while security defaults are on, and refuses `true` while a policy is enabled: set `false` when Conditional Access policies replace them, and order the two with `depends_on` (see Behaviour).",
				Required:            true,
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: "The policy's display name (Graph `displayName`, read-only).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *securityDefaultsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (r *securityDefaultsResource) read(ctx context.Context) (*securityDefaultsModel, error) {
	sd, err := r.clients.Graph.GetSecurityDefaults(ctx)
	if err != nil {
		return nil, err
	}
	return &securityDefaultsModel{ID: types.StringValue(sd.ID), Enabled: types.BoolValue(sd.IsEnabled), DisplayName: types.StringValue(sd.DisplayName),
		Timeouts: common.KeepTimeouts(nil)}, nil
}

func (r *securityDefaultsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.write(ctx, "create", req.Plan, &resp.State, &resp.Diagnostics)
}

func (r *securityDefaultsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	r.write(ctx, "update", req.Plan, &resp.State, &resp.Diagnostics)
}

// write sets isEnabled when it differs and waits until reads show it, for
// as long as the plan's timeouts allow op (create or update).
func (r *securityDefaultsResource) write(ctx context.Context, op string, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics) {
	if r.clients == nil {
		common.NotConfigured(diags)
		return
	}
	var m securityDefaultsModel
	diags.Append(plan.Get(ctx, &m)...)
	if diags.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, m.Timeouts, op, diags)
	want := m.Enabled.ValueBool()
	cur, err := r.read(ctx)
	if err != nil {
		common.AddAPIError(diags, "Reading the tenant's security defaults failed", err)
		return
	}
	cur.Timeouts = m.Timeouts
	if cur.Enabled.ValueBool() != want {
		if err := r.clients.Graph.SetSecurityDefaults(ctx, want); err != nil {
			if errors.Is(err, graph.ErrConditionalAccessEnabled) {
				diags.AddError(fmt.Sprintf("Setting security defaults to enabled = %t failed", want),
					"The tenant has enabled conditional access policies, and Graph refuses to turn security defaults on while it does. "+
						"Fix: set those policies to state = \"disabled\" or \"enabledForReportingButNotEnforced\" (or destroy them) first, and give this resource depends_on on the m365harden_conditional_access_policy resources so the two change in that order.\n\n"+err.Error())
			} else {
				common.AddAPIError(diags, fmt.Sprintf("Setting security defaults to enabled = %t failed", want), err)
			}
			diags.Append(state.Set(ctx, cur)...)
			return
		}
	}
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		got, err := r.read(ctx)
		if err != nil {
			return err
		}
		got.Timeouts = m.Timeouts
		cur = got
		if got.Enabled.ValueBool() != want {
			return wait.NotYet("isEnabled still reads %t", got.Enabled.ValueBool())
		}
		return nil
	})
	if err != nil {
		common.AddAPIError(diags, fmt.Sprintf("Security defaults were set to enabled = %t but reads do not show it", want), err)
	}
	diags.Append(state.Set(ctx, cur)...)
}

func (r *securityDefaultsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	m, err := r.read(ctx)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Reading the tenant's security defaults failed", err)
		return
	}
	m.Timeouts = common.KeepTimeouts(common.PriorTimeouts(ctx, req.State, &resp.Diagnostics))
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *securityDefaultsResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddWarning("Security defaults left in place",
		"m365harden_security_defaults was removed from Terraform state; the tenant's security defaults were not changed.")
}

// ImportState takes the tenant ID or the policy's ID: the tenant has exactly
// one security defaults policy.
func (r *securityDefaultsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportGraphSingleton(ctx, r.clients, "m365harden_security_defaults", securityDefaultsPolicyID, req, resp)
}

type securityDefaultsModel struct {
	ID          types.String `tfsdk:"id"`
	Enabled     types.Bool   `tfsdk:"enabled"`
	DisplayName types.String `tfsdk:"display_name"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}
