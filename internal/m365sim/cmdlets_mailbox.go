package m365sim

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Mailboxes: Get-Mailbox and Set-Mailbox (the audit and forwarding
// parameters), and the seeding API tests and benchmarks use.
//
//   - Get-Mailbox: https://learn.microsoft.com/powershell/module/exchangepowershell/get-mailbox
//     Identity takes any value that uniquely identifies the mailbox (name,
//     alias, email address, GUID, UPN); -ResultSize defaults to 1000;
//     -RecipientTypeDetails filters by subtype; -Filter takes OPATH (opath.go).
//   - Set-Mailbox: https://learn.microsoft.com/powershell/module/exchangepowershell/set-mailbox
//     AuditAdmin/AuditDelegate/AuditOwner take per-logon-type action lists;
//     DefaultAuditSet reverts a logon type to Microsoft's managed list, and
//     customising a list removes that logon type from DefaultAuditSet.
//     AuditLogAgeLimit is a time span, default 90 days. ForwardingAddress must
//     name an internal recipient; ForwardingSmtpAddress is a ProxyAddress,
//     reported as "smtp:user@domain"; DeliverToMailboxAndForward defaults to
//     $false.
//   - Default audited actions per logon type and the E5-only actions
//     (MailItemsAccessed, Send, SearchQueryInitiated):
//     https://learn.microsoft.com/purview/audit-mailboxes
//     Auditing is on by default for new mailboxes (AuditEnabled $true).

const kindMailbox = "Mailbox"

// MailboxTypes are the RecipientTypeDetails values of Get-Mailbox (from the
// cmdlet reference).
var MailboxTypes = refValues("Get-Mailbox", "RecipientTypeDetails")

// Valid audit actions per logon type in Exchange Online: the Set-Mailbox
// reference's lists plus the Audit (Premium) actions, as recorded in the
// cmdlet catalogue (cmdletref/deviations.go). The emulator reports a
// logon type's actions in this order.
var (
	AuditAdminActions    = refValues("Set-Mailbox", "AuditAdmin")
	AuditDelegateActions = refValues("Set-Mailbox", "AuditDelegate")
	AuditOwnerActions    = refValues("Set-Mailbox", "AuditOwner")
)

// The Microsoft-managed default sets (audit-mailboxes page, "Mailbox actions
// logged by default"); the E5 extras apply when the tenant has Audit (Premium).
var (
	defaultAuditAdmin = []string{"ApplyRecord", "Create", "HardDelete", "MoveToDeletedItems", "SendAs", "SendOnBehalf",
		"SoftDelete", "Update", "UpdateCalendarDelegation", "UpdateFolderPermissions", "UpdateInboxRules"}
	defaultAuditDelegate = []string{"ApplyRecord", "Create", "HardDelete", "MoveToDeletedItems", "SendAs", "SendOnBehalf",
		"SoftDelete", "Update", "UpdateFolderPermissions", "UpdateInboxRules"}
	defaultAuditOwner = []string{"ApplyRecord", "HardDelete", "MoveToDeletedItems", "SoftDelete", "Update",
		"UpdateCalendarDelegation", "UpdateFolderPermissions", "UpdateInboxRules"}
)

// logonTypes maps DefaultAuditSet values to their property and valid list.
var logonTypes = []struct {
	Name, Prop string
	Valid      []string
}{
	{"Admin", "AuditAdmin", AuditAdminActions},
	{"Delegate", "AuditDelegate", AuditDelegateActions},
	{"Owner", "AuditOwner", AuditOwnerActions},
}

// DefaultAuditActions returns Microsoft's default list for a logon type
// ("Admin", "Delegate", "Owner") in a tenant with or without Audit (Premium).
func DefaultAuditActions(logonType string, premium bool) []string {
	var base, extra []string
	switch logonType {
	case "Admin":
		base, extra = defaultAuditAdmin, []string{"MailItemsAccessed", "Send"}
	case "Delegate":
		base, extra = defaultAuditDelegate, []string{"MailItemsAccessed"}
	case "Owner":
		base, extra = defaultAuditOwner, []string{"MailItemsAccessed", "Send"}
	default:
		return nil
	}
	out := append([]string{}, base...)
	if premium {
		out = append(out, extra...)
	}
	for _, lt := range logonTypes {
		if lt.Name == logonType {
			return orderActions(out, lt.Valid)
		}
	}
	return out
}

// orderActions returns the actions in the service's order, deduplicated.
func orderActions(actions, valid []string) []string {
	out := make([]string, 0, len(actions))
	for _, v := range valid {
		if containsFold(actions, v) {
			out = append(out, v)
		}
	}
	return out
}

// mailboxFilterable are the Get-Mailbox -Filter properties the emulator
// knows (a subset of "Filterable properties for the Filter parameter",
// https://learn.microsoft.com/powershell/exchange/filter-properties).
var mailboxFilterable = func() map[string]opathProp {
	m := map[string]opathProp{}
	for _, p := range []opathProp{
		{"Alias", opathString}, {"AuditEnabled", opathBool}, {"DeliverToMailboxAndForward", opathBool},
		{"DisplayName", opathString}, {"EmailAddresses", opathMulti}, {"ExternalDirectoryObjectId", opathString},
		{"ForwardingAddress", opathString}, {"ForwardingSmtpAddress", opathString}, {"Guid", opathString},
		{"Name", opathString}, {"PrimarySmtpAddress", opathString}, {"RecipientType", opathString},
		{"RecipientTypeDetails", opathString}, {"UserPrincipalName", opathString}, {"WindowsEmailAddress", opathString},
	} {
		m[strings.ToLower(p.Name)] = p
	}
	return m
}()

const defaultResultSize = 1000

// The warnings Exchange prints when -ResultSize cuts a listing short.
const (
	warnDefaultResultSize = "By default, only the first 1000 items are returned. Use the ResultSize parameter to specify the number of items returned. To return all items, specify \"-ResultSize Unlimited\". Be aware that, depending on the actual number of items, returning all items can take a long time and consume a large amount of memory. Also, we don't recommend storing the results in a variable. Instead, pipe the results to another task or script to perform batch changes."
	warnMoreResults       = "There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter."
)

// auditParamRoles hold the Audit* parameters of Set-Mailbox; the other
// parameters (forwarding) need Mail Recipients. Exchange RBAC hides
// parameters a role does not include, so using one fails at binding.
var (
	mailboxWriteRoles = []string{RoleMailRecipients}
	auditParamRoles   = []string{RoleMailRecipients, RoleAuditLogs}
	mailboxAuditParam = map[string]bool{"AuditEnabled": true, "AuditLogAgeLimit": true, "AuditAdmin": true,
		"AuditDelegate": true, "AuditOwner": true, "DefaultAuditSet": true}
)

func init() {
	registerCmdlet(&Cmdlet{
		Name:      "Get-Mailbox",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleMailRecipients, RoleViewOnlyRecipients, RoleAuditLogs, RoleViewOnlyAuditLogs},
		Params: map[string]Param{
			"Identity":             {Type: TString},
			"Filter":               {Type: TString},
			"ResultSize":           {Type: TResultSize},
			"RecipientTypeDetails": {Type: TStrings},
		},
		Run: runGetMailbox,
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-Mailbox",
		Endpoints: []string{EndpointExchange},
		Roles:     auditParamRoles,
		Write:     true,
		Params: map[string]Param{
			"Identity":                   {Type: TString},
			"AuditEnabled":               {Type: TBool},
			"AuditLogAgeLimit":           {Type: TTimeSpan, Validate: validateAuditAge},
			"AuditAdmin":                 {Type: TStrings},
			"AuditDelegate":              {Type: TStrings},
			"AuditOwner":                 {Type: TStrings},
			"DefaultAuditSet":            {Type: TStrings},
			"ForwardingAddress":          {Type: TString, Nullable: true},
			"ForwardingSmtpAddress":      {Type: TString, Nullable: true, Validate: validateForwardingSmtp},
			"DeliverToMailboxAndForward": {Type: TBool},
			"Force":                      {Type: TSwitch},
			"Confirm":                    {Type: TSwitch},
		},
		Run: runSetMailbox,
	})
	registerControlSeeder("mailboxes", func(s *Server, t *Tenant, body []byte) (any, error) {
		var spec MailboxSeed
		if len(body) > 0 {
			if err := json.Unmarshal(body, &spec); err != nil {
				return nil, fmt.Errorf("mailboxes seed: %w", err)
			}
		}
		objs, err := seedMailboxes(t, spec)
		if err != nil {
			return nil, err
		}
		ids := make([]string, 0, min(len(objs), 100))
		for _, o := range objs[:min(len(objs), 100)] {
			upn, ok := o["UserPrincipalName"].(string)
			if !ok {
				return nil, fmt.Errorf("mailboxes seed: mailbox %v has no UserPrincipalName string", o["Guid"])
			}
			ids = append(ids, upn)
		}
		return map[string]any{"created": len(objs), "first": ids}, nil
	})
}

func validateAuditAge(v any) error {
	d, _ := v.(time.Duration)
	if d < 0 || d > 24855*24*time.Hour {
		return errValidation(fmt.Sprintf("The value %s for AuditLogAgeLimit is out of range; it must be between 00:00:00 and 24855.00:00:00.", FormatTimeSpan(d)))
	}
	return nil
}

var proxyPrefixRe = regexp.MustCompile(`^([A-Za-z0-9]+):(.*)$`)

// mbxSMTP returns the bare address of "x@y" or "smtp:x@y", or false.
func mbxSMTP(s string) (string, bool) {
	addr := s
	if m := proxyPrefixRe.FindStringSubmatch(s); m != nil {
		if !strings.EqualFold(m[1], "smtp") {
			return "", false
		}
		addr = m[2]
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" || !strings.Contains(addr[strings.LastIndex(addr, "@")+1:], ".") {
		return "", false
	}
	return addr, true
}

func validateForwardingSmtp(v any) error {
	s, _ := v.(string)
	if v == nil || s == "" {
		return nil
	}
	if _, ok := mbxSMTP(s); !ok {
		return &CmdletError{Status: 400, Code: "BadRequest", Exception: "System.Management.Automation.ParameterBindingException",
			Message: fmt.Sprintf("Cannot bind parameter 'ForwardingSmtpAddress'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.ProxyAddress\". Error: \"The address '%s' is invalid: it isn't a valid SMTP address.\"", s, s)}
	}
	return nil
}

// mailboxMatches reports whether identity names the mailbox.
func mailboxMatches(o Object, id string) bool {
	for _, p := range []string{"Guid", "ExchangeGuid", "ExternalDirectoryObjectId", "UserPrincipalName", "PrimarySmtpAddress", "Alias", "Name", "DistinguishedName"} {
		if s, ok := o[p].(string); ok && s != "" && strings.EqualFold(s, id) {
			return true
		}
	}
	bare := id
	if a, ok := mbxSMTP(id); ok {
		bare = a
	}
	return anyValue(o["EmailAddresses"], func(s string) bool {
		_, addr, _ := strings.Cut(s, ":")
		return strings.EqualFold(addr, bare)
	})
}

// findMailboxes returns the mailboxes an identity resolves to (store
// objects, not copies: do not modify).
func findMailboxes(t *Tenant, id string) []Object {
	id = strings.TrimSpace(id)
	// Mailboxes are stored by GUID: a GUID identity needs no scan.
	if o := t.Store.Get(kindMailbox, id); o != nil {
		return []Object{o}
	}
	var out []Object
	t.Store.Scan(kindMailbox, func(o Object) bool {
		if mailboxMatches(o, id) {
			out = append(out, o)
		}
		return true
	})
	return out
}

// resolveMailbox returns one mailbox or Exchange's not-found / ambiguous error.
func resolveMailbox(t *Tenant, id string) (Object, *CmdletError) {
	found := findMailboxes(t, id)
	switch len(found) {
	case 0:
		return nil, errNotFound(id, t)
	case 1:
		return found[0], nil
	}
	return nil, &CmdletError{Status: 400, Code: "BadRequest", Exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException",
		Message: fmt.Sprintf("The operation couldn't be performed because '%s' matches multiple entries.", id)}
}

func runGetMailbox(c *Call) ([]Object, error) {
	var filter opathExpr
	if c.Has("Filter") {
		f, err := parseOPATH(c.String("Filter"), mailboxFilterable)
		if err != nil {
			return nil, err
		}
		filter = f
	}
	types, _ := c.Params["RecipientTypeDetails"].([]string)
	limit := defaultResultSize
	explicit := false
	switch v := c.Params["ResultSize"].(type) {
	case int:
		limit, explicit = v, true
	case string: // Unlimited
		limit, explicit = -1, true
	}
	id := strings.TrimSpace(c.String("Identity"))
	var out []Object
	more := false
	c.Tenant.Store.Scan(kindMailbox, func(o Object) bool {
		if id != "" && !mailboxMatches(o, id) {
			return true
		}
		if len(types) > 0 && !containsFold(types, asString(o["RecipientTypeDetails"])) {
			return true
		}
		if filter != nil && !filter.eval(o) {
			return true
		}
		if limit >= 0 && len(out) >= limit {
			more = true
			return false
		}
		out = append(out, o)
		return true
	})
	if id != "" {
		switch {
		case len(out) == 0:
			return nil, errNotFound(id, c.Tenant)
		case len(out) > 1 && filter == nil && len(types) == 0:
			return nil, &CmdletError{Status: 400, Code: "BadRequest", Exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException",
				Message: fmt.Sprintf("The operation couldn't be performed because '%s' matches multiple entries.", id)}
		}
	}
	if more {
		if explicit {
			c.Warn(warnMoreResults)
		} else {
			c.Warn(warnDefaultResultSize)
		}
	}
	return out, nil
}

func asString(v any) string { s, _ := v.(string); return s }

func runSetMailbox(c *Call) ([]Object, error) {
	if !c.Principal.Admin {
		for name := range c.Params {
			if name == "Identity" || name == "Force" || name == "Confirm" {
				continue
			}
			need := mailboxWriteRoles
			if mailboxAuditParam[name] {
				need = auditParamRoles
			}
			if !appHasAnyRole(c.Principal.App, need) {
				return nil, &CmdletError{Status: 400, Code: "BadRequest", Exception: "System.Management.Automation.ParameterBindingException",
					Message: fmt.Sprintf("A parameter cannot be found that matches parameter name '%s'.", name)}
			}
		}
	}
	found, cerr := resolveMailbox(c.Tenant, c.String("Identity"))
	if cerr != nil {
		return nil, cerr
	}
	guid := asString(found["Guid"])
	o := c.Tenant.Store.GetLatest(kindMailbox, guid)
	if o == nil {
		return nil, errNotFound(c.String("Identity"), c.Tenant)
	}
	before, _ := json.Marshal(o)

	premium := c.Tenant.Licences.AdvancedAuditing
	defaultSet := stringList(o["DefaultAuditSet"])
	var reset []string
	if c.Has("DefaultAuditSet") {
		reset = setMultiValued(nil, c.Params["DefaultAuditSet"])
	}
	for _, lt := range logonTypes {
		if !c.Has(lt.Prop) {
			continue
		}
		if containsFold(reset, lt.Name) {
			return nil, errValidation(fmt.Sprintf("The %s parameter can't be used together with DefaultAuditSet %s: DefaultAuditSet reverts that logon type to the default actions.", lt.Prop, lt.Name))
		}
		list := setMultiValued(o[lt.Prop], c.Params[lt.Prop])
		if containsFold(list, "None") {
			if len(list) > 1 {
				return nil, errValidation(fmt.Sprintf("The value None for %s can't be combined with other mailbox actions.", lt.Prop))
			}
			list = []string{}
		}
		o[lt.Prop] = orderActions(list, lt.Valid)
		defaultSet = removeFold(defaultSet, lt.Name)
	}
	for _, name := range reset {
		for _, lt := range logonTypes {
			if lt.Name == name {
				o[lt.Prop] = DefaultAuditActions(name, premium)
				if !containsFold(defaultSet, name) {
					defaultSet = append(defaultSet, name)
				}
			}
		}
	}
	o["DefaultAuditSet"] = orderActions(defaultSet, []string{"Admin", "Delegate", "Owner"})
	if c.Has("AuditEnabled") {
		o["AuditEnabled"] = c.Params["AuditEnabled"]
	}
	if c.Has("AuditLogAgeLimit") {
		age, err := boundParam[time.Duration](c, "AuditLogAgeLimit")
		if err != nil {
			return nil, err
		}
		o["AuditLogAgeLimit"] = FormatTimeSpan(age)
	}
	if c.Has("ForwardingAddress") {
		if v, _ := c.Params["ForwardingAddress"].(string); v == "" {
			o["ForwardingAddress"] = nil
		} else {
			target, cerr := resolveMailbox(c.Tenant, v)
			if cerr != nil {
				if cerr.Status == 404 {
					cerr.Message = fmt.Sprintf("Couldn't find object \"%s\". Please make sure that it was spelled correctly or specify a different object.", v)
				}
				return nil, cerr
			}
			o["ForwardingAddress"] = asString(target["Name"])
		}
	}
	if c.Has("ForwardingSmtpAddress") {
		if v, _ := c.Params["ForwardingSmtpAddress"].(string); v == "" {
			o["ForwardingSmtpAddress"] = nil
		} else {
			addr, _ := mbxSMTP(v)
			o["ForwardingSmtpAddress"] = "smtp:" + addr
		}
	}
	if c.Has("DeliverToMailboxAndForward") {
		o["DeliverToMailboxAndForward"] = c.Params["DeliverToMailboxAndForward"]
	}
	after, _ := json.Marshal(o)
	if string(before) == string(after) {
		// Exchange's answer to a Set-* that changes nothing.
		c.Warn(fmt.Sprintf("The command completed successfully but no settings of '%s' have been modified.", asString(o["Identity"])))
		return nil, nil
	}
	o["WhenChanged"] = c.Server.now().UTC().Format(time.RFC3339)
	c.Tenant.Store.Put(kindMailbox, guid, o, c.Lag)
	return nil, nil
}

// stringList reads a multi-valued property tolerantly ([]string, or []any
// after a snapshot reload).
func stringList(v any) []string {
	switch t := v.(type) {
	case []string:
		return append([]string{}, t...)
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return []string{}
}

func removeFold(list []string, v string) []string {
	out := list[:0:0]
	for _, x := range list {
		if !strings.EqualFold(x, v) {
			out = append(out, x)
		}
	}
	return out
}

// MailboxSpec describes one mailbox to add out of band (as a new hire's
// mailbox appears when a licence is assigned).
type MailboxSpec struct {
	// UPN is the user principal name; it is also the primary SMTP address
	// unless PrimarySmtpAddress is set. Required.
	UPN                string `json:"upn"`
	DisplayName        string `json:"display_name,omitempty"`
	Alias              string `json:"alias,omitempty"` // default: the UPN's local part
	PrimarySmtpAddress string `json:"primary_smtp_address,omitempty"`
	// Type is RecipientTypeDetails; default UserMailbox.
	Type string `json:"type,omitempty"`
	// AuditEnabled defaults to true (auditing on by default).
	AuditEnabled *bool `json:"audit_enabled,omitempty"`
	// AuditLogAgeLimitDays defaults to 90.
	AuditLogAgeLimitDays int `json:"audit_log_age_limit_days,omitempty"`
	// AuditAdmin/AuditDelegate/AuditOwner, when set, are customised lists
	// (the logon type leaves DefaultAuditSet).
	AuditAdmin    []string `json:"audit_admin,omitempty"`
	AuditDelegate []string `json:"audit_delegate,omitempty"`
	AuditOwner    []string `json:"audit_owner,omitempty"`
	// Forwarding settings; ForwardingAddress must name an existing mailbox.
	ForwardingSmtpAddress      string   `json:"forwarding_smtp_address,omitempty"`
	ForwardingAddress          string   `json:"forwarding_address,omitempty"`
	DeliverToMailboxAndForward bool     `json:"deliver_to_mailbox_and_forward,omitempty"`
	EmailAddresses             []string `json:"email_addresses,omitempty"` // extra proxy addresses ("smtp:x@y")
}

// MailboxSeed creates many mailboxes at once, deterministically: mailbox i
// (0-based) is <prefix><i>@<domain>, of type Types[i % len(Types)].
type MailboxSeed struct {
	Count  int      `json:"count"`
	Prefix string   `json:"prefix,omitempty"` // default "user"
	Domain string   `json:"domain,omitempty"` // default the tenant's initial domain
	Types  []string `json:"types,omitempty"`  // default UserMailbox
	// AuditDisabledEvery: every Nth mailbox (i % N == N-1) has AuditEnabled
	// $false. 0 = none.
	AuditDisabledEvery int `json:"audit_disabled_every,omitempty"`
	// CustomAuditEvery: every Nth mailbox has a customised AuditOwner list
	// (only MailboxLogin and HardDelete) and a 30-day age limit. 0 = none.
	CustomAuditEvery int `json:"custom_audit_every,omitempty"`
	// ForwardingEvery: every Nth mailbox forwards to ForwardingTo. 0 = none.
	ForwardingEvery int    `json:"forwarding_every,omitempty"`
	ForwardingTo    string `json:"forwarding_to,omitempty"` // default "archive@fabrikam.example"
	// Mailboxes are added after the generated ones.
	Mailboxes []MailboxSpec `json:"mailboxes,omitempty"`
}

// SeedMailboxes adds the mailboxes a MailboxSeed describes to a tenant and
// returns them.
func SeedMailboxes(s *Server, tenantID string, spec MailboxSeed) ([]Object, error) {
	t := s.Tenant(tenantID)
	if t == nil {
		return nil, fmt.Errorf("no tenant %s", tenantID)
	}
	out, err := seedMailboxes(t, spec)
	if err == nil {
		s.changed()
	}
	return out, err
}

// AddMailbox adds one mailbox to a tenant, out of band, and returns it.
func AddMailbox(s *Server, tenantID string, spec MailboxSpec) (Object, error) {
	out, err := SeedMailboxes(s, tenantID, MailboxSeed{Mailboxes: []MailboxSpec{spec}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// RemoveMailbox deletes a mailbox out of band (as removing the user's
// licence or deleting the user does).
func RemoveMailbox(s *Server, tenantID, identity string) error {
	t := s.Tenant(tenantID)
	if t == nil {
		return fmt.Errorf("no tenant %s", tenantID)
	}
	o, cerr := resolveMailbox(t, identity)
	if cerr != nil {
		return cerr
	}
	t.Store.Delete(kindMailbox, asString(o["Guid"]), 0)
	s.changed()
	return nil
}

func seedMailboxes(t *Tenant, spec MailboxSeed) ([]Object, error) {
	if spec.Count < 0 || spec.Count > 1_000_000 {
		return nil, fmt.Errorf("mailboxes seed: count %d out of range", spec.Count)
	}
	prefix := spec.Prefix
	if prefix == "" {
		prefix = "user"
	}
	domain := spec.Domain
	if domain == "" {
		domain = t.InitialDomain
	}
	types := spec.Types
	if len(types) == 0 {
		types = []string{"UserMailbox"}
	}
	for i, ty := range types {
		canon, ok := matchEnum(MailboxTypes, ty)
		if !ok {
			return nil, fmt.Errorf("mailboxes seed: unknown type %q (one of %s)", ty, strings.Join(MailboxTypes, ", "))
		}
		types[i] = canon
	}
	fwdTo := spec.ForwardingTo
	if fwdTo == "" {
		fwdTo = "archive@fabrikam.example"
	}
	every := func(n, i int) bool { return n > 0 && i%n == n-1 }
	specs := make([]MailboxSpec, 0, spec.Count+len(spec.Mailboxes))
	for i := 0; i < spec.Count; i++ {
		ms := MailboxSpec{UPN: fmt.Sprintf("%s%d@%s", prefix, i, domain), DisplayName: fmt.Sprintf("%s %d", prefix, i), Type: types[i%len(types)]}
		if every(spec.AuditDisabledEvery, i) {
			f := false
			ms.AuditEnabled = &f
		}
		if every(spec.CustomAuditEvery, i) {
			ms.AuditOwner = []string{"HardDelete", "MailboxLogin"}
			ms.AuditLogAgeLimitDays = 30
		}
		if every(spec.ForwardingEvery, i) {
			ms.ForwardingSmtpAddress = fwdTo
		}
		specs = append(specs, ms)
	}
	specs = append(specs, spec.Mailboxes...)

	// Addresses already taken, collected once so seeding stays linear.
	taken := map[string]bool{}
	t.Store.Scan(kindMailbox, func(o Object) bool {
		for _, p := range []string{"UserPrincipalName", "Alias", "Name"} {
			taken[strings.ToLower(asString(o[p]))] = true
		}
		for _, a := range stringList(o["EmailAddresses"]) {
			_, addr, _ := strings.Cut(a, ":")
			taken[strings.ToLower(addr)] = true
		}
		return true
	})
	premium := t.Licences.AdvancedAuditing
	objs := make([]Object, 0, len(specs))
	for _, ms := range specs {
		o, err := newMailboxObject(t, ms, premium, taken)
		if err != nil {
			return objs, err
		}
		objs = append(objs, o)
	}
	// Forwarding to a recipient resolves after all are created.
	for i, ms := range specs {
		if ms.ForwardingAddress == "" {
			continue
		}
		target, cerr := resolveMailbox(t, ms.ForwardingAddress)
		if cerr != nil {
			return objs, fmt.Errorf("mailbox %s: forwarding address: %s", ms.UPN, cerr.Message)
		}
		objs[i]["ForwardingAddress"] = asString(target["Name"])
		t.Store.Put(kindMailbox, asString(objs[i]["Guid"]), objs[i], 0)
	}
	return objs, nil
}

func newMailboxObject(t *Tenant, ms MailboxSpec, premium bool, taken map[string]bool) (Object, error) {
	upn := strings.TrimSpace(ms.UPN)
	if _, ok := mbxSMTP(upn); !ok {
		return nil, fmt.Errorf("mailbox: UPN %q is not an address", ms.UPN)
	}
	local, _, _ := strings.Cut(upn, "@")
	alias := ms.Alias
	if alias == "" {
		alias = local
	}
	primary := ms.PrimarySmtpAddress
	if primary == "" {
		primary = upn
	}
	ty := ms.Type
	if ty == "" {
		ty = "UserMailbox"
	}
	canonType, ok := matchEnum(MailboxTypes, ty)
	if !ok {
		return nil, fmt.Errorf("mailbox %s: unknown type %q", upn, ty)
	}
	for _, k := range []string{upn, alias, primary} {
		if taken[strings.ToLower(k)] {
			return nil, fmt.Errorf("mailbox %s: %q is already used by another recipient", upn, k)
		}
	}
	display := ms.DisplayName
	if display == "" {
		display = alias
	}
	addrs := []string{"SMTP:" + primary}
	for _, a := range ms.EmailAddresses {
		if _, ok := mbxSMTP(a); !ok {
			return nil, fmt.Errorf("mailbox %s: proxy address %q is not an SMTP address", upn, a)
		}
		if !strings.Contains(a, ":") {
			a = "smtp:" + a
		}
		addrs = append(addrs, "smtp:"+strings.SplitN(a, ":", 2)[1])
	}
	if !strings.EqualFold(upn, primary) {
		addrs = append(addrs, "smtp:"+upn)
	}
	age := ms.AuditLogAgeLimitDays
	if age == 0 {
		age = 90
	}
	enabled := true
	if ms.AuditEnabled != nil {
		enabled = *ms.AuditEnabled
	}
	// Fresh GUIDs: a mailbox deleted and created again with the same UPN is
	// a new object, as in the service.
	guid := newRequestID()
	recipientType := "UserMailbox"
	if canonType == "GroupMailbox" {
		recipientType = "MailUniversalDistributionGroup"
	}
	o := Object{
		"Identity":                   alias,
		"Name":                       alias,
		"Alias":                      alias,
		"DisplayName":                display,
		"UserPrincipalName":          upn,
		"PrimarySmtpAddress":         primary,
		"WindowsEmailAddress":        primary,
		"EmailAddresses":             addrs,
		"ExternalDirectoryObjectId":  newRequestID(),
		"Guid":                       guid,
		"ExchangeGuid":               newRequestID(),
		"DistinguishedName":          fmt.Sprintf("CN=%s,OU=%s,OU=Microsoft Exchange Hosted Organizations,DC=%sPR01A001,DC=PROD,DC=OUTLOOK,DC=COM", alias, t.InitialDomain, strings.ToUpper(t.Region)),
		"RecipientType":              recipientType,
		"RecipientTypeDetails":       canonType,
		"IsMailboxEnabled":           true,
		"AuditEnabled":               enabled,
		"AuditLogAgeLimit":           FormatTimeSpan(time.Duration(age) * 24 * time.Hour),
		"DefaultAuditSet":            []string{},
		"ForwardingAddress":          nil,
		"ForwardingSmtpAddress":      nil,
		"DeliverToMailboxAndForward": ms.DeliverToMailboxAndForward,
		"WhenCreated":                "2024-01-01T00:00:00Z",
	}
	var defaults []string
	for _, lt := range logonTypes {
		var custom []string
		switch lt.Name {
		case "Admin":
			custom = ms.AuditAdmin
		case "Delegate":
			custom = ms.AuditDelegate
		case "Owner":
			custom = ms.AuditOwner
		}
		if custom == nil {
			o[lt.Prop] = DefaultAuditActions(lt.Name, premium)
			defaults = append(defaults, lt.Name)
			continue
		}
		for _, a := range custom {
			if !containsFold(lt.Valid, a) {
				return nil, fmt.Errorf("mailbox %s: %q is not a valid %s action", upn, a, lt.Prop)
			}
		}
		o[lt.Prop] = orderActions(custom, lt.Valid)
	}
	o["DefaultAuditSet"] = defaults
	if ms.ForwardingSmtpAddress != "" {
		addr, ok := mbxSMTP(ms.ForwardingSmtpAddress)
		if !ok {
			return nil, fmt.Errorf("mailbox %s: forwarding address %q is not an SMTP address", upn, ms.ForwardingSmtpAddress)
		}
		o["ForwardingSmtpAddress"] = "smtp:" + addr
	}
	for _, k := range []string{upn, alias, primary} {
		taken[strings.ToLower(k)] = true
	}
	for _, a := range addrs {
		_, addr, _ := strings.Cut(a, ":")
		taken[strings.ToLower(addr)] = true
	}
	t.Store.Put(kindMailbox, guid, o, 0)
	return o, nil
}

// RenameMailbox renames a mailbox's user out of band, as an administrator
// does when a person's name changes: a new user principal name (changed in
// Microsoft Entra ID and synchronised to the mailbox's UserPrincipalName)
// and the same address as the new primary SMTP address, with the old
// primary address and user principal name removed from EmailAddresses
// (Set-Mailbox -EmailAddresses replaces the list; -WindowsEmailAddress sets
// the primary: https://learn.microsoft.com/powershell/module/exchangepowershell/set-mailbox).
// The GUID, alias and name stay.
func RenameMailbox(s *Server, tenantID, identity, newUPN string) error {
	t := s.Tenant(tenantID)
	if t == nil {
		return fmt.Errorf("no tenant %s", tenantID)
	}
	if _, ok := mbxSMTP(newUPN); !ok || strings.Contains(newUPN, ":") {
		return fmt.Errorf("mailbox rename: %q is not an address", newUPN)
	}
	found, cerr := resolveMailbox(t, identity)
	if cerr != nil {
		return cerr
	}
	if others := findRecipients(t, newUPN); len(others) > 0 {
		return fmt.Errorf("mailbox rename: %q is already used by another recipient", newUPN)
	}
	guid := asString(found["Guid"])
	o := t.Store.GetLatest(kindMailbox, guid)
	oldUPN, oldPrimary := asString(o["UserPrincipalName"]), asString(o["PrimarySmtpAddress"])
	addrs := []string{"SMTP:" + newUPN}
	for _, a := range stringList(o["EmailAddresses"]) {
		_, addr, _ := strings.Cut(a, ":")
		if strings.EqualFold(addr, oldUPN) || strings.EqualFold(addr, oldPrimary) || strings.EqualFold(addr, newUPN) {
			continue
		}
		addrs = append(addrs, "smtp:"+addr)
	}
	o["UserPrincipalName"] = newUPN
	o["PrimarySmtpAddress"] = newUPN
	o["WindowsEmailAddress"] = newUPN
	o["EmailAddresses"] = addrs
	o["WhenChanged"] = s.now().UTC().Format(time.RFC3339)
	t.Store.Put(kindMailbox, guid, o, 0)
	s.changed()
	return nil
}
