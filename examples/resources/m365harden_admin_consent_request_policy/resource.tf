# With user consent off, users ask for approval instead (MS.AAD.5.3).
resource "m365harden_admin_consent_request_policy" "this" {
  enabled                  = true
  request_duration_in_days = 14
  # Cloud Application Administrators review the requests.
  reviewer_role_ids = ["158c047a-c907-4556-b7ef-446551a6b5f7"]
}
