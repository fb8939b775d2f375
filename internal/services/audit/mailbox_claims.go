package audit

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// A mailbox managed both by m365harden_mailbox_audit and by an
// m365harden_mailbox_audit_baseline that covers it would be changed back and
// forth on every apply (the baseline adds its required actions, which takes
// a logon type off Microsoft's default list; the per-mailbox resource puts
// it back, and so on). mailboxClaims finds such a mailbox at plan time.
//
// Terraform plans every resource of a configuration in one provider
// process, each with its own ModifyPlan call, in no fixed order. Each call
// records what it manages here (per provider configuration: per client set)
// and checks it against what the other type recorded, under one lock, so
// whichever of the two plans second sees the other and fails the plan. With
// -target only some resources are planned, and the check covers those.
type mailboxClaims struct {
	mu        sync.Mutex
	mailboxes map[string]mailboxClaim // by lower-case GUID or identity
	baselines []baselineRule
}

// mailboxClaim is one m365harden_mailbox_audit resource's mailbox.
type mailboxClaim struct {
	identity string
	guid     string // "" before the resource exists
}

var allMailboxClaims sync.Map // *clients.Set -> *mailboxClaims

func claimsFor(set *clients.Set) *mailboxClaims {
	c, _ := allMailboxClaims.LoadOrStore(set, &mailboxClaims{mailboxes: map[string]mailboxClaim{}})
	claims, ok := c.(*mailboxClaims)
	if !ok {
		panic(fmt.Sprintf("audit: allMailboxClaims holds a %T", c))
	}
	return claims
}

// checkMailboxClaim records a m365harden_mailbox_audit resource's mailbox
// and fails the plan when a baseline of the same run covers it.
func checkMailboxClaim(ctx context.Context, set *clients.Set, identity, guid types.String, diags *diag.Diagnostics) {
	if identity.IsNull() || identity.IsUnknown() {
		return
	}
	claim := mailboxClaim{identity: identity.ValueString()}
	if !guid.IsNull() && !guid.IsUnknown() {
		claim.guid = guid.ValueString()
	}
	claims := claimsFor(set)
	claims.mu.Lock()
	claims.mailboxes[claim.key()] = claim
	baselines := append([]baselineRule{}, claims.baselines...)
	claims.mu.Unlock()
	if len(baselines) == 0 {
		return
	}
	m := claim.resolve(ctx, set)
	if m == nil {
		return
	}
	for _, b := range baselines {
		if b.covers(m) {
			diags.AddAttributeError(path.Root("identity"), "Mailbox also enforced by a baseline", conflictDetail(m))
			return
		}
	}
}

// checkBaselineClaim records a baseline's rule and fails the plan when a
// m365harden_mailbox_audit of the same run manages a mailbox it covers.
func checkBaselineClaim(ctx context.Context, set *clients.Set, b baselineRule, diags *diag.Diagnostics) {
	claims := claimsFor(set)
	claims.mu.Lock()
	claims.baselines = append(claims.baselines, b)
	mailboxes := make([]mailboxClaim, 0, len(claims.mailboxes))
	for _, c := range claims.mailboxes {
		mailboxes = append(mailboxes, c)
	}
	claims.mu.Unlock()
	// Resolved together, so the cache answers them in batches.
	var (
		clash []string
		mu    sync.Mutex
		wg    sync.WaitGroup
	)
	for _, c := range mailboxes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m := c.resolve(ctx, set); m != nil && b.covers(m) {
				mu.Lock()
				clash = append(clash, m.UserPrincipalName)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(clash) == 0 {
		return
	}
	sort.Strings(clash)
	diags.AddAttributeError(path.Root("excluded_mailboxes"), "Mailboxes also managed by m365harden_mailbox_audit",
		fmt.Sprintf("These mailboxes have their own m365harden_mailbox_audit resource and are covered by this baseline: %s. "+
			"Each apply would undo the other's settings. Add them to excluded_mailboxes (the baseline then leaves them to their m365harden_mailbox_audit), or remove those resources.",
			strings.Join(clash, ", ")))
}

func conflictDetail(m *exchange.Mailbox) string {
	return fmt.Sprintf("Mailbox %s (%s) is covered by an m365harden_mailbox_audit_baseline in this configuration, which enforces its own audit settings on it: each apply would undo the other's. "+
		"Add %q to the baseline's excluded_mailboxes (it then leaves this mailbox to this resource), or remove this resource.",
		m.UserPrincipalName, m.RecipientTypeDetails, m.UserPrincipalName)
}

func (c mailboxClaim) key() string {
	if c.guid != "" {
		return strings.ToLower(c.guid)
	}
	return strings.ToLower(c.identity)
}

// resolve finds the claimed mailbox; nil when it does not exist (yet) or
// cannot be read, in which case Read and apply report the problem.
func (c mailboxClaim) resolve(ctx context.Context, set *clients.Set) *exchange.Mailbox {
	cache := auditCacheFor(set)
	var m *exchange.Mailbox
	var err error
	if c.guid != "" {
		m, err = cache.getByGUID(ctx, c.guid)
	} else {
		m, err = cache.get(ctx, c.identity)
	}
	if err != nil {
		return nil
	}
	return m
}

// claimMailbox fails the plan of a second block of typeName
// (m365harden_mailbox_audit, m365harden_mailbox_audit_bypass) for the same
// mailbox, however each names it (user principal name, SMTP address,
// alias, GUID, in any letter case: Exchange resolves them all,
// https://learn.microsoft.com/powershell/module/exchangepowershell/get-mailbox#-identity).
// The mailbox is keyed by its GUID: the one in state, or the one the
// identity resolves to; a mailbox that does not exist yet is keyed by the
// identity as written.
func claimMailbox(ctx context.Context, set *clients.Set, req resource.ModifyPlanRequest, typeName string, identity, guid types.String, diags *diag.Diagnostics) {
	if set == nil || identity.IsNull() || identity.IsUnknown() {
		return
	}
	key := ""
	if !guid.IsNull() && !guid.IsUnknown() {
		key = guid.ValueString()
	} else if m := (mailboxClaim{identity: identity.ValueString()}).resolve(ctx, set); m != nil {
		key = m.Guid
	}
	common.ClaimMailbox(set, req, diags, path.Root("identity"), typeName, identity.ValueString(), key)
}

// claimPlannedMailbox is claimMailbox for a resource whose state holds the
// mailbox's GUID in id: the GUID in state serves while the identity is
// spelled as in state; another spelling is resolved.
func claimPlannedMailbox(ctx context.Context, set *clients.Set, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, typeName string) {
	var identity, guid, prior types.String
	if set == nil || req.Plan.Raw.IsNull() || req.Plan.GetAttribute(ctx, path.Root("identity"), &identity).HasError() {
		return
	}
	if req.State.Raw.IsNull() || req.State.GetAttribute(ctx, path.Root("identity"), &prior).HasError() ||
		!strings.EqualFold(prior.ValueString(), identity.ValueString()) || req.State.GetAttribute(ctx, path.Root("id"), &guid).HasError() {
		guid = types.StringUnknown()
	}
	claimMailbox(ctx, set, req, typeName, identity, guid, &resp.Diagnostics)
}
