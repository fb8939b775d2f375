import {
  to = m365harden_safe_attachment_policy.all_staff
  id = "All staff"
}
