package defender

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// defaultAntiPhishPolicy is the built-in policy
// (https://learn.microsoft.com/defender-office-365/anti-phishing-policies-eop-configure).
const defaultAntiPhishPolicy = "Office365 AntiPhish Default"

// protectedUserRe is a TargetedUsersToProtect entry, "DisplayName;EmailAddress".
var protectedUserRe = regexp.MustCompile(`^[^;\s](?:[^;]*[^;\s])?;[A-Za-z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@` + domainLabel + `(?:\.` + domainLabel + `)+$`)

// Impersonation actions the resource accepts: the catalogue's list without
// BccMessage and Redirect, which act on *ActionRecipients parameters this
// resource does not manage yet.
func impersonationActions(param string) []string {
	var out []string
	for _, v := range common.CmdletValues("Set-AntiPhishPolicy", param) {
		if v != "BccMessage" && v != "Redirect" {
			out = append(out, v)
		}
	}
	return out
}

var antiPhishFields = []policyField{
	{"enable_spoof_intelligence", "EnableSpoofIntelligence", fBool, "Spoof intelligence (`-EnableSpoofIntelligence`; CIS 2.1.7 requires `true`). Default `true`.", false, 0, 0},
	{"honor_dmarc_policy", "HonorDmarcPolicy", fBool, "Act on the sender domain's DMARC `p=quarantine`/`p=reject` (`-HonorDmarcPolicy`). Default `true`.", false, 0, 0},
	{"authentication_fail_action", "AuthenticationFailAction", fEnum, "What happens to spoofed mail that fails composite authentication (`-AuthenticationFailAction`). Default `MoveToJmf`; Strict preset `Quarantine`.", false, 0, 0},
	{"dmarc_quarantine_action", "DmarcQuarantineAction", fEnum, "Action when DMARC says quarantine (`-DmarcQuarantineAction`). Default `Quarantine`.", false, 0, 0},
	{"dmarc_reject_action", "DmarcRejectAction", fEnum, "Action when DMARC says reject (`-DmarcRejectAction`). Default `Reject`.", false, 0, 0},
	{"enable_first_contact_safety_tips", "EnableFirstContactSafetyTips", fBool, "The first contact safety tip (`-EnableFirstContactSafetyTips`; CIS 2.1.7 recommends `true`). Default `false`.", false, 0, 0},
	{"enable_unauthenticated_sender", "EnableUnauthenticatedSender", fBool, "The `?` unauthenticated-sender indicator in Outlook (`-EnableUnauthenticatedSender`). Default `true`.", false, 0, 0},
	{"enable_via_tag", "EnableViaTag", fBool, "The `via` tag in Outlook (`-EnableViaTag`). Default `true`.", false, 0, 0},
	{"phish_threshold_level", "PhishThresholdLevel", fInt, "Advanced phishing threshold (`-PhishThresholdLevel`): 1 Standard, 2 Aggressive, 3 More aggressive, 4 Most aggressive. Default 1; CIS 2.1.7 asks for at least 2 (Aggressive), as the `anti-phishing-policy` posture control checks (Strict preset 3, Standard 2).", true, 1, 4},
	{"enable_mailbox_intelligence", "EnableMailboxIntelligence", fBool, "Mailbox intelligence (`-EnableMailboxIntelligence`). Default `true`.", true, 0, 0},
	{"enable_mailbox_intelligence_protection", "EnableMailboxIntelligenceProtection", fBool, "Act on impersonation detected by mailbox intelligence (`-EnableMailboxIntelligenceProtection`; CIS 2.1.7 requires `true`). Default `false`.", true, 0, 0},
	{"mailbox_intelligence_protection_action", "MailboxIntelligenceProtectionAction", fEnum, "The action for mailbox-intelligence impersonation (`-MailboxIntelligenceProtectionAction`). Default `NoAction`.", true, 0, 0},
	{"enable_targeted_user_protection", "EnableTargetedUserProtection", fBool, "User impersonation protection for `targeted_users_to_protect` (`-EnableTargetedUserProtection`; what ScubaGear MS.DEFENDER.2.1 asks of the preset policies). Default `false`.", true, 0, 0},
	{"targeted_users_to_protect", "TargetedUsersToProtect", fUsers, "Users protected from impersonation (`-TargetedUsersToProtect`), each `\"Display name;address@domain\"`; at most 350. `[]` clears the list.", true, 0, 0},
	{"targeted_user_protection_action", "TargetedUserProtectionAction", fAction, "The action on mail impersonating a protected user (`-TargetedUserProtectionAction`). Default `NoAction`.", true, 0, 0},
	{"enable_organization_domains_protection", "EnableOrganizationDomainsProtection", fBool, "Domain impersonation protection for the organization's accepted domains (`-EnableOrganizationDomainsProtection`; what ScubaGear MS.DEFENDER.2.2 asks of the preset policies). Default `false`.", true, 0, 0},
	{"enable_targeted_domains_protection", "EnableTargetedDomainsProtection", fBool, "Domain impersonation protection for `targeted_domains_to_protect` (`-EnableTargetedDomainsProtection`; what ScubaGear MS.DEFENDER.2.3 asks of the preset policies). Default `false`.", true, 0, 0},
	{"targeted_domains_to_protect", "TargetedDomainsToProtect", fDomains, "Other domains protected from impersonation (`-TargetedDomainsToProtect`), e.g. partners. `[]` clears the list.", true, 0, 0},
	{"targeted_domain_protection_action", "TargetedDomainProtectionAction", fAction, "The action on mail impersonating a protected domain (`-TargetedDomainProtectionAction`). Default `NoAction`.", true, 0, 0},
	{"enable_similar_users_safety_tips", "EnableSimilarUsersSafetyTips", fBool, "The similar-users impersonation safety tip (`-EnableSimilarUsersSafetyTips`). Default `false`.", true, 0, 0},
	{"enable_similar_domains_safety_tips", "EnableSimilarDomainsSafetyTips", fBool, "The similar-domains impersonation safety tip (`-EnableSimilarDomainsSafetyTips`). Default `false`.", true, 0, 0},
	{"enable_unusual_characters_safety_tips", "EnableUnusualCharactersSafetyTips", fBool, "The unusual-characters impersonation safety tip (`-EnableUnusualCharactersSafetyTips`). Default `false`.", true, 0, 0},
}

// NewAntiPhishPolicyResource returns m365harden_anti_phish_policy.
func NewAntiPhishPolicyResource() resource.Resource {
	return &flatPolicyResource{kind: policyKind{
		typeSuffix: "anti_phish_policy", noun: "AntiPhishPolicy", what: "anti-phishing policy",
		adopt: defaultAntiPhishPolicy, isDefault: "IsDefault", fields: antiPhishFields,
		description: "An anti-phishing policy (`New-/Set-AntiPhishPolicy`): spoof intelligence and DMARC handling, the first contact safety tip, and — with Microsoft Defender for Office 365 — user and domain impersonation protection, mailbox intelligence and the phishing threshold (CIS 2.1.7; the impersonation settings are those ScubaGear MS.DEFENDER.2.1–2.3 ask of the Standard and Strict preset policies, which this resource does not manage).\n\n" +
			"The built-in policy `" + defaultAntiPhishPolicy + "` applies to every recipient not covered by a custom policy's rule. It is **adopted** (declare it by that name): never created or removed, and destroying the resource leaves its settings as they are. Custom policies are created and, on destroy, removed; assign one to recipients with `m365harden_anti_phish_rule`.",
		values: func(f policyField) []string {
			if f.kind == fAction || f.param == "MailboxIntelligenceProtectionAction" {
				return impersonationActions(f.param)
			}
			return nil
		},
		explain: explainLicence,
	}}
}

// explainLicence adds what a parameter-set refusal of Set-/New-AntiPhishPolicy
// usually means: the tenant has no Defender for Office 365 licence, so
// Exchange does not offer the Defender-only parameters (the error is the one
// for a parameter the cmdlet does not have: AmbiguousParameterSetException).
func explainLicence(err error) error {
	var e *exchange.Error
	if errors.As(err, &e) && strings.HasSuffix(e.Exception, "AmbiguousParameterSetException") {
		return fmt.Errorf("%w\n\nImpersonation protection, mailbox intelligence and the phishing threshold need Microsoft Defender for Office 365 (Plan 1 or 2); in a tenant without it Exchange does not offer those parameters. Leave those attributes out, or license the tenant", err)
	}
	return err
}
