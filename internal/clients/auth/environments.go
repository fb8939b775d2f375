package auth

import (
	"fmt"
	"sort"
	"strings"
)

// Environment is one Microsoft 365 cloud: where to sign in and where the
// three services live, and the resource (token audience) of each service.
type Environment struct {
	Name string
	// LoginURL is the Microsoft Entra authority host, with a trailing slash.
	LoginURL string
	// Service roots.
	GraphURL, ExchangeURL, ComplianceURL string
	// Token resources: scopes are "<resource>/.default".
	GraphResource, ExchangeResource, ComplianceResource string
	// ComplianceRegionalHosts are the hosts Security & Compliance may
	// redirect a tenant to ("*." = any subdomain): its first call is
	// answered with a 302 to {region}.ps.compliance.protection.outlook.com
	// in the public cloud (CIPP New-ExoRequest builds that host from the
	// redirect). For the sovereign clouds the regional hosts are taken to be
	// subdomains of the same compliance domain; Microsoft does not list them.
	ComplianceRegionalHosts []string
}

// Sources:
//   - Entra ID and Graph hosts per cloud: "Microsoft Graph national cloud
//     deployments", https://learn.microsoft.com/graph/deployments
//   - Exchange Online hosts: Connect-ExchangeOnline -ConnectionUri (GCC High
//     outlook.office365.us, DoD webmail.apps.mil, 21Vianet partner.outlook.cn),
//     https://learn.microsoft.com/powershell/module/exchange/connect-exchangeonline
//   - Security & Compliance hosts: Connect-IPPSSession -ConnectionUri and
//     -AzureADAuthorizationEndpointUri (GCC High ps.compliance.protection.office365.us,
//     DoD l5.ps.compliance.protection.office365.us, 21Vianet
//     ps.compliance.protection.partner.outlook.cn, login.partner.microsoftonline.cn),
//     https://learn.microsoft.com/powershell/module/exchange/connect-ippssession
//     and https://learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2
//   - 21Vianet sign-in host for Microsoft 365: the token endpoint
//     login.partner.microsoftonline.cn in
//     https://docs.azure.cn/entra/identity-platform/certificate-credentials
//   - DoD Security & Compliance tokens are issued for the GCC High resource
//     https://ps.compliance.protection.office365.us while requests go to the
//     l5 host: seen in public code (CISA ScubaGear-style scripts), not in
//     Microsoft's documentation.
var environments = map[string]Environment{
	"public": {
		Name:                    "public",
		LoginURL:                "https://login.microsoftonline.com/",
		GraphURL:                "https://graph.microsoft.com",
		ExchangeURL:             "https://outlook.office365.com",
		ComplianceURL:           "https://ps.compliance.protection.outlook.com",
		GraphResource:           "https://graph.microsoft.com",
		ExchangeResource:        "https://outlook.office365.com",
		ComplianceResource:      "https://ps.compliance.protection.outlook.com",
		ComplianceRegionalHosts: []string{"*.ps.compliance.protection.outlook.com"},
	},
	// Microsoft 365 GCC High (Graph "US Government L4").
	"usgovernment": {
		Name:                    "usgovernment",
		LoginURL:                "https://login.microsoftonline.us/",
		GraphURL:                "https://graph.microsoft.us",
		ExchangeURL:             "https://outlook.office365.us",
		ComplianceURL:           "https://ps.compliance.protection.office365.us",
		GraphResource:           "https://graph.microsoft.us",
		ExchangeResource:        "https://outlook.office365.us",
		ComplianceResource:      "https://ps.compliance.protection.office365.us",
		ComplianceRegionalHosts: []string{"*.ps.compliance.protection.office365.us"},
	},
	// Microsoft 365 DoD (Graph "US Government L5").
	"dod": {
		Name:                    "dod",
		LoginURL:                "https://login.microsoftonline.us/",
		GraphURL:                "https://dod-graph.microsoft.us",
		ExchangeURL:             "https://webmail.apps.mil",
		ComplianceURL:           "https://l5.ps.compliance.protection.office365.us",
		GraphResource:           "https://dod-graph.microsoft.us",
		ExchangeResource:        "https://webmail.apps.mil",
		ComplianceResource:      "https://ps.compliance.protection.office365.us",
		ComplianceRegionalHosts: []string{"*.ps.compliance.protection.office365.us"},
	},
	// Microsoft 365 operated by 21Vianet.
	"china": {
		Name:                    "china",
		LoginURL:                "https://login.partner.microsoftonline.cn/",
		GraphURL:                "https://microsoftgraph.chinacloudapi.cn",
		ExchangeURL:             "https://partner.outlook.cn",
		ComplianceURL:           "https://ps.compliance.protection.partner.outlook.cn",
		GraphResource:           "https://microsoftgraph.chinacloudapi.cn",
		ExchangeResource:        "https://partner.outlook.cn",
		ComplianceResource:      "https://ps.compliance.protection.partner.outlook.cn",
		ComplianceRegionalHosts: []string{"*.ps.compliance.protection.partner.outlook.cn"},
	},
}

// EnvironmentNames lists the accepted environment names, sorted.
func EnvironmentNames() []string {
	names := make([]string, 0, len(environments))
	for n := range environments {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupEnvironment returns a cloud by name; "" means public.
func LookupEnvironment(name string) (Environment, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" {
		n = "public"
	}
	env, ok := environments[n]
	if !ok {
		return Environment{}, fmt.Errorf("unknown environment %q: use one of %s", name, strings.Join(EnvironmentNames(), ", "))
	}
	return env, nil
}

// microsoftAuthorityHosts are the real Entra ID sign-in hosts; for any other
// host instance discovery must be disabled (it would call the real
// login.microsoftonline.com first).
var microsoftAuthorityHosts = map[string]bool{
	"login.microsoftonline.com":        true,
	"login.microsoft.com":              true,
	"login.windows.net":                true,
	"sts.windows.net":                  true,
	"login.microsoftonline.us":         true,
	"login.usgovcloudapi.net":          true,
	"login.partner.microsoftonline.cn": true,
	"login.chinacloudapi.cn":           true,
}
