package m365sim

import (
	"fmt"
	"sort"
	"strings"
)

// Anti-phishing policies and the rules that assign custom policies to
// recipients (Get/New/Set/Remove-AntiPhishPolicy, Get/New/Set/Remove/
// Enable/Disable-AntiPhishRule).
//
//   - Parameters and value lists come from the cmdlet catalogue.
//   - The built-in policy is named "Office365 AntiPhish Default"; it applies
//     to everyone not covered by a custom policy's rule and can't be
//     removed. https://learn.microsoft.com/defender-office-365/anti-phishing-policies-eop-configure
//   - Defaults of the Default policy and of a new policy are the "Default"
//     column of Microsoft's recommended settings: spoof intelligence on,
//     HonorDmarcPolicy on, AuthenticationFailAction MoveToJmf,
//     DmarcQuarantineAction Quarantine, DmarcRejectAction Reject, first
//     contact safety tip off, unauthenticated sender and via tag on,
//     PhishThresholdLevel 1, impersonation protection off with NoAction,
//     mailbox intelligence on, mailbox intelligence protection off.
//     https://learn.microsoft.com/defender-office-365/recommended-settings-for-eop-and-office365#anti-phishing-policy-settings
//   - The impersonation and advanced settings (EnableTargetedUserProtection,
//     TargetedUsersToProtect, EnableMailboxIntelligence*, PhishThresholdLevel
//     and the others listed in antiPhishDefenderParams) are "available only
//     in Microsoft Defender for Office 365" (set-antiphishpolicy reference).
//     Without the licence Exchange does not give the caller those
//     parameters (RBAC exposes only what the organization's licences allow;
//     Microsoft365DSC issue #3131 shows the Defender cmdlets missing
//     altogether in such a tenant:
//     https://github.com/Microsoft365DSC/Microsoft365DSC/issues/3131). The
//     exact InvokeCommand error for a parameter hidden that way has not been
//     captured; the emulator answers as for a parameter the cmdlet does not
//     have (binding.go), the stricter reading.
//   - TargetedUserProtectionAction, TargetedDomainProtectionAction and
//     MailboxIntelligenceProtectionAction are typed MultiValuedProperty in
//     the reference but take one action; the emulator refuses more than one.
//     (MailboxIntelligenceProtectionAction is a single ImpersonationAction.)
//     BccMessage and Redirect act on the matching *ActionRecipients, which
//     the emulator does not model: it refuses those two actions with a
//     validation error (stricter than the service, never more lenient).
//   - TargetedUsersToProtect entries are "DisplayName;EmailAddress"; an
//     entry without both parts is refused (the reference gives no other form).
//   - Rules: New-AntiPhishRule -Name -AntiPhishPolicy [-Priority] [-Enabled]
//     [-SentTo] [-SentToMemberOf] [-RecipientDomainIs] [-ExceptIf...]
//     [-Comments]; priorities as for the other hygiene rules (0 highest,
//     contiguous, a new or moved rule shifts the others); Set- has no
//     -Enabled (Enable-/Disable-AntiPhishRule switch State); a policy can be
//     used by only one rule; the default policy can't have a rule.
//     https://learn.microsoft.com/powershell/module/exchangepowershell/new-antiphishrule
//     SentTo/SentToMemberOf are RecipientIdParameter[] resolved and reported
//     as the recipients' primary SMTP addresses, as for the outbound spam
//     filter rule (cmdlets_outbound_spam.go).
//
// Permissions: "Transport Hygiene" (Security Administrator, Exchange
// Administrator); reads also "View-Only Configuration" and "Security Reader".

const (
	kindAntiPhishPolicy    = "AntiPhishPolicy"
	kindAntiPhishRule      = "AntiPhishRule"
	defaultAntiPhishPolicy = "Office365 AntiPhish Default"
)

// antiPhishDefenderParams need Defender for Office 365.
var antiPhishDefenderParams = []string{"EnableMailboxIntelligence", "EnableMailboxIntelligenceProtection", "EnableOrganizationDomainsProtection",
	"EnableSimilarDomainsSafetyTips", "EnableSimilarUsersSafetyTips", "EnableTargetedDomainsProtection", "EnableTargetedUserProtection",
	"EnableUnusualCharactersSafetyTips", "MailboxIntelligenceProtectionAction", "PhishThresholdLevel", "TargetedDomainProtectionAction",
	"TargetedDomainsToProtect", "TargetedUserProtectionAction", "TargetedUsersToProtect"}

var antiPhishActionParams = []string{"TargetedUserProtectionAction", "TargetedDomainProtectionAction", "MailboxIntelligenceProtectionAction"}

func newAntiPhishPolicyObject(t *Tenant, name string, isDefault bool) Object {
	return Object{
		"Identity": name, "Name": name, "Guid": stableGUID(t.ID, "antiphishpolicy", strings.ToLower(name)),
		"IsDefault": isDefault, "Enabled": true, "AdminDisplayName": "",
		"EnableSpoofIntelligence": true, "HonorDmarcPolicy": true, "AuthenticationFailAction": "MoveToJmf",
		"DmarcQuarantineAction": "Quarantine", "DmarcRejectAction": "Reject",
		"EnableFirstContactSafetyTips": false, "EnableUnauthenticatedSender": true, "EnableViaTag": true,
		"PhishThresholdLevel":       1,
		"EnableMailboxIntelligence": true, "EnableMailboxIntelligenceProtection": false, "MailboxIntelligenceProtectionAction": "NoAction",
		"EnableTargetedUserProtection": false, "TargetedUsersToProtect": []string{}, "TargetedUserProtectionAction": "NoAction",
		"EnableOrganizationDomainsProtection": false, "EnableTargetedDomainsProtection": false, "TargetedDomainsToProtect": []string{},
		"TargetedDomainProtectionAction": "NoAction",
		"EnableSimilarUsersSafetyTips":   false, "EnableSimilarDomainsSafetyTips": false, "EnableUnusualCharactersSafetyTips": false,
	}
}

func antiPhishRules(t *Tenant) []Object {
	rules := t.Store.ListLatest(kindAntiPhishRule)
	sort.SliceStable(rules, func(i, j int) bool { return toInt(rules[i]["Priority"]) < toInt(rules[j]["Priority"]) })
	return rules
}

func renumberAntiPhishRules(c *Call, rules []Object) {
	for i, r := range rules {
		if toInt(r["Priority"]) != i || r["_dirty"] != nil {
			delete(r, "_dirty")
			r["Priority"] = i
			c.Tenant.Store.Put(kindAntiPhishRule, fmt.Sprint(r["Name"]), r, c.Lag)
		}
	}
}

func listItems(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	items, _ := v.([]string)
	if e, ok := v.(MultiValueEdit); ok {
		items = append(append(items, e.Add...), e.Remove...)
	}
	return items
}

func validateDomainList(param string) func(v any) error {
	return func(v any) error {
		for _, d := range listItems(v) {
			if !smtpDomainRe.MatchString(d) {
				return errInvalidParam(param, fmt.Sprintf("Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.Word\". \"%s\" isn't a valid domain.", d, d))
			}
		}
		return nil
	}
}

func validateProtectedUsers(v any) error {
	for _, it := range listItems(v) {
		name, addr, ok := strings.Cut(it, ";")
		if !ok || strings.TrimSpace(name) == "" || !validSmtpAddress(addr) {
			return errInvalidParam("TargetedUsersToProtect", fmt.Sprintf("\"%s\" isn't valid. Use the syntax \"DisplayName;EmailAddress\".", it))
		}
	}
	return nil
}

func validateOneAction(param string) func(v any) error {
	return func(v any) error {
		items := listItems(v)
		if len(items) != 1 {
			return errInvalidParam(param, "Specify exactly one action.")
		}
		// The reference types these MultiValuedProperty, so the catalogue
		// keeps no effective value list; the description's list
		// (ImpersonationAction) is checked here as the service checks the
		// enumeration.
		var allowed []string
		for _, v := range refCmdlet("Set-AntiPhishPolicy").Param(param).ValidValues {
			allowed = append(allowed, v.Value)
		}
		if !containsFold(allowed, items[0]) {
			return errTransformation(param, fmt.Sprintf("Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.ImpersonationAction\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again: %s\"",
				items[0], items[0], strings.Join(allowed, ", ")))
		}
		if strings.EqualFold(items[0], "BccMessage") || strings.EqualFold(items[0], "Redirect") {
			return errValidation(fmt.Sprintf("The action %s of %s needs recipients in the matching ActionRecipients parameter, which m365sim does not model; the emulator refuses the action.", items[0], param))
		}
		return nil
	}
}

func init() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindAntiPhishPolicy, defaultAntiPhishPolicy, newAntiPhishPolicyObject(t, defaultAntiPhishPolicy, true), 0)
	})
	readRoles := []string{RoleTransportHygiene, RoleSecurityAdmin, RoleSecurityReader, RoleViewOnlyConfiguration}
	writeRoles := []string{RoleTransportHygiene, RoleSecurityAdmin}
	policyParams := map[string]Param{
		"AdminDisplayName":                    {Type: TString, MaxLen: 255},
		"EnableSpoofIntelligence":             {Type: TBool},
		"HonorDmarcPolicy":                    {Type: TBool},
		"AuthenticationFailAction":            {Type: TString},
		"DmarcQuarantineAction":               {Type: TString},
		"DmarcRejectAction":                   {Type: TString},
		"EnableFirstContactSafetyTips":        {Type: TBool},
		"EnableUnauthenticatedSender":         {Type: TBool},
		"EnableViaTag":                        {Type: TBool},
		"PhishThresholdLevel":                 {Type: TInt, Min: intPtr(1), Max: intPtr(4)},
		"EnableMailboxIntelligence":           {Type: TBool},
		"EnableMailboxIntelligenceProtection": {Type: TBool},
		"MailboxIntelligenceProtectionAction": {Type: TString, Validate: validateOneAction("MailboxIntelligenceProtectionAction")},
		"EnableTargetedUserProtection":        {Type: TBool},
		"TargetedUsersToProtect":              {Type: TStrings, Validate: validateProtectedUsers},
		"TargetedUserProtectionAction":        {Type: TStrings, Validate: validateOneAction("TargetedUserProtectionAction")},
		"EnableOrganizationDomainsProtection": {Type: TBool},
		"EnableTargetedDomainsProtection":     {Type: TBool},
		"TargetedDomainsToProtect":            {Type: TStrings, Validate: validateDomainList("TargetedDomainsToProtect")},
		"TargetedDomainProtectionAction":      {Type: TStrings, Validate: validateOneAction("TargetedDomainProtectionAction")},
		"EnableSimilarUsersSafetyTips":        {Type: TBool},
		"EnableSimilarDomainsSafetyTips":      {Type: TBool},
		"EnableUnusualCharactersSafetyTips":   {Type: TBool},
		"Confirm":                             {Type: TSwitch},
	}
	withParams := func(src map[string]Param, extra map[string]Param) map[string]Param {
		out := map[string]Param{}
		for k, v := range src {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	applyPolicy := func(c *Call, o Object) error {
		if !c.Tenant.Licences.DefenderForOffice365 {
			var hidden []string
			for _, p := range antiPhishDefenderParams {
				if c.Has(p) {
					hidden = append(hidden, p)
				}
			}
			if len(hidden) > 0 {
				return errParameterSet("Invalid cmdlet parameters specified. " + strings.Join(hidden, ", "))
			}
		}
		for p := range policyParams {
			if !c.Has(p) || p == "Confirm" {
				continue
			}
			switch {
			case containsFold(antiPhishActionParams, p):
				// Stored in the enumeration's spelling, as the service
				// reports enumeration values.
				v := listItems(c.Params[p])[0]
				for _, a := range refCmdlet("Set-AntiPhishPolicy").Param(p).ValidValues {
					if strings.EqualFold(a.Value, v) {
						v = a.Value
					}
				}
				o[p] = v
			default:
				switch c.Params[p].(type) {
				case []string, MultiValueEdit:
					o[p] = setMultiValued(o[p], c.Params[p])
				default:
					o[p] = c.Params[p]
				}
			}
		}
		return nil
	}
	registerCmdlet(&Cmdlet{
		Name: "Get-AntiPhishPolicy", Endpoints: []string{EndpointExchange}, Roles: readRoles,
		Params: map[string]Param{"Identity": {Type: TString}},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findByNameOrGUID(c.Tenant, kindAntiPhishPolicy, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{o}, nil
			}
			return c.Tenant.Store.List(kindAntiPhishPolicy), nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name: "New-AntiPhishPolicy", Endpoints: []string{EndpointExchange}, Roles: writeRoles, Write: true,
		Params: withParams(policyParams, map[string]Param{"Name": {Type: TString}}),
		Run: func(c *Call) ([]Object, error) {
			name := strings.TrimSpace(c.String("Name"))
			if name == "" {
				return nil, errValidation("The Name property can't be empty.")
			}
			if findByNameOrGUID(c.Tenant, kindAntiPhishPolicy, name, true) != nil {
				return nil, errAlreadyExists("anti-phishing policy", name)
			}
			o := newAntiPhishPolicyObject(c.Tenant, name, false)
			if err := applyPolicy(c, o); err != nil {
				return nil, err
			}
			c.Tenant.Store.Put(kindAntiPhishPolicy, name, o, c.Lag)
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name: "Set-AntiPhishPolicy", Endpoints: []string{EndpointExchange}, Roles: writeRoles, Write: true,
		Params: withParams(policyParams, map[string]Param{"Identity": {Type: TString}}),
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindAntiPhishPolicy, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if err := applyPolicy(c, o); err != nil {
				return nil, err
			}
			c.Tenant.Store.Put(kindAntiPhishPolicy, fmt.Sprint(o["Name"]), o, c.Lag)
			return nil, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name: "Remove-AntiPhishPolicy", Endpoints: []string{EndpointExchange}, Roles: writeRoles, Write: true,
		Params: map[string]Param{"Identity": {Type: TString}, "Force": {Type: TSwitch}, "Confirm": {Type: TSwitch}},
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindAntiPhishPolicy, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if o["IsDefault"] == true {
				return nil, &CmdletError{Status: 400, Code: "BadRequest",
					Exception: "Microsoft.Exchange.Management.Hygiene.CannotRemoveDefaultPolicyException",
					Message:   "The default policy can't be removed."}
			}
			c.Tenant.Store.Delete(kindAntiPhishPolicy, fmt.Sprint(o["Name"]), c.Lag)
			return nil, nil
		},
	})

	recipientConds := map[string]func(Object) string{
		"SentTo": func(o Object) string {
			if isGroup(o) {
				return "it is a group; use SentToMemberOf for the group's members"
			}
			return ""
		},
		"ExceptIfSentTo": func(o Object) string {
			if isGroup(o) {
				return "it is a group; use ExceptIfSentToMemberOf for the group's members"
			}
			return ""
		},
		"SentToMemberOf":         ruleGroup,
		"ExceptIfSentToMemberOf": ruleGroup,
	}
	ruleConds := []string{"SentTo", "SentToMemberOf", "RecipientDomainIs", "ExceptIfSentTo", "ExceptIfSentToMemberOf", "ExceptIfRecipientDomainIs"}
	resolve := func(c *Call, param string, values []string) ([]string, *CmdletError) {
		want := recipientConds[param]
		if want == nil {
			return values, nil
		}
		out := make([]string, 0, len(values))
		for _, v := range values {
			o, cerr := resolveRecipientParam(c.Tenant, param, v, want)
			if cerr != nil {
				return nil, cerr
			}
			if a := asString(o["PrimarySmtpAddress"]); !containsFold(out, a) {
				out = append(out, a)
			}
		}
		return out, nil
	}
	resolveValue := func(c *Call, param string, v any) (any, *CmdletError) {
		if e, ok := v.(MultiValueEdit); ok {
			add, cerr := resolve(c, param, e.Add)
			if cerr != nil {
				return nil, cerr
			}
			rm, cerr := resolve(c, param, e.Remove)
			if cerr != nil {
				return nil, cerr
			}
			return MultiValueEdit{Add: add, Remove: rm}, nil
		}
		l, _ := v.([]string)
		return resolve(c, param, l)
	}
	ruleParams := map[string]Param{
		"Comments":                  {Type: TString, MaxLen: 1024},
		"SentTo":                    {Type: TStrings},
		"SentToMemberOf":            {Type: TStrings},
		"RecipientDomainIs":         {Type: TStrings, Validate: validateDomainList("RecipientDomainIs")},
		"ExceptIfSentTo":            {Type: TStrings},
		"ExceptIfSentToMemberOf":    {Type: TStrings},
		"ExceptIfRecipientDomainIs": {Type: TStrings, Validate: validateDomainList("ExceptIfRecipientDomainIs")},
		"Priority":                  {Type: TInt},
		"Confirm":                   {Type: TSwitch},
	}
	customPolicy := func(c *Call, ruleName string) (string, *CmdletError) {
		p := findByNameOrGUID(c.Tenant, kindAntiPhishPolicy, c.String("AntiPhishPolicy"), true)
		if p == nil {
			return "", errNotFound(c.String("AntiPhishPolicy"), c.Tenant)
		}
		if p["IsDefault"] == true {
			return "", errValidation("The default policy can't be associated with a rule; it applies to everyone not covered by a custom policy.")
		}
		name := fmt.Sprint(p["Name"])
		for _, r := range c.Tenant.Store.ListLatest(kindAntiPhishRule) {
			if strings.EqualFold(fmt.Sprint(r["AntiPhishPolicy"]), name) && !strings.EqualFold(fmt.Sprint(r["Name"]), ruleName) {
				return "", &CmdletError{Status: 400, Code: "BadRequest", Exception: "Microsoft.Exchange.Management.Hygiene.PolicyAlreadyAssociatedException",
					Message: fmt.Sprintf("Policy \"%s\" is already associated with rule \"%s\". A policy can be associated with only one rule.", name, r["Name"])}
			}
		}
		return name, nil
	}
	registerCmdlet(&Cmdlet{
		Name: "Get-AntiPhishRule", Endpoints: []string{EndpointExchange}, Roles: readRoles,
		Params: map[string]Param{"Identity": {Type: TString}, "State": {Type: TString}},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findByNameOrGUID(c.Tenant, kindAntiPhishRule, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{o}, nil
			}
			rules := c.Tenant.Store.List(kindAntiPhishRule)
			sort.SliceStable(rules, func(i, j int) bool { return toInt(rules[i]["Priority"]) < toInt(rules[j]["Priority"]) })
			if c.Has("State") {
				kept := rules[:0]
				for _, r := range rules {
					if r["State"] == c.String("State") {
						kept = append(kept, r)
					}
				}
				rules = kept
			}
			return rules, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name: "New-AntiPhishRule", Endpoints: []string{EndpointExchange}, Roles: writeRoles, Write: true,
		Params: withParams(ruleParams, map[string]Param{"Name": {Type: TString, MaxLen: 64}, "AntiPhishPolicy": {Type: TString}, "Enabled": {Type: TBool}}),
		Run: func(c *Call) ([]Object, error) {
			name := strings.TrimSpace(c.String("Name"))
			if name == "" {
				return nil, errValidation("The Name property can't be empty.")
			}
			if findByNameOrGUID(c.Tenant, kindAntiPhishRule, name, true) != nil {
				return nil, errAlreadyExists("anti-phishing rule", name)
			}
			policy, cerr := customPolicy(c, name)
			if cerr != nil {
				return nil, cerr
			}
			rules := antiPhishRules(c.Tenant)
			prio := len(rules)
			if c.Has("Priority") {
				prio = toInt(c.Params["Priority"])
				if prio < 0 || prio > len(rules) {
					return nil, priorityError(prio, len(rules))
				}
			}
			state := "Enabled"
			if c.Has("Enabled") && c.Params["Enabled"] == false {
				state = "Disabled"
			}
			o := Object{"Identity": name, "Name": name, "Guid": stableGUID(c.Tenant.ID, "antiphishrule", strings.ToLower(name)),
				"AntiPhishPolicy": policy, "State": state, "Priority": prio, "Comments": c.String("Comments"), "_dirty": true}
			for _, p := range ruleConds {
				o[p] = nil
				if l, ok := c.Params[p].([]string); ok && len(l) > 0 {
					r, cerr := resolve(c, p, l)
					if cerr != nil {
						return nil, cerr
					}
					o[p] = r
				}
			}
			renumberAntiPhishRules(c, append(append(append([]Object{}, rules[:prio]...), o), rules[prio:]...))
			delete(o, "_dirty")
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name: "Set-AntiPhishRule", Endpoints: []string{EndpointExchange}, Roles: writeRoles, Write: true,
		Params: withParams(ruleParams, map[string]Param{"Identity": {Type: TString}, "AntiPhishPolicy": {Type: TString}}),
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindAntiPhishRule, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if c.Has("AntiPhishPolicy") {
				policy, cerr := customPolicy(c, fmt.Sprint(o["Name"]))
				if cerr != nil {
					return nil, cerr
				}
				o["AntiPhishPolicy"] = policy
			}
			if c.Has("Comments") {
				o["Comments"] = c.String("Comments")
			}
			for _, p := range ruleConds {
				if !c.Has(p) {
					continue
				}
				v, cerr := resolveValue(c, p, c.Params[p])
				if cerr != nil {
					return nil, cerr
				}
				if l := setMultiValued(o[p], v); len(l) == 0 {
					o[p] = nil
				} else {
					o[p] = l
				}
			}
			rules := antiPhishRules(c.Tenant)
			others := make([]Object, 0, len(rules))
			for _, r := range rules {
				if !strings.EqualFold(fmt.Sprint(r["Guid"]), fmt.Sprint(o["Guid"])) {
					others = append(others, r)
				}
			}
			prio := toInt(o["Priority"])
			if c.Has("Priority") {
				prio = toInt(c.Params["Priority"])
				if prio < 0 || prio > len(others) {
					return nil, priorityError(prio, len(others))
				}
			}
			if prio > len(others) {
				prio = len(others)
			}
			o["_dirty"] = true
			renumberAntiPhishRules(c, append(append(append([]Object{}, others[:prio]...), o), others[prio:]...))
			return nil, nil
		},
	})
	for verb, state := range map[string]string{"Enable": "Enabled", "Disable": "Disabled"} {
		state := state
		registerCmdlet(&Cmdlet{
			Name: verb + "-AntiPhishRule", Endpoints: []string{EndpointExchange}, Roles: writeRoles, Write: true,
			Params: map[string]Param{"Identity": {Type: TString}, "Confirm": {Type: TSwitch}},
			Run: func(c *Call) ([]Object, error) {
				o := findByNameOrGUID(c.Tenant, kindAntiPhishRule, c.String("Identity"), true)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				o["State"] = state
				c.Tenant.Store.Put(kindAntiPhishRule, fmt.Sprint(o["Name"]), o, c.Lag)
				return nil, nil
			},
		})
	}
	registerCmdlet(&Cmdlet{
		Name: "Remove-AntiPhishRule", Endpoints: []string{EndpointExchange}, Roles: writeRoles, Write: true,
		Params: map[string]Param{"Identity": {Type: TString}, "Confirm": {Type: TSwitch}},
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindAntiPhishRule, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			c.Tenant.Store.Delete(kindAntiPhishRule, fmt.Sprint(o["Name"]), c.Lag)
			renumberAntiPhishRules(c, antiPhishRules(c.Tenant))
			return nil, nil
		},
	})
}
