package m365sim

import (
	"fmt"
	"strings"
)

// Unified audit log retention policies, Security & Compliance only.
//
//   - New-/Set-/Get-/Remove-UnifiedAuditLogRetentionPolicy:
//     https://learn.microsoft.com/powershell/module/exchangepowershell/new-unifiedauditlogretentionpolicy
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-unifiedauditlogretentionpolicy
//     https://learn.microsoft.com/powershell/module/exchangepowershell/get-unifiedauditlogretentionpolicy
//     Parameters, their sets and values come from the cmdlet catalogue
//     (cmdletref): Name, Priority and RetentionDuration are required by
//     New, and Identity, Priority and RetentionDuration by Set ("This
//     parameter is required when you modify an audit log retention policy").
//     Get has no -Identity: it takes only the filters Operation, RecordType,
//     RetentionDuration and UserId. RetentionDuration takes the five values
//     of the reference (cmdletref/deviations.go records the values other
//     tools list and why they are refused).
//   - Priority: "A higher integer value indicates a lower priority. The value
//     1 is the highest priority, and the value 10000 is the lowest priority.
//     No two policies can have the same priority value." Description: "The
//     maximum length is 256 characters." Operations only with exactly one
//     record type, and at least one of RecordTypes, Operations or UserIds
//     scopes a policy (Microsoft Purview's policy wizard; the service's
//     wording for a violation is not documented, so the messages are the
//     emulator's own).
//   - WhatIf: "The WhatIf switch doesn't work in Security & Compliance
//     PowerShell": accepted and without effect.
//   - Audit log retention policies need Microsoft Purview Audit (Premium)
//     (https://learn.microsoft.com/purview/audit-log-retention-policies);
//     the emulator answers 403 when the tenant lacks it.

const kindAuditRetentionPolicy = "UnifiedAuditLogRetentionPolicy"

// Priority bounds: 1 is the highest priority, 10000 the lowest.
const (
	retentionPriorityHighest = 1
	retentionPriorityLowest  = 10000
	retentionDescriptionMax  = 256
)

func retentionParams(create bool) map[string]Param {
	highest, lowest := retentionPriorityHighest, retentionPriorityLowest
	p := map[string]Param{
		"Description":       {Type: TString, MaxLen: retentionDescriptionMax},
		"RecordTypes":       {Type: TStrings},
		"Operations":        {Type: TStrings},
		"UserIds":           {Type: TStrings},
		"RetentionDuration": {Type: TString},
		"Priority":          {Type: TInt, Min: &highest, Max: &lowest},
		"Confirm":           {Type: TSwitch},
		"WhatIf":            {Type: TSwitch},
	}
	if create {
		p["Name"] = Param{Type: TString, MaxLen: 64}
	} else {
		p["Identity"] = Param{Type: TString}
	}
	return p
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
			"Operation":         {Type: TString},
			"RecordType":        {Type: TString},
			"RetentionDuration": {Type: TString},
			"UserId":            {Type: TString},
		},
		Run: func(c *Call) ([]Object, error) {
			var out []Object
			for _, o := range c.Tenant.Store.List(kindAuditRetentionPolicy) {
				if c.Has("Operation") && !containsFold(stringList(o["Operations"]), c.String("Operation")) {
					continue
				}
				if c.Has("RecordType") && !containsFold(stringList(o["RecordTypes"]), c.String("RecordType")) {
					continue
				}
				if c.Has("RetentionDuration") && !strings.EqualFold(asString(o["RetentionDuration"]), c.String("RetentionDuration")) {
					continue
				}
				if c.Has("UserId") && !containsFold(stringList(o["UserIds"]), c.String("UserId")) {
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
		Params:    map[string]Param{"Identity": {Type: TString}, "Confirm": {Type: TSwitch}},
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
