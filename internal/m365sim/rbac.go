package m365sim

import "strings"

// Exchange Online RBAC as the emulator models it for app-only callers.
//
// An app's service principal gets Exchange permissions either from a Microsoft
// Entra role (Exchange Administrator, Compliance Administrator, Global Reader,
// ...) or from management roles assigned to it directly with
// New-ManagementRoleAssignment
// (https://learn.microsoft.com/en-us/powershell/exchange/app-only-auth-powershell-v2#assign-microsoft-entra-roles-to-the-application).
// Each cmdlet lists the management roles that contain it (the "Permissions"
// section of its reference page, e.g. Set-OrganizationConfig: "Organization
// Configuration"; Set-AdminAuditLogConfig: "Audit Logs").

// Management role names used by the emulator's cmdlets.
const (
	RoleOrganizationConfiguration = "Organization Configuration"
	RoleViewOnlyConfiguration     = "View-Only Configuration"
	RoleAuditLogs                 = "Audit Logs"
	RoleViewOnlyAuditLogs         = "View-Only Audit Logs"
	RoleMailRecipients            = "Mail Recipients"
	RoleViewOnlyRecipients        = "View-Only Recipients"
	RoleRemoteAndAcceptedDomains  = "Remote and Accepted Domains"
	RoleTransportRules            = "Transport Rules"
	RoleSecurityAdmin             = "Security Admin"
	RoleSecurityReader            = "Security Reader"
	RoleInformationRightsMgmt     = "Information Rights Management"
	RoleRetentionManagement       = "Retention Management"
	RoleManageAlerts              = "Manage Alerts"
	RoleViewOnlyManageAlerts      = "View-Only Manage Alerts"
)

// directoryRoleGrants maps Entra roles to the management roles they carry in
// Exchange Online and Security & Compliance.
var directoryRoleGrants = map[string][]string{
	"global administrator":     {"*"},
	"exchange administrator":   {"*"},
	"compliance administrator": {RoleAuditLogs, RoleViewOnlyAuditLogs, RoleViewOnlyConfiguration, RoleViewOnlyRecipients, RoleRetentionManagement, RoleManageAlerts, RoleViewOnlyManageAlerts},
	"security administrator":   {RoleSecurityAdmin, RoleSecurityReader, RoleViewOnlyConfiguration, RoleViewOnlyRecipients, RoleViewOnlyAuditLogs, RoleManageAlerts, RoleViewOnlyManageAlerts},
	"global reader":            {RoleViewOnlyConfiguration, RoleViewOnlyRecipients, RoleViewOnlyAuditLogs, RoleSecurityReader, RoleViewOnlyManageAlerts},
	"security reader":          {RoleSecurityReader, RoleViewOnlyAuditLogs, RoleViewOnlyManageAlerts},
}

// rbacRolesOf returns the management roles an app holds ("*" = all).
func rbacRolesOf(app *AppSpec) []string {
	var out []string
	for _, d := range app.DirectoryRoles {
		out = append(out, directoryRoleGrants[strings.ToLower(d)]...)
	}
	return append(out, app.ManagementRoles...)
}

func appHasAnyRole(app *AppSpec, needed []string) bool {
	held := rbacRolesOf(app)
	for _, h := range held {
		if h == "*" {
			return true
		}
		for _, n := range needed {
			if strings.EqualFold(h, n) {
				return true
			}
		}
	}
	return false
}
