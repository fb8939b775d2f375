package defender

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
			TypeName: "anti_phish_policies", Resource: "m365harden_anti_phish_policy", IDIs: "the policy's name, `Office365 AntiPhish Default` included", Permissions: common.ExchangeReadPermissions,
			Summary: "Every anti-phishing policy of the tenant (Exchange Online `Get-AntiPhishPolicy`).",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				return common.ExchangeNames(ctx, c.Exchange, "Get-AntiPhishPolicy", nil, "Name", "Name")
			},
		}),
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "anti_phish_rules", Resource: "m365harden_anti_phish_rule", IDIs: "the rule's name", Permissions: common.ExchangeReadPermissions,
			Summary: "The tenant's anti-phishing rules (Exchange Online `Get-AntiPhishRule`, filtered by `-State` when `state` is set).",
			Filters: []common.ImportIDsFilter{common.RuleStateFilter},
			List: func(ctx context.Context, c *clients.Set, f map[string]string) ([]common.ImportIDItem, error) {
				return common.ExchangeNames(ctx, c.Exchange, "Get-AntiPhishRule", common.StateParams(f), "Name", "Name")
			},
		}),
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "malware_filter_policies", Resource: "m365harden_malware_filter_policy", IDIs: "the policy's name, `Default` included", Permissions: common.ExchangeReadPermissions,
			Summary: "Every anti-malware policy of the tenant (Exchange Online `Get-MalwareFilterPolicy`).",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				return common.ExchangeNames(ctx, c.Exchange, "Get-MalwareFilterPolicy", nil, "Name", "Name")
			},
		}),
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "preset_security_policies", Resource: "m365harden_preset_security_policy", IDIs: "the level, `Standard` or `Strict`", Permissions: common.ExchangeReadPermissions,
			Summary: "The preset security policies that were turned on in the portal at least once, so their rules exist (Exchange Online `Get-EOPProtectionPolicyRule`, filtered by `-State` when `state` is set: `Enabled` lists the presets that are on).",
			Filters: []common.ImportIDsFilter{common.RuleStateFilter},
			List: func(ctx context.Context, c *clients.Set, f map[string]string) ([]common.ImportIDItem, error) {
				rules, err := common.ExchangeNames(ctx, c.Exchange, "Get-EOPProtectionPolicyRule", common.StateParams(f), "Name", "Name")
				var out []common.ImportIDItem
				for _, r := range rules {
					for _, l := range presetLevels {
						if strings.EqualFold(r.ID, presetRuleName(l)) {
							out = append(out, common.ImportIDItem{ID: l, Name: r.Name})
						}
					}
				}
				return out, err
			},
		}),
	}
}
