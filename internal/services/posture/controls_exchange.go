package posture

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

func evalMailboxAuditDefault(e *evaluation) result {
	oc, err := e.orgConfig.get(func() (*exchange.OrganizationConfig, error) { return e.c.Exchange.GetOrganizationConfig(e.ctx) })
	if err != nil {
		return unknown("the organization config (Get-OrganizationConfig)", err)
	}
	if oc.AuditDisabled {
		return fail([]object{{Type: "organization_config", Name: oc.Identity, Detail: "AuditDisabled=true"}},
			"Mailbox auditing is turned off for the whole organization (AuditDisabled = $true): no mailbox actions are logged whatever each mailbox says.")
	}
	return pass("Mailbox auditing is on by default for the organization (AuditDisabled = $false).")
}

func evalUnifiedAuditLog(e *evaluation) result {
	cfg, err := e.auditLogConfig.get(func() (*exchange.AdminAuditLogConfig, error) {
		return e.c.Exchange.GetAdminAuditLogConfig(e.ctx)
	})
	if err != nil {
		return unknown("the audit log configuration (Get-AdminAuditLogConfig)", err)
	}
	if !cfg.UnifiedAuditLogIngestionEnabled {
		return fail([]object{{Type: "admin_audit_log_config", Name: "Admin Audit Log Settings", Detail: "UnifiedAuditLogIngestionEnabled=false"}},
			"The unified audit log is off (UnifiedAuditLogIngestionEnabled = $false): user and admin activity is not recorded for search.")
	}
	return pass("The unified audit log is on (UnifiedAuditLogIngestionEnabled = $true).")
}

// mailboxScan is what one pass over Get-Mailbox collected. It holds the
// findings, not the mailboxes, so memory does not grow with the tenant.
type mailboxScan struct {
	mailboxes     int
	userMailboxes int
	auditFindings []object
	// orgAudit is what Get-OrganizationConfig says of organization-wide
	// mailbox auditing: orgAuditOn (AuditDisabled = $false), orgAuditOff,
	// or orgAuditUnread when it could not be read.
	orgAudit    int
	orgIdentity string
	// auditEnabledOff counts user mailboxes with AuditEnabled = $false.
	// While organization-wide auditing is on, CIS 6.1.2 still asks for the
	// flag, but Exchange ignores it and audits them anyway.
	auditEnabledOff int
	forwarders      []*exchange.Mailbox
	// With scan_inbox_rules: the external inbox rules, or why they could
	// not be read.
	ruleFindings []object
	ruleErr      error
}

// fullMailboxFields is what the shared listing selects: identity, audit and
// forwarding properties, nothing else.
var fullMailboxFields = []string{"Identity", "Name", "Guid", "UserPrincipalName", "PrimarySmtpAddress", "RecipientTypeDetails",
	"AuditEnabled", "AuditLogAgeLimit", "AuditAdmin", "AuditDelegate", "AuditOwner",
	"ForwardingAddress", "ForwardingSmtpAddress", "DeliverToMailboxAndForward"}

const (
	orgAuditUnread = iota
	orgAuditOn
	orgAuditOff
)

// orgAuditState reads AuditDisabled. "Mailbox auditing on by default in the
// organization overrides the mailbox auditing settings on individual
// mailboxes": with AuditDisabled = $false a mailbox whose AuditEnabled is
// $false is still audited, and with AuditDisabled = $true no mailbox is
// audited whatever AuditEnabled says; the per-mailbox off-switch is an
// audit bypass association
// (https://learn.microsoft.com/purview/audit-mailboxes).
func (e *evaluation) orgAuditState() (int, string) {
	oc, err := e.orgConfig.get(func() (*exchange.OrganizationConfig, error) { return e.c.Exchange.GetOrganizationConfig(e.ctx) })
	switch {
	case err != nil:
		return orgAuditUnread, ""
	case oc.AuditDisabled:
		return orgAuditOff, oc.Identity
	}
	return orgAuditOn, oc.Identity
}

func mailboxLabel(m *exchange.Mailbox) string {
	if m.UserPrincipalName != "" {
		return m.UserPrincipalName
	}
	if m.PrimarySmtpAddress != "" {
		return m.PrimarySmtpAddress
	}
	return m.Identity
}

// scanMailboxes reads every mailbox once, page by page, with only the
// properties the audit and forwarding checks need. With scan_inbox_rules,
// each mailbox is handed to a small pool of Get-InboxRule workers as its
// page arrives.
func (e *evaluation) scanMailboxes() (*mailboxScan, error) {
	return e.mailboxes.get(func() (*mailboxScan, error) {
		s := &mailboxScan{}
		s.orgAudit, s.orgIdentity = e.orgAuditState()
		var rules *ruleScan
		if e.opt.ScanInboxRules {
			accepted, err := e.getAcceptedDomains()
			if err != nil {
				s.ruleErr = err
			} else {
				rules = e.startRuleScan(accepted)
			}
		}
		minAge := time.Duration(e.opt.MinAuditAgeDays) * 24 * time.Hour
		admin, delegate, owner := cisAuditAdminE3, cisAuditDelegateE3, cisAuditOwnerE3
		if e.opt.AuditActions == "E5" {
			admin = append(append([]string{}, admin...), cisAuditAdminE5Extra...)
			delegate = append(append([]string{}, delegate...), cisAuditDelegateE5Extra...)
			owner = append(append([]string{}, owner...), cisAuditOwnerE5Extra...)
		}
		err := e.c.Exchange.ListMailboxes(e.ctx, exchange.MailboxQuery{Fields: fullMailboxFields}, func(m *exchange.Mailbox) error {
			label := mailboxLabel(m)
			s.mailboxes++
			if rules != nil {
				// Get-InboxRule takes the UPN (and is routed on it); a
				// GUID would cost a look-up per mailbox.
				mailbox := m.UserPrincipalName
				if mailbox == "" {
					mailbox = m.Guid
				}
				if err := rules.add(mailbox, label); err != nil {
					return err
				}
			}
			if m.ForwardingSmtpAddress != "" || m.ForwardingAddress != "" {
				s.forwarders = append(s.forwarders, m)
			}
			if !strings.EqualFold(m.RecipientTypeDetails, "UserMailbox") {
				return nil
			}
			s.userMailboxes++
			var problems []string
			switch {
			case m.AuditEnabled:
			case s.orgAudit == orgAuditOn:
				// CIS 6.1.2 asks for the flag, but Exchange ignores it:
				// the mailbox is audited.
				s.auditEnabledOff++
				problems = append(problems, "AuditEnabled=false (ignored while organization auditing is on: still audited)")
			default:
				s.auditEnabledOff++
				problems = append(problems, "AuditEnabled=false")
			}
			if m.AuditLogAgeLimit < minAge {
				problems = append(problems, fmt.Sprintf("AuditLogAgeLimit=%d days (< %d)", int64(m.AuditLogAgeLimit/(24*time.Hour)), e.opt.MinAuditAgeDays))
			}
			for _, lt := range []struct {
				name       string
				have, want []string
			}{{"AuditAdmin", m.AuditAdmin, admin}, {"AuditDelegate", m.AuditDelegate, delegate}, {"AuditOwner", m.AuditOwner, owner}} {
				if miss := missing(lt.have, lt.want); len(miss) > 0 {
					problems = append(problems, lt.name+" lacks "+strings.Join(miss, ","))
				}
			}
			if len(problems) > 0 {
				s.auditFindings = append(s.auditFindings, object{Type: "mailbox", Name: label, Detail: strings.Join(problems, "; ")})
			}
			return nil
		})
		if rules != nil {
			s.ruleFindings, s.ruleErr = rules.wait()
		}
		return s, err
	})
}

func evalMailboxAuditSettings(e *evaluation) result {
	s, err := e.scanMailboxes()
	if err != nil {
		return unknown("per-mailbox auditing (Get-Mailbox)", err)
	}
	list := "CIS 6.1.2 (E3)"
	if e.opt.AuditActions == "E5" {
		list = "CIS 6.1.3 (E5)"
	}
	var note string
	switch s.orgAudit {
	case orgAuditOn:
		if s.auditEnabledOff > 0 {
			note = fmt.Sprintf(" %s AuditEnabled=false: CIS 6.1.2 asks for $true, but Exchange ignores the flag while organization-wide mailbox auditing is on (AuditDisabled = $false), so they are still audited. The per-mailbox off-switch is an audit bypass association (control %s).",
				plural(s.auditEnabledOff, "user mailbox reports", "user mailboxes report"), ctlNoAuditBypass)
		}
	case orgAuditOff:
		note = fmt.Sprintf(" Organization-wide mailbox auditing is off (AuditDisabled = $true): Exchange audits no mailbox, whatever AuditEnabled says (control %s).", ctlMailboxAuditDefault)
	case orgAuditUnread:
		if s.auditEnabledOff > 0 {
			note = " Get-OrganizationConfig could not be read, so whether organization-wide auditing overrides AuditEnabled=false is not known."
		}
	}
	if len(s.auditFindings) > 0 {
		return fail(s.auditFindings, "%d of %s fall short of the audit settings: auditing on, log age at least %d days, the %s action lists.%s",
			len(s.auditFindings), plural(s.userMailboxes, "user mailbox", "user mailboxes"), e.opt.MinAuditAgeDays, list, note)
	}
	if s.orgAudit == orgAuditOff {
		return fail([]object{{Type: "organization_config", Name: s.orgIdentity, Detail: "AuditDisabled=true"}},
			"The user mailboxes (%d) have the audit settings, but none is audited.%s", s.userMailboxes, note)
	}
	return pass("All %s audit with a log age of at least %d days and the %s action lists.%s",
		plural(s.userMailboxes, "user mailbox", "user mailboxes"), e.opt.MinAuditAgeDays, list, note)
}

// evalNoAuditBypass lists the bypass associations and keeps the enabled
// ones. Get-MailboxAuditBypassAssociation has no server-side filter for
// AuditBypassEnabled, so the listing pages at 1,000 with two properties
// (https://learn.microsoft.com/powershell/module/exchange/Get-MailboxAuditBypassAssociation).
func evalNoAuditBypass(e *evaluation) result {
	objs, err := e.bypass.get(func() ([]object, error) {
		var out []object
		err := e.c.Exchange.InvokeEach(e.ctx, "Get-MailboxAuditBypassAssociation", map[string]any{"ResultSize": "Unlimited"}, func(o exchange.Object) error {
			if o.Bool("AuditBypassEnabled") {
				name := o.String("Name")
				if name == "" {
					name = o.String("Identity")
				}
				out = append(out, object{Type: "audit_bypass_association", Name: name, Detail: "AuditBypassEnabled=true"})
			}
			return nil
		}, exchange.Select("Identity", "Name", "AuditBypassEnabled"), exchange.PageSize(exchange.MaxPageSize))
		return out, err
	})
	if err != nil {
		return unknown("audit bypass associations (Get-MailboxAuditBypassAssociation)", err)
	}
	if len(objs) > 0 {
		return fail(objs, "%s mailbox audit logging: their access to mailboxes is not recorded.", plural(len(objs), "account bypasses", "accounts bypass"))
	}
	return pass("No account bypasses mailbox audit logging.")
}

func retentionRank(d string) int {
	for i, v := range retentionDurations {
		if strings.EqualFold(v, d) {
			return i
		}
	}
	return -1
}

// retentionPolicy is one unified audit log retention policy as
// Get-UnifiedAuditLogRetentionPolicy reports it.
type retentionPolicy struct {
	Name, Duration      string
	Priority            int64
	RecordTypes         []string
	Operations, UserIDs []string
	Enabled             bool
}

func (p retentionPolicy) partial() bool { return len(p.Operations) > 0 || len(p.UserIDs) > 0 }

// evalAuditLogRetention reads the policies with Security & Compliance's
// Get-UnifiedAuditLogRetentionPolicy
// (https://learn.microsoft.com/powershell/module/exchange/get-unifiedauditlogretentionpolicy)
// and decides, record type by record type, which policy keeps its records.
// Precedence as Microsoft documents it
// (https://learn.microsoft.com/purview/audit-log-retention-policies): a
// record is kept by the highest-priority policy that matches it (Priority 1
// is the highest), custom policies before the default one. A policy limited
// to some users or operations decides only for them, so the walk goes on to
// the next policy for everyone else.
func evalAuditLogRetention(e *evaluation) result {
	objs, err := e.retention.get(func() ([]exchange.Object, error) {
		return e.c.Compliance.Invoke(e.ctx, "Get-UnifiedAuditLogRetentionPolicy", nil,
			exchange.Select("Name", "Identity", "Priority", "RetentionDuration", "RecordTypes", "Operations", "UserIds", "Enabled"))
	})
	if err != nil {
		return unknown("audit log retention policies (Get-UnifiedAuditLogRetentionPolicy; Microsoft Purview Audit (Premium))", err)
	}
	var pols []retentionPolicy
	for _, o := range objs {
		pols = append(pols, retentionPolicy{Name: o.String("Name"), Duration: o.String("RetentionDuration"), Priority: o.Int("Priority"),
			RecordTypes: o.Strings("RecordTypes"), Operations: o.Strings("Operations"), UserIDs: o.Strings("UserIds"),
			Enabled: !o.Has("Enabled") || o.Bool("Enabled")})
	}
	sort.SliceStable(pols, func(i, j int) bool { return pols[i].Priority < pols[j].Priority })
	findings, covered := retentionCoverage(pols, e.opt.RetentionRecordTypes, e.opt.MinRetention)
	if len(findings) > 0 {
		return fail(findings, "%s of the %d required record types %s not kept for %s or longer by the policy that decides them (%s checked); records without a policy are kept only for the licence's default period (180 days with Audit (Standard)).",
			plural(len(findings), "finding", "findings"), len(e.opt.RetentionRecordTypes), pluralVerb(len(findings)), e.opt.MinRetention, plural(len(pols), "policy", "policies"))
	}
	return pass("Every required record type is kept for %s or longer: %s.", e.opt.MinRetention, strings.Join(covered, "; "))
}

func pluralVerb(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// retentionCoverage walks the policies (sorted by priority, highest
// first) for each required record type and reports the record types no
// policy keeps long enough, naming the deciding policy.
func retentionCoverage(pols []retentionPolicy, required []string, minimum string) ([]object, []string) {
	want := retentionRank(minimum)
	var findings []object
	var covered []string
	for _, rt := range required {
		decided := false
		for _, p := range pols {
			if !p.Enabled || !containsFold(p.RecordTypes, rt) {
				continue
			}
			if retentionRank(p.Duration) < want {
				scope := "all users and operations"
				if p.partial() {
					scope = "the users or operations it names"
				}
				findings = append(findings, object{Type: "record_type", Name: rt,
					Detail: fmt.Sprintf("decided by %q (Priority %d) for %s: RetentionDuration=%s", p.Name, p.Priority, scope, p.Duration)})
				decided = true
				break
			}
			if !p.partial() {
				covered = append(covered, fmt.Sprintf("%s by %q (Priority %d, %s)", rt, p.Name, p.Priority, p.Duration))
				decided = true
				break
			}
		}
		if !decided {
			findings = append(findings, object{Type: "record_type", Name: rt, Detail: "no enabled retention policy covers it for all users and operations"})
		}
	}
	return findings, covered
}

func dedupe(sorted []string) []string {
	var out []string
	for i, s := range sorted {
		if i == 0 || !strings.EqualFold(s, sorted[i-1]) {
			out = append(out, s)
		}
	}
	return out
}

func (e *evaluation) getRemoteDomains() ([]exchange.RemoteDomain, error) {
	return e.remoteDomains.get(func() ([]exchange.RemoteDomain, error) { return e.c.Exchange.ListRemoteDomains(e.ctx) })
}

func evalRemoteDomainForwarding(e *evaluation) result {
	rds, err := e.getRemoteDomains()
	if err != nil {
		return unknown("remote domains (Get-RemoteDomain)", err)
	}
	var objs []object
	allowed := 0
	for _, rd := range rds {
		if !rd.AutoForwardEnabled {
			continue
		}
		if rd.DomainName != "*" && e.allowedDomain(rd.DomainName) {
			allowed++
			continue
		}
		detail := "AutoForwardEnabled=true"
		if rd.DomainName == "*" {
			detail += " on the Default domain: every external domain receives auto-forwarded mail"
		}
		objs = append(objs, object{Type: "remote_domain", Name: rd.Name, Detail: fmt.Sprintf("DomainName=%s; %s", rd.DomainName, detail)})
	}
	if len(objs) > 0 {
		return fail(objs, "%s automatic forwarding to external domains not in forwarding_allowed_domains.", plural(len(objs), "remote domain allows", "remote domains allow"))
	}
	return pass("No remote domain allows automatic forwarding (%s checked, %d allowed partner domains).", plural(len(rds), "domain", "domains"), allowed)
}

func (e *evaluation) getOutboundPolicies() ([]exchange.OutboundSpamPolicy, error) {
	return e.outboundPolicies.get(func() ([]exchange.OutboundSpamPolicy, error) { return e.c.Exchange.ListOutboundSpamPolicies(e.ctx) })
}

func evalOutboundSpamForwarding(e *evaluation) result {
	pols, err := e.getOutboundPolicies()
	if err != nil {
		return unknown("outbound spam filter policies (Get-HostedOutboundSpamFilterPolicy)", err)
	}
	var objs []object
	for _, p := range pols {
		if strings.EqualFold(p.AutoForwardingMode, "Off") {
			continue
		}
		if !p.IsDefault && e.opt.AllowedPolicies[strings.ToLower(p.Name)] {
			continue
		}
		detail := "AutoForwardingMode=" + p.AutoForwardingMode
		if strings.EqualFold(p.AutoForwardingMode, "Automatic") {
			detail += " (" + common.AutomaticForwardingEvidence + ")"
		}
		if p.IsDefault {
			detail += "; the Default policy"
		}
		objs = append(objs, object{Type: "outbound_spam_policy", Name: p.Name, Detail: detail})
	}
	if len(objs) > 0 {
		return fail(objs, "%s not set AutoForwardingMode to Off.", plural(len(objs), "outbound spam filter policy does", "outbound spam filter policies do"))
	}
	return pass("All %s block automatic external forwarding (AutoForwardingMode = Off), apart from the allowed ones.", plural(len(pols), "outbound spam filter policy", "outbound spam filter policies"))
}

func evalOutboundSpamNotifications(e *evaluation) result {
	pols, err := e.getOutboundPolicies()
	if err != nil {
		return unknown("outbound spam filter policies (Get-HostedOutboundSpamFilterPolicy)", err)
	}
	var objs []object
	for _, p := range pols {
		var problems []string
		if !p.NotifyOutboundSpam {
			problems = append(problems, "NotifyOutboundSpam=false")
		} else if len(p.NotifyOutboundSpamRecipients) == 0 {
			problems = append(problems, "NotifyOutboundSpamRecipients empty")
		}
		if !p.BccSuspiciousOutboundMail {
			problems = append(problems, "BccSuspiciousOutboundMail=false")
		} else if len(p.BccSuspiciousOutboundAdditionalRecipients) == 0 {
			problems = append(problems, "BccSuspiciousOutboundAdditionalRecipients empty")
		}
		if len(problems) > 0 {
			objs = append(objs, object{Type: "outbound_spam_policy", Name: p.Name, Detail: strings.Join(problems, "; ")})
		}
	}
	if len(objs) > 0 {
		return fail(objs, "%s not notify anyone when a sender is blocked for outbound spam, or not copy suspicious outbound mail to a monitored mailbox.",
			plural(len(objs), "outbound spam filter policy does", "outbound spam filter policies do"))
	}
	return pass("All %s notify recipients of outbound spam and copy suspicious outbound mail.", plural(len(pols), "outbound spam filter policy", "outbound spam filter policies"))
}

func (e *evaluation) getTransportRules() ([]exchange.TransportRule, error) {
	return e.transportRules.get(func() ([]exchange.TransportRule, error) { return e.c.Exchange.ListTransportRules(e.ctx) })
}

func ruleActive(r exchange.TransportRule) bool {
	return strings.EqualFold(r.State, "Enabled") && (r.Mode == "" || strings.EqualFold(r.Mode, "Enforce"))
}

func evalTransportRuleForwarding(e *evaluation) result {
	rules, err := e.getTransportRules()
	if err != nil {
		return unknown("transport rules (Get-TransportRule)", err)
	}
	accepted, err := e.getAcceptedDomains()
	if err != nil {
		return unknown("accepted domains (Get-AcceptedDomain)", err)
	}
	var objs []object
	for _, r := range rules {
		if !strings.EqualFold(r.State, "Enabled") {
			continue
		}
		for _, a := range []struct {
			action string
			to     []string
		}{{"RedirectMessageTo", r.RedirectMessageTo}, {"BlindCopyTo", r.BlindCopyTo}, {"AddToRecipients", r.AddToRecipients}} {
			var ext []string
			for _, t := range a.to {
				if e.externalAddress(accepted, t) {
					ext = append(ext, strings.ToLower(exchange.StripSMTPPrefix(t)))
				}
			}
			if len(ext) > 0 {
				objs = append(objs, object{Type: "transport_rule", Name: r.Name, Detail: fmt.Sprintf("%s=%s (external)", a.action, strings.Join(ext, ","))})
			}
		}
		if r.SetSCL != nil && *r.SetSCL == -1 && len(r.SenderDomainIs) > 0 {
			objs = append(objs, object{Type: "transport_rule", Name: r.Name,
				Detail: fmt.Sprintf("SetSCL=-1 for SenderDomainIs=%s: mail from these domains bypasses spam filtering", strings.Join(r.SenderDomainIs, ","))})
		}
	}
	if len(objs) > 0 {
		return fail(objs, "Enabled transport rules send copies of mail outside the organization or let sender domains bypass spam filtering (%s).", plural(len(objs), "finding", "findings"))
	}
	return pass("No enabled transport rule forwards mail outside the organization or whitelists sender domains (%s checked).", plural(len(rules), "rule", "rules"))
}

// encrypts reports whether a rule applies encryption.
func encrypts(r exchange.TransportRule) bool {
	return r.ApplyRightsProtectionTemplate != "" || r.ApplyOME
}

func evalEncryptionRules(e *evaluation) result {
	if len(e.opt.EncryptionDomains) == 0 {
		return pass("No domains are listed in encryption_required_domains, so no encryption rule is required (no baseline requires one).")
	}
	rules, err := e.getTransportRules()
	if err != nil {
		return unknown("transport rules (Get-TransportRule)", err)
	}
	var objs []object
	for _, d := range e.opt.EncryptionDomains {
		covered := false
		for _, r := range rules {
			if ruleActive(r) && encrypts(r) && containsFold(r.RecipientDomainIs, d) && !containsFold(r.ExceptIfRecipientDomainIs, d) {
				covered = true
				break
			}
		}
		if !covered {
			objs = append(objs, object{Type: "domain", Name: d, Detail: "no enabled, enforced transport rule with RecipientDomainIs naming it applies ApplyRightsProtectionTemplate or ApplyOME"})
		}
	}
	if len(objs) > 0 {
		return fail(objs, "%s of encryption_required_domains have no encryption rule.", plural(len(objs), "domain", "domains"))
	}
	return pass("Mail to all %s is encrypted by a transport rule.", plural(len(e.opt.EncryptionDomains), "required domain", "required domains"))
}

func evalIRMPrerequisites(e *evaluation) result {
	rules, err := e.getTransportRules()
	if err != nil {
		return unknown("transport rules (Get-TransportRule)", err)
	}
	var enc []string
	for _, r := range rules {
		if strings.EqualFold(r.State, "Enabled") && encrypts(r) {
			enc = append(enc, r.Name)
		}
	}
	if len(enc) == 0 && len(e.opt.EncryptionDomains) == 0 {
		return pass("No enabled transport rule applies encryption, so the IRM prerequisites are not needed.")
	}
	cfg, err := e.irm.get(func() (*exchange.IRMConfiguration, error) { return e.c.Exchange.GetIRMConfiguration(e.ctx) })
	if err != nil {
		return unknown("the IRM configuration (Get-IRMConfiguration)", err)
	}
	if !cfg.AzureRMSLicensingEnabled {
		var objs []object
		objs = append(objs, object{Type: "irm_configuration", Name: "ControlPoint Configuration", Detail: "AzureRMSLicensingEnabled=false"})
		for _, n := range enc {
			objs = append(objs, object{Type: "transport_rule", Name: n, Detail: "applies encryption"})
		}
		return fail(objs, "Encryption is used (%s) but AzureRMSLicensingEnabled is $false: the rules cannot protect mail.", plural(len(enc), "rule", "rules"))
	}
	return pass("AzureRMSLicensingEnabled is $true for the %s that apply encryption.", plural(len(enc), "rule", "rules"))
}

func evalAlertPolicies(e *evaluation) result {
	alerts, err := e.alerts.get(func() ([]exchange.ProtectionAlert, error) { return e.c.Compliance.ListProtectionAlerts(e.ctx) })
	if err != nil {
		return unknown("alert policies (Get-ProtectionAlert)", err)
	}
	byName := map[string]exchange.ProtectionAlert{}
	custom := 0
	for _, a := range alerts {
		byName[strings.ToLower(a.Name)] = a
		if !a.IsSystemRule && !a.Disabled {
			custom++
		}
	}
	var objs []object
	var absent []string
	for _, name := range requiredBuiltinAlerts {
		a, ok := byName[strings.ToLower(name)]
		if !ok {
			absent = append(absent, name)
			continue
		}
		var problems []string
		if a.Disabled {
			problems = append(problems, "Disabled=true")
		}
		if !a.NotificationEnabled {
			problems = append(problems, "NotificationEnabled=false")
		} else if len(a.NotifyUser) == 0 {
			problems = append(problems, "NotifyUser empty")
		}
		if len(problems) > 0 {
			objs = append(objs, object{Type: "alert_policy", Name: a.Name, Detail: strings.Join(problems, "; ")})
		}
	}
	note := ""
	if len(absent) > 0 {
		note = fmt.Sprintf(" Not offered by the tenant's subscription: %s.", strings.Join(absent, ", "))
	}
	if len(objs) > 0 {
		return fail(objs, "Default alert policies the baseline relies on are off or notify nobody: %d.%s", len(objs), note)
	}
	return pass("The %d required default alert policies the tenant has are on and notify recipients; %s enabled.%s",
		len(requiredBuiltinAlerts)-len(absent), plural(custom, "custom alert policy is", "custom alert policies are"), note)
}

// getForwarders returns the mailboxes with a forward: from the shared
// listing when there is one, else from a listing filtered on the server.
func (e *evaluation) getForwarders() ([]*exchange.Mailbox, error) {
	if e.opt.ForwardingFullListing {
		s, err := e.scanMailboxes()
		if err != nil {
			return nil, err
		}
		return s.forwarders, nil
	}
	fw, err := e.forwarders.get(func() ([]*exchange.Mailbox, error) {
		var out []*exchange.Mailbox
		err := e.c.Exchange.ListMailboxes(e.ctx, exchange.MailboxQuery{
			Filter: "ForwardingSmtpAddress -ne $null -or ForwardingAddress -ne $null",
			Fields: []string{"Identity", "Name", "Guid", "UserPrincipalName", "PrimarySmtpAddress", "ForwardingAddress", "ForwardingSmtpAddress", "DeliverToMailboxAndForward"},
		}, func(m *exchange.Mailbox) error {
			out = append(out, m)
			return nil
		})
		return out, err
	})
	return fw, err
}

func evalMailboxForwarding(e *evaluation) result {
	fw, err := e.getForwarders()
	if err != nil {
		return unknown("mailbox forwarding (Get-Mailbox)", err)
	}
	accepted, err := e.getAcceptedDomains()
	if err != nil {
		return unknown("accepted domains (Get-AcceptedDomain)", err)
	}
	var objs []object
	resolved := map[string]bool{} // ForwardingAddress → is a mailbox of the tenant
	for _, m := range fw {
		label := mailboxLabel(m)
		keep := ""
		if m.DeliverToMailboxAndForward {
			keep = "; DeliverToMailboxAndForward=true"
		}
		if a := m.ForwardingSmtpAddress; a != "" && e.externalAddress(accepted, a) {
			objs = append(objs, object{Type: "mailbox", Name: label, Detail: "ForwardingSmtpAddress=" + strings.ToLower(a) + keep})
		}
		if a := m.ForwardingAddress; a != "" {
			key := strings.ToLower(a)
			internal, seen := resolved[key]
			if !seen {
				switch {
				case strings.Contains(key, "@") && !e.externalAddress(accepted, key):
					internal = true
				default:
					// One look-up per distinct target, not per mailbox: a
					// recipient that is not a mailbox is a mail user or contact.
					_, err := e.c.Exchange.GetMailbox(e.ctx, a, "Identity")
					switch {
					case err == nil:
						internal = true
					case exchange.IsNotFound(err):
						internal = false
					default:
						return unknown("the ForwardingAddress of "+label+" (Get-Mailbox)", err)
					}
				}
				resolved[key] = internal
			}
			if !internal {
				objs = append(objs, object{Type: "mailbox", Name: label, Detail: "ForwardingAddress=" + a + " (not a mailbox of the tenant: a mail user or contact)" + keep})
			}
		}
	}
	scope := "Mailbox forwarding settings were checked; inbox rules were not (set scan_inbox_rules = true to read them, one Get-InboxRule per mailbox)."
	if e.opt.ScanInboxRules {
		s, err := e.scanMailboxes()
		if err != nil {
			return unknown("mailboxes for the inbox rule scan (Get-Mailbox)", err)
		}
		if err := s.ruleErr; err != nil {
			if len(objs) > 0 {
				o, _ := capObjects(objs)
				return fail(o, "%s outside the organization; inbox rules could not be read: %v", plural(len(objs), "mailbox setting forwards", "mailbox settings forward"), unknown("inbox rules", err).Summary)
			}
			return unknown("inbox rules (Get-InboxRule)", err)
		}
		objs = append(objs, s.ruleFindings...)
		scope = fmt.Sprintf("Mailbox forwarding settings and the inbox rules of %s were checked.", plural(s.mailboxes, "mailbox", "mailboxes"))
	}
	if len(objs) > 0 {
		return fail(objs, "%s mail outside the accepted domains and forwarding_allowed_domains. %s", plural(len(objs), "setting or rule forwards", "settings or rules forward"), scope)
	}
	return pass("No mailbox forwards mail outside the accepted domains and forwarding_allowed_domains. %s", scope)
}

// ruleScan reads inbox rules with a small pool of workers fed while the
// mailboxes are listed. The forwarding report of the mailflow package does
// the same for its findings; its code is not exported, so the check is
// repeated here.
type ruleScan struct {
	e        *evaluation
	accepted domainSet
	work     chan [2]string
	wg       sync.WaitGroup
	mu       sync.Mutex
	objs     []object
	firstErr error
	done     chan struct{} // closed on the first error: stop feeding
	failOnce sync.Once
}

func (e *evaluation) startRuleScan(accepted domainSet) *ruleScan {
	rs := &ruleScan{e: e, accepted: accepted, work: make(chan [2]string, e.opt.InboxRuleConcurrency), done: make(chan struct{})}
	for i := 0; i < e.opt.InboxRuleConcurrency; i++ {
		rs.wg.Add(1)
		go rs.worker()
	}
	return rs
}

// add queues one mailbox (its UPN, or GUID). Once a worker has failed, mailboxes are no longer
// queued but the listing goes on: the audit and forwarding checks that
// share it do not depend on inbox rules.
func (rs *ruleScan) add(guid, label string) error {
	select {
	case rs.work <- [2]string{guid, label}:
		return nil
	case <-rs.done:
		return nil
	case <-rs.e.ctx.Done():
		return rs.e.ctx.Err()
	}
}

func (rs *ruleScan) wait() ([]object, error) {
	close(rs.work)
	rs.wg.Wait()
	return rs.objs, rs.firstErr
}

func (rs *ruleScan) worker() {
	defer rs.wg.Done()
	for t := range rs.work {
		select {
		case <-rs.done:
			continue // drain after a failure
		default:
		}
		rules, err := rs.e.c.Exchange.GetInboxRules(rs.e.ctx, t[0])
		if exchange.IsNotFound(err) {
			continue // removed since the listing
		}
		if err != nil {
			rs.failOnce.Do(func() {
				rs.firstErr = fmt.Errorf("reading the inbox rules of %s: %w", t[1], err)
				close(rs.done)
			})
			continue
		}
		for _, r := range rules {
			if !r.Enabled {
				continue
			}
			for _, a := range []struct {
				action string
				to     []string
			}{{"ForwardTo", r.ForwardTo}, {"RedirectTo", r.RedirectTo}, {"ForwardAsAttachmentTo", r.ForwardAsAttachmentTo}} {
				var ext []string
				for _, rcpt := range a.to {
					if addr, ok := ruleRecipientAddress(rcpt); ok && rs.e.externalAddress(rs.accepted, addr) {
						ext = append(ext, strings.ToLower(addr))
					}
				}
				if len(ext) > 0 {
					sort.Strings(ext)
					rs.mu.Lock()
					rs.objs = append(rs.objs, object{Type: "inbox_rule", Name: t[1] + `\` + r.Name, Detail: a.action + "=" + strings.Join(ext, ",")})
					rs.mu.Unlock()
				}
			}
		}
	}
}

// ruleRecipientAddress extracts the SMTP address of an inbox rule
// recipient as Get-InboxRule renders it (`"Name" [SMTP:addr]`); recipients
// of the directory (`[EX:/o=...]`) are internal and yield false.
func ruleRecipientAddress(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "["); i >= 0 && strings.HasSuffix(s, "]") {
		typ, val, ok := strings.Cut(s[i+1:len(s)-1], ":")
		if ok && strings.EqualFold(typ, "SMTP") {
			return strings.TrimSpace(val), true
		}
		return "", false
	}
	s = strings.Trim(s, `"`)
	return s, strings.Contains(s, "@")
}
