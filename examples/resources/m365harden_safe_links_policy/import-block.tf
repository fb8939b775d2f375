import {
  to = m365harden_safe_links_policy.all_staff
  id = "All staff"
}
