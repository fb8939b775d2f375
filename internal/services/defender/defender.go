// Package defender holds the Exchange Online Protection and Microsoft
// Defender for Office 365 resources: anti-malware policies, anti-phishing
// policies and rules, Safe Links and Safe Attachments policies and rules.
package defender

import (
	"context"
	"regexp"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

// Resources lists the package's resources.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{
		NewMalwareFilterPolicyResource,
		NewAntiPhishPolicyResource,
		NewAntiPhishRuleResource,
		NewSafeLinksPolicyResource,
		NewSafeLinksRuleResource,
		NewSafeAttachmentPolicyResource,
		NewSafeAttachmentRuleResource,
		NewPresetSecurityPolicyResource,
	}
}

// Value checks shared by the schemas.
const domainLabel = `[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?`

var (
	// smtpDomainRe is an SMTP domain such as contoso.com.
	smtpDomainRe = regexp.MustCompile(`^` + domainLabel + `(?:\.` + domainLabel + `)+$`)
	// noEdgeSpacesRe refuses names with leading or trailing blanks
	// (Exchange trims them, which would show as a perpetual diff).
	noEdgeSpacesRe = regexp.MustCompile(`^\S(?:.*\S)?$`)
)

// stringsOf reads a known set into a sorted slice.
func stringsOf(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	sort.Strings(out)
	return out
}

// nullableStringSet is a service list as a set in the service's spelling;
// an empty list is null (for attributes where "none" is written by leaving
// the attribute out).
func nullableStringSet(items []string) types.Set {
	if len(items) == 0 {
		return types.SetNull(types.StringType)
	}
	return common.StringSet(items)
}

// waitGone waits, after a Remove-*, until reads no longer return the object
// (the service replicates deletions too), so a following create or check
// does not meet the old one.
func waitGone(ctx context.Context, timeout time.Duration, what string, get func(ctx context.Context) error) error {
	return wait.Until(ctx, timeout, func(ctx context.Context) error {
		err := get(ctx)
		if exchange.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return wait.NotYet("%s is still readable after removal", what)
	})
}
