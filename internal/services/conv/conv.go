// Package conv converts between the values a Microsoft 365 tenant reports
// and the values Terraform keeps in plans and state: strings and sets that
// the service compares ignoring case, and Exchange time spans.
//
// Exchange Online treats most names, addresses and enumeration values
// case-insensitively: PowerShell parameter binding matches enumerator names
// ignoring case (about_Enum, https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_enum),
// recipient identities and OPATH comparisons ignore case
// (https://learn.microsoft.com/powershell/exchange/recipient-filters),
// and the service then reports its own spelling. Terraform, on the other
// hand, compares values exactly: a state value that differs from the plan
// only in case ends an apply with "Provider produced inconsistent result
// after apply", and a refresh that returns the service's spelling shows a
// diff on every plan. The KeepCase helpers return the spelling Terraform
// already has (the plan after a write, the prior state after a read)
// whenever the service's value is equal to it ignoring case, and the
// service's value otherwise, so real changes still show as drift.
package conv

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// StringKeepCase returns prior when it is known and equal to tenant
// ignoring case, else tenant as a Terraform string.
func StringKeepCase(prior types.String, tenant string) types.String {
	if !prior.IsNull() && !prior.IsUnknown() && strings.EqualFold(prior.ValueString(), tenant) {
		return prior
	}
	return types.StringValue(tenant)
}

// SetKeepCase returns the tenant's values as a set of strings, each element
// spelled as in prior when prior holds an element equal to it ignoring case.
// When the two hold the same elements ignoring case, the result equals prior
// exactly; any other difference stays visible.
func SetKeepCase(prior types.Set, tenant []string) types.Set {
	spelling := map[string]string{}
	for _, p := range Strings(prior) {
		spelling[strings.ToLower(p)] = p
	}
	out := make([]string, 0, len(tenant))
	seen := map[string]bool{}
	for _, v := range tenant {
		k := strings.ToLower(v)
		if seen[k] {
			continue // the service holds no duplicates that differ in case
		}
		seen[k] = true
		if p, ok := spelling[k]; ok {
			v = p
		}
		out = append(out, v)
	}
	return StringSet(out)
}

// EqualFold reports whether a and b hold the same strings ignoring case and
// order (duplicates ignoring case count once).
func EqualFold(a, b []string) bool {
	x := foldSet(a)
	y := foldSet(b)
	if len(x) != len(y) {
		return false
	}
	for k := range x {
		if !y[k] {
			return false
		}
	}
	return true
}

// ContainsFold reports whether list holds v ignoring case.
func ContainsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

func foldSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, v := range list {
		m[strings.ToLower(v)] = true
	}
	return m
}

// Strings returns a set's string elements, sorted; nil for a null or
// unknown set.
func Strings(s types.Set) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	out := make([]string, 0, len(s.Elements()))
	for _, e := range s.Elements() {
		if sv, ok := e.(types.String); ok && !sv.IsNull() && !sv.IsUnknown() {
			out = append(out, sv.ValueString())
		}
	}
	sort.Strings(out)
	return out
}

// StringSet builds a known set of strings.
func StringSet(vals []string) types.Set {
	elems := make([]attr.Value, 0, len(vals))
	for _, v := range vals {
		elems = append(elems, types.StringValue(v))
	}
	return types.SetValueMust(types.StringType, elems)
}

// UniqueFold is a set validator for attributes the service compares
// ignoring case: two elements that differ only in case are one value to the
// service, so Terraform's set of two would never match what it reports.
func UniqueFold() validator.Set { return uniqueFold{} }

type uniqueFold struct{}

func (uniqueFold) Description(context.Context) string {
	return "elements must differ by more than letter case"
}

func (v uniqueFold) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (uniqueFold) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	first := map[string]string{}
	for _, v := range Strings(req.ConfigValue) {
		k := strings.ToLower(v)
		if prev, ok := first[k]; ok {
			resp.Diagnostics.AddAttributeError(req.Path, "Duplicate value",
				fmt.Sprintf("%q and %q differ only in letter case; the service treats them as the same value. Keep one.", prev, v))
			continue
		}
		first[k] = v
	}
}
