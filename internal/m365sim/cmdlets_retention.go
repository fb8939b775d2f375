package m365sim

import (
	"fmt"
	"strings"
)

// Unified audit log retention policies, Security & Compliance only.
//
//   - New-/Set-/Get-/Remove-UnifiedAuditLogRetentionPolicy:
//     https://learn.microsoft.com/powershell/module/exchangepowershell/new-unifiedauditlogretentionpolicy
//     Name (unique, required), RetentionDuration (required; SevenDays ...
//     TenYears), Priority (required; 1 to 10000, a higher value wins, no two
//     policies share a priority), RecordTypes, Operations (only with exactly
//     one record type), UserIds, Description. At least one of RecordTypes,
//     Operations or UserIds scopes a policy.
//   - Audit log retention policies need Microsoft Purview Audit (Premium)
//     (https://learn.microsoft.com/purview/audit-log-retention-policies);
//     the emulator answers 403 when the tenant lacks it.

const kindAuditRetentionPolicy = "UnifiedAuditLogRetentionPolicy"

// RetentionDurations are the RetentionDuration values.
var RetentionDurations = []string{"SevenDays", "OneMonth", "ThreeMonths", "SixMonths", "NineMonths", "TwelveMonths", "ThreeYears", "FiveYears", "SevenYears", "TenYears"}

// AuditRecordTypes are the record types the emulator accepts (a subset of
// AuditLogRecordType, https://learn.microsoft.com/office/office-365-management-api/office-365-management-activity-api-schema#auditlogrecordtype).
var AuditRecordTypes = []string{"AzureActiveDirectory", "AzureActiveDirectoryAccountLogon", "AzureActiveDirectoryStsLogon",
	"ComplianceDLPExchange", "ComplianceDLPSharePoint", "Discovery", "ExchangeAdmin", "ExchangeItem", "ExchangeItemAggregated",
	"ExchangeItemGroup", "MicrosoftTeams", "OneDrive", "PowerBIAudit", "SecurityComplianceAlerts", "SecurityComplianceCenterEOPCmdlet",
	"SharePoint", "SharePointFileOperation", "SharePointSharingOperation", "ThreatIntelligence", "ThreatIntelligenceUrl"}

func retentionParams(create bool) map[string]Param {
	one, highest := 1, 10000
	return map[string]Param{
		"Name":              {Type: TString, Required: create, MaxLen: 64},
		"Identity":          {Type: TString, Required: !create},
		"Description":       {Type: TString, MaxLen: 1024},
		"RecordTypes":       {Type: TStrings, Enum: AuditRecordTypes},
		"Operations":        {Type: TStrings},
		"UserIds":           {Type: TStrings},
		"RetentionDuration": {Type: TString, Enum: RetentionDurations, Required: create},
		"Priority":          {Type: TInt, Required: create, Min: &one, Max: &highest},
		"Confirm":           {Type: TSwitch},
	}
}

func retentionLicence(c *Call) error {
	if !c.Tenant.Licences.AdvancedAuditing {
		return &CmdletError{Status: 403, Code: "Forbidden", Exception: "Microsoft.Exchange.Management.UnifiedAuditLogRetentionPolicy.LicenseValidationException",
			Message: "Audit log retention policies require Microsoft Purview Audit (Premium) (for example a Microsoft 365 E5 licence)."}
	}
	return nil
}

func findRetentionPolicy(t *Tenant, id string, latest bool) Object {
	list := t.Store.List(kindAuditRetentionPolicy)
	if latest {
		list = t.Store.ListLatest(kindAuditRetentionPolicy)
	}
	for _, o := range list {
		if strings.EqualFold(asString(o["Name"]), id) || strings.EqualFold(asString(o["Guid"]), id) || strings.EqualFold(asString(o["Identity"]), id) {
			return o
		}
	}
	return nil
}

// applyRetention copies the parameters onto a policy and checks the rules
// that span parameters.
func applyRetention(c *Call, o Object) error {
	for _, p := range []string{"Description", "RetentionDuration"} {
		if c.Has(p) {
			o[p] = c.Params[p]
		}
	}
	for _, p := range []string{"RecordTypes", "Operations", "UserIds"} {
		if c.Has(p) {
			o[p] = setMultiValued(o[p], c.Params[p])
		}
	}
	if c.Has("Priority") {
		pr, err := boundParam[int](c, "Priority")
		if err != nil {
			return err
		}
		for _, other := range c.Tenant.Store.ListLatest(kindAuditRetentionPolicy) {
			if !strings.EqualFold(asString(other["Guid"]), asString(o["Guid"])) && retentionPriority(other["Priority"]) == pr {
				return errValidation(fmt.Sprintf("The priority %d is already used by the policy \"%s\". Each audit log retention policy needs a unique priority.", pr, asString(other["Name"])))
			}
		}
		o["Priority"] = pr
	}
	rts, ops, users := stringList(o["RecordTypes"]), stringList(o["Operations"]), stringList(o["UserIds"])
	if len(ops) > 0 && len(rts) != 1 {
		return errValidation("Operations can be specified only when RecordTypes has exactly one value.")
	}
	if len(rts) == 0 && len(ops) == 0 && len(users) == 0 {
		return errValidation("Specify at least one of RecordTypes, Operations or UserIds.")
	}
	return nil
}

func init() {
	registerCmdlet(&Cmdlet{
		Name:      "Get-UnifiedAuditLogRetentionPolicy",
		Endpoints: []string{EndpointCompliance},
		Roles:     []string{RoleAuditLogs, RoleViewOnlyAuditLogs},
		Params: map[string]Param{
			"Identity":          {Type: TString},
			"RecordType":        {Type: TString, Enum: AuditRecordTypes},
			"RetentionDuration": {Type: TString, Enum: RetentionDurations},
		},
		Run: func(c *Call) ([]Object, error) {
			if id := c.String("Identity"); id != "" {
				o := findRetentionPolicy(c.Tenant, id, false)
				if o == nil {
					return nil, errNotFound(id, c.Tenant)
				}
				return []Object{o}, nil
			}
			var out []Object
			for _, o := range c.Tenant.Store.List(kindAuditRetentionPolicy) {
				if c.Has("RecordType") && !containsFold(stringList(o["RecordTypes"]), c.String("RecordType")) {
					continue
				}
				if c.Has("RetentionDuration") && !strings.EqualFold(asString(o["RetentionDuration"]), c.String("RetentionDuration")) {
					continue
				}
				out = append(out, o)
			}
			return out, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "New-UnifiedAuditLogRetentionPolicy",
		Endpoints: []string{EndpointCompliance},
		Roles:     []string{RoleAuditLogs},
		Write:     true,
		Params:    retentionParams(true),
		Run: func(c *Call) ([]Object, error) {
			if err := retentionLicence(c); err != nil {
				return nil, err
			}
			if c.Has("Identity") {
				return nil, errInvalidParam("Identity", "A parameter cannot be found that matches parameter name 'Identity'.")
			}
			name := c.String("Name")
			if findRetentionPolicy(c.Tenant, name, true) != nil {
				return nil, errAlreadyExists("audit log retention policy", name)
			}
			guid := newRequestID()
			o := Object{"Name": name, "Identity": name, "Guid": guid, "Enabled": true, "Description": "",
				"RecordTypes": []string{}, "Operations": []string{}, "UserIds": []string{}, "Mode": "Enforce"}
			if err := applyRetention(c, o); err != nil {
				return nil, err
			}
			c.Tenant.Store.Put(kindAuditRetentionPolicy, guid, o, c.Lag)
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-UnifiedAuditLogRetentionPolicy",
		Endpoints: []string{EndpointCompliance},
		Roles:     []string{RoleAuditLogs},
		Write:     true,
		Params:    retentionParams(false),
		Run: func(c *Call) ([]Object, error) {
			if err := retentionLicence(c); err != nil {
				return nil, err
			}
			if c.Has("Name") {
				return nil, errInvalidParam("Name", "A parameter cannot be found that matches parameter name 'Name'.")
			}
			o := findRetentionPolicy(c.Tenant, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if err := applyRetention(c, o); err != nil {
				return nil, err
			}
			c.Tenant.Store.Put(kindAuditRetentionPolicy, asString(o["Guid"]), o, c.Lag)
			return nil, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Remove-UnifiedAuditLogRetentionPolicy",
		Endpoints: []string{EndpointCompliance},
		Roles:     []string{RoleAuditLogs},
		Write:     true,
		Params:    map[string]Param{"Identity": {Type: TString, Required: true}, "Confirm": {Type: TSwitch}},
		Run: func(c *Call) ([]Object, error) {
			o := findRetentionPolicy(c.Tenant, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			c.Tenant.Store.Delete(kindAuditRetentionPolicy, asString(o["Guid"]), c.Lag)
			return nil, nil
		},
	})
}

// retentionPriority reads a stored priority (int, or float64 after a
// snapshot reload).
func retentionPriority(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case float64:
		return int(n)
	}
	return 0
}
