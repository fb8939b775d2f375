package identity

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// ImportIDDataSources lists the package's list data sources, which return
// the import IDs of its multi-instance resources.
func ImportIDDataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "named_locations", Resource: "m365harden_named_location", IDIs: "the location's object ID, a GUID", Permissions: "Microsoft Graph application permission `Policy.Read.All`.",
			Summary: "Every Conditional Access named location of the tenant, IP ranges and countries (Microsoft Graph `GET /identity/conditionalAccess/namedLocations`, following `@odata.nextLink`).",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				all, err := c.Graph.ListNamedLocations(ctx)
				out := make([]common.ImportIDItem, 0, len(all))
				for _, l := range all {
					out = append(out, common.ImportIDItem{ID: strings.ToLower(l.ID), Name: l.DisplayName})
				}
				return out, err
			},
		}),
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "authentication_strength_policies", Resource: "m365harden_authentication_strength_policy", IDIs: "the strength's ID, a GUID", Permissions: "Microsoft Graph application permission `Policy.Read.All`.",
			Summary: "The tenant's custom authentication strengths (Microsoft Graph `GET /policies/authenticationStrengthPolicies`, following `@odata.nextLink`). The built-in strengths are left out: they can't be changed, so there is nothing to adopt (`m365harden_authentication_strengths` lists them).",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				all, err := c.Graph.ListAuthenticationStrengths(ctx)
				out := make([]common.ImportIDItem, 0, len(all))
				for _, p := range all {
					if strings.EqualFold(p.PolicyType, "custom") {
						out = append(out, common.ImportIDItem{ID: strings.ToLower(p.ID), Name: p.DisplayName})
					}
				}
				return out, err
			},
		}),
	}
}
