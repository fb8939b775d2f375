# Sign in as an app registration with a client secret. Every attribute can
# also come from the environment (M365_* or the ARM_* names pipelines set).
provider "m365harden" {
  tenant_id     = "00000000-0000-0000-0000-000000000000"
  client_id     = "11111111-1111-1111-1111-111111111111"
  client_secret = var.client_secret
}

variable "client_secret" {
  type      = string
  sensitive = true
}

# In GitHub Actions, with a federated credential on the app registration
# (subject repo:ORG/REPO:ref:refs/heads/main), no secret is stored at all:
#
# provider "m365harden" {
#   tenant_id = "00000000-0000-0000-0000-000000000000"
#   client_id = "11111111-1111-1111-1111-111111111111"
#   use_oidc  = true # reads ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN
# }
