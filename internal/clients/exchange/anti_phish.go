package exchange

// Anti-phishing policies and rules need "Transport Hygiene" (Security
// Administrator or Exchange Administrator); reads also "View-Only
// Configuration" or "Security Reader"
// (https://learn.microsoft.com/defender-office-365/anti-phishing-policies-mdo-configure#what-do-you-need-to-know-before-you-begin).
func init() {
	for _, c := range []string{"Get-AntiPhishPolicy", "Get-AntiPhishRule"} {
		RegisterRoles(c, "View-Only Configuration", "Security Reader", "Transport Hygiene")
	}
	for _, c := range []string{"New-AntiPhishPolicy", "Set-AntiPhishPolicy", "Remove-AntiPhishPolicy",
		"New-AntiPhishRule", "Set-AntiPhishRule", "Remove-AntiPhishRule", "Enable-AntiPhishRule", "Disable-AntiPhishRule"} {
		RegisterRoles(c, "Transport Hygiene")
	}
}
