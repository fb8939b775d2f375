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
