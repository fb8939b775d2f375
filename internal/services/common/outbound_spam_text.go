package common

// What Microsoft says today about two outbound spam filter policy settings,
// worded once for the resource, the forwarding report and posture. Source:
// Microsoft's Set-HostedOutboundSpamFilterPolicy reference,
// https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedoutboundspamfilterpolicy
// (parameters -AutoForwardingMode and -NotifyOutboundSpam); a test compares
// these texts with the reference's words.
const (
	// OutboundSpamDocURL is the page both texts come from.
	OutboundSpamDocURL = "https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedoutboundspamfilterpolicy"

	// AutomaticForwardingMeaning says what `AutoForwardingMode = Automatic`
	// does: not a fixed setting, and possibly still On.
	AutomaticForwardingMeaning = "`Automatic` is the default and not a fixed setting: Microsoft's cmdlet reference says it was equivalent to On when introduced, changed to Off in 2021 for new organizations and for existing ones not actively using it, and can remain equivalent to On for organizations that were already using it, so Microsoft advises On or Off instead"

	// AutomaticForwardingEvidence is the short form shown next to
	// `AutoForwardingMode=Automatic` in findings.
	AutomaticForwardingEvidence = "can remain equivalent to On where it was in use since 2021; set Off explicitly"

	// NotifyOutboundSpamReplaced says what Microsoft says of
	// -NotifyOutboundSpam and -NotifyOutboundSpamRecipients today.
	NotifyOutboundSpamReplaced = "Microsoft's cmdlet reference says this setting is replaced by the default alert policy \"User restricted from sending email\", which notifies admins, and recommends that alert policy rather than this setting"
)
