package m365sim

import (
	"fmt"
	"sort"
	"strings"
)

// Outbound spam filter policies and the rules that assign custom policies to
// senders.
//
//   - Set-HostedOutboundSpamFilterPolicy: AutoForwardingMode
//     Automatic|On|Off (default Automatic), NotifyOutboundSpam(+Recipients),
//     BccSuspiciousOutboundMail(+AdditionalRecipients), recipient limits
//     0..10000 (0 = service default), ActionWhenThresholdReached
//     Alert|BlockUser|BlockUserForToday (default BlockUserForToday).
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedoutboundspamfilterpolicy
//   - The Default policy applies to everyone, has no rule and can't be
//     removed; custom policies apply through a rule.
//     https://learn.microsoft.com/defender-office-365/outbound-spam-policies-configure
//   - Removing a policy does not remove its rule ("This is by design").
//     https://learn.microsoft.com/powershell/module/exchangepowershell/remove-hostedoutboundspamfilterpolicy
//   - New-HostedOutboundSpamFilterRule -Name -HostedOutboundSpamFilterPolicy
//     [-Priority] [-Enabled] [-From] [-FromMemberOf] [-SenderDomainIs]
//     [-ExceptIf...] [-Comments ≤1024]. Priority: 0 is highest, rules can't
//     share a value; with N rules valid values are 0..N (default N) and a
//     new or moved rule shifts the others. Set-... has no -Enabled: the
//     Enable-/Disable-HostedOutboundSpamFilterRule cmdlets switch State.
//     https://learn.microsoft.com/powershell/module/exchangepowershell/new-hostedoutboundspamfilterrule
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedoutboundspamfilterrule
//   - A policy can be used by only one rule (the portal creates policy and
//     rule as a pair; a second rule for the same policy is refused).
//   - From, ExceptIfFrom, FromMemberOf and ExceptIfFromMemberOf are
//     RecipientIdParameter[]: "You can use any value that uniquely identifies
//     the sender" (name, alias, DN, email address, GUID); *MemberOf names
//     distribution groups, mail-enabled security groups or Microsoft 365
//     Groups (new-hostedoutboundspamfilterrule, above). The rule keeps the
//     resolved recipient, not the text given. Microsoft's reference does not
//     say in which form Get-HostedOutboundSpamFilterRule reports it; the
//     emulator reports the recipient's primary SMTP address, the form the
//     mail flow rule conditions of the same kind (Get-TransportRule From,
//     FromMemberOf) are reported in, so a client that compares the text it
//     sent with the text it reads back fails here as it would there. A
//     value that resolves to no recipient, or a group given as a sender, is
//     refused (resolveRecipientParam in cmdlets_recipient.go: the stricter
//     reading where the reference is silent).
//
// Permissions: "Transport Hygiene" (Security Administrator, Exchange
// Administrator); reads also "View-Only Configuration" and "Security Reader".

const (
	kindOutboundPolicy      = "HostedOutboundSpamFilterPolicy"
	kindOutboundRule        = "HostedOutboundSpamFilterRule"
	defaultOutboundPolicy   = "Default"
	RoleTransportHygiene    = "Transport Hygiene"
	outboundRecipientLimMax = 10000
)

func newOutboundPolicyObject(t *Tenant, name string, isDefault bool) Object {
	return Object{
		"Identity":                     name,
		"Name":                         name,
		"Guid":                         stableGUID(t.ID, "outboundpolicy", strings.ToLower(name)),
		"IsDefault":                    isDefault,
		"Enabled":                      true,
		"AdminDisplayName":             "",
		"AutoForwardingMode":           "Automatic",
		"NotifyOutboundSpam":           false,
		"NotifyOutboundSpamRecipients": []string{},
		"BccSuspiciousOutboundMail":    false,
		"BccSuspiciousOutboundAdditionalRecipients": []string{},
		"RecipientLimitExternalPerHour":             0,
		"RecipientLimitInternalPerHour":             0,
		"RecipientLimitPerDay":                      0,
		"ActionWhenThresholdReached":                "BlockUserForToday",
	}
}

func findByNameOrGUID(t *Tenant, kind, id string, latest bool) Object {
	get, list := t.Store.Get, t.Store.List
	if latest {
		get, list = t.Store.GetLatest, t.Store.ListLatest
	}
	if o := get(kind, id); o != nil {
		return o
	}
	for _, o := range list(kind) {
		if strings.EqualFold(fmt.Sprint(o["Guid"]), id) {
			return o
		}
	}
	return nil
}

func intPtr(n int) *int { return &n }

// outboundRules returns the rules (latest view) sorted by priority.
func outboundRules(t *Tenant) []Object {
	rules := t.Store.ListLatest(kindOutboundRule)
	sort.SliceStable(rules, func(i, j int) bool { return toInt(rules[i]["Priority"]) < toInt(rules[j]["Priority"]) })
	return rules
}

// toInt reads a stored number (int after a write, float64 after a snapshot).
func toInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case float64:
		return int(n)
	case int64:
		return int(n)
	}
	return 0
}

// renumberRules stores rules with priorities 0..n-1 in the given order.
func renumberRules(c *Call, rules []Object) {
	for i, r := range rules {
		if toInt(r["Priority"]) != i || r["_dirty"] != nil {
			delete(r, "_dirty")
			r["Priority"] = i
			c.Tenant.Store.Put(kindOutboundRule, fmt.Sprint(r["Name"]), r, c.Lag)
		}
	}
}

func priorityError(p, highest int) *CmdletError {
	return &CmdletError{Status: 400, Code: "BadRequest", Exception: "System.ArgumentOutOfRangeException",
		Message: fmt.Sprintf("The value of parameter Priority is %d. It should be between 0 and %d.", p, highest)}
}

func init() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindOutboundPolicy, defaultOutboundPolicy, newOutboundPolicyObject(t, defaultOutboundPolicy, true), 0)
	})

	readRoles := []string{RoleTransportHygiene, RoleSecurityAdmin, RoleSecurityReader, RoleViewOnlyConfiguration}
	writeRoles := []string{RoleTransportHygiene, RoleSecurityAdmin}
	addr := func(p string) Param {
		return Param{Type: TStrings, Validate: validateSmtpAddresses(p)}
	}
	policyParams := map[string]Param{
		"AdminDisplayName":                          {Type: TString, MaxLen: 255},
		"AutoForwardingMode":                        {Type: TString},
		"NotifyOutboundSpam":                        {Type: TBool},
		"NotifyOutboundSpamRecipients":              addr("NotifyOutboundSpamRecipients"),
		"BccSuspiciousOutboundMail":                 {Type: TBool},
		"BccSuspiciousOutboundAdditionalRecipients": addr("BccSuspiciousOutboundAdditionalRecipients"),
		"RecipientLimitExternalPerHour":             {Type: TInt, Min: intPtr(0), Max: intPtr(outboundRecipientLimMax)},
		"RecipientLimitInternalPerHour":             {Type: TInt, Min: intPtr(0), Max: intPtr(outboundRecipientLimMax)},
		"RecipientLimitPerDay":                      {Type: TInt, Min: intPtr(0), Max: intPtr(outboundRecipientLimMax)},
		"ActionWhenThresholdReached":                {Type: TString},
	}
	withParams := func(extra map[string]Param) map[string]Param {
		out := map[string]Param{}
		for k, v := range policyParams {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	applyPolicy := func(c *Call, o Object) {
		for p := range policyParams {
			if !c.Has(p) {
				continue
			}
			switch c.Params[p].(type) {
			case []string, MultiValueEdit:
				o[p] = setMultiValued(o[p], c.Params[p])
			default:
				o[p] = c.Params[p]
			}
		}
	}

	registerCmdlet(&Cmdlet{
		Name:      "Get-HostedOutboundSpamFilterPolicy",
		Endpoints: []string{EndpointExchange},
		Roles:     readRoles,
		Params:    map[string]Param{"Identity": {Type: TString}},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findByNameOrGUID(c.Tenant, kindOutboundPolicy, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{o}, nil
			}
			return c.Tenant.Store.List(kindOutboundPolicy), nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "New-HostedOutboundSpamFilterPolicy",
		Endpoints: []string{EndpointExchange},
		Roles:     writeRoles,
		Write:     true,
		Params:    withParams(map[string]Param{"Name": {Type: TString, MaxLen: 64}}),
		Run: func(c *Call) ([]Object, error) {
			name := strings.TrimSpace(c.String("Name"))
			if name == "" {
				return nil, errValidation("The Name property can't be empty.")
			}
			if findByNameOrGUID(c.Tenant, kindOutboundPolicy, name, true) != nil {
				return nil, errAlreadyExists("outbound spam filter policy", name)
			}
			o := newOutboundPolicyObject(c.Tenant, name, false)
			applyPolicy(c, o)
			c.Tenant.Store.Put(kindOutboundPolicy, name, o, c.Lag)
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-HostedOutboundSpamFilterPolicy",
		Endpoints: []string{EndpointExchange},
		Roles:     writeRoles,
		Write:     true,
		Params:    withParams(map[string]Param{"Identity": {Type: TString}, "Confirm": {Type: TSwitch}}),
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindOutboundPolicy, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			applyPolicy(c, o)
			c.Tenant.Store.Put(kindOutboundPolicy, fmt.Sprint(o["Name"]), o, c.Lag)
			return nil, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Remove-HostedOutboundSpamFilterPolicy",
		Endpoints: []string{EndpointExchange},
		Roles:     writeRoles,
		Write:     true,
		Params:    map[string]Param{"Identity": {Type: TString}, "Force": {Type: TSwitch}},
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindOutboundPolicy, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if o["IsDefault"] == true {
				return nil, &CmdletError{Status: 400, Code: "BadRequest",
					Exception: "Microsoft.Exchange.Management.Hygiene.CannotRemoveDefaultPolicyException",
					Message:   "The default policy can't be removed."}
			}
			c.Tenant.Store.Delete(kindOutboundPolicy, fmt.Sprint(o["Name"]), c.Lag)
			return nil, nil
		},
	})

	// RecipientIdParameter[]: any identity; resolved in resolveRuleSenders.
	recipients := Param{Type: TStrings}
	domains := Param{Type: TStrings, Validate: func(v any) error {
		items, _ := v.([]string)
		if e, ok := v.(MultiValueEdit); ok {
			items = append(append(items, e.Add...), e.Remove...)
		}
		for _, d := range items {
			if !smtpDomainRe.MatchString(d) {
				return errInvalidParam("SenderDomainIs", fmt.Sprintf("Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.Word\". \"%s\" isn't a valid domain.", d, d))
			}
		}
		return nil
	}}
	ruleParams := map[string]Param{
		"Comments":               {Type: TString, MaxLen: 1024},
		"From":                   recipients,
		"FromMemberOf":           recipients,
		"SenderDomainIs":         domains,
		"ExceptIfFrom":           recipients,
		"ExceptIfFromMemberOf":   recipients,
		"ExceptIfSenderDomainIs": domains,
		"Priority":               {Type: TInt},
		"Confirm":                {Type: TSwitch},
	}
	ruleConds := []string{"From", "FromMemberOf", "SenderDomainIs", "ExceptIfFrom", "ExceptIfFromMemberOf", "ExceptIfSenderDomainIs"}
	withRule := func(extra map[string]Param) map[string]Param {
		out := map[string]Param{}
		for k, v := range ruleParams {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	// customPolicy resolves -HostedOutboundSpamFilterPolicy to a custom policy.
	customPolicy := func(c *Call, ruleName string) (string, *CmdletError) {
		p := findByNameOrGUID(c.Tenant, kindOutboundPolicy, c.String("HostedOutboundSpamFilterPolicy"), true)
		if p == nil {
			return "", errNotFound(c.String("HostedOutboundSpamFilterPolicy"), c.Tenant)
		}
		if p["IsDefault"] == true {
			return "", errValidation("The default policy can't be associated with a rule; it applies to everyone not covered by a custom policy.")
		}
		name := fmt.Sprint(p["Name"])
		for _, r := range c.Tenant.Store.ListLatest(kindOutboundRule) {
			if strings.EqualFold(fmt.Sprint(r["HostedOutboundSpamFilterPolicy"]), name) && !strings.EqualFold(fmt.Sprint(r["Name"]), ruleName) {
				return "", &CmdletError{Status: 400, Code: "BadRequest", Exception: "Microsoft.Exchange.Management.Hygiene.PolicyAlreadyAssociatedException",
					Message: fmt.Sprintf("Policy \"%s\" is already associated with rule \"%s\". A policy can be associated with only one rule.", name, r["Name"])}
			}
		}
		return name, nil
	}

	registerCmdlet(&Cmdlet{
		Name:      "Get-HostedOutboundSpamFilterRule",
		Endpoints: []string{EndpointExchange},
		Roles:     readRoles,
		Params:    map[string]Param{"Identity": {Type: TString}, "State": {Type: TString}},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findByNameOrGUID(c.Tenant, kindOutboundRule, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{o}, nil
			}
			rules := c.Tenant.Store.List(kindOutboundRule)
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
		Name:      "New-HostedOutboundSpamFilterRule",
		Endpoints: []string{EndpointExchange},
		Roles:     writeRoles,
		Write:     true,
		Params: withRule(map[string]Param{
			"Name":                           {Type: TString, MaxLen: 64},
			"HostedOutboundSpamFilterPolicy": {Type: TString},
			"Enabled":                        {Type: TBool},
		}),
		Run: func(c *Call) ([]Object, error) {
			name := strings.TrimSpace(c.String("Name"))
			if name == "" {
				return nil, errValidation("The Name property can't be empty.")
			}
			if findByNameOrGUID(c.Tenant, kindOutboundRule, name, true) != nil {
				return nil, errAlreadyExists("outbound spam filter rule", name)
			}
			policy, cerr := customPolicy(c, name)
			if cerr != nil {
				return nil, cerr
			}
			rules := outboundRules(c.Tenant)
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
			o := Object{
				"Identity":                       name,
				"Name":                           name,
				"Guid":                           stableGUID(c.Tenant.ID, "outboundrule", strings.ToLower(name)),
				"HostedOutboundSpamFilterPolicy": policy,
				"State":                          state,
				"Priority":                       prio,
				"Comments":                       c.String("Comments"),
				"_dirty":                         true,
			}
			for _, p := range ruleConds {
				o[p] = nil
				if l, ok := c.Params[p].([]string); ok && len(l) > 0 {
					resolved, cerr := resolveRuleSenders(c, p, l)
					if cerr != nil {
						return nil, cerr
					}
					o[p] = resolved
				}
			}
			ordered := append(append(append([]Object{}, rules[:prio]...), o), rules[prio:]...)
			renumberRules(c, ordered)
			delete(o, "_dirty")
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-HostedOutboundSpamFilterRule",
		Endpoints: []string{EndpointExchange},
		Roles:     writeRoles,
		Write:     true,
		Params: withRule(map[string]Param{
			"Identity":                       {Type: TString},
			"Name":                           {Type: TString, MaxLen: 64},
			"HostedOutboundSpamFilterPolicy": {Type: TString},
		}),
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindOutboundRule, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			name := fmt.Sprint(o["Name"])
			if c.Has("HostedOutboundSpamFilterPolicy") {
				policy, cerr := customPolicy(c, name)
				if cerr != nil {
					return nil, cerr
				}
				o["HostedOutboundSpamFilterPolicy"] = policy
			}
			if c.Has("Comments") {
				o["Comments"] = c.String("Comments")
			}
			for _, p := range ruleConds {
				if c.Has(p) {
					v, cerr := resolveRuleSendersValue(c, p, c.Params[p])
					if cerr != nil {
						return nil, cerr
					}
					l := setMultiValued(o[p], v)
					if len(l) == 0 {
						o[p] = nil
					} else {
						o[p] = l
					}
				}
			}
			if c.Has("Name") && !strings.EqualFold(c.String("Name"), name) {
				newName := strings.TrimSpace(c.String("Name"))
				if newName == "" {
					return nil, errValidation("The Name property can't be empty.")
				}
				if findByNameOrGUID(c.Tenant, kindOutboundRule, newName, true) != nil {
					return nil, errAlreadyExists("outbound spam filter rule", newName)
				}
				c.Tenant.Store.Delete(kindOutboundRule, name, c.Lag)
				o["Name"], o["Identity"] = newName, newName
			}
			rules := outboundRules(c.Tenant)
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
			ordered := append(append(append([]Object{}, others[:prio]...), o), others[prio:]...)
			renumberRules(c, ordered)
			return nil, nil
		},
	})
	stateCmdlet := func(verb, state string) {
		registerCmdlet(&Cmdlet{
			Name:      verb + "-HostedOutboundSpamFilterRule",
			Endpoints: []string{EndpointExchange},
			Roles:     writeRoles,
			Write:     true,
			Params:    map[string]Param{"Identity": {Type: TString}, "Confirm": {Type: TSwitch}},
			Run: func(c *Call) ([]Object, error) {
				o := findByNameOrGUID(c.Tenant, kindOutboundRule, c.String("Identity"), true)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				o["State"] = state
				c.Tenant.Store.Put(kindOutboundRule, fmt.Sprint(o["Name"]), o, c.Lag)
				return nil, nil
			},
		})
	}
	stateCmdlet("Enable", "Enabled")
	stateCmdlet("Disable", "Disabled")
	registerCmdlet(&Cmdlet{
		Name:      "Remove-HostedOutboundSpamFilterRule",
		Endpoints: []string{EndpointExchange},
		Roles:     writeRoles,
		Write:     true,
		Params:    map[string]Param{"Identity": {Type: TString}, "Confirm": {Type: TSwitch}},
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindOutboundRule, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			c.Tenant.Store.Delete(kindOutboundRule, fmt.Sprint(o["Name"]), c.Lag)
			renumberRules(c, outboundRules(c.Tenant))
			return nil, nil
		},
	})
}

// ruleRecipientParams are the rule parameters that name recipients; the
// value is what the recipient must be.
var ruleRecipientParams = map[string]func(Object) string{
	"From":                 ruleSender,
	"ExceptIfFrom":         ruleSender,
	"FromMemberOf":         ruleGroup,
	"ExceptIfFromMemberOf": ruleGroup,
}

func ruleSender(o Object) string {
	if isGroup(o) {
		return "it is a group; use FromMemberOf for the group's members"
	}
	return ""
}

func ruleGroup(o Object) string {
	if !isGroup(o) {
		return "it is not a distribution group, mail-enabled security group or Microsoft 365 Group"
	}
	return ""
}

// resolveRuleSenders resolves a recipient condition's values to the
// recipients' primary SMTP addresses (other conditions pass unchanged).
func resolveRuleSenders(c *Call, param string, values []string) ([]string, *CmdletError) {
	want := ruleRecipientParams[param]
	if want == nil {
		return values, nil
	}
	out := make([]string, 0, len(values))
	for _, v := range values {
		o, cerr := resolveRecipientParam(c.Tenant, param, v, want)
		if cerr != nil {
			return nil, cerr
		}
		addr := asString(o["PrimarySmtpAddress"])
		if !containsFold(out, addr) {
			out = append(out, addr)
		}
	}
	return out, nil
}

// resolveRuleSendersValue resolves a bound list or Add/Remove edit.
func resolveRuleSendersValue(c *Call, param string, v any) (any, *CmdletError) {
	switch t := v.(type) {
	case []string:
		return resolveRuleSenders(c, param, t)
	case MultiValueEdit:
		add, cerr := resolveRuleSenders(c, param, t.Add)
		if cerr != nil {
			return nil, cerr
		}
		remove, cerr := resolveRuleSenders(c, param, t.Remove)
		if cerr != nil {
			return nil, cerr
		}
		return MultiValueEdit{Add: add, Remove: remove}, nil
	}
	return v, nil
}
