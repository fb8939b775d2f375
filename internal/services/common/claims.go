package common

import (
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
)

// Two blocks that manage the same object (two m365harden_audit_configuration
// blocks, or one mailbox named once by its user principal name and once by
// its GUID) overwrite each other on every apply and never converge.
// Terraform shows a provider no whole configuration, but it plans every
// resource of one run in one provider process, each with its own
// PlanResourceChange (ModifyPlan) call, after configuring the provider once
// for that run (so once per client set). ClaimObject records, per client
// set, which block manages which object, and fails the plan of the second
// block that claims an object already claimed.
//
// Terraform does not tell a provider a resource's address, so a claimant is
// told apart by its configuration: Terraform plans one block twice when it
// replaces it (once with its prior state, once without), with the same
// configuration both times. Two blocks with identical configurations are
// therefore not told apart; they do not fight either (both apply the same
// settings). The check is only as wide as the run: with -target, only the
// planned resources are compared. An identity not known until apply is
// claimed when Terraform plans the resource again during apply, so such a
// duplicate fails the apply instead, before the resource is changed.

type claimRegistry struct {
	mu      sync.Mutex
	objects map[string]tftypes.Value // object key -> configuration of the claimant
}

var allClaims sync.Map // *clients.Set -> *claimRegistry

func claimsOf(set *clients.Set) *claimRegistry {
	c, _ := allClaims.LoadOrStore(set, &claimRegistry{objects: map[string]tftypes.Value{}})
	r, ok := c.(*claimRegistry)
	if !ok {
		panic(fmt.Sprintf("common: allClaims holds a %T", c))
	}
	return r
}

// ClaimObject records that the resource being planned (req) manages the
// object key of typeName and reports an error at attr (path.Empty() for the
// whole block) when another block of the same provider configuration
// already claimed it. key is compared without letter case; "" claims
// nothing (not known yet). what names the object for the message ("the
// tenant's audit configuration", "mailbox ann@contoso.com"); fix says what
// to do. Call it from ModifyPlan; destroy plans claim nothing.
func ClaimObject(set *clients.Set, req resource.ModifyPlanRequest, diags *diag.Diagnostics, attr path.Path, typeName, key, what, fix string) {
	if set == nil || key == "" || req.Plan.Raw.IsNull() {
		return
	}
	r := claimsOf(set)
	k := typeName + "\x00" + strings.ToLower(key)
	r.mu.Lock()
	prior, taken := r.objects[k]
	if !taken {
		r.objects[k] = req.Config.Raw
	}
	r.mu.Unlock()
	if !taken || prior.Equal(req.Config.Raw) {
		return
	}
	summary := "Object declared twice: " + what
	detail := fmt.Sprintf("Another %s block under the same provider configuration manages %s too (a count or for_each instance counts as a block). "+
		"Both would overwrite each other's settings on every apply, and the plan would never settle. %s\n\n"+
		"Terraform does not tell a provider the addresses of its resources, so this error is reported on one of the two blocks: look for the other %s block in the configuration.",
		typeName, what, fix, typeName)
	if len(attr.Steps()) == 0 {
		diags.AddError(summary, detail)
		return
	}
	diags.AddAttributeError(attr, summary, detail)
}

// ClaimSingleton claims a tenant-wide settings object, of which the tenant
// has exactly one (the organization's audit configuration, transport
// configuration, security defaults...): a second block of the type under
// the same provider configuration fails the plan. Call it from ModifyPlan.
func ClaimSingleton(set *clients.Set, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, typeName, what string) {
	ClaimObject(set, req, &resp.Diagnostics, path.Empty(), typeName, "tenant", what,
		fmt.Sprintf("The tenant has one %s: keep one %s block and merge the settings into it. "+
			"To stop managing the other block without changing the tenant, replace it with a `removed` block (lifecycle { destroy = false }).", what, typeName))
}
