package m365sim

import (
	"fmt"
	"sort"
	"strings"
)

// Rules that assign a threat-protection policy to recipients: the
// anti-phishing, Safe Links and Safe Attachments rules
// (Get/New/Set/Remove/Enable/Disable-<Noun>) and the rules of the preset
// security policies (Get/Set/Enable/Disable-EOPProtectionPolicyRule and
// -ATPProtectionPolicyRule). They share one shape, documented alike on each
// cmdlet's reference page (e.g.
// https://learn.microsoft.com/powershell/module/exchangepowershell/new-safelinksrule):
//
//   - New-<Noun> -Name -<Policy> [-Priority] [-Enabled] [-SentTo]
//     [-SentToMemberOf] [-RecipientDomainIs] [-ExceptIf...] [-Comments];
//     Set- has no -Enabled (Enable-/Disable- switch State).
//   - Priorities are 0 (highest) and up, contiguous; a new or moved rule
//     shifts the others ("rules can't have the same priority value").
//   - A policy can be used by only one rule (the portal shows a policy and
//     its rule as one; New-SafeLinksRule: "You can't specify a policy
//     that's already associated with another rule").
//   - SentTo/SentToMemberOf are RecipientIdParameter[] that Exchange resolves
//     and reports as the recipients' primary SMTP addresses, as for the
//     outbound spam filter rule (cmdlets_outbound_spam.go); a value naming
//     nobody is refused.
//   - The preset rules' reference pages document no -Enabled on Set and no
//     policy parameter on Set (the policies are the preset's own).

// ruleFamily describes one family of policy rules.
type ruleFamily struct {
	noun        string // "SafeLinksRule"
	kind        string // store kind
	what        string // "Safe Links rule", for messages
	policyParam string // "SafeLinksPolicy"; empty for the preset rules (no policy on Set)
	policyKind  string
	// refusePolicy names why a policy can't have a rule ("" = it can).
	refusePolicy      func(p Object) string
	readRoles, writes []string
	available         func(t *Tenant) bool
	// noCreate leaves out New- and Remove- (the preset rules: the catalogue
	// holds only Get/Set/Enable/Disable); their Set keeps the priorities
	// as they are.
	noCreate bool
	// checkSet, when set, refuses a Set- call on rule o.
	checkSet func(c *Call, o Object) *CmdletError
}

var ruleConditions = []string{"SentTo", "SentToMemberOf", "RecipientDomainIs", "ExceptIfSentTo", "ExceptIfSentToMemberOf", "ExceptIfRecipientDomainIs"}

var ruleRecipientConds = map[string]func(Object) string{
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

func resolveRuleRecipients(c *Call, param string, values []string) ([]string, *CmdletError) {
	want := ruleRecipientConds[param]
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

func resolveRuleValue(c *Call, param string, v any) (any, *CmdletError) {
	if e, ok := v.(MultiValueEdit); ok {
		add, cerr := resolveRuleRecipients(c, param, e.Add)
		if cerr != nil {
			return nil, cerr
		}
		rm, cerr := resolveRuleRecipients(c, param, e.Remove)
		if cerr != nil {
			return nil, cerr
		}
		return MultiValueEdit{Add: add, Remove: rm}, nil
	}
	l, _ := v.([]string)
	return resolveRuleRecipients(c, param, l)
}

func (f ruleFamily) sorted(t *Tenant, latest bool) []Object {
	rules := t.Store.List(f.kind)
	if latest {
		rules = t.Store.ListLatest(f.kind)
	}
	sort.SliceStable(rules, func(i, j int) bool { return toInt(rules[i]["Priority"]) < toInt(rules[j]["Priority"]) })
	return rules
}

func (f ruleFamily) renumber(c *Call, rules []Object) {
	for i, r := range rules {
		if toInt(r["Priority"]) != i || r["_dirty"] != nil {
			delete(r, "_dirty")
			r["Priority"] = i
			c.Tenant.Store.Put(f.kind, fmt.Sprint(r["Name"]), r, c.Lag)
		}
	}
}

// policyFor checks the -<Policy> value of a call for rule ruleName.
func (f ruleFamily) policyFor(c *Call, ruleName string) (string, *CmdletError) {
	p := findByNameOrGUID(c.Tenant, f.policyKind, c.String(f.policyParam), true)
	if p == nil {
		return "", errNotFound(c.String(f.policyParam), c.Tenant)
	}
	if f.refusePolicy != nil {
		if why := f.refusePolicy(p); why != "" {
			return "", errValidation(why)
		}
	}
	name := fmt.Sprint(p["Name"])
	for _, r := range c.Tenant.Store.ListLatest(f.kind) {
		if strings.EqualFold(fmt.Sprint(r[f.policyParam]), name) && !strings.EqualFold(fmt.Sprint(r["Name"]), ruleName) {
			return "", &CmdletError{Status: 400, Code: "BadRequest", Exception: "Microsoft.Exchange.Management.Hygiene.PolicyAlreadyAssociatedException",
				Message: fmt.Sprintf("Policy \"%s\" is already associated with rule \"%s\". A policy can be associated with only one rule.", name, r["Name"])}
		}
	}
	return name, nil
}

// newRuleObject builds a rule as New-<Noun> stores it (the preset rules
// are seeded through it as well).
func (f ruleFamily) newRuleObject(t *Tenant, name string, state string) Object {
	o := Object{"Identity": name, "Name": name, "Guid": stableGUID(t.ID, strings.ToLower(f.noun), strings.ToLower(name)),
		"State": state, "Comments": ""}
	for _, p := range ruleConditions {
		o[p] = nil
	}
	return o
}

func (f ruleFamily) register() {
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
	with := func(extra map[string]Param) map[string]Param {
		out := map[string]Param{}
		for k, v := range ruleParams {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	find := func(c *Call) (Object, *CmdletError) {
		o := findByNameOrGUID(c.Tenant, f.kind, c.String("Identity"), true)
		if o == nil {
			return nil, errNotFound(c.String("Identity"), c.Tenant)
		}
		return o, nil
	}
	registerCmdlet(&Cmdlet{
		Name: "Get-" + f.noun, Endpoints: []string{EndpointExchange}, Roles: f.readRoles, Available: f.available,
		Params: map[string]Param{"Identity": {Type: TString}, "State": {Type: TString}},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findByNameOrGUID(c.Tenant, f.kind, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{o}, nil
			}
			rules := f.sorted(c.Tenant, false)
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
	setExtra := map[string]Param{"Identity": {Type: TString}}
	if f.policyParam != "" {
		setExtra[f.policyParam] = Param{Type: TString}
	}
	registerCmdlet(&Cmdlet{
		Name: "Set-" + f.noun, Endpoints: []string{EndpointExchange}, Roles: f.writes, Write: true, Available: f.available,
		Params: with(setExtra),
		Run: func(c *Call) ([]Object, error) {
			o, cerr := find(c)
			if cerr != nil {
				return nil, cerr
			}
			if f.checkSet != nil {
				if cerr := f.checkSet(c, o); cerr != nil {
					return nil, cerr
				}
			}
			if f.policyParam != "" && c.Has(f.policyParam) {
				policy, cerr := f.policyFor(c, fmt.Sprint(o["Name"]))
				if cerr != nil {
					return nil, cerr
				}
				o[f.policyParam] = policy
			}
			if c.Has("Comments") {
				o["Comments"] = c.String("Comments")
			}
			for _, p := range ruleConditions {
				if !c.Has(p) {
					continue
				}
				v, cerr := resolveRuleValue(c, p, c.Params[p])
				if cerr != nil {
					return nil, cerr
				}
				if l := setMultiValued(o[p], v); len(l) == 0 {
					o[p] = nil
				} else {
					o[p] = l
				}
			}
			if f.noCreate {
				c.Tenant.Store.Put(f.kind, fmt.Sprint(o["Name"]), o, c.Lag)
				return nil, nil
			}
			rules := f.sorted(c.Tenant, true)
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
			f.renumber(c, append(append(append([]Object{}, others[:prio]...), o), others[prio:]...))
			return nil, nil
		},
	})
	for verb, state := range map[string]string{"Enable": "Enabled", "Disable": "Disabled"} {
		state := state
		registerCmdlet(&Cmdlet{
			Name: verb + "-" + f.noun, Endpoints: []string{EndpointExchange}, Roles: f.writes, Write: true, Available: f.available,
			Params: map[string]Param{"Identity": {Type: TString}, "Confirm": {Type: TSwitch}},
			Run: func(c *Call) ([]Object, error) {
				o, cerr := find(c)
				if cerr != nil {
					return nil, cerr
				}
				o["State"] = state
				c.Tenant.Store.Put(f.kind, fmt.Sprint(o["Name"]), o, c.Lag)
				return nil, nil
			},
		})
	}
	if f.noCreate {
		return
	}
	registerCmdlet(&Cmdlet{
		Name: "New-" + f.noun, Endpoints: []string{EndpointExchange}, Roles: f.writes, Write: true, Available: f.available,
		Params: with(map[string]Param{"Name": {Type: TString, MaxLen: 64}, f.policyParam: {Type: TString}, "Enabled": {Type: TBool}}),
		Run: func(c *Call) ([]Object, error) {
			name := strings.TrimSpace(c.String("Name"))
			if name == "" {
				return nil, errValidation("The Name property can't be empty.")
			}
			if findByNameOrGUID(c.Tenant, f.kind, name, true) != nil {
				return nil, errAlreadyExists(f.what, name)
			}
			policy, cerr := f.policyFor(c, name)
			if cerr != nil {
				return nil, cerr
			}
			rules := f.sorted(c.Tenant, true)
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
			o := f.newRuleObject(c.Tenant, name, state)
			o[f.policyParam], o["Priority"], o["Comments"], o["_dirty"] = policy, prio, c.String("Comments"), true
			for _, p := range ruleConditions {
				if l, ok := c.Params[p].([]string); ok && len(l) > 0 {
					r, cerr := resolveRuleRecipients(c, p, l)
					if cerr != nil {
						return nil, cerr
					}
					o[p] = r
				}
			}
			f.renumber(c, append(append(append([]Object{}, rules[:prio]...), o), rules[prio:]...))
			delete(o, "_dirty")
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name: "Remove-" + f.noun, Endpoints: []string{EndpointExchange}, Roles: f.writes, Write: true, Available: f.available,
		Params: map[string]Param{"Identity": {Type: TString}, "Confirm": {Type: TSwitch}},
		Run: func(c *Call) ([]Object, error) {
			o, cerr := find(c)
			if cerr != nil {
				return nil, cerr
			}
			c.Tenant.Store.Delete(f.kind, fmt.Sprint(o["Name"]), c.Lag)
			f.renumber(c, f.sorted(c.Tenant, true))
			return nil, nil
		},
	})
}
