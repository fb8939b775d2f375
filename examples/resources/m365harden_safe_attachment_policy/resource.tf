# A Safe Attachments policy with the CIS 2.1.4 settings.
resource "m365harden_safe_attachment_policy" "all_staff" {
  name   = "All staff"
  enable = true
  action = "Block"
}
