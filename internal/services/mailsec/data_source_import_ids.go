package mailsec

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
			TypeName: "dkim_signing_configs", Resource: "m365harden_dkim_signing_config", IDIs: "the domain", Permissions: common.ExchangeReadPermissions,
			Summary: "Every DKIM signing configuration of the tenant, one per domain that has one (Exchange Online `Get-DkimSigningConfig`). Accepted domains without one are not listed: `m365harden_dkim_signing_config` creates theirs.",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				return common.ExchangeNames(ctx, c.Exchange, "Get-DkimSigningConfig", nil, "Domain", "Domain")
			},
		}),
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "sharing_policies", Resource: "m365harden_sharing_policy", IDIs: "the policy's name, `Default Sharing Policy` included", Permissions: common.ExchangeReadPermissions,
			Summary: "Every sharing policy of the tenant (Exchange Online `Get-SharingPolicy`): the built-in `Default Sharing Policy` and any created in the Exchange admin center, each adopted (never created) by `m365harden_sharing_policy`.",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				return common.ExchangeNames(ctx, c.Exchange, "Get-SharingPolicy", nil, "Name", "Name")
			},
		}),
	}
}
