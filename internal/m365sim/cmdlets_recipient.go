package m365sim

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Recipients other than mailboxes (mail-enabled groups), the recipient
// look-up that recipient-reference parameters share, and Get-Recipient.
//
//   - Get-Recipient -Identity takes "any value that uniquely identifies the
//     recipient" (name, alias, distinguished name, canonical DN, email
//     address, GUID) and returns mailboxes, groups, mail users and contacts
//     with Name, Alias, PrimarySmtpAddress, EmailAddresses, Guid,
//     RecipientType and RecipientTypeDetails; -RecipientTypeDetails filters.
//     https://learn.microsoft.com/powershell/module/exchangepowershell/get-recipient
//   - Groups a rule's *MemberOf conditions can name: distribution groups,
//     mail-enabled security groups and Microsoft 365 Groups
//     (RecipientTypeDetails MailUniversalDistributionGroup,
//     MailUniversalSecurityGroup, GroupMailbox).
//     https://learn.microsoft.com/powershell/module/exchangepowershell/new-hostedoutboundspamfilterrule
//
// Permissions: Get-Recipient needs "Mail Recipients" or "View-Only
// Recipients" (the latter is part of Security Administrator and Global
// Reader).

const kindGroup = "Group"

// GroupTypes are the RecipientTypeDetails of the groups the emulator seeds.
var GroupTypes = []string{"MailUniversalDistributionGroup", "MailUniversalSecurityGroup"}

// GroupSpec describes a mail-enabled group to add out of band.
type GroupSpec struct {
	// Name is the group's name; the alias defaults to it without blanks.
	Name  string `json:"name"`
	Alias string `json:"alias,omitempty"`
	// PrimarySmtpAddress defaults to alias@initial domain.
	PrimarySmtpAddress string `json:"primary_smtp_address,omitempty"`
	// Type is RecipientTypeDetails; default MailUniversalDistributionGroup.
	Type string `json:"type,omitempty"`
}

// AddGroup adds a mail-enabled group to a tenant, out of band, and returns it.
func AddGroup(s *Server, tenantID string, spec GroupSpec) (Object, error) {
	t := s.Tenant(tenantID)
	if t == nil {
		return nil, fmt.Errorf("no tenant %s", tenantID)
	}
	o, err := newGroupObject(t, spec)
	if err == nil {
		s.changed()
	}
	return o, err
}

func newGroupObject(t *Tenant, spec GroupSpec) (Object, error) {
	name := strings.TrimSpace(spec.Name)
	if name == "" {
		return nil, fmt.Errorf("group: a name is required")
	}
	alias := spec.Alias
	if alias == "" {
		alias = strings.ReplaceAll(name, " ", "")
	}
	primary := spec.PrimarySmtpAddress
	if primary == "" {
		primary = alias + "@" + t.InitialDomain
	}
	if !validSmtpAddress(primary) {
		return nil, fmt.Errorf("group %s: %q is not an SMTP address", name, primary)
	}
	ty := spec.Type
	if ty == "" {
		ty = GroupTypes[0]
	}
	canon, ok := matchEnum(GroupTypes, ty)
	if !ok {
		return nil, fmt.Errorf("group %s: unknown type %q (one of %s)", name, ty, strings.Join(GroupTypes, ", "))
	}
	for _, k := range []string{name, alias, primary} {
		if len(findRecipients(t, k)) > 0 {
			return nil, fmt.Errorf("group %s: %q is already used by another recipient", name, k)
		}
	}
	guid := newRequestID()
	o := Object{
		"Identity":                  name,
		"Name":                      name,
		"Alias":                     alias,
		"DisplayName":               name,
		"PrimarySmtpAddress":        primary,
		"WindowsEmailAddress":       primary,
		"EmailAddresses":            []string{"SMTP:" + primary},
		"Guid":                      guid,
		"ExternalDirectoryObjectId": newRequestID(),
		"DistinguishedName":         fmt.Sprintf("CN=%s,OU=%s,OU=Microsoft Exchange Hosted Organizations,DC=%sPR01A001,DC=PROD,DC=OUTLOOK,DC=COM", alias, t.InitialDomain, strings.ToUpper(t.Region)),
		"RecipientType":             canon,
		"RecipientTypeDetails":      canon,
	}
	t.Store.Put(kindGroup, guid, o, 0)
	return o, nil
}

// recipientMatches reports whether identity names the recipient (mailbox or
// group): GUID, name, alias, DN, UPN, any of its SMTP addresses.
func recipientMatches(o Object, id string) bool { return mailboxMatches(o, id) }

// findRecipients returns the mailboxes and groups an identity resolves to
// (store objects, not copies: do not modify).
func findRecipients(t *Tenant, id string) []Object {
	out := findMailboxes(t, id)
	id = strings.TrimSpace(id)
	if o := t.Store.Get(kindGroup, id); o != nil {
		return append(out, o)
	}
	t.Store.Scan(kindGroup, func(o Object) bool {
		if recipientMatches(o, id) {
			out = append(out, o)
		}
		return true
	})
	return out
}

// isGroup reports whether a recipient is a group a *MemberOf condition can
// name.
func isGroup(o Object) bool {
	switch asString(o["RecipientTypeDetails"]) {
	case "MailUniversalDistributionGroup", "MailUniversalSecurityGroup", "GroupMailbox":
		return true
	}
	return false
}

// resolveRecipientParam resolves one value of a RecipientIdParameter
// parameter to the recipient it names. want filters the kinds the
// parameter accepts and explains a mismatch ("" = accepted).
//
// Microsoft documents that the parameters take "any value that uniquely
// identifies" the recipient; it does not document the answer for a value
// that names nobody. The emulator takes the stricter reading and refuses it
// with the not-found error Exchange gives for other recipient parameters
// (Set-Mailbox -ForwardingAddress), and refuses an ambiguous value.
func resolveRecipientParam(t *Tenant, param, id string, want func(Object) string) (Object, *CmdletError) {
	found := findRecipients(t, id)
	switch len(found) {
	case 0:
		return nil, &CmdletError{Status: 404, Code: "NotFound",
			Exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
			Message:   fmt.Sprintf("Couldn't find object \"%s\". Please make sure that it was spelled correctly or specify a different object.", id)}
	case 1:
	default:
		return nil, &CmdletError{Status: 400, Code: "BadRequest", Exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException",
			Message: fmt.Sprintf("The operation couldn't be performed because '%s' matches multiple entries.", id)}
	}
	if why := want(found[0]); why != "" {
		return nil, errInvalidParam(param, fmt.Sprintf("The recipient \"%s\" can't be used here: %s.", id, why))
	}
	return found[0], nil
}

// recipientView is what Get-Recipient reports for a mailbox or group.
func recipientView(o Object) Object {
	out := Object{}
	for _, k := range []string{"Identity", "Name", "Alias", "DisplayName", "PrimarySmtpAddress", "WindowsEmailAddress", "EmailAddresses",
		"Guid", "ExternalDirectoryObjectId", "DistinguishedName", "RecipientType", "RecipientTypeDetails"} {
		out[k] = cloneValue(o[k])
	}
	return out
}

func init() {
	registerCmdlet(&Cmdlet{
		Name:      "Get-Recipient",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleMailRecipients, RoleViewOnlyRecipients},
		Params: map[string]Param{
			"Identity":             {Type: TString},
			"RecipientTypeDetails": {Type: TStrings},
			"ResultSize":           {Type: TResultSize},
		},
		Run: func(c *Call) ([]Object, error) {
			types, _ := c.Params["RecipientTypeDetails"].([]string)
			keep := func(o Object) bool {
				return len(types) == 0 || containsFold(types, asString(o["RecipientTypeDetails"]))
			}
			if c.Has("Identity") {
				id := c.String("Identity")
				var out []Object
				for _, o := range findRecipients(c.Tenant, id) {
					if keep(o) {
						out = append(out, recipientView(o))
					}
				}
				switch len(out) {
				case 0:
					return nil, errNotFound(id, c.Tenant)
				case 1:
					return out, nil
				}
				return nil, &CmdletError{Status: 400, Code: "BadRequest", Exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException",
					Message: fmt.Sprintf("The operation couldn't be performed because '%s' matches multiple entries.", id)}
			}
			var out []Object
			for _, kind := range []string{kindMailbox, kindGroup} {
				c.Tenant.Store.Scan(kind, func(o Object) bool {
					if keep(o) {
						out = append(out, recipientView(o))
					}
					return true
				})
			}
			return limitResults(c, out), nil
		},
	})
	registerControlSeeder("groups", func(s *Server, t *Tenant, body []byte) (any, error) {
		var specs []GroupSpec
		if err := json.Unmarshal(body, &specs); err != nil {
			return nil, fmt.Errorf("groups seed: %w", err)
		}
		names := make([]string, 0, len(specs))
		for _, g := range specs {
			o, err := newGroupObject(t, g)
			if err != nil {
				return nil, err
			}
			names = append(names, asString(o["PrimarySmtpAddress"]))
		}
		return map[string]any{"created": names}, nil
	})
}
