package cmdletref

import (
	"fmt"
	"strings"
)

// Kind says how a deviation changes the effective catalogue.
type Kind int

// Deviation kinds.
const (
	// ReadAsList: the reference documents the accepted values in prose that
	// the extraction did not keep as a closed list, or keeps under a
	// free-form type such as MultiValuedProperty. Values is that list; when
	// it is nil, the description's list (ValidValues, without the values
	// noted as on-premises only) is the list.
	ReadAsList Kind = iota + 1
	// ExtraValues: the service accepts Values beyond the reference's list.
	ExtraValues
	// NotRequired: the reference marks the parameter required, but
	// Microsoft documents calls without it.
	NotRequired
	// NotAdopted: Values are accepted by some other source (another tool,
	// a portal) without a Microsoft statement that the service takes them;
	// the stricter reading is kept and the values are refused. Recorded so
	// that nobody adds them without a source.
	NotAdopted
)

func (k Kind) String() string {
	switch k {
	case ReadAsList:
		return "read as list"
	case ExtraValues:
		return "extra values"
	case NotRequired:
		return "not required"
	case NotAdopted:
		return "not adopted"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Deviation is one recorded decision where the project reads the reference
// differently from its literal text, with its source.
type Deviation struct {
	Cmdlets []string
	Param   string
	Kind    Kind
	Values  []string
	// Decision says what the project does, Source where the facts come from.
	Decision, Source string
}

// Deviations is the one place where the catalogue and observed or otherwise
// documented behaviour differ. The stricter reading wins unless a citable
// source shows the service accepts more. m365sim, the conformance test, the
// wire audit and the provider's validators all follow this table.
var Deviations = []Deviation{
	{
		Cmdlets:  []string{"New-UnifiedAuditLogRetentionPolicy", "Set-UnifiedAuditLogRetentionPolicy", "Get-UnifiedAuditLogRetentionPolicy"},
		Param:    "RetentionDuration",
		Kind:     NotAdopted,
		Values:   []string{"SevenDays", "OneMonth", "ThreeYears", "FiveYears", "SevenYears"},
		Decision: "Only the five values of the cmdlet reference's \"Accepted values\" line (ThreeMonths, SixMonths, NineMonths, TwelveMonths, TenYears) are accepted. Microsoft365DSC's ValidateSet adds SevenDays, OneMonth, ThreeYears, FiveYears and SevenYears, but that is a client-side list, not an answer of the service, and no Microsoft page says the cmdlet takes them; they are refused.",
		Source:   "https://learn.microsoft.com/powershell/module/exchangepowershell/new-unifiedauditlogretentionpolicy (Accepted values); microsoft/Microsoft365DSC Modules/Microsoft365DSC/DSCResources/MSFT_SCUnifiedAuditLogRetentionPolicy/MSFT_SCUnifiedAuditLogRetentionPolicy.psm1 (ValidateSet)",
	},
	{
		Cmdlets:  []string{"New-UnifiedAuditLogRetentionPolicy", "Set-UnifiedAuditLogRetentionPolicy"},
		Param:    "RecordTypes",
		Kind:     ReadAsList,
		Values:   AuditLogRecordTypes,
		Decision: "RecordTypes is typed MultiValuedProperty, but the reference says its values are the members of AuditLogRecordType and links that table; values outside it are refused.",
		Source:   "https://learn.microsoft.com/office/office-365-management-api/office-365-management-activity-api-schema#auditlogrecordtype",
	},
	{
		Cmdlets:  []string{"Get-UnifiedAuditLogRetentionPolicy"},
		Param:    "RecordType",
		Kind:     ReadAsList,
		Values:   AuditLogRecordTypes,
		Decision: "RecordType is typed AuditRecordType; the reference points to the AuditLogRecordType table for its values.",
		Source:   "https://learn.microsoft.com/powershell/module/exchangepowershell/get-unifiedauditlogretentionpolicy; https://learn.microsoft.com/office/office-365-management-api/office-365-management-activity-api-schema#auditlogrecordtype",
	},
	{
		Cmdlets:  []string{"Get-HostedOutboundSpamFilterPolicy"},
		Param:    "Identity",
		Kind:     NotRequired,
		Decision: "The parameter metadata says Required: True, but Example 1 of the same page runs the cmdlet without -Identity to list every policy, and the Identity caution describes the cmdlet \"without the Identity parameter\"; calls without it are accepted.",
		Source:   "https://learn.microsoft.com/powershell/module/exchangepowershell/get-hostedoutboundspamfilterpolicy (Example 1)",
	},
	{
		Cmdlets:  []string{"Set-Mailbox"},
		Param:    "AuditAdmin",
		Kind:     ReadAsList,
		Decision: "The description's \"Valid values are\" list of this MultiValuedProperty is the list of mailbox audit actions for administrators (none of its values is on-premises only).",
		Source:   "https://learn.microsoft.com/powershell/module/exchangepowershell/set-mailbox#-auditadmin",
	},
	{
		Cmdlets:  []string{"Set-Mailbox"},
		Param:    "AuditDelegate",
		Kind:     ReadAsList,
		Decision: "The description's \"Valid values are\" list of this MultiValuedProperty is the list of mailbox audit actions for delegates.",
		Source:   "https://learn.microsoft.com/powershell/module/exchangepowershell/set-mailbox#-auditdelegate",
	},
	{
		Cmdlets:  []string{"Set-Mailbox"},
		Param:    "AuditOwner",
		Kind:     ReadAsList,
		Decision: "The description's \"Valid values are\" list of this MultiValuedProperty is the list of mailbox audit actions for owners, without FolderBind and MessageBind (\"Available only in Exchange 2013\").",
		Source:   "https://learn.microsoft.com/powershell/module/exchangepowershell/set-mailbox#-auditowner",
	},
	{
		Cmdlets:  []string{"Set-Mailbox"},
		Param:    "AuditAdmin",
		Kind:     ExtraValues,
		Values:   []string{"MailItemsAccessed", "Send"},
		Decision: "Audit (Premium) adds MailItemsAccessed and Send to the actions logged for administrators; the cmdlet reference's list predates them.",
		Source:   "https://learn.microsoft.com/purview/audit-mailboxes (Mailbox actions for user mailboxes and shared mailboxes)",
	},
	{
		Cmdlets:  []string{"Set-Mailbox"},
		Param:    "AuditDelegate",
		Kind:     ExtraValues,
		Values:   []string{"MailItemsAccessed"},
		Decision: "Audit (Premium) adds MailItemsAccessed to the actions logged for delegates.",
		Source:   "https://learn.microsoft.com/purview/audit-mailboxes (Mailbox actions for user mailboxes and shared mailboxes)",
	},
	{
		Cmdlets:  []string{"Set-Mailbox"},
		Param:    "AuditOwner",
		Kind:     ExtraValues,
		Values:   []string{"MailItemsAccessed", "SearchQueryInitiated", "Send"},
		Decision: "Audit (Premium) adds MailItemsAccessed, SearchQueryInitiated and Send to the actions logged for owners.",
		Source:   "https://learn.microsoft.com/purview/audit-mailboxes (Mailbox actions for user mailboxes and shared mailboxes)",
	},
	{
		Cmdlets:  []string{"Set-Mailbox"},
		Param:    "DefaultAuditSet",
		Kind:     ReadAsList,
		Decision: "The description lists the three logon types as the valid values of this MultiValuedProperty.",
		Source:   "https://learn.microsoft.com/powershell/module/exchangepowershell/set-mailbox#-defaultauditset",
	},
	{
		Cmdlets:  []string{"New-ProtectionAlert", "Set-ProtectionAlert"},
		Param:    "AlertBy",
		Kind:     ReadAsList,
		Values:   []string{"User", "Mail.Recipient", "Mail.ThreatName"},
		Decision: "The description gives the values per threat type (Activity: User or $null; Malware: Mail.Recipient or Mail.ThreatName); the extraction kept the threat types instead.",
		Source:   "https://learn.microsoft.com/powershell/module/exchangepowershell/new-protectionalert#-alertby",
	},
	{
		Cmdlets:  []string{"Get-RMSTemplate"},
		Param:    "Type",
		Kind:     ReadAsList,
		Values:   []string{"All", "Archived", "Distributed"},
		Decision: "The description says \"Use one of the following values: All, Archived, Distributed\"; the extraction did not keep it.",
		Source:   "https://learn.microsoft.com/powershell/module/exchangepowershell/get-rmstemplate#-type",
	},
}

// apply records a deviation on the parameters it names and changes the
// effective view.
func (c *Catalogue) apply(d *Deviation) error {
	if d.Decision == "" || d.Source == "" {
		return fmt.Errorf("deviation for -%s of %v needs a decision and a source", d.Param, d.Cmdlets)
	}
	for _, name := range d.Cmdlets {
		cm := c.Cmdlet(name)
		if cm == nil {
			return fmt.Errorf("deviation names cmdlet %s, which the catalogue does not have", name)
		}
		p := cm.Param(d.Param)
		if p == nil {
			return fmt.Errorf("deviation names -%s of %s, which the catalogue does not have", d.Param, name)
		}
		p.Deviations = append(p.Deviations, d)
		switch d.Kind {
		case ReadAsList:
			if p.Documented != nil {
				return fmt.Errorf("-%s of %s already has a documented list; record extra values instead", d.Param, name)
			}
			vals := d.Values
			if vals == nil {
				vals = descriptionValues(p.ValidValues)
			}
			if len(vals) == 0 {
				return fmt.Errorf("-%s of %s: no list to read", d.Param, name)
			}
			p.Values = vals
		case ExtraValues:
			if p.Values == nil {
				return fmt.Errorf("-%s of %s has no list to extend", d.Param, name)
			}
			p.Values = dedupeFold(append(append([]string(nil), p.Values...), d.Values...))
		case NotRequired:
			found := false
			for _, s := range cm.Sets {
				if sp := s.Param(d.Param); sp != nil && sp.DocumentedRequired {
					sp.Required, found = false, true
				}
			}
			if !found {
				return fmt.Errorf("-%s of %s is not required in any set", d.Param, name)
			}
		case NotAdopted:
			for _, v := range d.Values {
				if _, ok := p.Accepts(v); ok || p.Values == nil {
					return fmt.Errorf("-%s of %s: not-adopted value %s is accepted anyway", d.Param, name, v)
				}
			}
		default:
			return fmt.Errorf("deviation for -%s of %s has no kind", d.Param, name)
		}
	}
	return nil
}

// DeviationsOf returns the deviations recorded for a cmdlet's parameter.
func (c *Catalogue) DeviationsOf(cmdlet, param string) []*Deviation {
	cm := c.Cmdlet(cmdlet)
	if cm == nil {
		return nil
	}
	if p := cm.Param(param); p != nil {
		return p.Deviations
	}
	return nil
}

// Describe renders a deviation for documentation and error messages.
func (d *Deviation) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "-%s of %s (%s", d.Param, strings.Join(d.Cmdlets, ", "), d.Kind)
	if len(d.Values) > 0 && len(d.Values) <= 10 {
		fmt.Fprintf(&b, ": %s", strings.Join(d.Values, ", "))
	}
	fmt.Fprintf(&b, "): %s Source: %s", d.Decision, d.Source)
	return b.String()
}
