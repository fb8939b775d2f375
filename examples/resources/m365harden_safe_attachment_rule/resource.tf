resource "m365harden_safe_attachment_policy" "all_staff" {
  name   = "All staff"
  enable = true
  action = "Block"
}

# Apply the policy to the members of the "All staff" group.
resource "m365harden_safe_attachment_rule" "all_staff" {
  name              = "All staff"
  policy            = m365harden_safe_attachment_policy.all_staff.name
  sent_to_member_of = ["allstaff@contoso.com"]
}
