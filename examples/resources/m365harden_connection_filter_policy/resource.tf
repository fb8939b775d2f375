# No IP allow list (CIS 2.1.12) and the safe list off (CIS 2.1.13).
resource "m365harden_connection_filter_policy" "this" {
  ip_allow_list    = []
  enable_safe_list = false
}
