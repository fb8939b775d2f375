# Several tenants in one configuration: one provider configuration per
# tenant (alias), and the tenant-baseline module called once per tenant with
# that provider. One state then holds every tenant, and a plan reaches all
# of them: for more than a handful of tenants prefer one state per tenant
# (see the "Managing many tenants" guide).
#
# Each app registration signs in with workload identity federation here
# (M365_USE_OIDC and a token in the environment); the client IDs are not
# secrets.

terraform {
  required_version = ">= 1.5"
  required_providers {
    m365harden = {
      source = "m365harden/m365harden"
    }
  }
}

provider "m365harden" {
  alias     = "contoso"
  tenant_id = "00000000-0000-4000-8000-00000000c0a1"
  client_id = "11111111-0000-4000-8000-00000000c0a1"
  use_oidc  = true
}

provider "m365harden" {
  alias     = "fabrikam"
  tenant_id = "00000000-0000-4000-8000-00000000fab1"
  client_id = "11111111-0000-4000-8000-00000000fab1"
  use_oidc  = true
}

module "contoso" {
  source           = "../modules/tenant-baseline"
  providers        = { m365harden = m365harden.contoso }
  security_contact = "soc@contoso.com"
}

module "fabrikam" {
  source                     = "../modules/tenant-baseline"
  providers                  = { m365harden = m365harden.fabrikam }
  security_contact           = "secops@fabrikam.com"
  forwarding_partner_domains = ["contoso.com"]
}
