# Recommended: no secret in HCL. The provider reads its settings from the
# environment (M365_* or the ARM_* names pipelines already set), e.g.
#   M365_TENANT_ID, M365_CLIENT_ID and M365_CLIENT_CERTIFICATE_PATH
# or, in GitHub Actions with a federated credential on the app registration
# (subject repo:ORG/REPO:ref:refs/heads/main), M365_USE_OIDC=true and no
# secret at all.
provider "m365harden" {}

# The same, written out: workload identity federation (OIDC). The job needs
# `permissions: id-token: write`; the provider reads
# ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN.
provider "m365harden" {
  alias     = "oidc"
  tenant_id = "00000000-0000-0000-0000-000000000000"
  client_id = "11111111-1111-1111-1111-111111111111"
  use_oidc  = true
}

# If a secret must come from an input variable, make the variable ephemeral
# (Terraform 1.10 and later; older versions reject the `ephemeral` line):
# Terraform then keeps it out of saved plan files and state. A plain
# variable, even `sensitive = true`, is written in clear text into every plan
# saved with `terraform plan -out`.
variable "client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "m365harden" {
  alias         = "secret"
  tenant_id     = "00000000-0000-0000-0000-000000000000"
  client_id     = "11111111-1111-1111-1111-111111111111"
  client_secret = var.client_secret
}
