package m365sim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Alert policies (Security & Compliance New/Get/Set/Remove-ProtectionAlert).
//
//   - New-ProtectionAlert requires Name, Category, NotifyUser and ThreatType.
//     Category, Severity, ThreatType and AggregationType are enums;
//     AggregationType defaults to SimpleAggregation; Threshold (≥ 3) and
//     TimeWindow (> 60 minutes) can only be used with SimpleAggregation;
//     AlertBy and NotifyUserOnFilterMatch can't be used with None; Operation
//     only with ThreatType Activity, and "multiple values don't work"; Filter
//     is OPATH over the Activity.* or Mail:* properties of the threat type.
//     Without an E5-level subscription only single-event alerts can be
//     created: AggregationType None with an Operation.
//     https://learn.microsoft.com/powershell/module/exchangepowershell/new-protectionalert
//     The licence error's exception type and text are as reported by CIPP
//     (https://github.com/KelvinTegelaar/CIPP/pull/3933).
//   - Set-ProtectionAlert has no Name or ThreatType ("You can't change this
//     value after you create the alert policy") and "can't edit default alert
//     policies": it fails with ErrorRuleNotFoundException "There is no rule
//     matching identity '<tenant>\<name>'"
//     (https://learn.microsoft.com/powershell/module/exchangepowershell/set-protectionalert,
//     https://github.com/MicrosoftDocs/office-docs-powershell/issues/3433).
//     Remove-ProtectionAlert is treated the same way for default policies.
//   - Default (system) alert policies exist in every organization, are turned
//     on, notify "TenantAdmins", and can only be turned off or on, or have
//     their e-mail notifications and recipients changed, in the portal ("You
//     can turn off these policies (or back on again), set up a list of
//     recipients to send email notifications to, and set a daily
//     notification limit. The other settings for these policies can't be
//     edited."); the "protection-alert-portal" control seeder does that here.
//     Some need an E5-level subscription.
//     https://learn.microsoft.com/defender-xdr/alert-policies#default-alert-policies
//     https://github.com/MicrosoftDocs/office-docs-powershell/issues/3613
//   - Permissions: "Manage Alerts" or "Organization Configuration" to create
//     and edit, "View-Only Manage Alerts" to view
//     (https://learn.microsoft.com/defender-xdr/alert-policies#how-alert-policies-work).

const kindProtectionAlert = "ProtectionAlert"

// Filterable properties per threat type (the Filter parameter's list).
var alertFilterProperties = map[string][]string{
	"Activity": {"Activity.ClientIp", "Activity.CreationTime", "Activity.Item", "Activity.ItemType", "Activity.Operation",
		"Activity.ResultStatus", "Activity.Scope", "Activity.SiteUrl", "Activity.SourceFileExtension", "Activity.SourceFileName",
		"Activity.TargetUserOrGroupType", "Activity.UserAgent", "Activity.UserId", "Activity.UserType", "Activity.Workload"},
	"Malware": {"Mail:AttachmentExtensions", "Mail:AttachmentNames", "Mail:CreationTime", "Mail:DeliveryStatus", "Mail:Direction",
		"Mail:From", "Mail:FromDomain", "Mail:InternetMessageId", "Mail:IsIntraOrgSpoof", "Mail:IsMalware", "Mail:IsSpam",
		"Mail:IsThreat", "Mail:Language", "Mail:Recipient", "Mail:Scl", "Mail:SenderCountry", "Mail:SenderIpAddress",
		"Mail:Subject", "Mail:TenantId", "Mail:ThreatName"},
}

// builtinAlert is one default alert policy.
type builtinAlert struct {
	name, category, severity string
	e5                       bool // needs an E5-level subscription
}

// The default alert policies the emulator seeds (names, categories and
// severities from the default alert policies tables).
var builtinAlerts = []builtinAlert{
	{"Elevation of Exchange admin privilege", "AccessGovernance", "Low", false},
	{"Messages have been delayed", "MailFlow", "High", false},
	{"Creation of forwarding/redirect rule", "ThreatManagement", "Informational", false},
	{"eDiscovery search started or exported", "ThreatManagement", "Informational", false},
	{"Email sending limit exceeded", "ThreatManagement", "Medium", false},
	{"Suspicious connector activity", "ThreatManagement", "High", false},
	{"Suspicious Email Forwarding Activity", "ThreatManagement", "High", false},
	{"Suspicious email sending patterns detected", "ThreatManagement", "Medium", false},
	{"Tenant restricted from sending email", "ThreatManagement", "High", false},
	{"Tenant restricted from sending unprovisioned email", "ThreatManagement", "High", false},
	{"User restricted from sending email", "ThreatManagement", "High", false},
	{"A potentially malicious URL click was detected", "ThreatManagement", "High", true},
}

var (
	cultureRe        = regexp.MustCompile(`(?i)^[a-z]{2,3}(-[a-z]{4})?(-[a-z]{2}|-[0-9]{3})?$`)
	alertCriterionRe = regexp.MustCompile(`(?i)^\s*([A-Za-z]+[.:][A-Za-z]+)\s+-(eq|ne|like|notlike|gt|ge|lt|le|contains|notcontains)\s+(\S.*?)\s*$`)
	alertAndRe       = regexp.MustCompile(`(?i)\s+-and\s+`)
)

func protectionAlertDN(t *Tenant, name string) string {
	return fmt.Sprintf("CN=%s,CN=ProtectionAlerts,CN=Configuration,CN=%s,CN=ConfigurationUnits,DC=%sA001,DC=PROD,DC=OUTLOOK,DC=COM", name, t.InitialDomain, strings.ToUpper(t.Region))
}

func newProtectionAlertObject(t *Tenant, name, guid string) Object {
	return Object{
		"Name":                        name,
		"Identity":                    name,
		"Guid":                        guid,
		"ImmutableId":                 guid,
		"DistinguishedName":           protectionAlertDN(t, name),
		"IsSystemRule":                false,
		"Disabled":                    false,
		"Severity":                    "Low",
		"Category":                    "Others",
		"ThreatType":                  "Activity",
		"AggregationType":             "SimpleAggregation",
		"Operation":                   []string{},
		"NotifyUser":                  []string{},
		"NotificationEnabled":         true,
		"NotifyUserOnFilterMatch":     false,
		"NotificationCulture":         nil,
		"Threshold":                   nil,
		"TimeWindow":                  nil,
		"AlertBy":                     []string{},
		"AlertFor":                    []string{},
		"Filter":                      nil,
		"Comment":                     nil,
		"Description":                 nil,
		"NotifyUserThrottleThreshold": nil,
		"NotifyUserThrottleWindow":    nil,
		"CreatedBy":                   "",
		"LastModifiedBy":              "",
		"WhenCreatedUTC":              "2020-01-01T00:00:00Z",
	}
}

// findProtectionAlert resolves a ComplianceRuleIdParameter: name, GUID, DN
// or "<tenant>\<name>".
func findProtectionAlert(t *Tenant, id string, latest bool) Object {
	get, list := t.Store.Get, t.Store.List
	if latest {
		get, list = t.Store.GetLatest, t.Store.ListLatest
	}
	if prefix, name, ok := strings.Cut(id, `\`); ok && strings.EqualFold(prefix, t.ID) {
		id = name
	}
	if o := get(kindProtectionAlert, id); o != nil {
		return o
	}
	for _, o := range list(kindProtectionAlert) {
		if strings.EqualFold(fmt.Sprint(o["Guid"]), id) || strings.EqualFold(fmt.Sprint(o["DistinguishedName"]), id) {
			return o
		}
	}
	return nil
}

// alertOut is the object as the cmdlets return it: multi-valued properties
// are arrays, empty ones included (the store keeps an empty list as nil).
func alertOut(o Object) Object {
	for _, p := range alertListParams {
		if l := strList(o[p]); l == nil {
			o[p] = []string{}
		}
	}
	return o
}

// alertActor is what CreatedBy and LastModifiedBy show for the caller.
func alertActor(p *Principal) string {
	if p == nil || p.App == nil {
		return "Administrator"
	}
	return p.App.DisplayName
}

func errSystemAlert(t *Tenant, name string) *CmdletError {
	// The REST status of this error is not documented; a client error is
	// what the cmdlet's refusal amounts to.
	return &CmdletError{Status: 400, Code: "BadRequest",
		Exception: "Microsoft.Exchange.Management.Transport.ErrorRuleNotFoundException",
		Message:   fmt.Sprintf("There is no rule matching identity '%s\\%s'.", t.ID, name)}
}

func errAlertLicence() *CmdletError {
	return &CmdletError{Status: 403, Code: "Forbidden",
		Exception: "Microsoft.Exchange.Management.UnifiedPolicy.NotNewProtectionAggregatedAlertCapableException",
		Message:   "Creating advanced alert policies requires an Office 365 E5 subscription or Office 365 E3 subscription with an Office 365 Threat Intelligence or Office 365 EquivioAnalytics add-on subscription for your organization. With your current subscription, only single event alert can be created. For detailed instructions, see https://support.office.com/en-us/article/alert-policies-in-the-office-365-security-compliance-center-8927b8b9-c5bc-45a8-a9f9-96c732e58264."}
}

func errAlertArgument(msg string) *CmdletError {
	return &CmdletError{Status: 400, Code: "BadRequest", Exception: "System.ArgumentException", Message: msg}
}

// validateAlertFilter checks an OPATH filter against the threat type's
// filterable properties.
func validateAlertFilter(filter, threatType string) *CmdletError {
	f := strings.TrimSpace(filter)
	if strings.HasPrefix(f, "{") && strings.HasSuffix(f, "}") {
		f = strings.TrimSpace(f[1 : len(f)-1])
	}
	if f == "" {
		return errAlertArgument("The Filter parameter can't be empty.")
	}
	allowed := alertFilterProperties[threatType]
	for _, crit := range alertAndRe.Split(f, -1) {
		m := alertCriterionRe.FindStringSubmatch(crit)
		if m == nil {
			return errAlertArgument(fmt.Sprintf("The filter '%s' isn't valid. Use the syntax \"Property -ComparisonOperator 'Value'\", joined with -and.", filter))
		}
		if !containsFold(allowed, m[1]) {
			return errAlertArgument(fmt.Sprintf("The property '%s' can't be used in the filter of an alert policy with ThreatType %s. Filterable properties: %s.", m[1], threatType, strings.Join(allowed, ", ")))
		}
	}
	return nil
}

func validateCulture(v any) error {
	if v == nil {
		return nil // $null clears it
	}
	s, _ := v.(string)
	if !cultureRe.MatchString(s) {
		return errInvalidParam("NotificationCulture", fmt.Sprintf("Cannot convert value \"%s\" to type \"System.Globalization.CultureInfo\". Error: \"Culture is not supported.\"", s))
	}
	return nil
}

func validateOperation(v any) error {
	var items []string
	switch t := v.(type) {
	case []string:
		items = t
	case MultiValueEdit:
		items = t.Add
	}
	for _, it := range items {
		if strings.TrimSpace(it) == "" || strings.ContainsAny(it, ",*") {
			return errInvalidParam("Operation", fmt.Sprintf("'%s' isn't an audited activity name.", it))
		}
	}
	return nil
}

// canonicalCulture spells a culture name as .NET reports it: language in
// lower case, script in title case, region in upper case ("da-DK").
func canonicalCulture(s string) string {
	parts := strings.Split(s, "-")
	for i, p := range parts {
		switch {
		case i == 0:
			parts[i] = strings.ToLower(p)
		case len(p) == 4:
			parts[i] = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
		default:
			parts[i] = strings.ToUpper(p)
		}
	}
	return strings.Join(parts, "-")
}

// strList reads a stored multi-valued property tolerantly.
func strList(v any) []string {
	switch t := v.(type) {
	case []string:
		return t
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// alertWritable are the parameters New and Set copy onto the object.
var alertScalarParams = []string{"Category", "Severity", "AggregationType", "Comment", "Description", "Disabled", "Filter",
	"NotificationCulture", "NotificationEnabled", "NotifyUserOnFilterMatch", "NotifyUserThrottleThreshold", "NotifyUserThrottleWindow",
	"Threshold", "TimeWindow", "LogicalOperationName", "UseCreatedDateTime", "VolumeThreshold", "CorrelationPolicyId",
	"NotifyUserSuppressionExpiryDate", "PrivacyManagementScopedSensitiveInformationTypesThreshold"}
var alertListParams = []string{"NotifyUser", "Operation", "AlertBy", "AlertFor",
	"PrivacyManagementScopedSensitiveInformationTypes", "PrivacyManagementScopedSensitiveInformationTypesForCounting"}

// applyAlertParams copies the call's parameters onto o and checks the
// combination rules; isNew is New-ProtectionAlert.
func applyAlertParams(c *Call, o Object, isNew bool) error {
	for _, p := range alertScalarParams {
		if c.Has(p) {
			o[p] = c.Params[p]
		}
	}
	if s, ok := o["NotificationCulture"].(string); ok {
		o["NotificationCulture"] = canonicalCulture(s)
	}
	for _, p := range alertListParams {
		if c.Has(p) {
			o[p] = setMultiValued(o[p], c.Params[p])
		}
	}
	agg := fmt.Sprint(o["AggregationType"])
	threat := fmt.Sprint(o["ThreatType"])
	ops := strList(o["Operation"])

	if agg != "SimpleAggregation" {
		for _, p := range []string{"Threshold", "TimeWindow"} {
			if c.Has(p) {
				return errAlertArgument(fmt.Sprintf("The %s parameter can only be used when the AggregationType parameter value is SimpleAggregation.", p))
			}
			o[p] = nil
		}
	}
	if agg == "None" {
		if c.Has("AlertBy") && len(strList(o["AlertBy"])) > 0 {
			return errAlertArgument("The AlertBy parameter can't be used when the AggregationType parameter value is None.")
		}
		if c.Has("NotifyUserOnFilterMatch") && o["NotifyUserOnFilterMatch"] == true {
			return errAlertArgument("The NotifyUserOnFilterMatch parameter can't be used when the AggregationType parameter value is None.")
		}
		o["AlertBy"] = []string{}
		o["NotifyUserOnFilterMatch"] = false
	}
	if len(ops) > 0 && threat != "Activity" {
		return errAlertArgument("The Operation parameter can only be used when the ThreatType parameter value is Activity.")
	}
	if len(ops) > 1 {
		return errAlertArgument("The Operation parameter accepts one audited activity; multiple values aren't supported.")
	}
	if c.Has("NotifyUser") && len(strList(o["NotifyUser"])) == 0 {
		return errValidation("The NotifyUser property can't be empty. Specify at least one SMTP address.")
	}
	if c.Has("Filter") && o["Filter"] != nil {
		if err := validateAlertFilter(fmt.Sprint(o["Filter"]), threat); err != nil {
			return err
		}
	}
	// Without an E5-level subscription only single-event alerts: None with
	// an Operation.
	if !c.Tenant.Licences.AdvancedAlerts && (isNew || c.Has("AggregationType") || c.Has("Operation")) {
		if agg != "None" || len(ops) == 0 {
			return errAlertLicence()
		}
	}
	return nil
}

func init() {
	registerSeeder(func(t *Tenant) {
		for _, b := range builtinAlerts {
			if b.e5 && !t.Licences.AdvancedAlerts {
				continue
			}
			o := newProtectionAlertObject(t, b.name, stableGUID(t.ID, "protectionalert", strings.ToLower(b.name)))
			o["IsSystemRule"] = true
			o["Category"] = b.category
			o["Severity"] = b.severity
			o["AggregationType"] = "None"
			o["NotifyUser"] = []string{"TenantAdmins"}
			o["CreatedBy"] = "Microsoft"
			o["LastModifiedBy"] = "Microsoft"
			t.Store.Put(kindProtectionAlert, b.name, o, 0)
		}
	})

	// The portal's on/off switch for an alert policy, including default ones
	// (body {"name": "...", "disabled": true}).
	registerControlSeeder("protection-alert-portal", func(s *Server, t *Tenant, body []byte) (any, error) {
		var in struct {
			Name     string `json:"name"`
			Disabled bool   `json:"disabled"`
			// The notification settings, left as they are when absent.
			NotificationEnabled *bool    `json:"notificationEnabled,omitempty"`
			NotifyUser          []string `json:"notifyUser,omitempty"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, err
		}
		o := findProtectionAlert(t, in.Name, true)
		if o == nil {
			return nil, fmt.Errorf("no alert policy %q", in.Name)
		}
		o["Disabled"] = in.Disabled
		if in.NotificationEnabled != nil {
			o["NotificationEnabled"] = *in.NotificationEnabled
		}
		if in.NotifyUser != nil {
			o["NotifyUser"] = in.NotifyUser
		}
		t.Store.Put(kindProtectionAlert, fmt.Sprint(o["Name"]), o, 0)
		return map[string]any{"name": o["Name"], "disabled": in.Disabled, "notificationEnabled": o["NotificationEnabled"]}, nil
	})

	minThreshold, minTimeWindow := 3, 61
	common := map[string]Param{
		"Category":                        {Type: TString},
		"Severity":                        {Type: TString},
		"AggregationType":                 {Type: TString},
		"NotifyUser":                      {Type: TStrings, Validate: validateSmtpAddresses("NotifyUser")},
		"Operation":                       {Type: TStrings, Validate: validateOperation},
		"AlertBy":                         {Type: TStrings},
		"AlertFor":                        {Type: TStrings},
		"Comment":                         {Type: TString, Nullable: true},
		"Description":                     {Type: TString, Nullable: true},
		"Disabled":                        {Type: TBool},
		"Filter":                          {Type: TString, Nullable: true},
		"NotificationCulture":             {Type: TString, Nullable: true, Validate: validateCulture},
		"NotificationEnabled":             {Type: TBool},
		"NotifyUserOnFilterMatch":         {Type: TBool},
		"NotifyUserThrottleThreshold":     {Type: TInt},
		"NotifyUserThrottleWindow":        {Type: TInt},
		"NotifyUserSuppressionExpiryDate": {Type: TString},
		"Threshold":                       {Type: TInt, Min: &minThreshold},
		"TimeWindow":                      {Type: TInt, Min: &minTimeWindow},
		"VolumeThreshold":                 {Type: TInt},
		"PrivacyManagementScopedSensitiveInformationTypes":            {Type: TStrings},
		"PrivacyManagementScopedSensitiveInformationTypesForCounting": {Type: TStrings},
		"PrivacyManagementScopedSensitiveInformationTypesThreshold":   {Type: TInt},
		"Confirm": {Type: TSwitch},
		"WhatIf":  {Type: TSwitch},
	}
	newParams := map[string]Param{
		"Name":                 {Type: TString},
		"ThreatType":           {Type: TString},
		"LogicalOperationName": {Type: TString},
		"CorrelationPolicyId":  {Type: TString},
		"UseCreatedDateTime":   {Type: TBool},
	}
	for k, v := range common {
		newParams[k] = v
	}
	setParams := map[string]Param{"Identity": {Type: TString}}
	for k, v := range common {
		setParams[k] = v
	}

	readRoles := []string{RoleManageAlerts, RoleViewOnlyManageAlerts, RoleOrganizationConfiguration}
	writeRoles := []string{RoleManageAlerts, RoleOrganizationConfiguration}

	registerCmdlet(&Cmdlet{
		Name:      "Get-ProtectionAlert",
		Endpoints: []string{EndpointCompliance},
		Roles:     readRoles,
		Params:    map[string]Param{"Identity": {Type: TString}, "IncludeRuleXml": {Type: TSwitch}},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findProtectionAlert(c.Tenant, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{alertOut(o)}, nil
			}
			all := c.Tenant.Store.List(kindProtectionAlert)
			for _, o := range all {
				alertOut(o)
			}
			return all, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "New-ProtectionAlert",
		Endpoints: []string{EndpointCompliance},
		Roles:     writeRoles,
		Write:     true,
		Params:    newParams,
		Run: func(c *Call) ([]Object, error) {
			name := strings.TrimSpace(c.String("Name"))
			if name == "" {
				return nil, errValidation("The Name property can't be empty.")
			}
			if findProtectionAlert(c.Tenant, name, true) != nil {
				return nil, errAlreadyExists("alert policy", name)
			}
			o := newProtectionAlertObject(c.Tenant, name, newRequestID())
			o["ThreatType"] = c.Params["ThreatType"]
			o["CreatedBy"] = alertActor(c.Principal)
			o["LastModifiedBy"] = alertActor(c.Principal)
			if err := applyAlertParams(c, o, true); err != nil {
				return nil, err
			}
			c.Tenant.Store.Put(kindProtectionAlert, name, o, c.Lag)
			return []Object{alertOut(o)}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-ProtectionAlert",
		Endpoints: []string{EndpointCompliance},
		Roles:     writeRoles,
		Write:     true,
		Params:    setParams,
		Run: func(c *Call) ([]Object, error) {
			o := findProtectionAlert(c.Tenant, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if o["IsSystemRule"] == true {
				return nil, errSystemAlert(c.Tenant, fmt.Sprint(o["Name"]))
			}
			if err := applyAlertParams(c, o, false); err != nil {
				return nil, err
			}
			o["LastModifiedBy"] = alertActor(c.Principal)
			c.Tenant.Store.Put(kindProtectionAlert, fmt.Sprint(o["Name"]), o, c.Lag)
			return nil, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Remove-ProtectionAlert",
		Endpoints: []string{EndpointCompliance},
		Roles:     writeRoles,
		Write:     true,
		Params: map[string]Param{
			"Identity":      {Type: TString},
			"Confirm":       {Type: TSwitch},
			"ForceDeletion": {Type: TSwitch},
			"WhatIf":        {Type: TSwitch},
		},
		Run: func(c *Call) ([]Object, error) {
			o := findProtectionAlert(c.Tenant, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if o["IsSystemRule"] == true {
				return nil, errSystemAlert(c.Tenant, fmt.Sprint(o["Name"]))
			}
			c.Tenant.Store.Delete(kindProtectionAlert, fmt.Sprint(o["Name"]), c.Lag)
			return nil, nil
		},
	})
}
