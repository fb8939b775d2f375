package mailflow

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
			TypeName: "remote_domains", Resource: "m365harden_remote_domain", IDIs: "the remote domain's name, `Default` included", Permissions: common.ExchangeReadPermissions,
			Summary: "Every remote domain of the tenant (Exchange Online `Get-RemoteDomain -ResultSize Unlimited`).",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				return common.ExchangeNames(ctx, c.Exchange, "Get-RemoteDomain", map[string]any{"ResultSize": "Unlimited"}, "Name", "DomainName")
			},
		}),
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "transport_rules", Resource: "m365harden_transport_rule", IDIs: "the rule's name", Permissions: common.ExchangeReadPermissions,
			Summary: "The tenant's mail flow (transport) rules (Exchange Online `Get-TransportRule -ResultSize Unlimited`, filtered by `-State` when `state` is set).",
			Filters: []common.ImportIDsFilter{common.RuleStateFilter},
			List: func(ctx context.Context, c *clients.Set, f map[string]string) ([]common.ImportIDItem, error) {
				p := map[string]any{"ResultSize": "Unlimited"}
				for k, v := range common.StateParams(f) {
					p[k] = v
				}
				return common.ExchangeNames(ctx, c.Exchange, "Get-TransportRule", p, "Name", "Name")
			},
		}),
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "outbound_spam_filter_policies", Resource: "m365harden_outbound_spam_filter_policy", IDIs: "the policy's name, `Default` included", Permissions: common.ExchangeReadPermissions,
			Summary: "Every outbound spam filter policy of the tenant (Exchange Online `Get-HostedOutboundSpamFilterPolicy`).",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				return common.ExchangeNames(ctx, c.Exchange, "Get-HostedOutboundSpamFilterPolicy", nil, "Name", "Name")
			},
		}),
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "outbound_spam_filter_rules", Resource: "m365harden_outbound_spam_filter_rule", IDIs: "the rule's name", Permissions: common.ExchangeReadPermissions,
			Summary: "The tenant's outbound spam filter rules (Exchange Online `Get-HostedOutboundSpamFilterRule`, filtered by `-State` when `state` is set).",
			Filters: []common.ImportIDsFilter{common.RuleStateFilter},
			List: func(ctx context.Context, c *clients.Set, f map[string]string) ([]common.ImportIDItem, error) {
				return common.ExchangeNames(ctx, c.Exchange, "Get-HostedOutboundSpamFilterRule", common.StateParams(f), "Name", "Name")
			},
		}),
	}
}
