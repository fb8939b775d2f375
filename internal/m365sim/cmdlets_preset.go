package m365sim

import "fmt"

// The Standard and Strict preset security policies
// (https://learn.microsoft.com/defender-office-365/preset-security-policies):
//
//   - Each preset has up to two rules: the EOP protections rule
//     (Get/Set/Enable/Disable-EOPProtectionPolicyRule: anti-spam,
//     anti-malware, anti-phishing) and, with Microsoft Defender for Office
//     365, the Defender protections rule (*-ATPProtectionPolicyRule: Safe
//     Links, Safe Attachments). Both are named "Standard Preset Security
//     Policy" or "Strict Preset Security Policy" ("By default, the available
//     rules (if they exist) are named Standard Preset Security Policy and
//     Strict Preset Security Policy", get-eopprotectionpolicyrule).
//   - The rules do not exist until the preset is turned on in the Defender
//     portal for the first time: "Turning on the preset security policy for
//     the first time in the Microsoft Defender portal automatically creates
//     the required individual security policies, but also creates the
//     associated rules"
//     (https://learn.microsoft.com/powershell/module/exchangepowershell/new-eopprotectionpolicyrule).
//     A new tenant has none; TurnOnPresetInPortal models the portal action.
//     The individual policies the portal creates are recorded only by name
//     in the rules (AntiPhishPolicy, HostedContentFilterPolicy,
//     MalwareFilterPolicy; SafeAttachmentPolicy, SafeLinksPolicy:
//     "<level> Preset Security Policy<13-digit number>"); nothing in the
//     emulator reads them further.
//   - Turning the preset on or off is the rules' State
//     (Enable-/Disable-EOPProtectionPolicyRule, and "you also need to use the
//     Enable-ATPProtectionPolicyRule cmdlet"), enable-eopprotectionpolicyrule.
//   - Priority: Strict 0, Standard 1, and "You must use the default value
//     for the rule" (set-eopprotectionpolicyrule -Priority): the emulator
//     refuses any other value. The service's wording is not documented.
//   - The ATP rules' cmdlets need Defender for Office 365 like the Safe
//     Links cmdlets (cmdlets_safe_links.go): without it the session does
//     not have them (403).
//   - New-/Remove-*ProtectionPolicyRule are not in the cmdlet catalogue
//     (Microsoft advises against them: "The affected preset security policy
//     can't function without a corresponding rule",
//     remove-eopprotectionpolicyrule) and are not modelled.
//
// Permissions: as for the other threat policies, Security Admin to change,
// Security Reader or View-Only Configuration to read
// (https://learn.microsoft.com/defender-office-365/preset-security-policies#what-do-you-need-to-know-before-you-begin).

const (
	kindEOPProtectionRule = "EOPProtectionPolicyRule"
	kindATPProtectionRule = "ATPProtectionPolicyRule"
)

// presetPriority is a preset rule's only allowed priority.
var presetPriority = map[string]int{recommendedPolicyStrict: 0, recommendedPolicyStandard: 1}

// presetRuleName is the rule's name for a level ("Standard", "Strict").
func presetRuleName(level string) string { return level + " Preset Security Policy" }

var (
	eopPresetRules = ruleFamily{noun: "EOPProtectionPolicyRule", kind: kindEOPProtectionRule, what: "EOP protection policy rule",
		readRoles: threatReadRoles, writes: threatWriteRoles, noCreate: true, checkSet: checkPresetPriority}
	atpPresetRules = ruleFamily{noun: "ATPProtectionPolicyRule", kind: kindATPProtectionRule, what: "ATP protection policy rule",
		readRoles: threatReadRoles, writes: threatWriteRoles, available: hasDefenderForOffice365, noCreate: true, checkSet: checkPresetPriority}
)

// checkPresetPriority refuses a -Priority other than the level's default.
func checkPresetPriority(c *Call, o Object) *CmdletError {
	if !c.Has("Priority") {
		return nil
	}
	want, got := toInt(o["Priority"]), toInt(c.Params["Priority"])
	if got != want {
		return errValidation(fmt.Sprintf("The priority of the rule \"%s\" can't be changed: a preset security policy's rule must keep its default priority %d.", o["Name"], want))
	}
	return nil
}

func init() {
	eopPresetRules.register()
	atpPresetRules.register()
}

// TurnOnPresetInPortal does what turning on the Standard or Strict preset
// security policy in the Microsoft Defender portal does: the first time it
// creates the preset's rules (EOP, and ATP when the tenant has Defender for
// Office 365) applying to all recipients; later it only enables them.
func TurnOnPresetInPortal(s *Server, tenantID, level string) error {
	t := s.Tenant(tenantID)
	if t == nil {
		return fmt.Errorf("no tenant %s", tenantID)
	}
	prio, ok := presetPriority[level]
	if !ok {
		return fmt.Errorf("no preset security policy %q (Standard or Strict)", level)
	}
	name := presetRuleName(level)
	families := []ruleFamily{eopPresetRules}
	policies := [][]string{{"AntiPhishPolicy", "HostedContentFilterPolicy", "MalwareFilterPolicy"}}
	if hasDefenderForOffice365(t) {
		families = append(families, atpPresetRules)
		policies = append(policies, []string{"SafeAttachmentPolicy", "SafeLinksPolicy"})
	}
	for i, f := range families {
		o := findByNameOrGUID(t, f.kind, name, true)
		if o == nil {
			o = f.newRuleObject(t, name, "Enabled")
			o["Priority"], o["Comments"] = prio, "Built-in "+name
			for j, p := range policies[i] {
				// "<level> Preset Security Policy<13-digit number>"
				o[p] = fmt.Sprintf("%s%013d", name, 1622650005393+int64(10*prio+j))
			}
		}
		o["State"] = "Enabled"
		t.Store.Put(f.kind, name, o, 0)
	}
	s.changed()
	return nil
}
