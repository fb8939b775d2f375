package cmdletref

import (
	"slices"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	c := Load()
	if got := len(c.Names()); got != 113 {
		t.Errorf("catalogue has %d cmdlets, want 113", got)
	}
	if c.Commit != "93336da2bca96c31c0fc8acc52658a30ef8a6c94" || !strings.Contains(c.Source, "MicrosoftDocs/office-docs-powershell") || !strings.HasPrefix(c.Licence, "CC BY 4.0") {
		t.Errorf("provenance = %q %q %q", c.Source, c.Commit, c.Licence)
	}
	if c.Cmdlet("get-mailbox") == nil || c.Cmdlet("Get-Mailbox").Param("identity") == nil {
		t.Error("look-ups must be case-insensitive")
	}
	for _, name := range c.Names() {
		cm := c.Cmdlet(name)
		if len(cm.Services) == 0 {
			t.Errorf("%s applies to no cloud service", name)
		}
		for _, p := range cm.Params() {
			if len(p.Services) == 0 {
				t.Errorf("%s -%s applies to no cloud service", name, p.Name)
			}
		}
	}
}

// The retention policy cmdlets are the example the conformance issue starts
// from: Get has no -Identity; Set needs Priority and RetentionDuration.
func TestRetentionPolicyFacts(t *testing.T) {
	c := Load()
	get := c.Cmdlet("Get-UnifiedAuditLogRetentionPolicy")
	if get.Param("Identity") != nil {
		t.Error("Get-UnifiedAuditLogRetentionPolicy has no -Identity")
	}
	if !get.AppliesTo(SecurityCompliance) || get.AppliesTo(ExchangeOnline) {
		t.Errorf("Get-UnifiedAuditLogRetentionPolicy services = %v", get.Services)
	}
	set := c.Cmdlet("Set-UnifiedAuditLogRetentionPolicy").SetsFor(SecurityCompliance)
	if len(set) != 1 {
		t.Fatalf("sets = %d", len(set))
	}
	if got := set[0].Required(); !slices.Equal(got, []string{"Identity", "Priority", "RetentionDuration"}) {
		t.Errorf("required = %v", got)
	}
	rd := c.Cmdlet("New-UnifiedAuditLogRetentionPolicy").Param("RetentionDuration")
	if want := []string{"ThreeMonths", "SixMonths", "NineMonths", "TwelveMonths", "TenYears"}; !slices.Equal(rd.Values, want) {
		t.Errorf("RetentionDuration values = %v, want %v", rd.Values, want)
	}
	if _, ok := rd.Accepts("SevenDays"); ok {
		t.Error("SevenDays is recorded as not adopted and must be refused")
	}
	if v, ok := rd.Accepts("tenyears"); !ok || v != "TenYears" {
		t.Errorf("Accepts(tenyears) = %q %v", v, ok)
	}
}

func TestDescriptionLists(t *testing.T) {
	c := Load()
	for _, tc := range []struct {
		cmdlet, param string
		want          []string // nil: no list
		absent        []string
	}{
		// A description list of an enumeration type, with the on-premises
		// values ("This value is available only in on-premises Exchange")
		// left out.
		{"Set-TransportRule", "SentToScope", []string{"InOrganization", "NotInOrganization"}, []string{"ExternalPartner"}},
		// "Disabled." loses its full stop.
		{"Get-EOPProtectionPolicyRule", "State", []string{"Enabled", "Disabled"}, nil},
		// Booleans and free-form lists are no lists.
		{"Set-RemoteDomain", "AutoForwardEnabled", nil, nil},
		{"Set-TransportRule", "SenderIpRanges", nil, nil},
		// Read as a list (deviations.go): the Exchange 2013-only owner
		// actions are left out, the Audit (Premium) actions added.
		{"Set-Mailbox", "AuditOwner", nil, []string{"FolderBind", "MessageBind"}},
	} {
		p := c.Cmdlet(tc.cmdlet).Param(tc.param)
		if tc.want != nil && !slices.Equal(p.Values, tc.want) {
			t.Errorf("%s -%s values = %v, want %v", tc.cmdlet, tc.param, p.Values, tc.want)
		}
		if tc.want == nil && tc.absent == nil && p.Values != nil {
			t.Errorf("%s -%s values = %v, want none", tc.cmdlet, tc.param, p.Values)
		}
		for _, a := range tc.absent {
			if _, ok := p.Accepts(a); ok {
				t.Errorf("%s -%s accepts %s", tc.cmdlet, tc.param, a)
			}
		}
	}
	owner := c.Cmdlet("Set-Mailbox").Param("AuditOwner")
	for _, v := range []string{"MailboxLogin", "MailItemsAccessed", "SearchQueryInitiated", "Send", "UpdateInboxRules"} {
		if _, ok := owner.Accepts(v); !ok {
			t.Errorf("AuditOwner refuses %s", v)
		}
	}
}

func TestDeviationsApply(t *testing.T) {
	c := Load()
	// Every deviation names a real parameter and carries a source.
	for i := range Deviations {
		d := &Deviations[i]
		for _, cm := range d.Cmdlets {
			if !slices.Contains(c.DeviationsOf(cm, d.Param), d) {
				t.Errorf("deviation %s not recorded on %s", d.Describe(), cm)
			}
		}
	}
	// NotRequired changes the effective view only.
	sets := c.Cmdlet("Get-HostedOutboundSpamFilterPolicy").Sets
	sp := sets[0].Param("Identity")
	if !sp.DocumentedRequired || sp.Required {
		t.Errorf("Identity required: documented %v, effective %v", sp.DocumentedRequired, sp.Required)
	}
	// A deviation without a source, or naming a parameter that does not
	// exist, is refused when the catalogue loads.
	for _, bad := range []Deviation{
		{Cmdlets: []string{"Get-Mailbox"}, Param: "Identity", Kind: NotRequired, Decision: "x"},
		{Cmdlets: []string{"Get-Mailbox"}, Param: "NoSuchParameter", Kind: ExtraValues, Values: []string{"x"}, Decision: "x", Source: "y"},
		{Cmdlets: []string{"New-UnifiedAuditLogRetentionPolicy"}, Param: "RetentionDuration", Kind: NotAdopted, Values: []string{"TenYears"}, Decision: "x", Source: "y"},
	} {
		if _, err := parse(catalogueJSON, []Deviation{bad}); err == nil {
			t.Errorf("deviation %+v was accepted", bad)
		}
	}
}
