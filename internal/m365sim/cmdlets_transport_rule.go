package m365sim

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Transport rules (mail flow rules): the hardening subset of conditions and
// actions, with Exchange Online's validation.
//
//   - New-TransportRule -Name (unique, ≤64) [-Priority] [-Enabled] [-Mode
//     Audit|AuditAndNotify|Enforce] [-Comments ≤1024] + conditions, exceptions
//     and actions. Set-TransportRule has no -Enabled: Enable-/Disable-
//     TransportRule switch State. Get-TransportRule [-Identity name|GUID]
//     [-State Enabled|Disabled].
//     https://learn.microsoft.com/powershell/module/exchangepowershell/new-transportrule
//     https://learn.microsoft.com/powershell/module/exchangepowershell/get-transportrule
//   - Priority: 0 is highest, values are contiguous and unique; with N rules a
//     new rule takes 0..N (default N) and an existing one 0..N-1; the rule
//     moves to that position and the others shift (New-TransportRule,
//     -Priority).
//   - SentToScope/FromScope: InOrganization|NotInOrganization in Exchange
//     Online (ExternalPartner/ExternalNonPartner are on-premises only).
//   - MessageTypeMatches: OOF|AutoForward|Encrypted|Calendaring|
//     PermissionControlled|Voicemail|Signed|ApprovalRequest|ReadReceipt.
//   - RejectMessageEnhancedStatusCode: 5.7.1 or 5.7.900-5.7.999; used alone it
//     gets the text "Delivery not authorized, message refused", and
//     RejectMessageReasonText (≤1024 in the cloud) used alone gets the code
//     5.7.1.
//   - SetSCL: -1 or 0..9 (type SclValue).
//   - ApplyRightsProtectionTemplate names an RMS template (Get-RMSTemplate);
//     applying a template or ApplyOME needs Azure RMS licensing
//     (Set-IRMConfiguration -AzureRMSLicensingEnabled). A rule that both
//     encrypts (ApplyOME / a template) and decrypts (RemoveOME / RemoveOMEv2)
//     is refused: the actions contradict each other (inferred from the
//     parameter descriptions; the exact service text is not documented).
//   - A rule needs at least one action: Exchange 2007's New-TransportRule
//     made -Actions mandatory
//     (https://learn.microsoft.com/previous-versions/office/exchange-server-2007/bb125138(v=exchg.80));
//     Exchange Online's wording for a rule without one is not documented, so
//     the emulator's message is its own.
//
// Permissions: "Transport Rules" (Exchange Administrator); reads also
// "View-Only Configuration".

const kindTransportRule = "TransportRule"

// The text and code Exchange fills in when only one half of a reject action
// is given.
const (
	defaultRejectText = "Delivery not authorized, message refused"
	defaultRejectCode = "5.7.1"
)

var rejectCodeRe = regexp.MustCompile(`^5\.7\.(\d{1,3})$`)

// transportRuleConds are the multi-valued domain conditions.
var transportRuleDomainConds = []string{"RecipientDomainIs", "SenderDomainIs", "ExceptIfRecipientDomainIs", "ExceptIfSenderDomainIs"}

// transportRuleSingles are the single-valued conditions and actions stored
// as given (nil = not set).
var transportRuleSingles = []string{"FromScope", "SentToScope", "ExceptIfFromScope", "ExceptIfSentToScope", "MessageTypeMatches", "ExceptIfMessageTypeMatches",
	"ApplyRightsProtectionTemplate", "PrependSubject", "GenerateIncidentReport"}

var transportRuleAddressActions = []string{"RedirectMessageTo", "BlindCopyTo", "AddToRecipients"}

var transportRuleBoolActions = []string{"ApplyOME", "RemoveOME", "RemoveOMEv2", "StopRuleProcessing"}

// transportRules returns the rules (latest view) sorted by priority.
func transportRules(t *Tenant) []Object {
	rules := t.Store.ListLatest(kindTransportRule)
	sort.SliceStable(rules, func(i, j int) bool { return toInt(rules[i]["Priority"]) < toInt(rules[j]["Priority"]) })
	return rules
}

// storeTransportRules writes rules with priorities 0..n-1 in the given
// order; only the rules whose priority changed, and force, are written.
func storeTransportRules(c *Call, rules []Object, force Object) {
	for i, r := range rules {
		if toInt(r["Priority"]) != i || (force != nil && r["Guid"] == force["Guid"]) {
			r["Priority"] = i
			c.Tenant.Store.Put(kindTransportRule, fmt.Sprint(r["Name"]), r, c.Lag)
		}
	}
}

func validateRuleDomains(param string) func(v any) error {
	return func(v any) error {
		items, _ := v.([]string)
		if e, ok := v.(MultiValueEdit); ok {
			items = append(append(items, e.Add...), e.Remove...)
		}
		for _, d := range items {
			if !smtpDomainRe.MatchString(d) {
				return errInvalidParam(param, fmt.Sprintf("Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.Word\". \"%s\" isn't a valid domain.", d, d))
			}
		}
		return nil
	}
}

func validateSCL(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil // $null clears the action
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < -1 || n > 9 {
		return errInvalidParam("SetSCL", fmt.Sprintf("Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.SclValue\". Error: \"The SCL value must be -1 or an integer from 0 through 9.\"", s))
	}
	return nil
}

func validateRejectCode(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	m := rejectCodeRe.FindStringSubmatch(s)
	n := -1
	if m != nil {
		n, _ = strconv.Atoi(m[1])
	}
	if n != 1 && (n < 900 || n > 999) {
		return errInvalidParam("RejectMessageEnhancedStatusCode", fmt.Sprintf("Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.RejectEnhancedStatus\". Error: \"The enhanced status code must be 5.7.1 or between 5.7.900 and 5.7.999.\"", s))
	}
	return nil
}

func validateOneAddress(param string) func(v any) error {
	return func(v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		return validateSmtpAddresses(param)([]string{s})
	}
}

// transportRuleParams are the parameters New- and Set-TransportRule share.
func transportRuleParams() map[string]Param {
	p := map[string]Param{
		"Priority":                        {Type: TInt},
		"Mode":                            {Type: TString},
		"Comments":                        {Type: TString, MaxLen: 1024, Nullable: true},
		"FromScope":                       {Type: TString, Nullable: true},
		"SentToScope":                     {Type: TString, Nullable: true},
		"ExceptIfFromScope":               {Type: TString, Nullable: true},
		"ExceptIfSentToScope":             {Type: TString, Nullable: true},
		"MessageTypeMatches":              {Type: TString, Nullable: true},
		"ExceptIfMessageTypeMatches":      {Type: TString, Nullable: true},
		"ApplyRightsProtectionTemplate":   {Type: TString, Nullable: true},
		"RejectMessageReasonText":         {Type: TString, MaxLen: 1024, Nullable: true},
		"RejectMessageEnhancedStatusCode": {Type: TString, Nullable: true, Validate: validateRejectCode},
		"SetSCL":                          {Type: TString, Nullable: true, Validate: validateSCL},
		"PrependSubject":                  {Type: TString, Nullable: true},
		"GenerateIncidentReport":          {Type: TString, Nullable: true, Validate: validateOneAddress("GenerateIncidentReport")},
		"Confirm":                         {Type: TSwitch},
	}
	for _, d := range transportRuleDomainConds {
		p[d] = Param{Type: TStrings, Validate: validateRuleDomains(d)}
	}
	for _, a := range transportRuleAddressActions {
		p[a] = Param{Type: TStrings, Validate: validateSmtpAddresses(a)}
	}
	for _, b := range transportRuleBoolActions {
		p[b] = Param{Type: TBool}
	}
	return p
}

// applyTransportRuleParams copies the bound parameters onto a rule and
// checks the result as a whole, as the service does before saving.
func applyTransportRuleParams(c *Call, o Object) *CmdletError {
	for _, p := range transportRuleSingles {
		if c.Has(p) {
			o[p] = c.Params[p]
		}
	}
	if c.Has("Mode") {
		o["Mode"] = c.String("Mode")
	}
	if c.Has("Comments") {
		o["Comments"] = c.String("Comments")
	}
	for _, p := range append(append([]string{}, transportRuleDomainConds...), transportRuleAddressActions...) {
		if c.Has(p) {
			if l := setMultiValued(o[p], c.Params[p]); len(l) > 0 {
				o[p] = l
			} else {
				o[p] = nil
			}
		}
	}
	for _, b := range transportRuleBoolActions {
		if c.Has(b) {
			o[b] = c.Params[b]
		}
	}
	if c.Has("SetSCL") {
		o["SetSCL"] = nil
		if s, ok := c.Params["SetSCL"].(string); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(s))
			o["SetSCL"] = n
		}
	}
	// The reject action is a text and a code; either alone gets the other's
	// default, and clearing one clears the action.
	hasText, hasCode := c.Has("RejectMessageReasonText"), c.Has("RejectMessageEnhancedStatusCode")
	if hasText || hasCode {
		text, code := c.Params["RejectMessageReasonText"], c.Params["RejectMessageEnhancedStatusCode"]
		if hasText {
			o["RejectMessageReasonText"] = text
		}
		if hasCode {
			o["RejectMessageEnhancedStatusCode"] = code
		}
		if (hasText && text != nil) || (hasCode && code != nil) {
			if o["RejectMessageReasonText"] == nil {
				o["RejectMessageReasonText"] = defaultRejectText
			}
			if o["RejectMessageEnhancedStatusCode"] == nil {
				o["RejectMessageEnhancedStatusCode"] = defaultRejectCode
			}
		} else {
			o["RejectMessageReasonText"], o["RejectMessageEnhancedStatusCode"] = nil, nil
		}
	}

	// Whole-rule checks.
	if tpl, ok := o["ApplyRightsProtectionTemplate"].(string); ok && tpl != "" {
		if c.Has("ApplyRightsProtectionTemplate") {
			found := findRMSTemplate(c.Tenant, tpl)
			if found == nil {
				return &CmdletError{Status: 404, Code: "NotFound", Exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
					Message: fmt.Sprintf("The RMS template '%s' couldn't be found. Run Get-RMSTemplate to see the templates available in your organization.", tpl)}
			}
			o["ApplyRightsProtectionTemplate"] = found["Name"]
		}
	}
	encrypts := o["ApplyOME"] == true || (o["ApplyRightsProtectionTemplate"] != nil && o["ApplyRightsProtectionTemplate"] != "")
	if encrypts && (c.Has("ApplyOME") || c.Has("ApplyRightsProtectionTemplate")) && !irmLicensingEnabled(c.Tenant) {
		return &CmdletError{Status: 400, Code: "BadRequest", Exception: "Microsoft.Exchange.MessagingPolicies.Rules.Tasks.IrmLicensingIsDisabledException",
			Message: "Rights protection can't be applied because IRM licensing is disabled in your organization. Turn it on with Set-IRMConfiguration -AzureRMSLicensingEnabled $true."}
	}
	if o["ApplyOME"] == true && o["ApplyRightsProtectionTemplate"] != nil && o["ApplyRightsProtectionTemplate"] != "" {
		return errValidation("The ApplyOME and ApplyRightsProtectionTemplate actions can't be used in the same rule. Use one encryption action.")
	}
	if encrypts && (o["RemoveOME"] == true || o["RemoveOMEv2"] == true) {
		return errValidation("A rule can't both apply encryption (ApplyOME or ApplyRightsProtectionTemplate) and remove it (RemoveOME or RemoveOMEv2).")
	}
	if !transportRuleHasAction(o) {
		return errValidation("The rule must contain at least one action.")
	}
	return nil
}

func transportRuleHasAction(o Object) bool {
	for _, a := range []string{"ApplyRightsProtectionTemplate", "RejectMessageReasonText", "RejectMessageEnhancedStatusCode", "SetSCL", "PrependSubject", "GenerateIncidentReport"} {
		if v := o[a]; v != nil && v != "" {
			return true
		}
	}
	for _, a := range transportRuleAddressActions {
		if l, ok := o[a].([]string); ok && len(l) > 0 {
			return true
		}
		if l, ok := o[a].([]any); ok && len(l) > 0 {
			return true
		}
	}
	for _, b := range transportRuleBoolActions {
		if o[b] == true {
			return true
		}
	}
	return false
}

func newTransportRuleObject(name string) Object {
	o := Object{
		"Identity":                        name,
		"Name":                            name,
		"Guid":                            newRequestID(), // a random GUID: a re-created rule gets a new one
		"State":                           "Enabled",
		"Mode":                            "Enforce",
		"Comments":                        "",
		"SetSCL":                          nil,
		"RejectMessageReasonText":         nil,
		"RejectMessageEnhancedStatusCode": nil,
	}
	for _, p := range append(append(append([]string{}, transportRuleSingles...), transportRuleDomainConds...), transportRuleAddressActions...) {
		o[p] = nil
	}
	for _, b := range transportRuleBoolActions {
		o[b] = false
	}
	return o
}

func init() {
	readRoles := []string{RoleTransportRules, RoleViewOnlyConfiguration}
	writeRoles := []string{RoleTransportRules}

	registerCmdlet(&Cmdlet{
		Name:      "Get-TransportRule",
		Endpoints: []string{EndpointExchange},
		Roles:     readRoles,
		Params: map[string]Param{
			"Identity":   {Type: TString},
			"State":      {Type: TString},
			"ResultSize": {Type: TResultSize},
		},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findByNameOrGUID(c.Tenant, kindTransportRule, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{o}, nil
			}
			rules := c.Tenant.Store.List(kindTransportRule)
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
			if n, ok := c.Params["ResultSize"].(int); ok && n < len(rules) {
				rules = rules[:n]
			}
			return rules, nil
		},
	})

	newParams := transportRuleParams()
	newParams["Name"] = Param{Type: TString, MaxLen: 64}
	newParams["Enabled"] = Param{Type: TBool}
	registerCmdlet(&Cmdlet{
		Name:      "New-TransportRule",
		Endpoints: []string{EndpointExchange},
		Roles:     writeRoles,
		Write:     true,
		Params:    newParams,
		Run: func(c *Call) ([]Object, error) {
			name := strings.TrimSpace(c.String("Name"))
			if name == "" {
				return nil, errValidation("The Name property can't be empty.")
			}
			if findByNameOrGUID(c.Tenant, kindTransportRule, name, true) != nil {
				return nil, errAlreadyExists("transport rule", name)
			}
			rules := transportRules(c.Tenant)
			prio := len(rules)
			if c.Has("Priority") {
				prio = toInt(c.Params["Priority"])
				if prio < 0 || prio > len(rules) {
					return nil, priorityError(prio, len(rules))
				}
			}
			o := newTransportRuleObject(name)
			if c.Has("Enabled") && c.Params["Enabled"] == false {
				o["State"] = "Disabled"
			}
			if cerr := applyTransportRuleParams(c, o); cerr != nil {
				return nil, cerr
			}
			ordered := append(append(append([]Object{}, rules[:prio]...), o), rules[prio:]...)
			storeTransportRules(c, ordered, o)
			return []Object{o}, nil
		},
	})

	setParams := transportRuleParams()
	setParams["Identity"] = Param{Type: TString}
	setParams["Name"] = Param{Type: TString, MaxLen: 64}
	registerCmdlet(&Cmdlet{
		Name:      "Set-TransportRule",
		Endpoints: []string{EndpointExchange},
		Roles:     writeRoles,
		Write:     true,
		Params:    setParams,
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindTransportRule, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			name := fmt.Sprint(o["Name"])
			if cerr := applyTransportRuleParams(c, o); cerr != nil {
				return nil, cerr
			}
			rules := transportRules(c.Tenant)
			others := make([]Object, 0, len(rules))
			for _, r := range rules {
				if !strings.EqualFold(fmt.Sprint(r["Guid"]), fmt.Sprint(o["Guid"])) {
					others = append(others, r)
				}
			}
			prio := min(toInt(o["Priority"]), len(others))
			if c.Has("Priority") {
				prio = toInt(c.Params["Priority"])
				if prio < 0 || prio > len(others) {
					return nil, priorityError(prio, len(others))
				}
			}
			if c.Has("Name") && c.String("Name") != name {
				newName := strings.TrimSpace(c.String("Name"))
				if newName == "" {
					return nil, errValidation("The Name property can't be empty.")
				}
				if other := findByNameOrGUID(c.Tenant, kindTransportRule, newName, true); other != nil && other["Guid"] != o["Guid"] {
					return nil, errAlreadyExists("transport rule", newName)
				}
				c.Tenant.Store.Delete(kindTransportRule, name, c.Lag)
				o["Name"], o["Identity"] = newName, newName
			}
			ordered := append(append(append([]Object{}, others[:prio]...), o), others[prio:]...)
			storeTransportRules(c, ordered, o)
			return nil, nil
		},
	})

	simple := func(verb string, fn func(c *Call, o Object)) {
		registerCmdlet(&Cmdlet{
			Name:      verb + "-TransportRule",
			Endpoints: []string{EndpointExchange},
			Roles:     writeRoles,
			Write:     true,
			Params:    map[string]Param{"Identity": {Type: TString}, "Confirm": {Type: TSwitch}},
			Run: func(c *Call) ([]Object, error) {
				o := findByNameOrGUID(c.Tenant, kindTransportRule, c.String("Identity"), true)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				fn(c, o)
				return nil, nil
			},
		})
	}
	simple("Enable", func(c *Call, o Object) {
		o["State"] = "Enabled"
		c.Tenant.Store.Put(kindTransportRule, fmt.Sprint(o["Name"]), o, c.Lag)
	})
	simple("Disable", func(c *Call, o Object) {
		o["State"] = "Disabled"
		c.Tenant.Store.Put(kindTransportRule, fmt.Sprint(o["Name"]), o, c.Lag)
	})
	simple("Remove", func(c *Call, o Object) {
		c.Tenant.Store.Delete(kindTransportRule, fmt.Sprint(o["Name"]), c.Lag)
		storeTransportRules(c, transportRules(c.Tenant), nil)
	})
}
