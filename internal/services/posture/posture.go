// Package posture holds m365harden_posture: the hardening controls of the
// project's control list evaluated on the live tenant, with evidence.
package posture

import "github.com/hashicorp/terraform-plugin-framework/datasource"

// DataSources lists the package's data sources.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{NewPostureDataSource}
}
