resource "m365harden_safe_links_policy" "all_staff" {
  name                = "All staff"
  allow_click_through = false
  scan_urls           = true
}

# Apply the policy to everyone in the contoso.com domain.
resource "m365harden_safe_links_rule" "all_staff" {
  name                = "All staff"
  policy              = m365harden_safe_links_policy.all_staff.name
  recipient_domain_is = ["contoso.com"]
}
