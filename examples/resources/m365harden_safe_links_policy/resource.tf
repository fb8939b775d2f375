# A Safe Links policy with the CIS 2.1.1 settings.
resource "m365harden_safe_links_policy" "all_staff" {
  name                         = "All staff"
  enable_safe_links_for_email  = true
  enable_safe_links_for_teams  = true
  enable_safe_links_for_office = true
  track_clicks                 = true
  allow_click_through          = false
  scan_urls                    = true
  enable_for_internal_senders  = true
  deliver_message_after_scan   = true
  disable_url_rewrite          = false
}
