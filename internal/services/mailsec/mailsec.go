// Package mailsec holds the mail security hardening resources and data
// sources beyond auditing and forwarding: SMTP AUTH and the other
// organization-wide transport settings, DKIM signing, external sender
// tagging in Outlook, calendar and contact sharing, and the connection
// filter.
package mailsec

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

// Resources lists the package's resources.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{
		NewTransportConfigResource,
		NewDkimSigningConfigResource,
		NewExternalSenderTaggingResource,
		NewSharingPolicyResource,
		NewConnectionFilterPolicyResource,
	}
}

// DataSources lists the package's data sources.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewAcceptedDomainsDataSource,
		NewDkimStatusDataSource,
		NewEmailAuthenticationDataSource,
	}
}

const domainLabel = `[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?`

var (
	// smtpDomainRe is an SMTP domain such as contoso.com.
	smtpDomainRe = regexp.MustCompile(`^` + domainLabel + `(?:\.` + domainLabel + `)+$`)
	// wildcardDomainRe is a domain with all its subdomains: *.contoso.com.
	wildcardDomainRe = regexp.MustCompile(`^\*\.` + domainLabel + `(?:\.` + domainLabel + `)+$`)
)

// quoteList renders enum values for descriptions: `A`, `B`.
func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

// canonicalEnum returns the canonical spelling of v in vals.
func canonicalEnum(vals []string, v string) string {
	for _, e := range vals {
		if strings.EqualFold(e, v) {
			return e
		}
	}
	return v
}

// exchangeDkim is the client's DKIM signing configuration.
type exchangeDkim = exchange.DkimSigningConfig

// lower is strings.ToLower, for domains Exchange may report in any case.
func lower(s string) string { return strings.ToLower(s) }

// known reports whether a planned value is set and known.
func known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

// lowerSet turns a service list into a set of lower-cased values (Exchange
// compares domains and addresses without regard to case).
func lowerSet(items []string) types.Set {
	low := make([]string, 0, len(items))
	for _, s := range items {
		low = append(low, strings.ToLower(s))
	}
	return common.StringSet(low)
}

// settle waits until read shows what plan asks (pending returns how many
// settings still differ) and returns the last read.
func settle[M any](ctx context.Context, timeout time.Duration, what string, read func(context.Context) (*M, error), pending func(*M) int) (*M, error) {
	var got *M
	err := wait.Until(ctx, timeout, func(ctx context.Context) error {
		m, err := read(ctx)
		if exchange.IsNotFound(err) {
			return wait.NotYet("%s is not readable yet", what)
		}
		if err != nil {
			return err
		}
		got = m
		if n := pending(m); n > 0 {
			return wait.NotYet("%s still differs in %d settings", what, n)
		}
		return nil
	})
	return got, err
}
