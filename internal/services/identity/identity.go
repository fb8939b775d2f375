// Package identity holds the Microsoft Entra identity policies a hardened
// tenant needs: Conditional Access policies and security defaults.
package identity

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists the package's resources.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{
		NewConditionalAccessPolicyResource,
		NewSecurityDefaultsResource,
		NewNamedLocationResource,
		NewAuthorizationPolicyResource,
		NewAuthenticationStrengthPolicyResource,
		NewAdminConsentRequestPolicyResource,
		NewAuthenticationMethodsPolicyResource,
		NewAuthenticationMethodConfigurationResource,
	}
}

// DataSources lists the package's data sources.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewAuthenticationStrengthsDataSource,
		NewConditionalAccessPoliciesDataSource,
	}
}
