# Password spray and leaked credential detections of the last 30 days.
data "m365harden_risk_detections" "credential_attacks" {
  lookback         = "30d"
  risk_event_types = ["passwordSpray", "leakedCredentials"]
}

output "detections_by_type" {
  value = data.m365harden_risk_detections.credential_attacks.by_risk_event_type
}
