# Imported by the policy's name.
terraform import m365harden_sharing_policy.default "Default Sharing Policy"
