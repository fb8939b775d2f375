package exchange

import (
	"context"
	"regexp"
	"strings"
	"sync"
)

// Routing: the X-AnchorMailbox header tells Exchange Online's front door
// which mailbox server should run a call. Most cmdlets run anywhere and are
// anchored on the generic arbitration mailbox (as the ExchangeOnlineManagement
// module and CISA ScubaGear do). Two kinds must run next to a particular
// mailbox:
//
//   - organization and audit configuration (Get/Set-AdminAuditLogConfig,
//     Get/Set-OrganizationConfig, Enable-OrganizationCustomization) on the
//     organization system mailbox: Set-AdminAuditLogConfig
//     -UnifiedAuditLogIngestionEnabled $true anchored elsewhere fails with
//     CmdletProxyNotAvailableException "Cmdlet needs proxy"
//     (pnp/cli-microsoft365 #4677, CIPP #2661). CIPP's New-ExoRequest
//     addresses it as APP:SystemMailbox{8cc370d3-...}@{tenant id}, which
//     needs no look-up of the initial domain (and no Graph permission);
//   - mailbox content (Get-InboxRule -Mailbox, Get/Set-Mailbox -Identity)
//     on the mailbox itself, UPN:{its user principal name} (CIPP anchors on
//     the identity, resolving a GUID to the UPN first).
//
// Security & Compliance takes UPN:SystemMailbox{bb558c35-...}@{initial domain}.
const (
	genericSystemMailbox = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}"
	orgSystemMailbox     = "SystemMailbox{8cc370d3-822a-4ab8-a926-bb94bd0641a9}"
)

var orgMailboxCmdlets = map[string]bool{
	"get-adminauditlogconfig":          true,
	"set-adminauditlogconfig":          true,
	"get-organizationconfig":           true,
	"set-organizationconfig":           true,
	"enable-organizationcustomization": true,
}

// mailboxContentCmdlets name the parameter that identifies the mailbox.
var mailboxContentCmdlets = map[string]string{
	"get-inboxrule": "Mailbox",
	"get-mailbox":   "Identity",
	"set-mailbox":   "Identity",
}

// mailboxParam returns the mailbox a mailbox-content call is about, or "".
func mailboxParam(cmdlet string, params map[string]any) string {
	p, ok := mailboxContentCmdlets[strings.ToLower(cmdlet)]
	if !ok {
		return ""
	}
	s, _ := params[p].(string)
	return strings.TrimSpace(s)
}

// anchorFor picks the X-AnchorMailbox of a call.
func (c *Client) anchorFor(ctx context.Context, cmdlet string, params map[string]any) (string, error) {
	if c.cfg.Compliance {
		if c.cfg.InitialDomain == nil {
			return "", &Error{Service: c.service(), Cmdlet: cmdlet, Message: "the Security & Compliance client needs the tenant's initial domain"}
		}
		d, err := c.cfg.InitialDomain(ctx)
		if err != nil {
			return "", err
		}
		return "UPN:" + genericSystemMailbox + "@" + d, nil
	}
	if orgMailboxCmdlets[strings.ToLower(cmdlet)] {
		return "APP:" + orgSystemMailbox + "@" + c.cfg.TenantID, nil
	}
	if id := mailboxParam(cmdlet, params); id != "" {
		upn := c.mailboxes.lookup(id)
		if upn == "" && strings.Contains(id, "@") {
			// Most often the UPN itself: no look-up. A primary SMTP
			// address that differs is rerouted after the service says so.
			upn = id
		}
		if upn == "" {
			var err error
			if upn, err = c.resolveMailboxUPN(ctx, id); err != nil {
				return "", err
			}
		}
		if upn != "" {
			return "UPN:" + upn, nil
		}
		// Not found: any server answers that.
	}
	return "APP:" + genericSystemMailbox + "@" + c.cfg.TenantID, nil
}

// reroute looks a mailbox up again after the service said the call needs
// another server, and returns the new anchor when it differs.
func (c *Client) reroute(ctx context.Context, cmdlet string, params map[string]any, old string) (string, bool) {
	id := mailboxParam(cmdlet, params)
	if id == "" {
		return "", false
	}
	c.mailboxes.forget(id)
	upn, err := c.resolveMailboxUPN(ctx, id)
	if err != nil || upn == "" || strings.EqualFold("UPN:"+upn, old) {
		return "", false
	}
	return "UPN:" + upn, true
}

// mailboxFilter is an OPATH filter that finds a mailbox by the identity
// forms callers use: GUIDs, addresses, aliases and names.
func mailboxFilter(id string) string {
	q := QuoteOPATH(id)
	switch {
	case guidRe.MatchString(id):
		return "Guid -eq " + q + " -or ExternalDirectoryObjectId -eq " + q
	case strings.Contains(id, "@"):
		return "UserPrincipalName -eq " + q + " -or PrimarySmtpAddress -eq " + q + " -or EmailAddresses -eq " + QuoteOPATH("smtp:"+StripSMTPPrefix(id))
	default:
		return "Alias -eq " + q + " -or Name -eq " + q
	}
}

var guidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// resolveMailboxUPN finds a mailbox's UPN with one Get-Mailbox -Filter
// listing (a directory search, which any server answers). It returns ""
// when no single mailbox matches.
func (c *Client) resolveMailboxUPN(ctx context.Context, id string) (string, error) {
	objs, err := c.Invoke(ctx, "Get-Mailbox", map[string]any{"Filter": mailboxFilter(id), "ResultSize": 2},
		Select("UserPrincipalName", "Guid", "ExternalDirectoryObjectId", "Alias", "PrimarySmtpAddress", "Identity"))
	if err != nil {
		return "", err
	}
	if len(objs) != 1 {
		return "", nil
	}
	upn := objs[0].String("UserPrincipalName")
	if upn != "" {
		c.mailboxes.put(id, upn)
	}
	return upn, nil
}

// upnCache maps mailbox identities to UPNs so that a mailbox read once is
// routed without a look-up. It is bounded: past maxEntries, nothing is
// added (a look-up costs one call, not correctness).
type upnCache struct {
	mu sync.Mutex
	m  map[string]string
}

const upnCacheMax = 100_000

func (u *upnCache) lookup(id string) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.m[strings.ToLower(id)]
}

func (u *upnCache) put(id, upn string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m == nil {
		u.m = map[string]string{}
	}
	if len(u.m) < upnCacheMax {
		u.m[strings.ToLower(id)] = upn
	}
}

func (u *upnCache) forget(id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.m, strings.ToLower(id))
}

// remember records a Get-Mailbox result. From a single mailbox every
// identity form is kept; from listings only the mailbox GUID (unique, and
// what callers pass back when they act on a listed mailbox): one entry per
// listed mailbox, at most upnCacheMax.
func (u *upnCache) remember(o Object, single bool) {
	upn := o.String("UserPrincipalName")
	if upn == "" {
		return
	}
	keys := []string{"Guid"}
	if single {
		keys = append(keys, "ExternalDirectoryObjectId", "UserPrincipalName", "PrimarySmtpAddress", "Alias", "Identity", "Name")
	}
	for _, k := range keys {
		if v := o.String(k); v != "" {
			u.put(v, upn)
		}
	}
}
