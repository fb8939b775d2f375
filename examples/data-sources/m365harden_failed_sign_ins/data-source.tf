# Failed sign-ins of the last day, with the patterns of an attack.
data "m365harden_failed_sign_ins" "last_day" {
  lookback           = "24h"
  expected_countries = ["US", "GB", "DE"]
  max_events         = 50

  # Thresholds (these are the defaults).
  spray_min_users          = 10
  brute_force_min_failures = 20
}

# Warn during plan (a check block never blocks apply) when a password spray
# is under way: many accounts failing from one address.
check "no_password_spray" {
  assert {
    condition = length(data.m365harden_failed_sign_ins.last_day.password_sprays) == 0
    error_message = join("\n", [
      for s in data.m365harden_failed_sign_ins.last_day.password_sprays :
      "Password spray from ${s.ip_address} (${s.country}): ${s.user_count} users failed between ${s.first_seen} and ${s.last_seen}."
    ])
  }
}

check "no_brute_force" {
  assert {
    condition = length(data.m365harden_failed_sign_ins.last_day.brute_forces) == 0
    error_message = join("\n", [
      for b in data.m365harden_failed_sign_ins.last_day.brute_forces :
      "Brute force on ${b.user_principal_name}: ${b.failure_count} failures from ${join(", ", b.ip_addresses)}${b.locked_out ? " (account locked)" : ""}."
    ])
  }
}

# One account's failures, only wrong passwords and lockouts, over a week.
data "m365harden_failed_sign_ins" "one_user" {
  lookback             = "7d"
  user_principal_names = ["adele.vance@contoso.com"]
  error_codes          = [50126, 50053]
}

output "failures_by_country" {
  value = data.m365harden_failed_sign_ins.last_day.by_country
}
