package posture

import (
	"sort"
	"strings"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// Controls of the mail-security and identity-policy settings: SMTP AUTH,
// DKIM, external sender identification, sharing policies, the connection
// filter (this file), anti-malware and anti-phishing policies
// (controls_defender.go) and the authorization and admin consent policies
// (controls_identity_policies.go).

// Control ids.
const (
	ctlSMTPAuthDisabled        = "smtp-auth-disabled"
	ctlDKIMEnabled             = "dkim-enabled"
	ctlExternalInOutlook       = "external-sender-identification"
	ctlExternalSenderWarnings  = "external-sender-warnings"
	ctlContactSharing          = "contact-sharing-all-domains"
	ctlCalendarSharing         = "calendar-sharing-all-domains"
	ctlExternalCalendarSharing = "external-calendar-sharing"
	ctlConnectionFilter        = "connection-filter-allow-lists"
)

// policyReads are the settings these controls share, each read once per
// evaluation.
type policyReads struct {
	transportConfig  lazy[*exchange.TransportConfig]
	externalInOut    lazy[*exchange.ExternalInOutlook]
	sharingPolicies  lazy[[]exchange.SharingPolicy]
	dkim             lazy[[]exchange.DkimSigningConfig]
	connectionFilter lazy[*exchange.ConnectionFilterPolicy]
	malwarePolicies  lazy[[]exchange.MalwareFilterPolicy]
	antiPhish        lazy[[]exchange.Object]
	authorization    lazy[*graph.AuthorizationPolicy]
	acceptedDomains  lazy[[]exchange.AcceptedDomain]
	adminConsent     lazy[*graph.AdminConsentRequestPolicy]
	presets          presetReads // controls_presets.go
}

func evalSMTPAuthDisabled(e *evaluation) result {
	tc, err := e.policies.transportConfig.get(func() (*exchange.TransportConfig, error) { return e.c.Exchange.GetTransportConfig(e.ctx) })
	if err != nil {
		return unknown("the transport configuration (Get-TransportConfig)", err)
	}
	if !tc.SmtpClientAuthenticationDisabled {
		return fail([]object{{Type: "transport_config", Name: "Transport Settings", Detail: "SmtpClientAuthenticationDisabled=false"}},
			"SMTP AUTH is enabled for the organization (SmtpClientAuthenticationDisabled = $false): passwords alone can send mail through authenticated SMTP.")
	}
	return pass("SMTP AUTH is disabled for the organization (SmtpClientAuthenticationDisabled = $true).")
}

func (e *evaluation) getExternalInOutlook() (*exchange.ExternalInOutlook, error) {
	return e.policies.externalInOut.get(func() (*exchange.ExternalInOutlook, error) { return e.c.Exchange.GetExternalInOutlook(e.ctx) })
}

func evalExternalInOutlook(e *evaluation) result {
	x, err := e.getExternalInOutlook()
	if err != nil {
		return unknown("external sender identification (Get-ExternalInOutlook)", err)
	}
	if !x.Enabled {
		return fail([]object{{Type: "external_in_outlook", Name: "ExternalInOutlook", Detail: "Enabled=false"}},
			"Outlook does not tag messages from external senders (Get-ExternalInOutlook Enabled = $false).")
	}
	return pass("Outlook tags messages from external senders (Get-ExternalInOutlook Enabled = $true).")
}

// evalExternalSenderWarnings: ScubaGear's instructions build the warning
// with a transport rule for senders outside the organization that
// prepends the subject; Outlook's own External tag is a warning too.
func evalExternalSenderWarnings(e *evaluation) result {
	x, err := e.getExternalInOutlook()
	if err != nil {
		return unknown("external sender identification (Get-ExternalInOutlook)", err)
	}
	if x.Enabled {
		return pass("External senders are tagged in Outlook (Get-ExternalInOutlook Enabled = $true).")
	}
	rules, err := e.getTransportRules()
	if err != nil {
		return unknown("transport rules (Get-TransportRule)", err)
	}
	for _, r := range rules {
		if ruleActive(r) && strings.EqualFold(r.FromScope, "NotInOrganization") && strings.TrimSpace(r.PrependSubject) != "" {
			return pass("The enabled, enforced transport rule %q prepends %q to the subject of mail from outside the organization.", r.Name, r.PrependSubject)
		}
	}
	return fail([]object{{Type: "external_in_outlook", Name: "ExternalInOutlook", Detail: "Enabled=false; no enabled, enforced transport rule with FromScope NotInOrganization and PrependSubject"}},
		"No external sender warning: Outlook's External tag is off and no enabled, enforced transport rule marks the subject of mail from outside the organization.")
}

func (e *evaluation) getSharingPolicies() ([]exchange.SharingPolicy, error) {
	return e.policies.sharingPolicies.get(func() ([]exchange.SharingPolicy, error) { return e.c.Exchange.ListSharingPolicies(e.ctx) })
}

// sharingEntries splits a Domains entry ("*:CalendarSharingFreeBusySimple,
// ContactsSharing") into its domain and actions.
func sharingEntry(s string) (string, []string) {
	dom, acts, ok := strings.Cut(s, ":")
	if !ok {
		return strings.TrimSpace(s), nil
	}
	var out []string
	for _, a := range strings.Split(acts, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return strings.TrimSpace(dom), out
}

// sharingFindings lists the enabled sharing policies with an entry whose
// domain matches and that grants an action with the prefix.
func sharingFindings(pols []exchange.SharingPolicy, domainMatch func(string) bool, actionPrefix string) []object {
	var objs []object
	for _, p := range pols {
		if !p.Enabled {
			continue
		}
		for _, d := range p.Domains {
			dom, acts := sharingEntry(d)
			if !domainMatch(dom) {
				continue
			}
			for _, a := range acts {
				if strings.HasPrefix(strings.ToLower(a), strings.ToLower(actionPrefix)) {
					objs = append(objs, object{Type: "sharing_policy", Name: p.Name, Detail: "Domains: " + d})
					break
				}
			}
		}
	}
	return objs
}

// allDomains: "*" is every federated organization. Anonymous (anyone with
// the link) is broader still; ScubaGear's text says "all domains", and the
// stricter reading counts anonymous publishing as sharing with all of them.
func allDomains(dom string) bool { return dom == "*" || strings.EqualFold(dom, "Anonymous") }

// sharingControl is a sharing policy control: it fails on every enabled
// entry whose domain matches and that grants an action with the prefix;
// what is the sentence's object ("contact folders with all domains").
func sharingControl(domainMatch func(string) bool, actionPrefix, what string) func(*evaluation) result {
	return func(e *evaluation) result {
		pols, err := e.getSharingPolicies()
		if err != nil {
			return unknown("sharing policies (Get-SharingPolicy)", err)
		}
		if objs := sharingFindings(pols, domainMatch, actionPrefix); len(objs) > 0 {
			return fail(objs, "%s %s.", plural(len(objs), "enabled sharing policy entry shares", "enabled sharing policy entries share"), what)
		}
		return pass("No enabled sharing policy shares %s (%s read).", what, plural(len(pols), "policy", "policies"))
	}
}

var (
	evalContactSharing          = sharingControl(allDomains, "Contacts", "contact folders with all domains")
	evalCalendarSharing         = sharingControl(allDomains, "Calendar", "calendar details with all domains or anonymous users")
	evalExternalCalendarSharing = sharingControl(func(string) bool { return true }, "Calendar", "calendars with people outside the organization")
)

func evalDKIMEnabled(e *evaluation) result {
	ads, err := e.getAcceptedDomainList()
	if err != nil {
		return unknown("accepted domains (Get-AcceptedDomain)", err)
	}
	cfgs, err := e.policies.dkim.get(func() ([]exchange.DkimSigningConfig, error) { return e.c.Exchange.ListDkimSigningConfigs(e.ctx) })
	if err != nil {
		return unknown("DKIM signing configurations (Get-DkimSigningConfig)", err)
	}
	byDomain := map[string]exchange.DkimSigningConfig{}
	for _, c := range cfgs {
		byDomain[strings.ToLower(c.Domain)] = c
	}
	var objs []object
	for _, a := range ads {
		d := strings.ToLower(a.DomainName)
		c, ok := byDomain[d]
		switch {
		case !ok:
			objs = append(objs, object{Type: "accepted_domain", Name: d, Detail: "no DKIM signing configuration"})
		case !c.Enabled:
			objs = append(objs, object{Type: "dkim_signing_config", Name: d, Detail: "Enabled=false"})
		case !strings.EqualFold(c.Status, "Valid"):
			objs = append(objs, object{Type: "dkim_signing_config", Name: d, Detail: "Enabled=true but Status=" + c.Status})
		}
	}
	if len(objs) > 0 {
		return fail(objs, "%s not signed with DKIM.", plural(len(objs), "accepted domain is", "accepted domains are"))
	}
	return pass("All %s sign outbound mail with DKIM.", plural(len(ads), "accepted domain", "accepted domains"))
}

func evalConnectionFilter(e *evaluation) result {
	p, err := e.policies.connectionFilter.get(func() (*exchange.ConnectionFilterPolicy, error) {
		return e.c.Exchange.GetConnectionFilterPolicy(e.ctx, "Default")
	})
	if err != nil {
		return unknown("the connection filter policy (Get-HostedConnectionFilterPolicy)", err)
	}
	var problems []string
	if len(p.IPAllowList) > 0 {
		ips := append([]string(nil), p.IPAllowList...)
		sort.Strings(ips)
		problems = append(problems, "IPAllowList="+strings.Join(ips, ","))
	}
	if p.EnableSafeList {
		problems = append(problems, "EnableSafeList=true")
	}
	if len(problems) > 0 {
		return fail([]object{{Type: "connection_filter_policy", Name: p.Name, Detail: strings.Join(problems, "; ")}},
			"The connection filter lets mail skip spam filtering: %s.", strings.Join(problems, "; "))
	}
	return pass("The connection filter has no IP allow list and the safe list is off.")
}

// getAcceptedDomainList is Get-AcceptedDomain, read once and shared with
// the forwarding controls' domain set.
func (e *evaluation) getAcceptedDomainList() ([]exchange.AcceptedDomain, error) {
	return e.policies.acceptedDomains.get(func() ([]exchange.AcceptedDomain, error) { return e.c.Exchange.ListAcceptedDomains(e.ctx) })
}
