# The countries the organisation signs in from: one list feeds both the
# named location and the failed sign-ins report.
locals {
  expected_countries = ["DE", "FR", "GB"]
}

resource "m365harden_named_location" "allowed_countries" {
  display_name = "Allowed sign-in countries"
  country = {
    countries_and_regions                 = local.expected_countries
    include_unknown_countries_and_regions = false
  }
}

# Offices and VPN egress: trusted, so Conditional Access can treat them as
# "AllTrusted".
resource "m365harden_named_location" "offices" {
  display_name = "Office and VPN egress"
  ip = {
    ip_ranges  = ["203.0.113.0/24", "2001:db8:1234::/48"]
    is_trusted = true
  }
}

# Block sign-ins from every other country. Report-only until you have
# checked its impact: then set state = "enabled".
resource "m365harden_conditional_access_policy" "block_other_countries" {
  display_name = "Block sign-ins from outside the allowed countries"
  state        = "enabledForReportingButNotEnforced"
  conditions = {
    users = {
      include_users = ["All"]
      # your emergency-access accounts
      exclude_users = ["6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"]
    }
    applications = {
      include_applications = ["All"]
    }
    locations = {
      include_locations = ["All"]
      exclude_locations = [m365harden_named_location.allowed_countries.id]
    }
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["block"]
  }
}

# Failed sign-ins from anywhere else show up in unexpected_countries.
data "m365harden_failed_sign_ins" "last_day" {
  lookback           = "24h"
  expected_countries = local.expected_countries
}
