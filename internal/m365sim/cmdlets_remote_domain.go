package m365sim

import (
	"fmt"
	"regexp"
	"strings"
)

// Remote domains: per-destination-domain mail settings, including whether
// messages auto-forwarded by client rules may leave for that domain.
//
//   - New-RemoteDomain -Name -DomainName: "A valid value is an SMTP domain
//     (for example, contoso.com) ... You can use the wildcard character (*) to
//     specify a domain and all subdomains (for example: *.contoso.com), but you
//     can't embed the wildcard character". Name ≤ 64 characters, unique.
//     https://learn.microsoft.com/powershell/module/exchangepowershell/new-remotedomain
//   - Set-RemoteDomain -AutoForwardEnabled: "$true ... This value is the
//     default for new remote domains that you create and the built-in remote
//     domain named Default in Exchange Online." Same for AutoReplyEnabled;
//     DeliveryReportEnabled and NDREnabled default to $true; AllowedOOFType
//     is External|ExternalLegacy|InternalLegacy|None, default External.
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-remotedomain
//   - The built-in remote domain "Default" (DomainName "*") exists in every
//     organization and cannot be removed.
//     https://learn.microsoft.com/exchange/mail-flow-best-practices/remote-domains/remote-domains
//
// Permissions: "Remote and Accepted Domains" (reads also "View-Only
// Configuration").

const (
	kindRemoteDomain         = "RemoteDomain"
	defaultRemoteDomainName  = "Default"
	remoteDomainNameMaxLen   = 64
	remoteDomainDomainMaxLen = 256
)

// domainLabel is one DNS label of an SMTP domain.
const domainLabel = `[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?`

var (
	smtpDomainRe         = regexp.MustCompile(`^` + domainLabel + `(?:\.` + domainLabel + `)+$`)
	smtpDomainWildcardRe = regexp.MustCompile(`^(?:\*|(?:\*\.)?` + domainLabel + `(?:\.` + domainLabel + `)+)$`)
	smtpAddressRe        = regexp.MustCompile(`^[A-Za-z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@` + domainLabel + `(?:\.` + domainLabel + `)+$`)
)

// validSmtpAddress reports whether s is an SMTP address (local@domain).
func validSmtpAddress(s string) bool {
	return smtpAddressRe.MatchString(s) && !strings.Contains(s, "..") && !strings.HasPrefix(s, ".")
}

func validateSmtpDomainWithSubdomains(v any) error {
	s, _ := v.(string)
	if len(s) > remoteDomainDomainMaxLen || !smtpDomainWildcardRe.MatchString(s) {
		return &CmdletError{Status: 400, Code: "BadRequest", Exception: "System.Management.Automation.ParameterBindingException",
			Message: fmt.Sprintf("Cannot bind parameter 'DomainName'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.SmtpDomainWithSubdomains\". Error: \"\"%s\" isn't a valid SMTP domain. A valid value is a domain such as contoso.com, *.contoso.com or *.\"", s, s)}
	}
	return nil
}

// validateSmtpAddresses checks a TStrings value (or its Add/Remove edit) holds
// SMTP addresses.
func validateSmtpAddresses(param string) func(v any) error {
	return func(v any) error {
		var items []string
		switch t := v.(type) {
		case []string:
			items = t
		case MultiValueEdit:
			items = append(append(items, t.Add...), t.Remove...)
		case string:
			items = []string{t}
		}
		for _, it := range items {
			if !validSmtpAddress(it) {
				return errInvalidParam(param, fmt.Sprintf("Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.SmtpAddress\". Error: \"The email address \"%s\" isn't correct. Please use this format: user name, the @ sign, followed by the domain name. For example, tonysmith@contoso.com or tony.smith@contoso.com.\"", it, it))
			}
		}
		return nil
	}
}

// remoteDomainSettings are the Set-RemoteDomain boolean and enum settings
// the emulator keeps, with their defaults for new domains and Default.
var remoteDomainSettings = map[string]any{
	"AutoForwardEnabled":                true,
	"AutoReplyEnabled":                  true,
	"DeliveryReportEnabled":             true,
	"NDREnabled":                        true,
	"NDRDiagnosticInfoEnabled":          true,
	"MeetingForwardNotificationEnabled": false,
	"DisplaySenderName":                 true,
	"TNEFEnabled":                       nil,
	"TrustedMailOutboundEnabled":        false,
	"TrustedMailInboundEnabled":         false,
	"UseSimpleDisplayName":              false,
	"IsInternal":                        false,
	"TargetDeliveryDomain":              false,
	"AllowedOOFType":                    "External",
	"ContentType":                       "MimeHtmlText",
	"CharacterSet":                      nil,
	"NonMimeCharacterSet":               nil,
	"LineWrapSize":                      "Unlimited",
}

func newRemoteDomainObject(t *Tenant, name, domain string) Object {
	o := Object{
		"Identity":          name,
		"Name":              name,
		"DomainName":        domain,
		"Guid":              stableGUID(t.ID, "remotedomain", strings.ToLower(name)),
		"DistinguishedName": fmt.Sprintf("CN=%s,CN=Internet Message Formats,CN=Global Settings,CN=Configuration,CN=%s,CN=ConfigurationUnits,DC=%sA001,DC=PROD,DC=OUTLOOK,DC=COM", name, t.InitialDomain, strings.ToUpper(t.Region)),
		"WhenCreatedUTC":    "2020-01-01T00:00:00Z",
	}
	for k, v := range remoteDomainSettings {
		o[k] = v
	}
	return o
}

// findRemoteDomain resolves a RemoteDomainIdParameter (name, GUID or DN).
func findRemoteDomain(t *Tenant, id string, latest bool) Object {
	get, list := t.Store.Get, t.Store.List
	if latest {
		get, list = t.Store.GetLatest, t.Store.ListLatest
	}
	if o := get(kindRemoteDomain, id); o != nil {
		return o
	}
	for _, o := range list(kindRemoteDomain) {
		if strings.EqualFold(fmt.Sprint(o["Guid"]), id) || strings.EqualFold(fmt.Sprint(o["DistinguishedName"]), id) {
			return o
		}
	}
	return nil
}

func init() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindRemoteDomain, defaultRemoteDomainName, newRemoteDomainObject(t, defaultRemoteDomainName, "*"), 0)
	})

	setParams := map[string]Param{
		"Identity":                          {Type: TString},
		"Name":                              {Type: TString, MaxLen: remoteDomainNameMaxLen},
		"AutoForwardEnabled":                {Type: TBool},
		"AutoReplyEnabled":                  {Type: TBool},
		"DeliveryReportEnabled":             {Type: TBool},
		"NDREnabled":                        {Type: TBool},
		"NDRDiagnosticInfoEnabled":          {Type: TBool},
		"MeetingForwardNotificationEnabled": {Type: TBool},
		"DisplaySenderName":                 {Type: TBool},
		"TNEFEnabled":                       {Type: TBool},
		"TrustedMailOutboundEnabled":        {Type: TBool},
		"TrustedMailInboundEnabled":         {Type: TBool},
		"UseSimpleDisplayName":              {Type: TBool},
		"IsInternal":                        {Type: TBool},
		"TargetDeliveryDomain":              {Type: TBool},
		"AllowedOOFType":                    {Type: TString},
		"ContentType":                       {Type: TString},
		"CharacterSet":                      {Type: TString},
		"NonMimeCharacterSet":               {Type: TString},
		"Confirm":                           {Type: TSwitch},
	}

	registerCmdlet(&Cmdlet{
		Name:      "Get-RemoteDomain",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleRemoteAndAcceptedDomains, RoleViewOnlyConfiguration},
		Params:    map[string]Param{"Identity": {Type: TString}, "ResultSize": {Type: TResultSize}},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findRemoteDomain(c.Tenant, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{o}, nil
			}
			return limitResults(c, c.Tenant.Store.List(kindRemoteDomain)), nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "New-RemoteDomain",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleRemoteAndAcceptedDomains},
		Write:     true,
		Params: map[string]Param{
			"Name":       {Type: TString, MaxLen: remoteDomainNameMaxLen},
			"DomainName": {Type: TString, Validate: validateSmtpDomainWithSubdomains},
			"Confirm":    {Type: TSwitch},
		},
		Run: func(c *Call) ([]Object, error) {
			name, domain := strings.TrimSpace(c.String("Name")), c.String("DomainName")
			if name == "" {
				return nil, errValidation("The Name property can't be empty.")
			}
			if findRemoteDomain(c.Tenant, name, true) != nil {
				return nil, errAlreadyExists("remote domain", name)
			}
			for _, o := range c.Tenant.Store.ListLatest(kindRemoteDomain) {
				if strings.EqualFold(fmt.Sprint(o["DomainName"]), domain) {
					return nil, &CmdletError{Status: 400, Code: "BadRequest",
						Exception: "Microsoft.Exchange.Management.SystemConfigurationTasks.DuplicateRemoteDomainException",
						Message:   fmt.Sprintf("A remote domain with the domain name %s already exists (%s). Each remote domain must have a unique domain name.", domain, o["Name"])}
				}
			}
			o := newRemoteDomainObject(c.Tenant, name, strings.ToLower(domain))
			c.Tenant.Store.Put(kindRemoteDomain, name, o, c.Lag)
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-RemoteDomain",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleRemoteAndAcceptedDomains},
		Write:     true,
		Params:    setParams,
		Run: func(c *Call) ([]Object, error) {
			o := findRemoteDomain(c.Tenant, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			for p := range setParams {
				if p == "Identity" || p == "Name" || p == "Confirm" || !c.Has(p) {
					continue
				}
				o[p] = c.Params[p]
			}
			oldName := fmt.Sprint(o["Name"])
			if c.Has("Name") && !strings.EqualFold(c.String("Name"), oldName) {
				newName := strings.TrimSpace(c.String("Name"))
				if newName == "" {
					return nil, errValidation("The Name property can't be empty.")
				}
				if findRemoteDomain(c.Tenant, newName, true) != nil {
					return nil, errAlreadyExists("remote domain", newName)
				}
				c.Tenant.Store.Delete(kindRemoteDomain, oldName, c.Lag)
				o["Name"], o["Identity"] = newName, newName
			}
			c.Tenant.Store.Put(kindRemoteDomain, fmt.Sprint(o["Name"]), o, c.Lag)
			return nil, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Remove-RemoteDomain",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleRemoteAndAcceptedDomains},
		Write:     true,
		Params:    map[string]Param{"Identity": {Type: TString}, "Confirm": {Type: TSwitch}},
		Run: func(c *Call) ([]Object, error) {
			o := findRemoteDomain(c.Tenant, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if fmt.Sprint(o["DomainName"]) == "*" {
				return nil, &CmdletError{Status: 400, Code: "BadRequest",
					Exception: "Microsoft.Exchange.Management.SystemConfigurationTasks.CannotRemoveDefaultRemoteDomainException",
					Message:   "The default remote domain can't be removed."}
			}
			c.Tenant.Store.Delete(kindRemoteDomain, fmt.Sprint(o["Name"]), c.Lag)
			return nil, nil
		},
	})
}

// limitResults applies -ResultSize (a number; "Unlimited" or absent = all).
func limitResults(c *Call, items []Object) []Object {
	if n, ok := c.Params["ResultSize"].(int); ok && n < len(items) {
		return items[:n]
	}
	return items
}
