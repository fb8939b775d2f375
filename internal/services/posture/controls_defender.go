package posture

import (
	"fmt"
	"strings"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
)

// Anti-malware and anti-phishing policy controls.

// Control ids.
const (
	ctlMalwareFileFilter    = "malware-common-attachments-filter"
	ctlMalwareInternalAdmin = "malware-internal-sender-notifications"
	ctlAntiPhishing         = "anti-phishing-policy"
)

// licDefenderO365 is Microsoft Defender for Office 365 (Plan 1 or Plan 2):
// the phishing threshold and mailbox intelligence impersonation protection
// exist only in its anti-phishing policies
// (https://learn.microsoft.com/defender-office-365/anti-phishing-policies-about#exclusive-settings-in-anti-phishing-policies-in-microsoft-defender-for-office-365).
// Service plans ATP_ENTERPRISE (Plan 1) and THREAT_INTELLIGENCE (Plan 2),
// from Microsoft's licensing reference
// (https://learn.microsoft.com/en-us/entra/identity/users/licensing-service-plan-reference).
var licDefenderO365 = &licence{Name: "Microsoft Defender for Office 365", Plans: []string{"ATP_ENTERPRISE", "THREAT_INTELLIGENCE"},
	Wording: "The phishing email threshold, mailbox intelligence and impersonation protection are \"exclusive settings in anti-phishing policies in Microsoft Defender for Office 365\" (https://learn.microsoft.com/defender-office-365/anti-phishing-policies-about)."}

func (e *evaluation) getMalwarePolicies() ([]exchange.MalwareFilterPolicy, error) {
	return e.policies.malwarePolicies.get(func() ([]exchange.MalwareFilterPolicy, error) { return e.c.Exchange.ListMalwareFilterPolicies(e.ctx) })
}

func evalMalwareFileFilter(e *evaluation) result {
	return malwarePolicyControl(e, func(p exchange.MalwareFilterPolicy) string {
		if !p.EnableFileFilter {
			return "EnableFileFilter=false"
		}
		return ""
	}, "block the common attachment types", "filter the common attachment types")
}

func evalMalwareInternalAdmin(e *evaluation) result {
	return malwarePolicyControl(e, func(p exchange.MalwareFilterPolicy) string {
		switch {
		case !p.EnableInternalSenderAdminNotifications:
			return "EnableInternalSenderAdminNotifications=false"
		case strings.TrimSpace(p.InternalSenderAdminAddress) == "":
			return "InternalSenderAdminAddress empty"
		}
		return ""
	}, "notify an administrator when an internal sender sends malware", "notify an administrator of malware sent by internal users")
}

// antiPhishFields are the settings the anti-phishing control reads.
var antiPhishFields = []string{"PhishThresholdLevel", "EnableMailboxIntelligence", "EnableMailboxIntelligenceProtection", "EnableSpoofIntelligence"}

// minPhishThreshold is CIS's "at least 2 - Aggressive".
const minPhishThreshold = 2

func evalAntiPhishing(e *evaluation) result {
	pols, err := e.policies.antiPhish.get(func() ([]exchange.Object, error) {
		return e.c.Exchange.ListPolicyObjects(e.ctx, "AntiPhishPolicy", antiPhishFields)
	})
	if err != nil {
		return unknown("anti-phishing policies (Get-AntiPhishPolicy)", err)
	}
	var objs []object
	for _, p := range pols {
		var problems []string
		if lvl := p.Int("PhishThresholdLevel"); lvl < minPhishThreshold {
			problems = append(problems, fmt.Sprintf("PhishThresholdLevel=%d", lvl))
		}
		for _, f := range antiPhishFields[1:] {
			if !p.Bool(f) {
				problems = append(problems, f+"=false")
			}
		}
		if len(problems) > 0 {
			objs = append(objs, object{Type: "anti_phish_policy", Name: p.String("Name"), Detail: strings.Join(problems, "; ")})
		}
	}
	if len(objs) > 0 {
		return fail(objs, "%s below the CIS settings (threshold at least 2, mailbox intelligence and its impersonation protection, spoof intelligence).",
			plural(len(objs), "anti-phishing policy is", "anti-phishing policies are"))
	}
	return pass("All %s meet the CIS settings.", plural(len(pols), "anti-phishing policy", "anti-phishing policies"))
}
