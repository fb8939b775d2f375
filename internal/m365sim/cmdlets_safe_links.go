package m365sim

import (
	"fmt"
	"strings"
)

// Safe Links and Safe Attachments policies and rules
// (Get/New/Set/Remove-SafeLinksPolicy, -SafeAttachmentPolicy and the
// matching rules, Enable-/Disable- of the rules).
//
//   - Licence: both are Microsoft Defender for Office 365 features (Plan 1
//     or 2). In a tenant without it the cmdlets are not there at all:
//     "The term 'Get-SafeAttachmentPolicy' is not recognized as the name of
//     a cmdlet" (Microsoft365DSC issue #3131,
//     https://github.com/Microsoft365DSC/Microsoft365DSC/issues/3131; also
//     maester365/maester #466, where Get-SafeLinksPolicy was missing for an
//     unlicensed account). The InvokeCommand endpoint answers a cmdlet the
//     session does not have with its 403 (exchange.go writeForbidden); no
//     Microsoft page documents a licence-specific message, so the emulator
//     answers exactly that.
//   - Defaults of a new policy are the cmdlet reference's "This value is
//     the default" values: Safe Links EnableSafeLinksForEmail, -ForTeams,
//     -ForOffice, TrackClicks, ScanUrls, DeliverMessageAfterScan,
//     EnableForInternalSenders $true; DisableUrlRewrite,
//     EnableOrganizationBranding, UseTranslatedNotificationText $false
//     (https://learn.microsoft.com/powershell/module/exchangepowershell/new-safelinkspolicy);
//     AllowClickThrough $false is the "Default" column of
//     https://learn.microsoft.com/defender-office-365/recommended-settings-for-eop-and-office365#safe-links-policy-settings.
//     Safe Attachments: Enable $false, Action Block, Redirect $false,
//     QuarantineTag AdminOnlyAccessPolicy
//     (https://learn.microsoft.com/powershell/module/exchangepowershell/new-safeattachmentpolicy).
//   - Every tenant with Defender for Office 365 has the policies named
//     "Built-In Protection Policy" (IsBuiltInProtection $true), which apply
//     to everyone not covered by another policy. They can't be modified or
//     removed, and have no Safe Links/Safe Attachments rule
//     (https://learn.microsoft.com/defender-office-365/preset-security-policies#profiles-in-preset-security-policies:
//     "You can't modify the Built-in protection preset security policy").
//     The service's exact error for Set-/Remove- on them is not documented;
//     the emulator refuses with a validation error (the stricter reading).
//     Their settings are the "Built-in protection" column of the
//     recommended settings page: Safe Links on for email, Teams and Office,
//     internal senders, URL scanning and waiting for it, clicks tracked, no
//     click-through; Safe Attachments Enable $true with Action Block.
//   - RedirectAddress is "required if Redirect is $true"
//     (set-safeattachmentpolicy); the emulator refuses Redirect $true with
//     no address. Action is typed SafeAttachmentAction; the reference lists
//     Allow, Block and DynamicDelivery.
//   - Rules: see cmdlets_policy_rule.go. A rule can't use the built-in
//     protection policy or a preset security policy's own policy.
//
// Permissions: "Security Admin" (Security Administrator, Exchange
// Administrator); reads also "Security Reader" and "View-Only
// Configuration" (https://learn.microsoft.com/defender-office-365/safe-links-policies-configure#what-do-you-need-to-know-before-you-begin).

const (
	kindSafeLinksPolicy       = "SafeLinksPolicy"
	kindSafeLinksRule         = "SafeLinksRule"
	kindSafeAttachmentPolicy  = "SafeAttachmentPolicy"
	kindSafeAttachmentRule    = "SafeAttachmentRule"
	builtInProtectionPolicy   = "Built-In Protection Policy"
	recommendedPolicyCustom   = "Custom"
	recommendedPolicyStandard = "Standard"
	recommendedPolicyStrict   = "Strict"
)

func hasDefenderForOffice365(t *Tenant) bool { return t.Licences.DefenderForOffice365 }

var (
	threatReadRoles  = []string{RoleSecurityAdmin, RoleSecurityReader, RoleViewOnlyConfiguration}
	threatWriteRoles = []string{RoleSecurityAdmin}
)

// flatPolicy is a policy family whose settings are flat parameters of
// New-/Set-<Noun> (Safe Links, Safe Attachments).
type flatPolicy struct {
	noun, kind, what string
	params           map[string]Param
	defaults         func() Object // a new custom policy's settings
	builtIn          func() Object // the built-in protection policy's settings
	check            func(o Object) *CmdletError
}

func (f flatPolicy) object(t *Tenant, name string, settings Object, builtIn bool, recommended string) Object {
	o := Object{"Identity": name, "Name": name, "Guid": stableGUID(t.ID, strings.ToLower(f.noun), strings.ToLower(name)),
		"AdminDisplayName": "", "IsBuiltInProtection": builtIn, "RecommendedPolicyType": recommended}
	for k, v := range settings {
		o[k] = v
	}
	return o
}

// readOnly says why a policy can't be changed by Set-/Remove-.
func readOnlyPolicy(o Object) string {
	switch {
	case o["IsBuiltInProtection"] == true:
		return fmt.Sprintf("The policy \"%s\" is the built-in protection policy and can't be modified or removed.", o["Name"])
	case o["RecommendedPolicyType"] == recommendedPolicyStandard || o["RecommendedPolicyType"] == recommendedPolicyStrict:
		return fmt.Sprintf("The policy \"%s\" belongs to a preset security policy and can't be modified or removed; change the preset's recipients with Set-EOPProtectionPolicyRule and Set-ATPProtectionPolicyRule.", o["Name"])
	}
	return ""
}

func (f flatPolicy) apply(c *Call, o Object) error {
	for p := range f.params {
		if !c.Has(p) || p == "Confirm" {
			continue
		}
		if f.params[p].Type != TStrings {
			o[p] = c.Params[p]
			continue
		}
		// $null and @() both clear the list.
		l := []string{}
		if c.Params[p] != nil {
			l = setMultiValued(o[p], c.Params[p])
		}
		if l == nil {
			l = []string{}
		}
		o[p] = l
	}
	if f.check != nil {
		if cerr := f.check(o); cerr != nil {
			return cerr
		}
	}
	return nil
}

func (f flatPolicy) register() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(f.kind, builtInProtectionPolicy, f.object(t, builtInProtectionPolicy, f.builtIn(), true, recommendedPolicyCustom), 0)
	})
	with := func(extra string) map[string]Param {
		out := map[string]Param{extra: {Type: TString}}
		for k, v := range f.params {
			out[k] = v
		}
		return out
	}
	registerCmdlet(&Cmdlet{
		Name: "Get-" + f.noun, Endpoints: []string{EndpointExchange}, Roles: threatReadRoles, Available: hasDefenderForOffice365,
		Params: map[string]Param{"Identity": {Type: TString}},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findByNameOrGUID(c.Tenant, f.kind, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{o}, nil
			}
			return c.Tenant.Store.List(f.kind), nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name: "New-" + f.noun, Endpoints: []string{EndpointExchange}, Roles: threatWriteRoles, Write: true, Available: hasDefenderForOffice365,
		Params: with("Name"),
		Run: func(c *Call) ([]Object, error) {
			name := strings.TrimSpace(c.String("Name"))
			if name == "" {
				return nil, errValidation("The Name property can't be empty.")
			}
			if findByNameOrGUID(c.Tenant, f.kind, name, true) != nil {
				return nil, errAlreadyExists(f.what, name)
			}
			o := f.object(c.Tenant, name, f.defaults(), false, recommendedPolicyCustom)
			if err := f.apply(c, o); err != nil {
				return nil, err
			}
			c.Tenant.Store.Put(f.kind, name, o, c.Lag)
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name: "Set-" + f.noun, Endpoints: []string{EndpointExchange}, Roles: threatWriteRoles, Write: true, Available: hasDefenderForOffice365,
		Params: with("Identity"),
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, f.kind, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if why := readOnlyPolicy(o); why != "" {
				return nil, errValidation(why)
			}
			if err := f.apply(c, o); err != nil {
				return nil, err
			}
			c.Tenant.Store.Put(f.kind, fmt.Sprint(o["Name"]), o, c.Lag)
			return nil, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name: "Remove-" + f.noun, Endpoints: []string{EndpointExchange}, Roles: threatWriteRoles, Write: true, Available: hasDefenderForOffice365,
		Params: map[string]Param{"Identity": {Type: TString}, "Force": {Type: TSwitch}, "Confirm": {Type: TSwitch}},
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, f.kind, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if why := readOnlyPolicy(o); why != "" {
				return nil, errValidation(why)
			}
			name := fmt.Sprint(o["Name"])
			// A policy in use by a rule can't be removed (remove the rule
			// first); the reference does not give the text, the stricter
			// reading refuses.
			rules := strings.TrimSuffix(f.kind, "Policy") + "Rule"
			for _, r := range c.Tenant.Store.ListLatest(rules) {
				if strings.EqualFold(asString(r[f.noun]), name) {
					return nil, errValidation(fmt.Sprintf("The policy \"%s\" is used by the rule \"%s\". Remove the rule first.", name, r["Name"]))
				}
			}
			c.Tenant.Store.Delete(f.kind, name, c.Lag)
			return nil, nil
		},
	})
}

// validateSafeAttachmentAction checks -Action against the reference's list.
func validateSafeAttachmentAction(v any) error {
	var allowed []string
	for _, a := range refCmdlet("Set-SafeAttachmentPolicy").Param("Action").ValidValues {
		allowed = append(allowed, a.Value)
	}
	s := asString(v)
	if !containsFold(allowed, s) {
		return errTransformation("Action", fmt.Sprintf("Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.SafeAttachmentAction\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again: %s\"",
			s, s, strings.Join(allowed, ", ")))
	}
	return nil
}

func safeLinksSettings() Object {
	return Object{
		"EnableSafeLinksForEmail": true, "EnableSafeLinksForTeams": true, "EnableSafeLinksForOffice": true,
		"TrackClicks": true, "AllowClickThrough": false, "ScanUrls": true, "EnableForInternalSenders": true,
		"DeliverMessageAfterScan": true, "DisableUrlRewrite": false, "DoNotRewriteUrls": []string{},
		"CustomNotificationText": "", "EnableOrganizationBranding": false, "UseTranslatedNotificationText": false,
	}
}

var (
	safeLinksPolicies = flatPolicy{
		noun: "SafeLinksPolicy", kind: kindSafeLinksPolicy, what: "Safe Links policy",
		params: map[string]Param{
			"AdminDisplayName":              {Type: TString, MaxLen: 255},
			"AllowClickThrough":             {Type: TBool},
			"CustomNotificationText":        {Type: TString, MaxLen: 255},
			"DeliverMessageAfterScan":       {Type: TBool},
			"DisableUrlRewrite":             {Type: TBool},
			"DoNotRewriteUrls":              {Type: TStrings},
			"EnableForInternalSenders":      {Type: TBool},
			"EnableOrganizationBranding":    {Type: TBool},
			"EnableSafeLinksForEmail":       {Type: TBool},
			"EnableSafeLinksForOffice":      {Type: TBool},
			"EnableSafeLinksForTeams":       {Type: TBool},
			"ScanUrls":                      {Type: TBool},
			"TrackClicks":                   {Type: TBool},
			"UseTranslatedNotificationText": {Type: TBool},
			"Confirm":                       {Type: TSwitch},
		},
		defaults: safeLinksSettings,
		builtIn:  safeLinksSettings,
	}
	safeAttachmentPolicies = flatPolicy{
		noun: "SafeAttachmentPolicy", kind: kindSafeAttachmentPolicy, what: "Safe Attachments policy",
		params: map[string]Param{
			"AdminDisplayName": {Type: TString, MaxLen: 255},
			"Action":           {Type: TString, Validate: validateSafeAttachmentAction},
			"Enable":           {Type: TBool},
			"QuarantineTag":    {Type: TString},
			"Redirect":         {Type: TBool},
			"RedirectAddress":  {Type: TString, Validate: validateSmtpAddresses("RedirectAddress")},
			"Confirm":          {Type: TSwitch},
		},
		defaults: func() Object {
			return Object{"Enable": false, "Action": "Block", "Redirect": false, "RedirectAddress": "", "QuarantineTag": "AdminOnlyAccessPolicy"}
		},
		builtIn: func() Object {
			return Object{"Enable": true, "Action": "Block", "Redirect": false, "RedirectAddress": "", "QuarantineTag": "AdminOnlyAccessPolicy"}
		},
		check: func(o Object) *CmdletError {
			for _, a := range refCmdlet("Set-SafeAttachmentPolicy").Param("Action").ValidValues {
				if strings.EqualFold(a.Value, asString(o["Action"])) {
					o["Action"] = a.Value // stored in the enumeration's spelling
				}
			}
			if o["Redirect"] == true && asString(o["RedirectAddress"]) == "" {
				return errValidation("RedirectAddress is required when Redirect is $true.")
			}
			return nil
		},
	}
)

// customThreatPolicy refuses the built-in and preset policies in a rule.
func customThreatPolicy(p Object) string {
	if why := readOnlyPolicy(p); why != "" {
		return why + " It can't be associated with a rule."
	}
	return ""
}

func init() {
	safeLinksPolicies.register()
	safeAttachmentPolicies.register()
	for _, f := range []ruleFamily{
		{noun: "SafeLinksRule", kind: kindSafeLinksRule, what: "Safe Links rule", policyParam: "SafeLinksPolicy", policyKind: kindSafeLinksPolicy},
		{noun: "SafeAttachmentRule", kind: kindSafeAttachmentRule, what: "Safe Attachments rule", policyParam: "SafeAttachmentPolicy", policyKind: kindSafeAttachmentPolicy},
	} {
		f.refusePolicy, f.readRoles, f.writes, f.available = customThreatPolicy, threatReadRoles, threatWriteRoles, hasDefenderForOffice365
		f.register()
	}
}
