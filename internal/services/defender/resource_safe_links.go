package defender

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
)

// Safe Links and Safe Attachments (Microsoft Defender for Office 365 Plan 1
// or 2): custom policies and the rules that assign them. The tenant's
// "Built-In Protection Policy" of each is read-only and can't be managed.

// builtInProtectionPolicy is the read-only policy every Defender for
// Office 365 tenant has
// (https://learn.microsoft.com/defender-office-365/preset-security-policies).
const builtInProtectionPolicy = "Built-In Protection Policy"

const threatDestroy = "Destroy removes the policy. The tenant's `" + builtInProtectionPolicy + "` (Built-in protection) is read-only: Terraform refuses its name, and it keeps protecting everyone no other policy covers."

const threatPermissions = "\n\nNeeds Microsoft Defender for Office 365 (Plan 1 or 2) and the Exchange role **Security Admin** (Entra roles Security Administrator or Exchange Administrator); reads also work with Security Reader."

var safeLinksFields = []policyField{
	{"enable_safe_links_for_email", "EnableSafeLinksForEmail", fBool, "Safe Links for links in e-mail (`-EnableSafeLinksForEmail`; CIS 2.1.1). Default `true`.", false, 0, 0},
	{"enable_safe_links_for_teams", "EnableSafeLinksForTeams", fBool, "Safe Links for links in Teams (`-EnableSafeLinksForTeams`; CIS 2.1.1). Default `true`.", false, 0, 0},
	{"enable_safe_links_for_office", "EnableSafeLinksForOffice", fBool, "Safe Links in Office apps (`-EnableSafeLinksForOffice`; CIS 2.1.1). Default `true`.", false, 0, 0},
	{"track_clicks", "TrackClicks", fBool, "Track user clicks (`-TrackClicks`; CIS 2.1.1). Default `true`.", false, 0, 0},
	{"allow_click_through", "AllowClickThrough", fBool, "Let users click through to the original URL (`-AllowClickThrough`; CIS 2.1.1 asks for `false`). Default `false`.", false, 0, 0},
	{"scan_urls", "ScanUrls", fBool, "Real-time scanning of clicked links, including links to files (`-ScanUrls`; CIS 2.1.1). Default `true`.", false, 0, 0},
	{"enable_for_internal_senders", "EnableForInternalSenders", fBool, "Apply to messages from internal senders too (`-EnableForInternalSenders`; CIS 2.1.1). Default `true`.", false, 0, 0},
	{"deliver_message_after_scan", "DeliverMessageAfterScan", fBool, "Deliver only after scanning has completed (`-DeliverMessageAfterScan`; CIS 2.1.1). Default `true`.", false, 0, 0},
	{"disable_url_rewrite", "DisableUrlRewrite", fBool, "Do not rewrite URLs (`-DisableUrlRewrite`; CIS 2.1.1 asks for `false`). Default `false`.", false, 0, 0},
	{"do_not_rewrite_urls", "DoNotRewriteUrls", fStrings, "URLs that are never rewritten (`-DoNotRewriteUrls`), e.g. `https://intranet.contoso.com/*`. `[]` clears the list.", false, 0, 2048},
	{"enable_organization_branding", "EnableOrganizationBranding", fBool, "Show the organization's branding on warning pages (`-EnableOrganizationBranding`). Default `false`.", false, 0, 0},
	{"custom_notification_text", "CustomNotificationText", fString, "Custom text on the notification page (`-CustomNotificationText`, at most 255 characters); `\"\"` for none.", false, 0, 255},
	{"use_translated_notification_text", "UseTranslatedNotificationText", fBool, "Translate `custom_notification_text` to the user's language (`-UseTranslatedNotificationText`). Default `false`.", false, 0, 0},
}

var safeAttachmentFields = []policyField{
	{"enable", "Enable", fBool, "Scan attachments with Safe Attachments (`-Enable`; CIS 2.1.4 asks for `true`). Default `false` for a policy created with PowerShell.", false, 0, 0},
	{"action", "Action", fEnum, "What happens to a message whose attachment is malware (`-Action`; CIS 2.1.4 asks for `Block`). Default `Block`.", false, 0, 0},
	{"quarantine_tag", "QuarantineTag", fString, "The quarantine policy for quarantined messages (`-QuarantineTag`, a quarantine policy's name). Default `AdminOnlyAccessPolicy`.", false, 0, 255},
	{"redirect", "Redirect", fBool, "Send messages with malware attachments to `redirect_address` (`-Redirect`); needs `redirect_address`. Default `false`.", false, 0, 0},
	{"redirect_address", "RedirectAddress", fAddress, "Where `redirect` sends them (`-RedirectAddress`).", false, 0, 0},
}

// NewSafeLinksPolicyResource returns m365harden_safe_links_policy.
func NewSafeLinksPolicyResource() resource.Resource {
	return &flatPolicyResource{kind: policyKind{
		typeSuffix: "safe_links_policy", noun: "SafeLinksPolicy", what: "Safe Links policy",
		refused: []string{builtInProtectionPolicy}, fields: safeLinksFields, explain: explainDefenderLicence,
		description: "A custom Safe Links policy (`New-/Set-SafeLinksPolicy`): time-of-click URL checks in e-mail, Teams and Office apps (CIS 2.1.1). Assign it to recipients with `m365harden_safe_links_rule`. " +
			threatDestroy + threatPermissions,
	}}
}

// NewSafeAttachmentPolicyResource returns m365harden_safe_attachment_policy.
func NewSafeAttachmentPolicyResource() resource.Resource {
	return &flatPolicyResource{kind: policyKind{
		typeSuffix: "safe_attachment_policy", noun: "SafeAttachmentPolicy", what: "Safe Attachments policy",
		refused: []string{builtInProtectionPolicy}, fields: safeAttachmentFields, explain: explainDefenderLicence,
		description: "A custom Safe Attachments policy (`New-/Set-SafeAttachmentPolicy`): attachments detonated in a sandbox before delivery (CIS 2.1.4). Assign it to recipients with `m365harden_safe_attachment_rule`. " +
			threatDestroy + threatPermissions,
	}}
}

// NewSafeLinksRuleResource returns m365harden_safe_links_rule.
func NewSafeLinksRuleResource() resource.Resource {
	return &policyRuleResource{kind: ruleKind{
		typeSuffix: "safe_links_rule", noun: "SafeLinksRule", policyParam: "SafeLinksPolicy", what: "Safe Links rule",
		policyType: "m365harden_safe_links_policy", refused: []string{builtInProtectionPolicy}, explain: explainDefenderLicence,
		intro: "A Safe Links rule (`New-/Set-SafeLinksRule`): applies a custom Safe Links policy (`m365harden_safe_links_policy`) to recipients, group members or recipient domains (CIS 2.1.1)." + threatPermissions,
	}}
}

// NewSafeAttachmentRuleResource returns m365harden_safe_attachment_rule.
func NewSafeAttachmentRuleResource() resource.Resource {
	return &policyRuleResource{kind: ruleKind{
		typeSuffix: "safe_attachment_rule", noun: "SafeAttachmentRule", policyParam: "SafeAttachmentPolicy", what: "Safe Attachments rule",
		policyType: "m365harden_safe_attachment_policy", refused: []string{builtInProtectionPolicy}, explain: explainDefenderLicence,
		intro: "A Safe Attachments rule (`New-/Set-SafeAttachmentRule`): applies a custom Safe Attachments policy (`m365harden_safe_attachment_policy`) to recipients, group members or recipient domains (CIS 2.1.4)." + threatPermissions,
	}}
}

// explainDefenderLicence adds what a 403 on a Safe Links or Safe
// Attachments cmdlet means: in a tenant without Microsoft Defender for
// Office 365 the cmdlets do not exist ("The term 'Get-SafeAttachmentPolicy'
// is not recognized", Microsoft365DSC issue #3131), and Exchange answers a
// cmdlet the session does not have with the same 403 as a missing role.
func explainDefenderLicence(err error) error {
	if !errors.Is(err, exchange.ErrForbidden) {
		return err
	}
	return fmt.Errorf("%w\n\nSafe Links and Safe Attachments need Microsoft Defender for Office 365 (Plan 1 or 2, e.g. Microsoft 365 Business Premium or E5). Exchange refuses their cmdlets with 403 both when the tenant has no such licence and when the app lacks the Security Admin role: check the tenant's subscriptions (ATP_ENTERPRISE service plan) and the app's roles", err)
}
