package posture

import (
	"fmt"
	"strings"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
)

// Preset security policies (Scuba MS.DEFENDER.1.x) and the Safe Links and
// Safe Attachments policies (CIS 2.1.1, 2.1.4).
//
// A preset's rules are named "<level> Preset Security Policy": the EOP
// protections rule (Get-EOPProtectionPolicyRule) and, with Defender for
// Office 365, the Defender protections rule (Get-ATPProtectionPolicyRule).
// A rule with no SentTo, SentToMemberOf or RecipientDomainIs applies to all
// recipients ("No restrictions are placed on who the ... protections apply
// to", https://learn.microsoft.com/powershell/module/exchangepowershell/set-eopprotectionpolicyrule).
// The rules don't exist until the preset is turned on in the portal once.

// Control ids.
const (
	ctlPresetsEnabled            = "preset-policies-enabled"
	ctlPresetEOPAllUsers         = "preset-eop-all-users"
	ctlPresetDefenderAllUsers    = "preset-defender-all-users"
	ctlPresetStrictEOP           = "preset-strict-eop-sensitive"
	ctlPresetStrictDefender      = "preset-strict-defender-sensitive"
	ctlSafeLinksPolicy           = "safe-links-policy"
	ctlSafeAttachmentsPolicy     = "safe-attachments-policy"
	presetRuleSuffix             = " Preset Security Policy"
	presetStandard, presetStrict = "Standard", "Strict"
)

// presetReads are the reads the controls share (policyReads.presets).
type presetReads struct {
	eop, atp                lazy[[]exchange.Object]
	safeLinks, safeAttach   lazy[[]exchange.Object]
	linksRules, attachRules lazy[[]exchange.Object]
}

var presetRuleFields = []string{"State", "SentTo", "SentToMemberOf", "RecipientDomainIs", "ExceptIfSentTo", "ExceptIfSentToMemberOf", "ExceptIfRecipientDomainIs"}

func (e *evaluation) presetRules(atp bool) ([]exchange.Object, error) {
	l, noun := &e.policies.presets.eop, "EOPProtectionPolicyRule"
	if atp {
		l, noun = &e.policies.presets.atp, "ATPProtectionPolicyRule"
	}
	return l.get(func() ([]exchange.Object, error) {
		return e.c.Exchange.ListPolicyObjects(e.ctx, noun, presetRuleFields)
	})
}

// presetRule returns the level's rule, nil when the preset was never
// turned on.
func presetRule(rules []exchange.Object, level string) exchange.Object {
	for _, r := range rules {
		if strings.EqualFold(r.String("Name"), level+presetRuleSuffix) {
			return r
		}
	}
	return nil
}

func ruleOn(r exchange.Object) bool { return r != nil && r.String("State") == "Enabled" }

// ruleAppliesToAll: no condition narrows the rule (exceptions are allowed:
// "Specific user accounts, except for sensitive accounts, MAY be exempt").
func ruleAppliesToAll(r exchange.Object) bool {
	return len(r.Strings("SentTo"))+len(r.Strings("SentToMemberOf"))+len(r.Strings("RecipientDomainIs")) == 0
}

// ruleDetail says what a preset rule is, for the evidence.
func ruleDetail(r exchange.Object) string {
	if r == nil {
		return "no rule (never turned on in the portal)"
	}
	var parts []string
	parts = append(parts, "State="+r.String("State"))
	for _, f := range presetRuleFields[1:4] {
		if v := r.Strings(f); len(v) > 0 {
			parts = append(parts, f+"="+strings.Join(v, ","))
		}
	}
	return strings.Join(parts, "; ")
}

// evalPresetsEnabled: MS.DEFENDER.1.1v1 "The standard and strict preset
// security policies SHALL be enabled." With Defender for Office 365 a
// preset is on when both its rules are (Enable-EOPProtectionPolicyRule:
// "you also need to use the Enable-ATPProtectionPolicyRule cmdlet").
func evalPresetsEnabled(e *evaluation) result {
	eop, err := e.presetRules(false)
	if err != nil {
		return unknown("the preset security policies' rules (Get-EOPProtectionPolicyRule)", err)
	}
	atp, atpErr := e.presetRules(true)
	withATP := atpErr == nil
	if atpErr != nil && !exchange.IsForbidden(atpErr) {
		return unknown("the preset security policies' Defender rules (Get-ATPProtectionPolicyRule)", atpErr)
	}
	var objs []object
	for _, level := range []string{presetStandard, presetStrict} {
		if r := presetRule(eop, level); !ruleOn(r) {
			objs = append(objs, object{Type: "preset_security_policy", Name: level, Detail: "EOP rule: " + ruleDetail(r)})
		}
		if r := presetRule(atp, level); withATP && !ruleOn(r) {
			objs = append(objs, object{Type: "preset_security_policy", Name: level, Detail: "Defender rule: " + ruleDetail(r)})
		}
	}
	if len(objs) > 0 {
		return fail(objs, "The Standard and Strict preset security policies are not both on.")
	}
	if !withATP {
		return pass("The Standard and Strict preset security policies are on (EOP protections; the tenant has no Defender for Office 365 rules to read).")
	}
	return pass("The Standard and Strict preset security policies are on (EOP and Defender for Office 365 protections).")
}

// presetProtection names the protections of one rule family and its cmdlet.
func presetProtection(atp bool) (what, cmdlet string) {
	if atp {
		return "Defender for Office 365", "Get-ATPProtectionPolicyRule"
	}
	return "EOP", "Get-EOPProtectionPolicyRule"
}

// evalPresetAllUsers: MS.DEFENDER.1.2v1/1.3v1 "All users SHALL be added to
// ... in either the standard or strict preset security policy".
func evalPresetAllUsers(atp bool) func(e *evaluation) result {
	what, cmdlet := presetProtection(atp)
	return func(e *evaluation) result {
		rules, err := e.presetRules(atp)
		if err != nil {
			return unknown("the preset security policies' "+what+" rules ("+cmdlet+")", err)
		}
		var objs []object
		for _, level := range []string{presetStandard, presetStrict} {
			r := presetRule(rules, level)
			if ruleOn(r) && ruleAppliesToAll(r) {
				return pass("The %s preset's %s protections apply to all recipients.", level, what)
			}
			objs = append(objs, object{Type: "preset_security_policy", Name: level, Detail: ruleDetail(r)})
		}
		return fail(objs, "Neither the Standard nor the Strict preset applies its %s protections to all recipients (an enabled rule without SentTo, SentToMemberOf or RecipientDomainIs).", what)
	}
}

// evalPresetStrict: MS.DEFENDER.1.4v1/1.5v1 "Sensitive accounts SHALL be
// added to ... in the strict preset security policy". Which accounts are
// sensitive is the organization's list; the control checks that the Strict
// preset's rule is on and covers someone: all recipients, or named users,
// groups or domains.
func evalPresetStrict(atp bool) func(e *evaluation) result {
	what, cmdlet := presetProtection(atp)
	return func(e *evaluation) result {
		rules, err := e.presetRules(atp)
		if err != nil {
			return unknown("the Strict preset's "+what+" rule ("+cmdlet+")", err)
		}
		r := presetRule(rules, presetStrict)
		if !ruleOn(r) {
			return fail([]object{{Type: "preset_security_policy", Name: presetStrict, Detail: ruleDetail(r)}},
				"The Strict preset's %s protections are off, so no sensitive account has them.", what)
		}
		if ruleAppliesToAll(r) {
			return pass("The Strict preset's %s protections apply to all recipients, sensitive accounts included.", what)
		}
		return pass("The Strict preset's %s protections are on for the named recipients (%s); check that they include every sensitive account.", what, ruleDetail(r))
	}
}

// CIS settings for a Safe Links policy (CIS 2.1.1's remediation), in the
// service's property names; true means the value must be $true.
var cisSafeLinks = []struct {
	field string
	want  bool
}{
	{"EnableSafeLinksForEmail", true}, {"EnableSafeLinksForTeams", true}, {"EnableSafeLinksForOffice", true},
	{"TrackClicks", true}, {"AllowClickThrough", false}, {"ScanUrls", true}, {"EnableForInternalSenders", true},
	{"DeliverMessageAfterScan", true}, {"DisableUrlRewrite", false},
}

// inForce returns the custom policies applied by an enabled rule (the
// rule's policy is in its policyParam property).
func inForce(policies, rules []exchange.Object, policyParam string) []exchange.Object {
	var out []exchange.Object
	for _, p := range policies {
		for _, r := range rules {
			if r.String("State") == "Enabled" && strings.EqualFold(r.String(policyParam), p.String("Name")) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// threatPolicies reads a Safe Links or Safe Attachments family.
func (e *evaluation) threatPolicies(noun string, fields []string) (policies, rules []exchange.Object, err error) {
	pl, rl := &e.policies.presets.safeLinks, &e.policies.presets.linksRules
	if noun == "SafeAttachment" {
		pl, rl = &e.policies.presets.safeAttach, &e.policies.presets.attachRules
	}
	policies, err = pl.get(func() ([]exchange.Object, error) { return e.c.Exchange.ListPolicyObjects(e.ctx, noun+"Policy", fields) })
	if err != nil {
		return nil, nil, err
	}
	rules, err = rl.get(func() ([]exchange.Object, error) {
		return e.c.Exchange.ListPolicyObjects(e.ctx, noun+"Rule", []string{"State", noun + "Policy"})
	})
	return policies, rules, err
}

// evalSafeLinks: CIS 2.1.1 "Ensure Safe Links for Office Applications is
// Enabled": a Safe Links policy in force with the remediation's settings.
func evalSafeLinks(e *evaluation) result {
	var fields []string
	for _, f := range cisSafeLinks {
		fields = append(fields, f.field)
	}
	policies, rules, err := e.threatPolicies("SafeLinks", fields)
	if err != nil {
		return unknown("Safe Links policies and rules (Get-SafeLinksPolicy, Get-SafeLinksRule)", err)
	}
	var objs []object
	for _, p := range inForce(policies, rules, "SafeLinksPolicy") {
		var problems []string
		for _, f := range cisSafeLinks {
			if p.Bool(f.field) != f.want {
				problems = append(problems, fmt.Sprintf("%s=%t", f.field, !f.want))
			}
		}
		if len(problems) == 0 {
			return pass("The Safe Links policy %q is applied by an enabled rule and has the CIS settings.", p.String("Name"))
		}
		objs = append(objs, object{Type: "safe_links_policy", Name: p.String("Name"), Detail: strings.Join(problems, "; ")})
	}
	return fail(objs, "No Safe Links policy applied by an enabled rule has the CIS settings (e-mail, Teams and Office apps on, clicks tracked, no click-through, URLs scanned for internal senders too and before delivery, URLs rewritten).")
}

// evalSafeAttachments: CIS 2.1.4 "Ensure Safe Attachments policy is
// enabled": a Safe Attachments policy in force with Enable $true and
// Action Block.
func evalSafeAttachments(e *evaluation) result {
	policies, rules, err := e.threatPolicies("SafeAttachment", []string{"Enable", "Action"})
	if err != nil {
		return unknown("Safe Attachments policies and rules (Get-SafeAttachmentPolicy, Get-SafeAttachmentRule)", err)
	}
	var objs []object
	for _, p := range inForce(policies, rules, "SafeAttachmentPolicy") {
		if p.Bool("Enable") && strings.EqualFold(p.String("Action"), "Block") {
			return pass("The Safe Attachments policy %q is applied by an enabled rule with Enable = $true and Action = Block.", p.String("Name"))
		}
		objs = append(objs, object{Type: "safe_attachment_policy", Name: p.String("Name"), Detail: fmt.Sprintf("Enable=%t; Action=%s", p.Bool("Enable"), p.String("Action"))})
	}
	return fail(objs, "No Safe Attachments policy applied by an enabled rule has Enable = $true and Action = Block.")
}

// presetControls are appended to the catalogue.
func presetControls() []control {
	const (
		read     = "Exchange Online: `Exchange.ManageAsApp` and the `View-Only Configuration` or `Security Reader` role"
		licRead  = read + "; Microsoft Graph `LicenseAssignment.Read.All` (or `Organization.Read.All`) to read the licence; Microsoft Defender for Office 365"
		rulesAre = "A preset's rules are named `<level> Preset Security Policy` and exist only once the preset was turned on in the Defender portal; a rule without `SentTo`, `SentToMemberOf` or `RecipientDomainIs` applies to all recipients. "
	)
	return []control{
		{ID: ctlPresetsEnabled, Title: "Standard and strict preset security policies enabled",
			References: []string{"Scuba MS.DEFENDER.1.1v1", "DSC EXOEOPProtectionPolicyRule", "DSC EXOATPProtectionPolicyRule"},
			Pass:       "\"The standard and strict preset security policies SHALL be enabled\": the Standard and Strict rules of `Get-EOPProtectionPolicyRule` have `State = Enabled`, and so do those of `Get-ATPProtectionPolicyRule` when the tenant has them (Defender for Office 365; without it Exchange refuses the cmdlet and only the EOP rules count). " + rulesAre,
			Needs:      read, eval: evalPresetsEnabled},
		{ID: ctlPresetEOPAllUsers, Title: "All users in a preset's EOP protections",
			References: []string{"Scuba MS.DEFENDER.1.2v1", "DSC EXOEOPProtectionPolicyRule"},
			Pass:       "\"All users SHALL be added to Exchange Online Protection (EOP) in either the standard or strict preset security policy\": the Standard or Strict rule of `Get-EOPProtectionPolicyRule` is enabled and applies to all recipients. Exceptions (`ExceptIf*`) are allowed: the requirement's note lets specific users, except sensitive accounts, be exempt. " + rulesAre,
			Needs:      read, eval: evalPresetAllUsers(false)},
		{ID: ctlPresetDefenderAllUsers, Title: "All users in a preset's Defender for Office 365 protections",
			References: []string{"Scuba MS.DEFENDER.1.3v1", "DSC EXOATPProtectionPolicyRule"},
			Pass:       "\"All users SHALL be added to Defender for Office 365 protection in either the standard or strict preset security policy\": the Standard or Strict rule of `Get-ATPProtectionPolicyRule` is enabled and applies to all recipients (exceptions allowed as for `" + ctlPresetEOPAllUsers + "`). Needs Microsoft Defender for Office 365 in the tenant's subscriptions (`not licensed` otherwise). " + rulesAre,
			Needs:      licRead, Licence: licDefenderO365, eval: evalPresetAllUsers(true)},
		{ID: ctlPresetStrictEOP, Title: "Sensitive accounts in the strict preset's EOP protections",
			References: []string{"Scuba MS.DEFENDER.1.4v1", "DSC EXOEOPProtectionPolicyRule"},
			Pass:       "\"Sensitive accounts SHALL be added to Exchange Online Protection in the strict preset security policy\": the Strict rule of `Get-EOPProtectionPolicyRule` is enabled and applies to all recipients or to named users, groups or domains. Which accounts are sensitive is the organization's list (ScubaGear's `SensitiveAccounts`); the evidence names whom the rule covers so it can be compared with that list. A Strict preset that is off or was never turned on fails. " + rulesAre,
			Needs:      read, eval: evalPresetStrict(false)},
		{ID: ctlPresetStrictDefender, Title: "Sensitive accounts in the strict preset's Defender for Office 365 protections",
			References: []string{"Scuba MS.DEFENDER.1.5v1", "DSC EXOATPProtectionPolicyRule"},
			Pass:       "\"Sensitive accounts SHALL be added to Defender for Office 365 protection in the strict preset security policy\": as `" + ctlPresetStrictEOP + "`, for the Strict rule of `Get-ATPProtectionPolicyRule`. Needs Microsoft Defender for Office 365 (`not licensed` otherwise).",
			Needs:      licRead, Licence: licDefenderO365, eval: evalPresetStrict(true)},
		{ID: ctlSafeLinksPolicy, Title: "Safe Links policy enabled",
			References: []string{"CIS 2.1.1", "DSC EXOSafeLinksPolicy"},
			Pass:       "A Safe Links policy (`Get-SafeLinksPolicy`) applied by an enabled Safe Links rule (`Get-SafeLinksRule`) has the settings of CIS's remediation: `EnableSafeLinksForEmail`, `EnableSafeLinksForTeams`, `EnableSafeLinksForOffice`, `TrackClicks`, `ScanUrls`, `EnableForInternalSenders` and `DeliverMessageAfterScan` `$true`, `AllowClickThrough` and `DisableUrlRewrite` `$false`. The read-only `Built-In Protection Policy` has no rule and does not count. Needs Microsoft Defender for Office 365 (`not licensed` otherwise).",
			Needs:      licRead, Licence: licDefenderO365, eval: evalSafeLinks},
		{ID: ctlSafeAttachmentsPolicy, Title: "Safe Attachments policy enabled",
			References: []string{"CIS 2.1.4", "DSC EXOSafeAttachmentPolicy"},
			Pass:       "A Safe Attachments policy (`Get-SafeAttachmentPolicy`) applied by an enabled Safe Attachments rule (`Get-SafeAttachmentRule`) has `Enable = $true` and `Action = Block`, the settings of CIS's remediation. The read-only `Built-In Protection Policy` has no rule and does not count. Needs Microsoft Defender for Office 365 (`not licensed` otherwise).",
			Needs:      licRead, Licence: licDefenderO365, eval: evalSafeAttachments},
	}
}
