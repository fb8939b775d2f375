// Package signins holds the sign-in findings: failed sign-ins with their
// aggregates and attack patterns, risky sign-ins, risky users and risk
// detections. All are data sources that read Microsoft Graph's sign-in logs
// and Identity Protection with filters sent to the service, page at the
// service maximum and keep only what the result holds.
package signins

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists the package's resources (none: sign-in findings are read-only).
func Resources() []func() resource.Resource { return nil }

// DataSources lists the package's data sources.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewFailedSignInsDataSource,
		NewRiskySignInsDataSource,
		NewRiskyUsersDataSource,
		NewRiskDetectionsDataSource,
	}
}
