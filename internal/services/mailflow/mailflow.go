// Package mailflow holds the mail flow hardening resources and data sources:
// remote domains, outbound spam filter policies and rules, mailbox
// forwarding and the forwarding report.
package mailflow

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
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
		NewRemoteDomainResource,
		NewOutboundSpamFilterPolicyResource,
		NewOutboundSpamFilterRuleResource,
		NewMailboxForwardingResource,
		NewTransportRuleResource,
		NewIRMConfigurationResource,
	}
}

// DataSources lists the package's data sources.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewRMSTemplatesDataSource,
		NewForwardingReportDataSource,
	}
}

// Value checks shared by the schemas, matching what Exchange accepts.
const domainLabel = `[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?`

var (
	// smtpDomainRe is an SMTP domain such as contoso.com.
	smtpDomainRe = regexp.MustCompile(`^` + domainLabel + `(?:\.` + domainLabel + `)+$`)
	// remoteDomainRe is SmtpDomainWithSubdomains: *, contoso.com or *.contoso.com.
	remoteDomainRe = regexp.MustCompile(`^(?:\*|(?:\*\.)?` + domainLabel + `(?:\.` + domainLabel + `)+)$`)
	// regexpNoEdgeSpaces refuses names with leading or trailing blanks
	// (Exchange trims them, which would show as a perpetual diff).
	regexpNoEdgeSpaces = regexp.MustCompile(`^\S(?:.*\S)?$`)
	// lowerCaseRe refuses upper-case letters in values stored in lower case.
	lowerCaseRe = regexp.MustCompile(`^[^A-Z]*$`)
	// smtpAddressRe is an SMTP address local@domain.
	smtpAddressRe = regexp.MustCompile(`^[A-Za-z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@` + domainLabel + `(?:\.` + domainLabel + `)+$`)
)

// quoteList renders enum values for descriptions: `A`, `B`.
func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

// canonicalEnum returns the canonical spelling of v in vals (Exchange
// matches enum values case-insensitively and reports its own case).
func canonicalEnum(vals []string, v string) string {
	for _, e := range vals {
		if strings.EqualFold(e, v) {
			return e
		}
	}
	return v
}

// setOf turns a service list into a Terraform set of lower-cased addresses
// or domains (Exchange compares them case-insensitively).
func setOf(items []string) types.Set {
	vals := make([]attr.Value, 0, len(items))
	seen := map[string]bool{}
	for _, s := range items {
		k := strings.ToLower(s)
		if seen[k] {
			continue
		}
		seen[k] = true
		vals = append(vals, types.StringValue(k))
	}
	return types.SetValueMust(types.StringType, vals)
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

// known reports whether a planned value is set and known.
func known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

// sameFold reports whether two string lists hold the same items, ignoring
// case and order.
func sameFold(a, b []string) bool { return common.FoldSame(a, b) }

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
