package m365sim

// Organization-wide transport settings (one object per organization).
//
//   - Get/Set-TransportConfig -SmtpClientAuthenticationDisabled: "$true:
//     Authenticated SMTP is disabled. This value is the default for
//     organizations created after January 2020." The emulator's tenants are
//     new, so they start with SMTP AUTH disabled.
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-transportconfig
//   - Reply-all storm protection (-ReplyAllStormProtectionEnabled,
//     -ReplyAllStormDetectionMinimumRecipients, -ReplyAllStormDetectionMinimumReplies,
//     -ReplyAllStormBlockDurationHours): the cmdlet reference leaves their
//     descriptions empty. Microsoft's Exchange team announcement gives the
//     defaults (enabled, 2500 recipients, 10 replies, 6 hours) and the
//     ranges: recipients 1000 to 5000, block duration 1 to 12 hours; for the
//     minimum number of replies the post's table says 2 to 20 in one place
//     and 5 to 20 in the message centre post (MC254418) that announced it;
//     the emulator takes the stricter 5 to 20.
//     https://techcommunity.microsoft.com/t5/exchange-team-blog/reply-all-storm-protection-customizable-settings/ba-p/2328371
//     An out-of-range value fails parameter validation like any Exchange
//     [ValidateRange] parameter (binding.go).
//
// Permissions: "Organization Transport Settings" (Exchange Administrator);
// reads also "View-Only Configuration" (Microsoft365DSC EXOTransportConfig
// settings.json, microsoft/Microsoft365DSC; the cmdlet page itself only
// points to Get-ManagementRole).

const (
	kindTransportConfig      = "TransportConfig"
	transportConfigIdentity  = "Transport Settings"
	roleOrgTransportSettings = "Organization Transport Settings"
)

func init() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindTransportConfig, transportConfigIdentity, Object{
			"Identity":                                transportConfigIdentity,
			"SmtpClientAuthenticationDisabled":        true,
			"ReplyAllStormProtectionEnabled":          true,
			"ReplyAllStormDetectionMinimumRecipients": 2500,
			"ReplyAllStormDetectionMinimumReplies":    10,
			"ReplyAllStormBlockDurationHours":         6,
		}, 0)
	})

	setParams := map[string]Param{
		"SmtpClientAuthenticationDisabled":        {Type: TBool},
		"ReplyAllStormProtectionEnabled":          {Type: TBool},
		"ReplyAllStormDetectionMinimumRecipients": {Type: TInt, Min: intPtr(1000), Max: intPtr(5000)},
		"ReplyAllStormDetectionMinimumReplies":    {Type: TInt, Min: intPtr(5), Max: intPtr(20)},
		"ReplyAllStormBlockDurationHours":         {Type: TInt, Min: intPtr(1), Max: intPtr(12)},
		"Confirm":                                 {Type: TSwitch},
		"Force":                                   {Type: TSwitch},
	}

	registerCmdlet(&Cmdlet{
		Name:      "Get-TransportConfig",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{roleOrgTransportSettings, RoleViewOnlyConfiguration},
		Params:    map[string]Param{},
		Run: func(c *Call) ([]Object, error) {
			o := c.Tenant.Store.Get(kindTransportConfig, transportConfigIdentity)
			if o == nil {
				return nil, errNotFound(transportConfigIdentity, c.Tenant)
			}
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-TransportConfig",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{roleOrgTransportSettings},
		Write:     true,
		Params:    setParams,
		Run: func(c *Call) ([]Object, error) {
			o := c.Tenant.Store.GetLatest(kindTransportConfig, transportConfigIdentity)
			for name := range setParams {
				if name == "Confirm" || name == "Force" || !c.Has(name) {
					continue
				}
				o[name] = c.Params[name]
			}
			c.Tenant.Store.Put(kindTransportConfig, transportConfigIdentity, o, c.Lag)
			return nil, nil
		},
	})
}
