package common

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
	objects map[string]claim // object key -> its claimant
}

// claim is the block that claimed an object first.
type claim struct {
	config tftypes.Value // its configuration
	what   string        // how it names the object
}

var allClaims sync.Map // *clients.Set -> *claimRegistry

func claimsOf(set *clients.Set) *claimRegistry {
	c, _ := allClaims.LoadOrStore(set, &claimRegistry{objects: map[string]claim{}})
	r, ok := c.(*claimRegistry)
	if !ok {
		panic(fmt.Sprintf("common: allClaims holds a %T", c))
	}
	return r
}

// ClaimObject records that the resource being planned (req) manages the
// object key of typeName and reports an error at attr (path.Empty() for the
// whole block) when another block of the same provider configuration
// already claimed it. key is compared without letter case and without
// surrounding spaces; "" claims nothing (not known yet). what names the
// object for the message ("audit configuration", "mailbox
// \"ann@contoso.com\""); when the other block names it another way, the
// message shows both. fix says what to do. Call it from ModifyPlan;
// destroy plans claim nothing.
func ClaimObject(set *clients.Set, req resource.ModifyPlanRequest, diags *diag.Diagnostics, attr path.Path, typeName, key, what, fix string) {
	key = strings.TrimSpace(key)
	if set == nil || key == "" || req.Plan.Raw.IsNull() {
		return
	}
	r := claimsOf(set)
	k := typeName + "\x00" + strings.ToLower(key)
	r.mu.Lock()
	prior, taken := r.objects[k]
	if !taken {
		r.objects[k] = claim{config: req.Config.Raw, what: what}
	}
	r.mu.Unlock()
	if !taken || prior.config.Equal(req.Config.Raw) {
		return
	}
	summary := "Object declared twice: " + what
	where := ""
	if len(attr.Steps()) > 0 {
		where = " (attribute " + attr.String() + ")"
	}
	other := ""
	if prior.what != what {
		other = fmt.Sprintf(" The other block names it as %s; this one as %s: both are the same object.", prior.what, what)
	}
	detail := fmt.Sprintf("Another %s block under the same provider configuration manages %s too%s (a count or for_each instance counts as a block).%s "+
		"Both would overwrite each other's settings on every apply, and the plan would never settle. %s\n\n"+
		"Terraform does not tell a provider the addresses of its resources, so this error is reported on one of the two blocks: look for the other %s block in the configuration.",
		typeName, what, where, other, fix, typeName)
	if len(attr.Steps()) == 0 {
		diags.AddError(summary, detail)
		return
	}
	diags.AddAttributeError(attr, summary, detail)
}

// ClaimName claims the object that the string attribute attr of the block
// being planned names: a policy's or rule's unique name, a domain, a Graph
// display name. Names are compared without regard to letter case (and
// surrounding spaces), as the provider compares Exchange names everywhere
// (FoldStateString): Microsoft documents no case rule for most of these
// names, so this is the stricter reading; for Graph display names, which
// Graph lets repeat, the provider refuses a second one in any case. A name
// not known until apply is claimed when Terraform plans the resource again
// during apply. what names the kind ("transport rule"). Call it from
// ModifyPlan.
func ClaimName(ctx context.Context, set *clients.Set, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, typeName, attr, what string) {
	claimAttr(ctx, set, req, resp, typeName, attr, func(name string) (string, string) {
		return fmt.Sprintf("%s %q", what, name),
			fmt.Sprintf("Give each block its own %s, or keep one block for this %s and merge the settings into it (to stop managing one block without changing the tenant, replace it with a `removed` block with lifecycle { destroy = false }).", attr, what)
	})
}

// ClaimRulePolicy claims, for a rule type whose rules each apply one
// policy, the policy the string attribute attr names: Exchange associates
// a policy with one rule at most (New-AntiPhishRule -AntiPhishPolicy:
// "you can't specify an anti-phish policy that's already associated with
// another anti-phish rule",
// https://learn.microsoft.com/powershell/module/exchangepowershell/new-antiphishrule#-antiphishpolicy;
// the same for Safe Links, Safe Attachments and outbound spam filter
// rules), so two rule blocks for one policy fail at apply. Call it from
// ModifyPlan.
func ClaimRulePolicy(ctx context.Context, set *clients.Set, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, typeName, attr, what string) {
	claimAttr(ctx, set, req, resp, typeName, attr, func(policy string) (string, string) {
		return fmt.Sprintf("the rule of %s %q", what, policy),
			fmt.Sprintf("Exchange associates a %s with one rule only: put the conditions into one rule, or give the second rule its own %s.", what, what)
	})
}

// claimAttr claims the value of the string attribute attr (when known) in
// its own key space; words returns the message's object and fix.
func claimAttr(ctx context.Context, set *clients.Set, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, typeName, attr string, words func(value string) (what, fix string)) {
	var v types.String
	if req.Plan.Raw.IsNull() || req.Config.GetAttribute(ctx, path.Root(attr), &v).HasError() || v.IsNull() || v.IsUnknown() {
		return
	}
	what, fix := words(v.ValueString())
	ClaimObject(set, req, &resp.Diagnostics, path.Root(attr), typeName, attr+"\x00"+strings.TrimSpace(v.ValueString()), what, fix)
}

// ClaimMailbox claims the mailbox (or account) that the identity attribute
// attr names, by its GUID when known (guid; a mailbox is the same object
// however it is named: user principal name, SMTP address, alias or GUID,
// in any letter case,
// https://learn.microsoft.com/powershell/module/exchangepowershell/get-mailbox#-identity),
// else by the identity as written. Call it from ModifyPlan with the GUID
// the identity resolves to ("" when it does not resolve).
func ClaimMailbox(set *clients.Set, req resource.ModifyPlanRequest, diags *diag.Diagnostics, attr path.Path, typeName, identity, guid string) {
	key := guid
	if key == "" {
		key = identity
	}
	ClaimObject(set, req, diags, attr, typeName, key, fmt.Sprintf("mailbox %q", identity),
		fmt.Sprintf("Keep one %s block for this mailbox and merge the settings into it.", typeName))
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
