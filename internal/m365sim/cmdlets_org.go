package m365sim

// Organization-wide audit settings.
//
//   - Get/Set-OrganizationConfig -AuditDisabled: mailbox auditing on by
//     default for the organization ($false, the default, means on).
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-organizationconfig
//     Permissions: "Organization Configuration" role.
//   - Get/Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled: the
//     Microsoft 365 audit log. "$true ... This value is the default."
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-adminauditlogconfig
//     Permissions: "Audit Logs" role. In an organization that has not been
//     customised ("dehydrated") the Set fails until
//     Enable-OrganizationCustomization has run
//     (https://learn.microsoft.com/powershell/module/exchangepowershell/enable-organizationcustomization).
//     Read through Security & Compliance PowerShell the property reports
//     $false even when ingestion is on (maester365/maester #1045 and other
//     public tools report it), so the emulator does the same.
//   - DLPWaitOnSendTimeout is an Int16 (9999 by default, Set-OrganizationConfig
//     reference); WhenCreated/WhenChanged are DateTime properties. They are
//     carried so answers have the type annotations the service sends.

const (
	kindOrganizationConfig  = "OrganizationConfig"
	kindAdminAuditLogConfig = "AdminAuditLogConfig"
	adminAuditLogIdentity   = "Admin Audit Log Settings"
)

func init() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindOrganizationConfig, t.InitialDomain, Object{
			"Identity":                   t.InitialDomain,
			"Name":                       t.InitialDomain,
			"DisplayName":                t.DisplayName,
			"Guid":                       stableGUID(t.ID, "organization"),
			"AuditDisabled":              false,
			"IsDehydrated":               t.Dehydrated,
			"OAuth2ClientProfileEnabled": true,
			"CustomerLockboxEnabled":     false,
			"DLPWaitOnSendTimeout":       9999,
			"WhenCreated":                "2020-01-01T00:00:00Z",
			"WhenChanged":                "2020-01-01T00:00:00Z",
		}, 0)
		t.Store.Put(kindAdminAuditLogConfig, adminAuditLogIdentity, Object{
			"Identity":                        adminAuditLogIdentity,
			"Name":                            adminAuditLogIdentity,
			"AdminAuditLogEnabled":            true,
			"UnifiedAuditLogIngestionEnabled": true,
			"UnifiedAuditLogFirstOptInDate":   "2020-01-01T00:00:00Z",
			"AdminAuditLogCmdlets":            []string{"*"},
			"AdminAuditLogParameters":         []string{"*"},
			"AdminAuditLogExcludedCmdlets":    []string{},
			"AdminAuditLogAgeLimit":           "90.00:00:00",
			"LogLevel":                        "None",
			"TestCmdletLoggingEnabled":        false,
		}, 0)
	})

	registerCmdlet(&Cmdlet{
		Name:      "Get-OrganizationConfig",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleOrganizationConfiguration, RoleViewOnlyConfiguration},
		Params:    map[string]Param{},
		Run: func(c *Call) ([]Object, error) {
			o := c.Tenant.Store.Get(kindOrganizationConfig, c.Tenant.InitialDomain)
			if o == nil {
				return nil, errNotFound(c.Tenant.InitialDomain, c.Tenant)
			}
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-OrganizationConfig",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleOrganizationConfiguration},
		Write:     true,
		Params: map[string]Param{
			"AuditDisabled":              {Type: TBool},
			"OAuth2ClientProfileEnabled": {Type: TBool},
			"CustomerLockboxEnabled":     {Type: TBool},
			"Confirm":                    {Type: TSwitch},
		},
		Run: func(c *Call) ([]Object, error) {
			o := c.Tenant.Store.GetLatest(kindOrganizationConfig, c.Tenant.InitialDomain)
			for _, p := range []string{"AuditDisabled", "OAuth2ClientProfileEnabled", "CustomerLockboxEnabled"} {
				if c.Has(p) {
					o[p] = c.Params[p]
				}
			}
			c.Tenant.Store.Put(kindOrganizationConfig, c.Tenant.InitialDomain, o, c.Lag)
			return nil, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Enable-OrganizationCustomization",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleOrganizationConfiguration},
		Write:     true,
		Params:    map[string]Param{"Confirm": {Type: TSwitch}},
		// Takes effect after a delay; a second run is refused
		// (exchange_routing.go).
		Run: func(c *Call) ([]Object, error) {
			if err := requestHydration(c.Tenant, c.Server.now()); err != nil {
				return nil, err
			}
			return nil, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Get-AdminAuditLogConfig",
		Endpoints: []string{EndpointExchange, EndpointCompliance},
		Roles:     []string{RoleAuditLogs, RoleViewOnlyAuditLogs, RoleViewOnlyConfiguration},
		Params:    map[string]Param{},
		Run: func(c *Call) ([]Object, error) {
			o := c.Tenant.Store.Get(kindAdminAuditLogConfig, adminAuditLogIdentity)
			if o == nil {
				return nil, errNotFound(adminAuditLogIdentity, c.Tenant)
			}
			if c.Endpoint == EndpointCompliance {
				o["UnifiedAuditLogIngestionEnabled"] = false
			}
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-AdminAuditLogConfig",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleAuditLogs},
		Write:     true,
		// In Exchange Online the cmdlet has only
		// -UnifiedAuditLogIngestionEnabled (with -Confirm and -Force); the
		// admin audit log settings are on-premises parameters.
		Params: map[string]Param{
			"UnifiedAuditLogIngestionEnabled": {Type: TBool},
			"Confirm":                         {Type: TSwitch},
			"Force":                           {Type: TSwitch},
		},
		Run: func(c *Call) ([]Object, error) {
			// A dehydrated organization refuses this before it runs
			// (checkDehydrated, exchange_routing.go).
			o := c.Tenant.Store.GetLatest(kindAdminAuditLogConfig, adminAuditLogIdentity)
			if c.Has("UnifiedAuditLogIngestionEnabled") {
				o["UnifiedAuditLogIngestionEnabled"] = c.Params["UnifiedAuditLogIngestionEnabled"]
			}
			c.Tenant.Store.Put(kindAdminAuditLogConfig, adminAuditLogIdentity, o, c.Lag)
			return nil, nil
		},
	})
}

// setMultiValued applies a bound TStrings value (a replacement list or an
// Add/Remove edit) to a current property value.
func setMultiValued(cur any, v any) []string {
	var curList []string
	switch c := cur.(type) {
	case []string:
		curList = c
	case []any:
		for _, x := range c {
			if s, ok := x.(string); ok {
				curList = append(curList, s)
			}
		}
	}
	switch t := v.(type) {
	case MultiValueEdit:
		return t.Apply(curList)
	case []string:
		return append([]string{}, t...)
	}
	return curList
}
