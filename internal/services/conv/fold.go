package conv

// Plan-time and read-time helpers for attributes the service compares
// ignoring case (see the package comment). They are the one implementation
// of case-insensitive comparison in the provider; internal/services/common
// keeps its Fold* names as thin wrappers of these.

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// KeepString returns prior when it is known and equal to got ignoring case
// (the user's spelling), else got.
func KeepString(prior, got types.String) types.String {
	if known(prior) && known(got) && strings.EqualFold(prior.ValueString(), got.ValueString()) {
		return prior
	}
	return got
}

// KeepSet returns prior when it is a known set of strings holding the same
// items as got ignoring case, else got.
func KeepSet(ctx context.Context, prior, got types.Set) types.Set {
	p, ok1 := KnownStrings(ctx, prior)
	g, ok2 := KnownStrings(ctx, got)
	if ok1 && ok2 && EqualFold(p, g) {
		return prior
	}
	return got
}

// KnownStrings reads a known set of strings; ok is false for null, unknown
// or partly unknown sets.
func KnownStrings(ctx context.Context, s types.Set) ([]string, bool) {
	if s.IsNull() || s.IsUnknown() {
		return nil, false
	}
	for _, e := range s.Elements() {
		if e.IsUnknown() {
			return nil, false
		}
	}
	var out []string
	if d := s.ElementsAs(ctx, &out, false); d.HasError() {
		return nil, false
	}
	return out, true
}

// FoldStateString is a plan modifier for a case-insensitive string: when
// the configuration and the prior state differ only in case, the plan keeps
// the prior state, so a configuration that spells the value differently
// from the tenant (after an import, or after the user changes only the
// case) plans no change. Terraform accepts a planned value equal to the
// prior state in place of an equivalent configuration value. List it
// before RequiresReplace so a case-only difference does not replace the
// resource.
func FoldStateString() planmodifier.String { return foldStateString{} }

type foldStateString struct{}

func (foldStateString) Description(context.Context) string {
	return "Keeps the value in state when the configuration differs from it only in letter case."
}

func (m foldStateString) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (foldStateString) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	if known(req.ConfigValue) && known(req.StateValue) && req.ConfigValue.ValueString() != req.StateValue.ValueString() &&
		strings.EqualFold(req.ConfigValue.ValueString(), req.StateValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}

// FoldStateSet is FoldStateString for a set of case-insensitive strings:
// the same items in another case plan no change.
func FoldStateSet() planmodifier.Set {
	return SameStateSet("Keeps the set in state when the configuration holds the same items in another letter case.", EqualFold)
}

// SameStateSet keeps the set in state when same reports that the
// configuration's items mean the same as the state's (another spelling of
// the same values), so a spelling difference plans no change.
func SameStateSet(description string, same func(config, state []string) bool) planmodifier.Set {
	return sameStateSet{description: description, same: same}
}

type sameStateSet struct {
	description string
	same        func(config, state []string) bool
}

func (m sameStateSet) Description(context.Context) string { return m.description }

func (m sameStateSet) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (m sameStateSet) PlanModifySet(ctx context.Context, req planmodifier.SetRequest, resp *planmodifier.SetResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.ConfigValue.Equal(req.StateValue) {
		return
	}
	cfg, ok1 := KnownStrings(ctx, req.ConfigValue)
	st, ok2 := KnownStrings(ctx, req.StateValue)
	if ok1 && ok2 && m.same(cfg, st) {
		resp.PlanValue = req.StateValue
	}
}

func known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }
