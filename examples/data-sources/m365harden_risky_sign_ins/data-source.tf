# Sign-ins of the last week at high risk, or that left the user at risk.
data "m365harden_risky_sign_ins" "week" {
  lookback       = "7d"
  min_risk_level = "high"
  risk_states    = ["atRisk", "confirmedCompromised"]
}

check "no_high_risk_sign_ins" {
  assert {
    condition     = data.m365harden_risky_sign_ins.week.total == 0
    error_message = "${data.m365harden_risky_sign_ins.week.total} high-risk sign-ins this week; review them in Microsoft Entra ID Protection."
  }
}
