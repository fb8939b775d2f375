# Consent, app registration and guest settings of a hardened tenant.
resource "m365harden_authorization_policy" "this" {
  # MS.AAD.5.2: users consent only to verified publishers' low-risk
  # permissions. CIS 5.1.5.1 allows no user consent: "disabled".
  user_consent                      = "verified_publishers"
  allow_user_consent_for_risky_apps = false

  # MS.AAD.5.1 / CIS 5.1.2.2-5.1.2.3: only admins register apps and tenants.
  allowed_to_create_apps    = false
  allowed_to_create_tenants = false

  # MS.AAD.8.1-8.2 / CIS 5.1.6.2-5.1.6.3: guests see little, and only
  # admins and Guest Inviters invite them.
  guest_user_access  = "restricted"
  allow_invites_from = "adminsAndGuestInviters"

  allow_email_verified_users_to_join_organization = false
}
