# By the strength's ID
terraform import m365harden_authentication_strength_policy.admins 3f5e7d1c-9b2a-4c8d-a6e4-1f2b3c4d5e6f
