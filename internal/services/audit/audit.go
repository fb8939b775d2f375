// Package audit holds the audit resources and data sources: the tenant-wide
// audit configuration, per-mailbox auditing, audit bypass, audit log
// retention and the mailboxes data source.
package audit

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/services/conv"
)

// Resources lists the package's resources.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{
		NewAuditConfigurationResource,
		NewMailboxAuditResource,
		NewMailboxAuditBaselineResource,
		NewMailboxAuditBypassResource,
		NewAuditLogRetentionPolicyResource,
	}
}

// DataSources lists the package's data sources.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewMailboxesDataSource,
	}
}

// stringSet and setStrings are the package's short names for the shared
// conversions.
func stringSet(vals []string) types.Set { return conv.StringSet(vals) }

func setStrings(s types.Set) []string { return conv.Strings(s) }

func containsFold(list []string, v string) bool { return conv.ContainsFold(list, v) }

func sameStrings(a, b []string) bool { return conv.EqualFold(a, b) }
