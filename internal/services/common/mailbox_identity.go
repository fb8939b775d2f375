package common

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// SameMailbox plans the identity attribute of a resource keyed by one
// mailbox (mailbox audit, audit bypass, forwarding); call it from
// ModifyPlan. Exchange resolves a mailbox from any of its names (user
// principal name, SMTP addresses, alias, GUID) in any letter case
// (https://learn.microsoft.com/powershell/module/exchangepowershell/get-mailbox#-identity),
// so writing the identity another way is no change: the planned value
// becomes the one in state and Terraform plans nothing for it (Terraform
// accepts a planned value equal to the prior state in place of the
// configured one). Only an identity that names another mailbox, or none,
// replaces the resource.
//
// It is resource-level (not an attribute plan modifier) because it needs
// the configured clients: resolve returns the GUID of the mailbox an
// identity names, and notFound tells resolve's "no such mailbox" error.
//
// planned is updated in place; the return value says whether to replace.
func SameMailbox(ctx context.Context, planned *types.String, prior types.String, priorGUID types.String,
	resolve func(context.Context, string) (string, error), notFound func(error) bool, diags *diag.Diagnostics) bool {
	if prior.IsNull() || prior.IsUnknown() || planned.Equal(prior) {
		return false
	}
	if planned.IsNull() || planned.IsUnknown() {
		return true // not known until apply: it may name another mailbox
	}
	if strings.EqualFold(planned.ValueString(), prior.ValueString()) {
		*planned = prior
		return false
	}
	if priorGUID.IsNull() || priorGUID.IsUnknown() || priorGUID.ValueString() == "" {
		return true
	}
	got, err := resolve(ctx, planned.ValueString())
	switch {
	case err == nil && strings.EqualFold(got, priorGUID.ValueString()):
		*planned = prior
		return false
	case err == nil || notFound(err):
		return true
	}
	diags.AddAttributeError(path.Root("identity"), fmt.Sprintf("Resolving mailbox %q failed", planned.ValueString()),
		fmt.Sprintf("Needed to tell whether it is the mailbox already managed (%s).\n\n%s", prior.ValueString(), Explain(err)))
	return false
}
