package m365sim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Inbox rules: per-mailbox rules that can forward or redirect mail, the route
// attackers use after taking over a mailbox.
//
//   - Get-InboxRule -Mailbox <id>: Name, Identity ("<mailbox>\<rule id>"),
//     RuleIdentity, Enabled, Priority, ForwardTo, RedirectTo,
//     ForwardAsAttachmentTo. Recipients are rendered as `"Name" [SMTP:addr]`
//     for one-off addresses and `"Name" [EX:/o=...]` for directory
//     recipients. "This cmdlet doesn't work for members of View-Only
//     Organization Management role group in Exchange Online or the Global
//     Reader role in Microsoft Entra ID."
//     https://learn.microsoft.com/powershell/module/exchangepowershell/get-inboxrule
//   - Forwarding rules are what the "Suspicious email forwarding" alert and
//     the compromised-account playbooks look for:
//     https://learn.microsoft.com/defender-office-365/responding-to-a-compromised-email-account
//
// Rules are seeded out of band (AddInboxRule, the "inbox-rules" seeder); each
// mailbox's rules are kept in one store object so a per-mailbox Get is one
// lookup, as the service's per-mailbox rule storage is.

const kindInboxRules = "InboxRules"

// InboxRuleSpec seeds one inbox rule. Recipients are plain SMTP addresses;
// an address that belongs to a mailbox of the tenant is rendered in the EX
// form, anything else in the SMTP form.
type InboxRuleSpec struct {
	Name                  string   `json:"name"`
	Enabled               *bool    `json:"enabled,omitempty"`
	ForwardTo             []string `json:"forward_to,omitempty"`
	RedirectTo            []string `json:"redirect_to,omitempty"`
	ForwardAsAttachmentTo []string `json:"forward_as_attachment_to,omitempty"`
	SubjectContainsWords  []string `json:"subject_contains_words,omitempty"`
	DeleteMessage         bool     `json:"delete_message,omitempty"`
}

// lookupMailbox resolves a MailboxIdParameter (GUID, UPN, alias, name,
// address...) with the mailbox model's own matching. The direct key lookup
// (mailboxes are keyed by GUID) comes first so the per-mailbox calls of a
// tenant-wide scan stay cheap, and so does the user index for a UPN. latest ignores replication lag (writes).
func lookupMailbox(t *Tenant, id string, latest bool) Object {
	get := t.Store.Get
	if latest {
		get = t.Store.GetLatest
	}
	if o := get(kindMailbox, id); o != nil {
		return o
	}
	// A UPN or user object id: the user index (graph_message_rules.go).
	if strings.Contains(id, "@") || guidRe.MatchString(id) {
		if o := mailboxOfUser(t, id, latest); o != nil {
			return o
		}
	}
	if found := findMailboxes(t, id); len(found) == 1 {
		return found[0].Clone()
	}
	return nil
}

func mailboxKey(o Object) string {
	if g, ok := o["Guid"].(string); ok && g != "" {
		return g
	}
	return fmt.Sprint(o["Identity"])
}

// legacyDN is the mailbox's LegacyExchangeDN (derived when the mailbox
// model does not carry one).
func legacyDN(o Object) string {
	if s, ok := o["LegacyExchangeDN"].(string); ok && s != "" {
		return s
	}
	alias, _ := o["Alias"].(string)
	if alias == "" {
		alias = strings.SplitN(fmt.Sprint(o["PrimarySmtpAddress"]), "@", 2)[0]
	}
	return "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=" + strings.ReplaceAll(mailboxKey(o), "-", "") + "-" + alias
}

// renderRecipient renders a rule recipient the way Get-InboxRule shows it.
func renderRecipient(t *Tenant, addr string) string {
	if mb := lookupMailbox(t, addr, true); mb != nil {
		name, _ := mb["DisplayName"].(string)
		if name == "" {
			name = fmt.Sprint(mb["Name"])
		}
		return fmt.Sprintf("%q [EX:%s]", name, legacyDN(mb))
	}
	return fmt.Sprintf("%q [SMTP:%s]", addr, addr)
}

func recipientsOrNil(t *Tenant, addrs []string) any {
	if len(addrs) == 0 {
		return nil
	}
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = renderRecipient(t, a)
	}
	return out
}

// AddInboxRule adds an inbox rule to a mailbox out of band, as the mailbox
// owner (or an attacker holding the mailbox) would.
func (s *Server) AddInboxRule(tenantID, mailbox string, spec InboxRuleSpec) error {
	t := s.Tenant(tenantID)
	if t == nil {
		return fmt.Errorf("no tenant %s", tenantID)
	}
	if err := addInboxRule(t, mailbox, spec); err != nil {
		return err
	}
	s.changed()
	return nil
}

func addInboxRule(t *Tenant, mailbox string, spec InboxRuleSpec) error {
	mb := lookupMailbox(t, mailbox, true)
	if mb == nil {
		return fmt.Errorf("no mailbox %q", mailbox)
	}
	if strings.TrimSpace(spec.Name) == "" {
		return fmt.Errorf("an inbox rule needs a name")
	}
	for _, a := range append(append(append([]string{}, spec.ForwardTo...), spec.RedirectTo...), spec.ForwardAsAttachmentTo...) {
		if !validSmtpAddress(a) {
			return fmt.Errorf("%q is not an SMTP address", a)
		}
	}
	key := mailboxKey(mb)
	set := t.Store.GetLatest(kindInboxRules, key)
	if set == nil {
		set = Object{"Mailbox": key, "Rules": []any{}, "NextID": 1}
	}
	rules := inboxRulesOf(set)
	for _, r := range rules {
		if strings.EqualFold(fmt.Sprint(r["Name"]), spec.Name) {
			return fmt.Errorf("mailbox %s already has an inbox rule named %q", mailbox, spec.Name)
		}
	}
	next := toInt(set["NextID"])
	// RuleIdentity is a 64-bit number in the service; keep it stable per seed.
	ruleID := strconv.FormatUint(uint64(hashCode(key))<<32|uint64(next), 10)
	enabled := true
	if spec.Enabled != nil {
		enabled = *spec.Enabled
	}
	owner := fmt.Sprint(mb["Identity"])
	rule := map[string]any{
		"Name":                  spec.Name,
		"Identity":              owner + `\` + ruleID,
		"RuleIdentity":          ruleID,
		"MailboxOwnerId":        owner,
		"Enabled":               enabled,
		"Priority":              len(rules) + 1,
		"ForwardTo":             recipientsOrNil(t, spec.ForwardTo),
		"RedirectTo":            recipientsOrNil(t, spec.RedirectTo),
		"ForwardAsAttachmentTo": recipientsOrNil(t, spec.ForwardAsAttachmentTo),
		"SubjectContainsWords":  nil,
		"DeleteMessage":         spec.DeleteMessage,
		"StopProcessingRules":   false,
		"InError":               false,
		"Description":           "",
	}
	if len(spec.SubjectContainsWords) > 0 {
		rule["SubjectContainsWords"] = spec.SubjectContainsWords
	}
	list := make([]any, 0, len(rules)+1)
	for _, r := range rules {
		list = append(list, map[string]any(r))
	}
	set["Rules"] = append(list, rule)
	set["NextID"] = next + 1
	t.Store.Put(kindInboxRules, key, set, 0)
	return nil
}

// inboxRulesOf reads the rules of a stored rule set tolerantly (maps and
// lists come back as map[string]any / []any after a snapshot reload).
func inboxRulesOf(set Object) []Object {
	var out []Object
	switch l := set["Rules"].(type) {
	case []any:
		for _, x := range l {
			switch m := x.(type) {
			case map[string]any:
				out = append(out, Object(m).Clone())
			case Object:
				out = append(out, m.Clone())
			}
		}
	case []Object:
		for _, m := range l {
			out = append(out, m.Clone())
		}
	}
	return out
}

func init() {
	registerCmdlet(&Cmdlet{
		Name:      "Get-InboxRule",
		Endpoints: []string{EndpointExchange},
		// Not View-Only Configuration / Global Reader (see above).
		Roles: []string{RoleMailRecipients},
		Params: map[string]Param{
			"Mailbox":          {Type: TString},
			"Identity":         {Type: TString},
			"IncludeHidden":    {Type: TSwitch},
			"BypassScopeCheck": {Type: TSwitch},
			"ResultSize":       {Type: TResultSize},
			"SkipCount":        {Type: TInt, Min: intPtr(0)},
		},
		Run: func(c *Call) ([]Object, error) {
			mbID := c.String("Mailbox")
			ruleID := c.String("Identity")
			if mbID == "" && ruleID != "" {
				if i := strings.LastIndex(ruleID, `\`); i > 0 {
					mbID, ruleID = ruleID[:i], ruleID[i+1:]
				}
			}
			if mbID == "" {
				// App-only sessions have no mailbox of their own.
				return nil, errValidation("The Mailbox parameter must be specified when the cmdlet is run without a user mailbox (app-only authentication).")
			}
			mb := lookupMailbox(c.Tenant, mbID, false)
			if mb == nil {
				return nil, errNotFound(mbID, c.Tenant)
			}
			set := c.Tenant.Store.Get(kindInboxRules, mailboxKey(mb))
			rules := []Object{}
			if set != nil {
				rules = inboxRulesOf(set)
			}
			if ruleID != "" {
				for _, r := range rules {
					if strings.EqualFold(fmt.Sprint(r["Name"]), ruleID) || fmt.Sprint(r["RuleIdentity"]) == ruleID {
						return []Object{r}, nil
					}
				}
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if n := toInt(c.Params["SkipCount"]); n > 0 {
				if n > len(rules) {
					n = len(rules)
				}
				rules = rules[n:]
			}
			return limitResults(c, rules), nil
		},
	})

	// POST /_sim/tenants/{t}/seed/inbox-rules
	// {"mailbox":"adele@contoso.com","rules":[{"name":"x","redirect_to":["a@b.example"]}]}
	registerControlSeeder("inbox-rules", func(s *Server, t *Tenant, body []byte) (any, error) {
		var in struct {
			Mailbox string          `json:"mailbox"`
			Rules   []InboxRuleSpec `json:"rules"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, err
		}
		for _, r := range in.Rules {
			if err := addInboxRule(t, in.Mailbox, r); err != nil {
				return nil, err
			}
		}
		return map[string]any{"mailbox": in.Mailbox, "added": len(in.Rules)}, nil
	})
}

// ForwardingScenario is what SeedForwardingScenario adds: the mailboxes (by
// UPN) of each case, for tests and the demo.
type ForwardingScenario struct {
	ExternalForward   string `json:"external_forward"`    // ForwardingSmtpAddress outside the tenant
	ExternalInboxRule string `json:"external_inbox_rule"` // an inbox rule redirecting to a personal address
	InternalForward   string `json:"internal_forward"`    // forwards to a colleague: must not be reported
}

// SeedForwardingScenario adds a compromised-tenant forwarding scenario: a
// mailbox forwarding to a personal address, one whose inbox rule redirects
// to a personal address, and one forwarding internally (by recipient and
// by an accepted-domain SMTP address), which a report must not flag. The
// domain is the tenant's first custom domain (else its initial domain).
func SeedForwardingScenario(s *Server, tenantID string) (*ForwardingScenario, error) {
	t := s.Tenant(tenantID)
	if t == nil {
		return nil, fmt.Errorf("no tenant %s", tenantID)
	}
	sc, err := seedForwardingScenario(t)
	if err == nil {
		s.changed()
	}
	return sc, err
}

func seedForwardingScenario(t *Tenant) (*ForwardingScenario, error) {
	domain := t.InitialDomain
	if len(t.Domains) > 0 {
		domain = t.Domains[0]
	}
	sc := &ForwardingScenario{ExternalForward: "adele@" + domain, ExternalInboxRule: "lee@" + domain, InternalForward: "megan@" + domain}
	if _, err := seedMailboxes(t, MailboxSeed{Mailboxes: []MailboxSpec{
		{UPN: sc.ExternalForward, DisplayName: "Adele Vance", ForwardingSmtpAddress: "adele.vance@gmail.example", DeliverToMailboxAndForward: true},
		{UPN: sc.ExternalInboxRule, DisplayName: "Lee Gu", ForwardingSmtpAddress: sc.InternalForward},
		{UPN: sc.InternalForward, DisplayName: "Megan Bowen", ForwardingAddress: sc.ExternalInboxRule},
	}}); err != nil {
		return nil, err
	}
	if err := addInboxRule(t, sc.ExternalInboxRule, InboxRuleSpec{Name: "Keep a copy", RedirectTo: []string{"lee.gu@outlook.example"}}); err != nil {
		return nil, err
	}
	if err := addInboxRule(t, sc.InternalForward, InboxRuleSpec{Name: "Team", ForwardTo: []string{sc.ExternalInboxRule}}); err != nil {
		return nil, err
	}
	return sc, nil
}

func init() {
	// POST /_sim/tenants/{t}/seed/forwarding-scenario {}
	registerControlSeeder("forwarding-scenario", func(s *Server, t *Tenant, _ []byte) (any, error) {
		return seedForwardingScenario(t)
	})
}
