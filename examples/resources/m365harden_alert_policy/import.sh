# A custom alert policy is imported by its name (as shown on the Alert policy
# page of the Microsoft Defender portal) or its GUID. Default (system) alert
# policies can't be imported.
terraform import m365harden_alert_policy.inbox_rule_created "Inbox rule created"
