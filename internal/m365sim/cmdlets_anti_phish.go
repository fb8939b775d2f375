package m365sim

import (
	"fmt"
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

	antiPhishRuleFamily.register()
}

var antiPhishRuleFamily = ruleFamily{
	noun: "AntiPhishRule", kind: kindAntiPhishRule, what: "anti-phishing rule",
	policyParam: "AntiPhishPolicy", policyKind: kindAntiPhishPolicy,
	refusePolicy: func(p Object) string {
		if p["IsDefault"] == true {
			return "The default policy can't be associated with a rule; it applies to everyone not covered by a custom policy."
		}
		return ""
	},
	readRoles: []string{RoleTransportHygiene, RoleSecurityAdmin, RoleSecurityReader, RoleViewOnlyConfiguration},
	writes:    []string{RoleTransportHygiene, RoleSecurityAdmin},
}
