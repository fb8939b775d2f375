package common

// Case-insensitive values. Exchange compares most names, domains and
// addresses without regard to case (an identity "default" finds the
// policy "Default"; a domain or an SMTP address is the same in any case)
// and reports its own spelling. For such attributes the provider keeps the
// user's spelling in state whenever the tenant's value is equal ignoring
// case, so an apply never ends in "Provider produced inconsistent result"
// and a plan never shows a case-only difference.
//
// The implementation lives in internal/services/conv (one place for the
// provider's case-insensitive comparison); these are its names in this
// package, kept so that callers need not change.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/services/conv"
)

// FoldSame reports whether two string lists hold the same items, ignoring
// case, order and repeats (conv.EqualFold).
func FoldSame(a, b []string) bool { return conv.EqualFold(a, b) }

// FoldKeepString returns prior when it is known and equal to got ignoring
// case (the user's spelling), else got (conv.KeepString).
func FoldKeepString(prior, got types.String) types.String { return conv.KeepString(prior, got) }

// FoldKeepSet returns prior when it is a known set of strings holding the
// same items as got ignoring case, else got (conv.KeepSet).
func FoldKeepSet(ctx context.Context, prior, got types.Set) types.Set {
	return conv.KeepSet(ctx, prior, got)
}

// SetStrings reads a known set of strings; ok is false for null, unknown or
// partly unknown sets (conv.KnownStrings).
func SetStrings(ctx context.Context, s types.Set) ([]string, bool) { return conv.KnownStrings(ctx, s) }

// StringSet builds a set of strings (conv.StringSet).
func StringSet(items []string) types.Set { return conv.StringSet(items) }

// FoldStateString is conv.FoldStateString.
func FoldStateString() planmodifier.String { return conv.FoldStateString() }

// FoldStateSet is conv.FoldStateSet.
func FoldStateSet() planmodifier.Set { return conv.FoldStateSet() }

// SameStateSet keeps the set in state when the configuration means the same
// by same (another spelling of the same values): conv.SameStateSet.
func SameStateSet(description string, same func(config, state []string) bool) planmodifier.Set {
	return conv.SameStateSet(description, same)
}
