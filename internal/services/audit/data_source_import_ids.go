package audit

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// ImportIDDataSources lists the package's list data sources, which return
// the import IDs of its multi-instance resources.
func ImportIDDataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "audit_log_retention_policies", Resource: "m365harden_audit_log_retention_policy", IDIs: "the policy's name", Permissions: "application permission `Exchange.ManageAsApp` (Security & Compliance uses the same app-only grant); the Security & Compliance role *View-Only Audit Logs* or *Audit Logs*, held by the *Compliance Administrator* and *Exchange Administrator* Entra roles.",
			Summary: "Every audit log retention policy of the tenant (Security & Compliance `Get-UnifiedAuditLogRetentionPolicy`).",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				return common.ExchangeNames(ctx, c.Compliance, "Get-UnifiedAuditLogRetentionPolicy", nil, "Name", "Name")
			},
		}),
	}
}
