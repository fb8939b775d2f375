# By the location's ID
terraform import m365harden_named_location.offices 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0

# or by its display name (exactly one location must have it)
terraform import m365harden_named_location.offices "Office and VPN egress"
