package defender

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// ImportIDDataSources lists the package's list data sources, which return
// the import IDs of its multi-instance resources.
func ImportIDDataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "anti_phish_policies", Resource: "m365harden_anti_phish_policy", IDIs: "the policy's name, `Office365 AntiPhish Default` included", Permissions: common.ExchangeReadPermissions,
			Summary: "Every anti-phishing policy of the tenant (Exchange Online `Get-AntiPhishPolicy`) but the ones the preset security policies own, which the resource can't manage (`m365harden_preset_security_policies` lists the presets).",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				return customPolicyNames(ctx, c, "Get-AntiPhishPolicy")
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
			Summary: "Every anti-malware policy of the tenant (Exchange Online `Get-MalwareFilterPolicy`) but the ones the preset security policies own, which the resource can't manage (`m365harden_preset_security_policies` lists the presets).",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				return customPolicyNames(ctx, c, "Get-MalwareFilterPolicy")
			},
		}),
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "safe_links_policies", Resource: "m365harden_safe_links_policy", IDIs: "the policy's name", Permissions: threatReadPermissions,
			Summary: "The tenant's custom Safe Links policies (Exchange Online `Get-SafeLinksPolicy`). The read-only `" + builtInProtectionPolicy + "` and the policies the preset security policies own are left out: the resource can't manage them (`m365harden_preset_security_policies` lists the presets).",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				return customPolicyNames(ctx, c, "Get-SafeLinksPolicy")
			},
		}),
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "safe_links_rules", Resource: "m365harden_safe_links_rule", IDIs: "the rule's name", Permissions: threatReadPermissions,
			Summary: "The tenant's Safe Links rules (Exchange Online `Get-SafeLinksRule`, filtered by `-State` when `state` is set).",
			Filters: []common.ImportIDsFilter{common.RuleStateFilter},
			List: func(ctx context.Context, c *clients.Set, f map[string]string) ([]common.ImportIDItem, error) {
				return common.ExchangeNames(ctx, c.Exchange, "Get-SafeLinksRule", common.StateParams(f), "Name", "Name")
			},
		}),
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "safe_attachment_policies", Resource: "m365harden_safe_attachment_policy", IDIs: "the policy's name", Permissions: threatReadPermissions,
			Summary: "The tenant's custom Safe Attachments policies (Exchange Online `Get-SafeAttachmentPolicy`). The read-only `" + builtInProtectionPolicy + "` and the policies the preset security policies own are left out: the resource can't manage them (`m365harden_preset_security_policies` lists the presets).",
			List: func(ctx context.Context, c *clients.Set, _ map[string]string) ([]common.ImportIDItem, error) {
				return customPolicyNames(ctx, c, "Get-SafeAttachmentPolicy")
			},
		}),
		common.NewImportIDsDataSource(common.ImportIDs{
			TypeName: "safe_attachment_rules", Resource: "m365harden_safe_attachment_rule", IDIs: "the rule's name", Permissions: threatReadPermissions,
			Summary: "The tenant's Safe Attachments rules (Exchange Online `Get-SafeAttachmentRule`, filtered by `-State` when `state` is set).",
			Filters: []common.ImportIDsFilter{common.RuleStateFilter},
			List: func(ctx context.Context, c *clients.Set, f map[string]string) ([]common.ImportIDItem, error) {
				return common.ExchangeNames(ctx, c.Exchange, "Get-SafeAttachmentRule", common.StateParams(f), "Name", "Name")
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

// threatReadPermissions is what listing Safe Links and Safe Attachments
// objects needs: the cmdlets exist only with Microsoft Defender for Office
// 365, and reading them takes Security Reader or View-Only Configuration
// (https://learn.microsoft.com/defender-office-365/safe-links-policies-configure#what-do-you-need-to-know-before-you-begin).
const threatReadPermissions = "Microsoft Defender for Office 365 (Plan 1 or 2); application permission `Exchange.ManageAsApp`; the Exchange role *Security Reader* or *View-Only Configuration* (Entra roles Security Reader, Global Reader, Security Administrator or Exchange Administrator)."

// customPolicyNames lists the policies a Defender Get cmdlet returns that
// a resource can manage: not the Built-in protection policy of Safe Links
// and Safe Attachments (IsBuiltInProtection), nor the policies a Standard
// or Strict preset security policy owns (anti-phishing, anti-malware, Safe
// Links, Safe Attachments) (RecommendedPolicyType Standard or Strict; their
// names start "Standard Preset Security Policy" or "Strict Preset Security
// Policy"). Neither can be modified
// (https://learn.microsoft.com/defender-office-365/preset-security-policies#profiles-in-preset-security-policies).
func customPolicyNames(ctx context.Context, c *clients.Set, cmdlet string) ([]common.ImportIDItem, error) {
	return common.ExchangeNamesWhere(ctx, c.Exchange, cmdlet, nil, "Name", "Name", []string{"IsBuiltInProtection", "RecommendedPolicyType"}, managedPolicy)
}

// managedPolicy says whether a Defender policy can be managed by a
// resource (see customPolicyNames).
func managedPolicy(o exchange.Object) bool {
	if o.Bool("IsBuiltInProtection") || strings.EqualFold(o.String("Name"), builtInProtectionPolicy) {
		return false
	}
	for _, l := range presetLevels {
		if strings.EqualFold(o.String("RecommendedPolicyType"), l) || strings.HasPrefix(strings.ToLower(o.String("Name")), strings.ToLower(presetRuleName(l))) {
			return false
		}
	}
	return true
}
