// Package alerts holds the Security & Compliance alert policy resource and
// the data source that lists every alert policy, default ones included.
package alerts

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists the package's resources.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{
		NewAlertPolicyResource,
	}
}

// DataSources lists the package's data sources.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewAlertPoliciesDataSource,
	}
}

// Value sets of the New-ProtectionAlert parameters
// (https://learn.microsoft.com/powershell/module/exchangepowershell/new-protectionalert).
var (
	alertCategories = []string{"AccessGovernance", "ComplianceManager", "DataGovernance", "MailFlow", "Others", "PrivacyManagement", "Supervision", "ThreatManagement"}
	// The severities New-/Set-ProtectionAlert -Severity takes; default
	// policies may also report Informational, which the cmdlets' reference
	// does not list for them.
	alertSeverities = []string{"Low", "Medium", "High"}
	// The severities Get-ProtectionAlert reports, default policies included
	// (https://learn.microsoft.com/defender-xdr/alert-policies#default-alert-policies).
	alertReportedSeverities = []string{"Low", "Medium", "High", "Informational"}
	alertThreatTypes        = []string{"Activity", "Malware"}
	alertAggregationTypes   = []string{"None", "SimpleAggregation", "AnomalousAggregation"}
)

var (
	// An SMTP address: local part, @, a domain of at least two labels.
	smtpAddressRe = regexp.MustCompile(`^[A-Za-z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$`)
	// One audited activity name ("New-InboxRule", "FileAccessed",
	// "Add member to role."): no list separators or wildcards.
	operationRe = regexp.MustCompile(`^[^,*\s](?:[^,*]*[^,*\s])?$`)
	// OPATH criteria "Property -op 'value'" joined with -and.
	filterCriterionRe = regexp.MustCompile(`(?i)^\s*([A-Za-z]+[.:][A-Za-z]+)\s+-(eq|ne|like|notlike|gt|ge|lt|le|contains|notcontains)\s+(\S.*?)\s*$`)
	filterAndRe       = regexp.MustCompile(`(?i)\s+-and\s+`)
	noEdgeSpacesRe    = regexp.MustCompile(`^\S(?:.*\S)?$`)
	// A .NET culture name in its canonical spelling: da-DK, zh-Hant-TW, es-419.
	cultureRe = regexp.MustCompile(`^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$`)
)

// filterProperties are the filterable properties of each threat type (the
// Filter parameter's list).
var filterProperties = map[string][]string{
	"Activity": {"Activity.ClientIp", "Activity.CreationTime", "Activity.Item", "Activity.ItemType", "Activity.Operation",
		"Activity.ResultStatus", "Activity.Scope", "Activity.SiteUrl", "Activity.SourceFileExtension", "Activity.SourceFileName",
		"Activity.TargetUserOrGroupType", "Activity.UserAgent", "Activity.UserId", "Activity.UserType", "Activity.Workload"},
	"Malware": {"Mail:AttachmentExtensions", "Mail:AttachmentNames", "Mail:CreationTime", "Mail:DeliveryStatus", "Mail:Direction",
		"Mail:From", "Mail:FromDomain", "Mail:InternetMessageId", "Mail:IsIntraOrgSpoof", "Mail:IsMalware", "Mail:IsSpam",
		"Mail:IsThreat", "Mail:Language", "Mail:Recipient", "Mail:Scl", "Mail:SenderCountry", "Mail:SenderIpAddress",
		"Mail:Subject", "Mail:TenantId", "Mail:ThreatName"},
}

// filterIssue checks an OPATH filter's syntax and, when the threat type is
// known, its properties; it returns "" when the filter is acceptable.
func filterIssue(filter, threatType string) string {
	f := strings.TrimSpace(filter)
	if strings.HasPrefix(f, "{") && strings.HasSuffix(f, "}") {
		f = strings.TrimSpace(f[1 : len(f)-1])
	}
	if f == "" {
		return "the filter is empty; leave the attribute unset instead"
	}
	for _, crit := range filterAndRe.Split(f, -1) {
		m := filterCriterionRe.FindStringSubmatch(crit)
		if m == nil {
			return fmt.Sprintf("%q is not an OPATH criterion of the form \"Property -ComparisonOperator 'Value'\" (criteria are joined with -and)", strings.TrimSpace(crit))
		}
		if threatType == "" {
			continue
		}
		ok := false
		for _, p := range filterProperties[threatType] {
			if strings.EqualFold(p, m[1]) {
				ok = true
			}
		}
		if !ok {
			return fmt.Sprintf("%s is not a filterable property for threat_type %s; use one of %s", m[1], threatType, strings.Join(filterProperties[threatType], ", "))
		}
	}
	return ""
}
