# A policy is imported by its object ID ("Policy ID" in the Entra admin
# centre, or `id` in GET /identity/conditionalAccess/policies).
terraform import m365harden_conditional_access_policy.mfa_all_users 7359d0e0-d8a9-4afa-8a93-e23e099d7be8
