// Package audit holds the audit resources and data sources: the tenant-wide
// audit configuration, per-mailbox auditing, audit bypass, audit log
// retention and the mailboxes data source.
package audit

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
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
