package identity

import (
	"context"
	"reflect"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

// The authentication methods policy's Graph beta settings: system-preferred
// MFA (systemCredentialPreferences) and report suspicious activity
// (reportSuspiciousActivitySettings), read and written through
// /beta/policies/authenticationMethodsPolicy (graph.GetAuthMethodsBetaSettings).

const amBetaReadFailed = "Reading the tenant's authentication methods policy (Graph beta: system-preferred MFA, report suspicious activity) failed"

type amSystemPreferredModel struct {
	State          types.String `tfsdk:"state"`
	IncludeTargets types.Set    `tfsdk:"include_targets"`
	ExcludeTargets types.Set    `tfsdk:"exclude_targets"`
}

type amReportSuspiciousModel struct {
	State              types.String          `tfsdk:"state"`
	IncludeTarget      *amExcludeTargetModel `tfsdk:"include_target"`
	VoiceReportingCode types.Int64           `tfsdk:"voice_reporting_code"`
}

const amBetaNote = " **Graph beta** (may change when Microsoft changes beta)."

func amSystemPreferredSchema() schema.SingleNestedAttribute {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return schema.SingleNestedAttribute{
		MarkdownDescription: "Graph `systemCredentialPreferences`: **system-preferred MFA**, which prompts each user for the strongest method they registered instead of the one they last used (CIS 5.2.3.6)." + amBetaNote +
			" Unset: left as the tenant has it (and shown); attributes unset inside it likewise.",
		Optional: true, Computed: true,
		PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
		Attributes: map[string]schema.Attribute{
			"state": schema.StringAttribute{
				MarkdownDescription: "Graph `state`: one of " + quoteList(amAdvancedStates) + " (`default` is Microsoft's choice, which Microsoft documents as disabled). Hardened: `enabled`.",
				Optional:            true, Computed: true, PlanModifiers: keep,
				Validators: []validator.String{stringvalidator.OneOf(amAdvancedStates...)},
			},
			"include_targets": schema.SetNestedAttribute{
				MarkdownDescription: "Graph `includeTargets`: who gets system-preferred MFA. `[]` clears it.",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":          amTargetID("A group's or user's object ID, or `all_users` (Graph `id`)."),
					"target_type": amTargetType("targetType", amTargetTypes),
				}},
			},
			"exclude_targets": amExcludeTargetsSchema("Who does not get system-preferred MFA"),
		},
	}
}

func amReportSuspiciousSchema() schema.SingleNestedAttribute {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return schema.SingleNestedAttribute{
		MarkdownDescription: "Graph `reportSuspiciousActivitySettings`: let users report an MFA prompt they did not start (Authenticator or voice call); the report sets their user risk to high." + amBetaNote +
			" Unset: left as the tenant has it (and shown); attributes unset inside it likewise.",
		Optional: true, Computed: true,
		PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
		Attributes: map[string]schema.Attribute{
			"state": schema.StringAttribute{
				MarkdownDescription: "Graph `state`: one of " + quoteList(amAdvancedStates) + " (`default` behaves as disabled). Hardened: `enabled`.",
				Optional:            true, Computed: true, PlanModifiers: keep,
				Validators: []validator.String{stringvalidator.OneOf(amAdvancedStates...)},
			},
			"include_target": schema.SingleNestedAttribute{
				MarkdownDescription: "Graph `includeTarget`: who may report (one group, or `all_users`).",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"id":          amTargetID("A group's or user's object ID, or `all_users` (Graph `id`)."),
					"target_type": amTargetType("targetType", amTargetTypes),
				},
			},
			"voice_reporting_code": schema.Int64Attribute{
				MarkdownDescription: "Graph `voiceReportingCode`: the digit a user presses during a voice call MFA prompt to report it, 0–9 (the Microsoft Entra admin center takes one digit; default 0).",
				Optional:            true, Computed: true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
				Validators:    []validator.Int64{int64validator.Between(0, 9)},
			},
		},
	}
}

func amSystemPreferredFromAPI(s *graph.SystemCredentialPreferences) *amSystemPreferredModel {
	if s == nil {
		s = &graph.SystemCredentialPreferences{}
	}
	return &amSystemPreferredModel{
		State:          types.StringValue(s.State),
		IncludeTargets: excludeTargetsToSet(s.IncludeTargets),
		ExcludeTargets: excludeTargetsToSet(s.ExcludeTargets),
	}
}

func amReportSuspiciousFromAPI(r *graph.ReportSuspiciousActivity) *amReportSuspiciousModel {
	if r == nil {
		r = &graph.ReportSuspiciousActivity{}
	}
	return &amReportSuspiciousModel{
		State:              types.StringValue(r.State),
		IncludeTarget:      &amExcludeTargetModel{ID: types.StringValue(r.IncludeTarget.ID), TargetType: types.StringValue(r.IncludeTarget.TargetType)},
		VoiceReportingCode: types.Int64Value(r.VoiceReportingCode),
	}
}

// amBetaPatch returns the beta settings to send (each part whole), nil
// when reads already show the configured values.
func amBetaPatch(ctx context.Context, cfg *authMethodsPolicyModel, cur *graph.AuthMethodsBetaSettings, diags *diag.Diagnostics) *graph.AuthMethodsBetaSettings {
	out := &graph.AuthMethodsBetaSettings{}
	changed := false
	if c := cfg.SystemCredentialPreferences; c != nil {
		want := graph.SystemCredentialPreferences{}
		if cur.SystemPreferred != nil {
			want = *cur.SystemPreferred
		}
		have := want
		if common.Known(c.State) {
			want.State = c.State.ValueString()
		}
		if common.Known(c.IncludeTargets) {
			want.IncludeTargets = excludeTargetsFromSet(ctx, c.IncludeTargets, diags)
		}
		if common.Known(c.ExcludeTargets) {
			want.ExcludeTargets = excludeTargetsFromSet(ctx, c.ExcludeTargets, diags)
		}
		if !sameTargets(want.IncludeTargets, have.IncludeTargets) || !sameTargets(want.ExcludeTargets, have.ExcludeTargets) || want.State != have.State {
			out.SystemPreferred, changed = &want, true
		}
	}
	if c := cfg.ReportSuspiciousActivity; c != nil {
		want := graph.ReportSuspiciousActivity{}
		if cur.ReportSuspicious != nil {
			want = *cur.ReportSuspicious
		}
		have := want
		if common.Known(c.State) {
			want.State = c.State.ValueString()
		}
		if t := c.IncludeTarget; t != nil {
			want.IncludeTarget = graph.ExcludeTarget{ID: t.ID.ValueString(), TargetType: orDefault(t.TargetType, "group")}
		}
		if common.Known(c.VoiceReportingCode) {
			want.VoiceReportingCode = c.VoiceReportingCode.ValueInt64()
		}
		if want != have {
			out.ReportSuspicious, changed = &want, true
		}
	}
	if !changed {
		return nil
	}
	return out
}

// sameTargets compares target collections as sets.
func sameTargets(a, b []graph.ExcludeTarget) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	for _, x := range [][]graph.ExcludeTarget{a, b} {
		sortTargets(x, func(t graph.ExcludeTarget) string { return t.ID })
	}
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// writeBeta PATCHes the beta settings that differ from the configuration
// and waits until reads show them; cur is updated with what was read.
func (r *authMethodsPolicyResource) writeBeta(ctx context.Context, cfg *authMethodsPolicyModel, cur **graph.AuthMethodsBetaSettings, diags *diag.Diagnostics) {
	p := amBetaPatch(ctx, cfg, *cur, diags)
	if p == nil || diags.HasError() {
		return
	}
	g := r.clients.Graph
	if err := g.UpdateAuthMethodsBetaSettings(ctx, p); err != nil {
		authMethodsAPIError(diags, "Changing the tenant's authentication methods policy (Graph beta: system-preferred MFA, report suspicious activity) failed", err)
		return
	}
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		got, err := g.GetAuthMethodsBetaSettings(ctx)
		if err != nil {
			return err
		}
		*cur = got
		var d diag.Diagnostics
		if amBetaPatch(ctx, cfg, got, &d) != nil {
			return wait.NotYet("reads do not show the change yet")
		}
		return nil
	})
	if err != nil {
		authMethodsAPIError(diags, "The authentication methods policy (Graph beta) was changed but reads do not show it", err)
	}
}
