package common

// Case-insensitive values. Exchange compares most names, domains and
// addresses without regard to case (an identity "default" finds the
// policy "Default"; a domain or an SMTP address is the same in any case)
// and reports its own spelling. For such attributes the provider keeps the
// user's spelling in state whenever the tenant's value is equal ignoring
// case, so an apply never ends in "Provider produced inconsistent result"
// and a plan never shows a case-only difference.
//
// These helpers are the mail flow half of the shared case-insensitive
// comparison; they are named Fold* so that they can move, unchanged in
// meaning, into the shared conversions package.

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// FoldSame reports whether two string lists hold the same items, ignoring
// case, order and repeats.
func FoldSame(a, b []string) bool {
	left, right := foldKeys(a), foldKeys(b)
	if len(left) != len(right) {
		return false
	}
	for k := range left {
		if !right[k] {
			return false
		}
	}
	return true
}

func foldKeys(items []string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[strings.ToLower(s)] = true
	}
	return m
}

// FoldKeepString returns prior when it is known and equal to got ignoring
// case (the user's spelling), else got.
func FoldKeepString(prior, got types.String) types.String {
	if !prior.IsNull() && !prior.IsUnknown() && !got.IsNull() && !got.IsUnknown() && strings.EqualFold(prior.ValueString(), got.ValueString()) {
		return prior
	}
	return got
}

// FoldKeepSet returns prior when it is a known set of strings holding the
// same items as got ignoring case, else got.
func FoldKeepSet(ctx context.Context, prior, got types.Set) types.Set {
	if prior.IsNull() || prior.IsUnknown() || got.IsNull() || got.IsUnknown() {
		return got
	}
	p, ok1 := SetStrings(ctx, prior)
	g, ok2 := SetStrings(ctx, got)
	if ok1 && ok2 && FoldSame(p, g) {
		return prior
	}
	return got
}

// SetStrings reads a known set of strings; ok is false for null, unknown or
// partly unknown sets.
func SetStrings(ctx context.Context, s types.Set) ([]string, bool) {
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

// StringSet builds a set of strings.
func StringSet(items []string) types.Set {
	vals := make([]attr.Value, 0, len(items))
	for _, s := range items {
		vals = append(vals, types.StringValue(s))
	}
	return types.SetValueMust(types.StringType, vals)
}

// FoldStateString is a plan modifier for a case-insensitive string: when the
// configuration and the prior state differ only in case, the plan keeps the
// prior state, so a configuration that spells the value differently from
// the tenant (after an import, or after the user changes only the case)
// plans no change. Terraform accepts a planned value equal to the prior
// state in place of an equivalent configuration value. List it before
// RequiresReplace so a case-only difference does not replace the resource.
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
func FoldStateSet() planmodifier.Set { return foldStateSet{} }

type foldStateSet struct{}

func (foldStateSet) Description(context.Context) string {
	return "Keeps the set in state when the configuration holds the same items in another letter case."
}

func (m foldStateSet) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (foldStateSet) PlanModifySet(ctx context.Context, req planmodifier.SetRequest, resp *planmodifier.SetResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.ConfigValue.Equal(req.StateValue) {
		return
	}
	cfg, ok1 := SetStrings(ctx, req.ConfigValue)
	st, ok2 := SetStrings(ctx, req.StateValue)
	if ok1 && ok2 && FoldSame(cfg, st) {
		resp.PlanValue = req.StateValue
	}
}

func known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }
