package m365sim

import (
	"fmt"
	"strings"
)

// Mailbox audit bypass: Get/Set-MailboxAuditBypassAssociation.
// https://learn.microsoft.com/powershell/module/exchangepowershell/set-mailboxauditbypassassociation
// An account with AuditBypassEnabled $true is not audited at all when it
// accesses mailboxes (CIS 6.1.4 wants none). Every mailbox account has an
// association; the default is $false. Identity takes the account's name,
// alias, email address, GUID or UPN, as for mailboxes.

const kindAuditBypass = "MailboxAuditBypassAssociation"

func bypassObject(t *Tenant, mb Object) Object {
	guid := asString(mb["Guid"])
	enabled := false
	if o := t.Store.Get(kindAuditBypass, guid); o != nil {
		enabled, _ = o["AuditBypassEnabled"].(bool)
	}
	return Object{
		"Identity":           asString(mb["Identity"]),
		"Name":               asString(mb["Name"]),
		"Guid":               guid,
		"ObjectId":           asString(mb["ExternalDirectoryObjectId"]),
		"AuditBypassEnabled": enabled,
		"IsValid":            true,
	}
}

func init() {
	registerCmdlet(&Cmdlet{
		Name:      "Get-MailboxAuditBypassAssociation",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleAuditLogs, RoleViewOnlyAuditLogs, RoleViewOnlyConfiguration},
		Params: map[string]Param{
			"Identity":   {Type: TString},
			"ResultSize": {Type: TResultSize},
		},
		Run: func(c *Call) ([]Object, error) {
			if id := strings.TrimSpace(c.String("Identity")); id != "" {
				mb, cerr := resolveMailbox(c.Tenant, id)
				if cerr != nil {
					return nil, cerr
				}
				return []Object{bypassObject(c.Tenant, mb)}, nil
			}
			limit := defaultResultSize
			switch v := c.Params["ResultSize"].(type) {
			case int:
				limit = v
			case string:
				limit = -1
			}
			var out []Object
			more := false
			c.Tenant.Store.Scan(kindMailbox, func(o Object) bool {
				if limit >= 0 && len(out) >= limit {
					more = true
					return false
				}
				out = append(out, o)
				return true
			})
			for i, mb := range out {
				out[i] = bypassObject(c.Tenant, mb)
			}
			if more {
				c.Warn(warnMoreResults)
			}
			return out, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-MailboxAuditBypassAssociation",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleAuditLogs},
		Write:     true,
		Params: map[string]Param{
			"Identity":           {Type: TString},
			"AuditBypassEnabled": {Type: TBool},
			"Confirm":            {Type: TSwitch},
		},
		Run: func(c *Call) ([]Object, error) {
			mb, cerr := resolveMailbox(c.Tenant, c.String("Identity"))
			if cerr != nil {
				return nil, cerr
			}
			guid := asString(mb["Guid"])
			want, err := boundParam[bool](c, "AuditBypassEnabled")
			if err != nil {
				return nil, err
			}
			cur := bypassObject(c.Tenant, mb)
			if cur["AuditBypassEnabled"] == want {
				c.Warn(fmt.Sprintf("The command completed successfully but no settings of '%s' have been modified.", asString(mb["Identity"])))
				return nil, nil
			}
			c.Tenant.Store.Put(kindAuditBypass, guid, Object{"AuditBypassEnabled": want}, c.Lag)
			return nil, nil
		},
	})
}

// SetAuditBypass turns audit bypass on or off for a mailbox account, out of
// band (as an attacker hiding their tracks would).
func SetAuditBypass(s *Server, tenantID, identity string, enabled bool) error {
	_, err := s.Invoke(tenantID, EndpointExchange, "Set-MailboxAuditBypassAssociation", map[string]any{"Identity": identity, "AuditBypassEnabled": enabled})
	return err
}

// Whether an account's access to a mailbox is audited, as "Manage mailbox
// auditing" (https://learn.microsoft.com/purview/audit-mailboxes) describes
// it. The emulator serves no audit log search; tests and the docs use this
// model to say what really happens:
//
//   - Mailbox auditing on by default (Get-OrganizationConfig AuditDisabled
//     $false) "overrides the mailbox auditing settings on individual
//     mailboxes": a mailbox whose AuditEnabled is $false is still audited,
//     and turning the organization setting on does not change AuditEnabled
//     from $false to $true ("mailbox auditing on by default ignores the
//     AuditEnabled property on mailboxes"). Get-Mailbox keeps reporting the
//     flag as it was set.
//   - With AuditDisabled $true nothing is audited, "even if mailbox auditing
//     is enabled on a mailbox (the AuditEnabled property on the mailbox is
//     True)".
//   - An account with AuditBypassEnabled $true
//     (Set-MailboxAuditBypassAssociation) is not audited in any mailbox:
//     the per-account off switch.
//   - On-by-default auditing covers user, shared and Microsoft 365 Group
//     mailboxes; the page lists resource and public folder mailboxes as not
//     supported and says nothing of the other types, so the emulator counts
//     every other type as not audited (the stricter reading).

// auditedMailboxTypes are the RecipientTypeDetails that mailbox auditing on
// by default covers.
var auditedMailboxTypes = []string{"UserMailbox", "SharedMailbox", "GroupMailbox"}

// AuditedAccess reports whether what actor does in mailbox is audited, and
// why (or why not).
func AuditedAccess(s *Server, tenantID, mailbox, actor string) (bool, string, error) {
	t := s.Tenant(tenantID)
	if t == nil {
		return false, "", fmt.Errorf("no tenant %s", tenantID)
	}
	mb, cerr := resolveMailbox(t, mailbox)
	if cerr != nil {
		return false, "", cerr
	}
	who, cerr := resolveMailbox(t, actor)
	if cerr != nil {
		return false, "", cerr
	}
	org := t.Store.Get(kindOrganizationConfig, t.InitialDomain)
	if disabled, _ := org["AuditDisabled"].(bool); disabled {
		return false, "mailbox auditing is turned off for the organization (AuditDisabled $true); AuditEnabled on the mailbox does not matter", nil
	}
	if !containsFold(auditedMailboxTypes, asString(mb["RecipientTypeDetails"])) {
		return false, fmt.Sprintf("%s mailboxes are not covered by mailbox auditing on by default", asString(mb["RecipientTypeDetails"])), nil
	}
	if bypass, _ := bypassObject(t, who)["AuditBypassEnabled"].(bool); bypass {
		return false, fmt.Sprintf("%s bypasses mailbox audit logging (AuditBypassEnabled $true)", asString(who["UserPrincipalName"])), nil
	}
	if enabled, _ := mb["AuditEnabled"].(bool); !enabled {
		return true, "audited: mailbox auditing on by default ignores the mailbox's AuditEnabled $false", nil
	}
	return true, "audited: mailbox auditing on by default", nil
}
