package m365sim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Routing by X-AnchorMailbox, and dehydrated organizations.
//
// Exchange Online's front door routes an InvokeCommand request to a mailbox
// server chosen by the X-AnchorMailbox header. Most cmdlets run anywhere;
// those that must run next to a particular mailbox fail on the wrong server
// with CmdletProxyNotAvailableException ("Cmdlet needs proxy. Current Server
// FQDN : ..., Required Server FQDN : ..."). What the captures show:
//
//   - Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true with no
//     anchor, or with the generic system mailbox
//     SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}, fails with 400
//     CmdletProxyNotAvailableException; disabling works with any anchor
//     (pnp/cli-microsoft365 #4677; CIPP #2661, fixed by anchoring that cmdlet
//     on the organization system mailbox
//     SystemMailbox{8cc370d3-822a-4ab8-a926-bb94bd0641a9}, addressed as
//     UPN:...@{initial domain} or APP:...@{tenant id} in CIPP's
//     New-ExoRequest).
//   - Mailbox-content cmdlets (Get-InboxRule -Mailbox, Get-Mailbox and
//     Set-Mailbox -Identity of one mailbox) are anchored by CIPP on the
//     mailbox itself, UPN:{the mailbox's UPN}, a GUID identity being resolved
//     to the UPN first (CIPP New-ExoRequest). What the service answers to
//     another anchor is not published: the emulator takes the stricter
//     reading and answers CmdletProxyNotAvailableException, so a client that
//     routes them elsewhere fails here rather than on a real tenant.
//
// Nothing shows other cmdlets failing for their anchor; they run with any.
// The control surface (another administrator's PowerShell session, which
// routes itself) is not checked.

// The two arbitration mailboxes clients anchor on.
const (
	genericSystemMailbox = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}"
	orgSystemMailbox     = "SystemMailbox{8cc370d3-822a-4ab8-a926-bb94bd0641a9}"
)

// mailboxContentCmdlets name, for each cmdlet that runs against one
// mailbox's content, the parameter that identifies the mailbox.
var mailboxContentCmdlets = map[string]string{
	"get-inboxrule": "Mailbox",
	"get-mailbox":   "Identity",
	"set-mailbox":   "Identity",
}

// anchorIsOrgMailbox reports whether an X-AnchorMailbox value names the
// tenant's organization system mailbox.
func anchorIsOrgMailbox(anchor string, t *Tenant) bool {
	kind, addr, ok := strings.Cut(anchor, ":")
	if !ok {
		return false
	}
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || !strings.EqualFold(local, orgSystemMailbox) {
		return false
	}
	switch strings.ToUpper(kind) {
	case "UPN":
		return strings.EqualFold(domain, t.InitialDomain)
	case "APP":
		return strings.EqualFold(domain, t.ID)
	}
	return false
}

// checkRouting returns the CmdletProxyNotAvailableException the service
// answers when a cmdlet ran on the server the anchor chose but needs
// another, or nil.
func checkRouting(c *Call, anchor string) *CmdletError {
	if c.Endpoint != EndpointExchange || c.Principal.Admin {
		return nil
	}
	t := c.Tenant
	name := strings.ToLower(c.Cmdlet.Name)
	if name == "set-adminauditlogconfig" {
		if v, _ := c.Params["UnifiedAuditLogIngestionEnabled"].(bool); v && !anchorIsOrgMailbox(anchor, t) {
			return errNeedsProxy(t, anchor, "org:"+orgSystemMailbox)
		}
		return nil
	}
	param, ok := mailboxContentCmdlets[name]
	if !ok {
		return nil
	}
	id := strings.TrimSpace(c.String(param))
	if id == "" {
		return nil // a listing, not one mailbox
	}
	mb := lookupMailbox(t, id, true)
	if mb == nil {
		return nil // the cmdlet answers not found itself
	}
	upn := asString(mb["UserPrincipalName"])
	if kind, addr, ok := strings.Cut(anchor, ":"); ok && strings.EqualFold(kind, "UPN") && strings.EqualFold(addr, upn) {
		return nil
	}
	return errNeedsProxy(t, anchor, "mbx:"+mailboxKey(mb))
}

func errNeedsProxy(t *Tenant, anchor, target string) *CmdletError {
	return &CmdletError{Status: http.StatusBadRequest, Code: "BadRequest",
		Exception: "Microsoft.Exchange.Configuration.Tasks.CmdletProxyNotAvailableException",
		Message: fmt.Sprintf("Cmdlet needs proxy. Current Server FQDN : %s, Required Server FQDN : %s",
			serverFQDN(t, "anchor:"+strings.ToLower(anchor)), serverFQDN(t, target))}
}

// proxyErrorBody is the 400 body of CmdletProxyNotAvailableException as
// captured: error.message carries the text itself (pnp/cli-microsoft365
// #4677) and details[].message is "|<type>|<text>" (CIPP #2661).
func proxyErrorBody(e *CmdletError, r *http.Request) map[string]any {
	return map[string]any{"error": map[string]any{
		"code":    e.Code,
		"message": e.Message,
		"details": []map[string]any{{"code": "Client", "target": "", "message": "|" + e.Exception + "|" + e.Message}},
		"innererror": map[string]any{
			"message":    e.Message,
			"type":       "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
			"stacktrace": "",
			"internalexception": map[string]any{
				"message":    e.Message,
				"type":       e.Exception,
				"stacktrace": "",
			},
			"request-id":        newRequestID(),
			"client-request-id": r.Header.Get("client-request-id"),
			"date":              time.Now().UTC().Format(time.RFC3339),
		},
	}}
}

// serverFQDN names a mailbox server the way Exchange Online's are named
// (AS8P190MB1862.EURP190.PROD.OUTLOOK.COM), stable per key.
func serverFQDN(t *Tenant, key string) string {
	sum := sha256.Sum256([]byte(t.ID + "\x00" + key))
	n := binary.BigEndian.Uint64(sum[:8])
	region := strings.ToUpper(t.Region)
	if len(region) > 3 {
		region = region[:3]
	}
	letters := "ABCDEFGHJKLMNPQRSTUVWXYZ"
	site := string([]byte{letters[n%24], letters[(n/24)%24]})
	return fmt.Sprintf("%s%dP%03dMB%04d.%sP%03d.PROD.OUTLOOK.COM", site, (n/576)%9+1, (n/5184)%1000, (n/5184000)%10000, region, (n/5184)%1000)
}

// Dehydrated organizations.
//
// A new tenant shares much of its configuration with others ("dehydrated",
// Get-OrganizationConfig IsDehydrated: True). Writes to organization-level
// configuration fail with InvalidOperationInDehydratedContextException "The
// command you tried to run isn't currently allowed in your organization. To
// run this command, you first need to run the command:
// Enable-OrganizationCustomization." until Enable-OrganizationCustomization
// has run (https://learn.microsoft.com/powershell/module/exchangepowershell/enable-organizationcustomization;
// captured for Set-AdminAuditLogConfig in MicrosoftLearning/MS-102T00 #171,
// for New-AntiPhishPolicy in Microsoft365DSC #136, for
// New-OrganizationRelationship in microsoft-365-docs #7403; transport rules
// and EOP policies are named by the hydration write-ups). Which other
// organization-level cmdlets are refused is not published: the emulator
// refuses every organization-level write it serves (the stricter reading),
// never per-mailbox writes.
//
// Enable-OrganizationCustomization takes a while to take effect (writes kept
// failing for up to an hour after it in MicrosoftLearning/10997 #63); run
// again, it fails with InvalidOperationException "This operation is not
// required. Organization is already enabled for customization."
// (office-docs-powershell #6497). The emulator answers the same while the
// first run is still taking effect (microsoft-365-docs #7403 saw the second
// run refused), the stricter reading.
var dehydratedRefused = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range []string{
		"Set-OrganizationConfig", "Set-AdminAuditLogConfig", "Set-IRMConfiguration",
		"New-TransportRule", "Set-TransportRule", "Remove-TransportRule", "Enable-TransportRule", "Disable-TransportRule",
		"New-RemoteDomain", "Set-RemoteDomain", "Remove-RemoteDomain",
		"New-HostedOutboundSpamFilterPolicy", "Set-HostedOutboundSpamFilterPolicy", "Remove-HostedOutboundSpamFilterPolicy",
		"New-HostedOutboundSpamFilterRule", "Set-HostedOutboundSpamFilterRule", "Remove-HostedOutboundSpamFilterRule",
		"Enable-HostedOutboundSpamFilterRule", "Disable-HostedOutboundSpamFilterRule",
		// Mail security and threat protection (New-AntiPhishPolicy is the
		// captured case, Microsoft365DSC #136; the others are organization
		// objects of the same kind, refused by the stricter reading).
		"Set-TransportConfig", "Set-ExternalInOutlook", "Set-SharingPolicy", "Set-HostedConnectionFilterPolicy",
		"New-DkimSigningConfig", "Set-DkimSigningConfig", "Rotate-DkimSigningConfig",
		"New-MalwareFilterPolicy", "Set-MalwareFilterPolicy", "Remove-MalwareFilterPolicy",
		"New-AntiPhishPolicy", "Set-AntiPhishPolicy", "Remove-AntiPhishPolicy",
		"New-AntiPhishRule", "Set-AntiPhishRule", "Remove-AntiPhishRule", "Enable-AntiPhishRule", "Disable-AntiPhishRule",
		"New-SafeLinksPolicy", "Set-SafeLinksPolicy", "Remove-SafeLinksPolicy",
		"New-SafeLinksRule", "Set-SafeLinksRule", "Remove-SafeLinksRule", "Enable-SafeLinksRule", "Disable-SafeLinksRule",
		"New-SafeAttachmentPolicy", "Set-SafeAttachmentPolicy", "Remove-SafeAttachmentPolicy",
		"New-SafeAttachmentRule", "Set-SafeAttachmentRule", "Remove-SafeAttachmentRule", "Enable-SafeAttachmentRule", "Disable-SafeAttachmentRule",
		// The preset security policies' rules: organization objects of the
		// same kind (the EOP and Defender policies they apply), refused by
		// the same stricter reading; no capture of either exists.
		"Set-EOPProtectionPolicyRule", "Enable-EOPProtectionPolicyRule", "Disable-EOPProtectionPolicyRule",
		"Set-ATPProtectionPolicyRule", "Enable-ATPProtectionPolicyRule", "Disable-ATPProtectionPolicyRule",
	} {
		m[strings.ToLower(n)] = true
	}
	return m
}()

// DefaultHydrationDelay is how long Enable-OrganizationCustomization takes
// to take effect unless a tenant says otherwise.
const DefaultHydrationDelay = 10 * time.Second

// hydration is a tenant's pending Enable-OrganizationCustomization.
type hydration struct {
	mu        sync.Mutex
	requested bool
	readyAt   time.Time
	delay     time.Duration // 0 = DefaultHydrationDelay; <0 = at once
}

var hydrations sync.Map // *Tenant -> *hydration

func hydrationOf(t *Tenant) *hydration {
	v, _ := hydrations.LoadOrStore(t, &hydration{delay: time.Duration(t.HydrationDelaySeconds * float64(time.Second))})
	h, ok := v.(*hydration)
	if !ok {
		panic("m365sim: hydration state of the wrong type")
	}
	return h
}

// settleHydration completes a pending Enable-OrganizationCustomization
// whose time has come.
func settleHydration(t *Tenant, now time.Time) {
	h := hydrationOf(t)
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.requested || now.Before(h.readyAt) {
		return
	}
	o := t.Store.GetLatest(kindOrganizationConfig, t.InitialDomain)
	if o != nil && o["IsDehydrated"] == true {
		o["IsDehydrated"] = false
		t.Store.Put(kindOrganizationConfig, t.InitialDomain, o, 0)
	}
	h.requested = false
}

// isDehydrated reports whether organization-level writes are refused.
func isDehydrated(t *Tenant) bool {
	o := t.Store.GetLatest(kindOrganizationConfig, t.InitialDomain)
	return o != nil && o["IsDehydrated"] == true
}

// requestHydration runs Enable-OrganizationCustomization: the first run on
// a dehydrated tenant is accepted and takes effect after the delay; any
// other run is refused.
func requestHydration(t *Tenant, now time.Time) *CmdletError {
	h := hydrationOf(t)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.requested || !isDehydrated(t) {
		return &CmdletError{Status: http.StatusBadRequest, Code: "BadRequest", Exception: "Microsoft.Exchange.Management.Tasks.InvalidOperationException",
			Message: "This operation is not required. Organization is already enabled for customization."}
	}
	d := h.delay
	if d == 0 {
		d = DefaultHydrationDelay
	}
	if d < 0 {
		d = 0
	}
	h.requested, h.readyAt = true, now.Add(d)
	return nil
}

func checkDehydrated(c *Call) *CmdletError {
	if c.Endpoint != EndpointExchange || !dehydratedRefused[strings.ToLower(c.Cmdlet.Name)] || !isDehydrated(c.Tenant) {
		return nil
	}
	return errInvalidOperation("The command you tried to run isn't currently allowed in your organization. To run this command, you first need to run the command: Enable-OrganizationCustomization.")
}

// SetDehydrated puts a tenant in (or out of) the dehydrated state, with the
// time Enable-OrganizationCustomization takes to take effect (0 = the
// default, negative = at once).
func (s *Server) SetDehydrated(tenantID string, dehydrated bool, hydrationDelay time.Duration) error {
	t := s.Tenant(tenantID)
	if t == nil {
		return fmt.Errorf("no tenant %s", tenantID)
	}
	h := hydrationOf(t)
	h.mu.Lock()
	h.requested, h.delay = false, hydrationDelay
	h.mu.Unlock()
	o := t.Store.GetLatest(kindOrganizationConfig, t.InitialDomain)
	if o == nil {
		return fmt.Errorf("tenant %s has no organization configuration", tenantID)
	}
	o["IsDehydrated"] = dehydrated
	t.Store.Put(kindOrganizationConfig, t.InitialDomain, o, 0)
	s.changed()
	return nil
}
