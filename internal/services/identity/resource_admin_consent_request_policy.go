package identity

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
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
	_ resource.ResourceWithConfigure      = &adminConsentResource{}
	_ resource.ResourceWithImportState    = &adminConsentResource{}
	_ resource.ResourceWithValidateConfig = &adminConsentResource{}
)

// Reviewer queries, as the update page's examples write them
// (https://learn.microsoft.com/en-us/graph/api/adminconsentrequestpolicy-update).
var (
	reviewerUserRe  = regexp.MustCompile(`^/users/(` + guidPattern + `)$`)
	reviewerGroupRe = regexp.MustCompile(`^/groups/(` + guidPattern + `)/transitiveMembers/microsoft\.graph\.user$`)
	reviewerRoleRe  = regexp.MustCompile(`^/beta/roleManagement/directory/roleAssignments\?\$filter=roleDefinitionId eq '(` + guidPattern + `)'$`)
)

// NewAdminConsentRequestPolicyResource returns the
// m365harden_admin_consent_request_policy resource.
func NewAdminConsentRequestPolicyResource() resource.Resource { return &adminConsentResource{} }

type adminConsentResource struct {
	clients *clients.Set
}

type adminConsentModel struct {
	ID                    types.String `tfsdk:"id"`
	Enabled               types.Bool   `tfsdk:"enabled"`
	NotifyReviewers       types.Bool   `tfsdk:"notify_reviewers"`
	RemindersEnabled      types.Bool   `tfsdk:"reminders_enabled"`
	RequestDurationInDays types.Int64  `tfsdk:"request_duration_in_days"`
	ReviewerUserIDs       types.Set    `tfsdk:"reviewer_user_ids"`
	ReviewerGroupIDs      types.Set    `tfsdk:"reviewer_group_ids"`
	ReviewerRoleIDs       types.Set    `tfsdk:"reviewer_role_ids"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (r *adminConsentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_admin_consent_request_policy"
}

func (r *adminConsentResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	ids := func(desc string) schema.SetAttribute {
		return schema.SetAttribute{
			MarkdownDescription: desc + " Unset is the same as empty.",
			ElementType:         types.StringType,
			Optional:            true, Computed: true,
			Default:    setdefault.StaticValue(emptySet),
			Validators: []validator.Set{idOrKeyword(nil)},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The admin consent workflow (Microsoft Graph v1.0 `/policies/adminConsentRequestPolicy`): with user consent off, users request an administrator's approval for an app instead of being blocked (ScubaGear MS.AAD.5.3, CIS 5.1.5.2).\n\n" +
			"This is a singleton, written whole with Graph's `PUT`. Destroying it removes it from Terraform state and **leaves the workflow as it is**.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.StandingTimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "Always `adminConsentRequestPolicy`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether users can request admin consent (Graph `isEnabled`). Needs at least one reviewer.",
				Required:            true,
			},
			"notify_reviewers": schema.BoolAttribute{
				MarkdownDescription: "Whether reviewers get an email for each request (Graph `notifyReviewers`). Default `true`.",
				Optional:            true, Computed: true, Default: booldefault.StaticBool(true),
			},
			"reminders_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether reviewers get reminders before a request expires (Graph `remindersEnabled`). Default `true`.",
				Optional:            true, Computed: true, Default: booldefault.StaticBool(true),
			},
			"request_duration_in_days": schema.Int64Attribute{
				MarkdownDescription: "Days before a request expires (Graph `requestDurationInDays`), 1 to 30. Default `30`. `0` is accepted only with `enabled = false`: a tenant that never turned the workflow on reports it, and a configuration generated at import writes it.",
				Optional:            true, Computed: true, Default: int64default.StaticInt64(30),
				Validators: []validator.Int64{int64validator.Between(0, 30)},
			},
			"reviewer_user_ids":  ids("Object IDs of users who review requests (Graph `reviewers`, query `/users/{id}`)."),
			"reviewer_group_ids": ids("Object IDs of groups whose members review requests (query `/groups/{id}/transitiveMembers/microsoft.graph.user`)."),
			"reviewer_role_ids":  ids("Directory role definition IDs whose holders review requests (query `/beta/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '{id}'`), e.g. Cloud Application Administrator `158c047a-c907-4556-b7ef-446551a6b5f7`. At most 25 reviewers in all."),
		},
	}
}

func (r *adminConsentResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (r *adminConsentResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m adminConsentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.Enabled.IsUnknown() || !m.Enabled.ValueBool() {
		return
	}
	if d := m.RequestDurationInDays; !d.IsNull() && !d.IsUnknown() && d.ValueInt64() < 1 {
		resp.Diagnostics.AddAttributeError(path.Root("request_duration_in_days"), "Invalid request duration",
			fmt.Sprintf("An enabled admin consent workflow needs request_duration_in_days between 1 and 30; got %d.", d.ValueInt64()))
	}
	n := 0
	for _, s := range []types.Set{m.ReviewerUserIDs, m.ReviewerGroupIDs, m.ReviewerRoleIDs} {
		if s.IsUnknown() {
			return
		}
		n += len(s.Elements())
	}
	if n == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("enabled"), "No reviewers",
			"The admin consent workflow needs at least one reviewer: set reviewer_user_ids, reviewer_group_ids or reviewer_role_ids.")
	}
	if n > 25 {
		resp.Diagnostics.AddAttributeError(path.Root("reviewer_user_ids"), "Too many reviewers", fmt.Sprintf("Graph allows at most 25 reviewers; %d are set.", n))
	}
}

func (m *adminConsentModel) toAPI(ctx context.Context, diags *diag.Diagnostics) *graph.AdminConsentRequestPolicy {
	p := &graph.AdminConsentRequestPolicy{IsEnabled: m.Enabled.ValueBool(), NotifyReviewers: m.NotifyReviewers.ValueBool(),
		RemindersEnabled: m.RemindersEnabled.ValueBool(), RequestDurationInDays: int32(m.RequestDurationInDays.ValueInt64())}
	for _, id := range setStrings(ctx, m.ReviewerUserIDs, diags) {
		p.Reviewers = append(p.Reviewers, "/users/"+id)
	}
	for _, id := range setStrings(ctx, m.ReviewerGroupIDs, diags) {
		p.Reviewers = append(p.Reviewers, "/groups/"+id+"/transitiveMembers/microsoft.graph.user")
	}
	for _, id := range setStrings(ctx, m.ReviewerRoleIDs, diags) {
		p.Reviewers = append(p.Reviewers, "/beta/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '"+id+"'")
	}
	slices.Sort(p.Reviewers)
	return p
}

func adminConsentFromAPI(ctx context.Context, p *graph.AdminConsentRequestPolicy, diags *diag.Diagnostics, prior *timeouts.Value) *adminConsentModel {
	var users, groups, roles []string
	for _, q := range p.Reviewers {
		switch {
		case reviewerUserRe.MatchString(strings.ToLower(q)):
			users = append(users, reviewerUserRe.FindStringSubmatch(strings.ToLower(q))[1])
		case reviewerGroupRe.MatchString(q):
			groups = append(groups, strings.ToLower(reviewerGroupRe.FindStringSubmatch(q)[1]))
		case reviewerRoleRe.MatchString(q):
			roles = append(roles, strings.ToLower(reviewerRoleRe.FindStringSubmatch(q)[1]))
		default:
			diags.AddWarning("Unrecognised admin consent reviewer",
				fmt.Sprintf("The policy has a reviewer query m365harden does not model (%q); the next apply replaces the reviewers with the configured ones.", q))
		}
	}
	return &adminConsentModel{
		Timeouts: common.KeepTimeouts(prior),
		ID:       types.StringValue("adminConsentRequestPolicy"), Enabled: types.BoolValue(p.IsEnabled),
		NotifyReviewers: types.BoolValue(p.NotifyReviewers), RemindersEnabled: types.BoolValue(p.RemindersEnabled),
		RequestDurationInDays: types.Int64Value(int64(p.RequestDurationInDays)),
		ReviewerUserIDs:       stringSet(ctx, users, diags), ReviewerGroupIDs: stringSet(ctx, groups, diags), ReviewerRoleIDs: stringSet(ctx, roles, diags),
	}
}

func sameConsentPolicy(a, b *graph.AdminConsentRequestPolicy) bool {
	x, y := slices.Clone(a.Reviewers), slices.Clone(b.Reviewers)
	slices.Sort(x)
	slices.Sort(y)
	return a.IsEnabled == b.IsEnabled && a.NotifyReviewers == b.NotifyReviewers && a.RemindersEnabled == b.RemindersEnabled &&
		a.RequestDurationInDays == b.RequestDurationInDays && slices.Equal(x, y)
}

func (r *adminConsentResource) write(ctx context.Context, op string, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics) {
	if r.clients == nil {
		common.NotConfigured(diags)
		return
	}
	var m adminConsentModel
	diags.Append(plan.Get(ctx, &m)...)
	if diags.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, m.Timeouts, op, diags)
	want := m.toAPI(ctx, diags)
	cur, err := r.clients.Graph.GetAdminConsentRequestPolicy(ctx)
	if err != nil {
		common.AddAPIError(diags, "Reading the admin consent request policy failed", err)
		return
	}
	if !sameConsentPolicy(cur, want) {
		if err := r.clients.Graph.PutAdminConsentRequestPolicy(ctx, want); err != nil {
			common.AddAPIError(diags, "Setting the admin consent request policy failed (needs Policy.ReadWrite.ConsentRequest)", err)
			diags.Append(state.Set(ctx, adminConsentFromAPI(ctx, cur, diags, &m.Timeouts))...)
			return
		}
		err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
			got, err := r.clients.Graph.GetAdminConsentRequestPolicy(ctx)
			if err != nil {
				return err
			}
			cur = got
			if !sameConsentPolicy(got, want) {
				return wait.NotYet("reads do not show the change yet")
			}
			return nil
		})
		if err != nil {
			common.AddAPIError(diags, "The admin consent request policy was set but reads do not show it", err)
		}
	}
	diags.Append(state.Set(ctx, adminConsentFromAPI(ctx, cur, diags, &m.Timeouts))...)
}

func (r *adminConsentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.write(ctx, "create", req.Plan, &resp.State, &resp.Diagnostics)
}

func (r *adminConsentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	r.write(ctx, "update", req.Plan, &resp.State, &resp.Diagnostics)
}

func (r *adminConsentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	cur, err := r.clients.Graph.GetAdminConsentRequestPolicy(ctx)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Reading the admin consent request policy failed", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, adminConsentFromAPI(ctx, cur, &resp.Diagnostics, common.PriorTimeouts(ctx, req.State, &resp.Diagnostics)))...)
}

func (r *adminConsentResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddWarning("Admin consent request policy left in place",
		"m365harden_admin_consent_request_policy was removed from Terraform state; the tenant's admin consent workflow was not changed.")
}

// ImportState takes the tenant ID or "adminConsentRequestPolicy".
func (r *adminConsentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportGraphSingleton(ctx, r.clients, "m365harden_admin_consent_request_policy", "adminConsentRequestPolicy", req, resp)
}
