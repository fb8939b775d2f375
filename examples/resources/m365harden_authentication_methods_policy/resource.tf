# The tenant's authentication methods policy: finish the move off the legacy
# MFA and SSPR policies and nudge users to register Microsoft Authenticator.
resource "m365harden_authentication_methods_policy" "this" {
  # MS.AAD.3.4: the authentication methods policy alone decides which
  # methods users may use (set the methods first, see
  # m365harden_authentication_method_configuration).
  policy_migration_state = "migrationComplete"

  registration_campaign = {
    state                   = "enabled"
    snooze_duration_in_days = 1
    include_targets         = [{ id = "all_users" }]
    exclude_targets         = []
  }

  # CIS 5.2.3.6: prompt for the strongest registered method (Graph beta).
  system_credential_preferences = {
    state           = "enabled"
    include_targets = [{ id = "all_users" }]
    exclude_targets = []
  }

  # Users can report an MFA prompt they did not start (Graph beta).
  report_suspicious_activity_settings = {
    state          = "enabled"
    include_target = { id = "all_users" }
  }
}
