# Adopting every instance of a type with `import` blocks that use
# `for_each` (Terraform 1.7 and later), once the resource blocks exist.
#
# Terraform does not write configuration for imports with `for_each`
# ("Config generation for count and for_each resources not supported"), so
# the resource block is written here, with `for_each` over the same list.
# It sets only the required arguments: every other argument left unset is
# read but not managed, so the first plan imports every instance and
# changes nothing. Settings are then managed by adding them to the block
# (for example `auto_forward_enabled = false` for every remote domain).
#
#   terraform init
#   terraform plan    # N to import, 0 to add, 0 to change, 0 to destroy
#   terraform apply
#
# The import blocks can be deleted after the apply; keeping them is
# harmless (an import of an object already in state does nothing).
# Once adopted, the objects are Terraform's: `terraform destroy` removes the
# remote domains it created or adopted (all but `Default`), as each
# resource's documentation says.

terraform {
  required_version = ">= 1.7.0"
  required_providers {
    m365harden = {
      source = "m365harden/m365harden"
    }
  }
}

provider "m365harden" {}

# Every remote domain, `Default` included: import ID => SMTP domain.
data "m365harden_remote_domains" "all" {}

locals {
  remote_domains = { for d in data.m365harden_remote_domains.all.items : d.id => d.name }
}

import {
  for_each = local.remote_domains
  to       = m365harden_remote_domain.adopted[each.key]
  id       = each.key
}

resource "m365harden_remote_domain" "adopted" {
  for_each    = local.remote_domains
  name        = each.key
  domain_name = each.value
}

# Every sharing policy, `Default Sharing Policy` included.
data "m365harden_sharing_policies" "all" {}

import {
  for_each = toset(data.m365harden_sharing_policies.all.ids)
  to       = m365harden_sharing_policy.adopted[each.key]
  id       = each.key
}

resource "m365harden_sharing_policy" "adopted" {
  for_each = toset(data.m365harden_sharing_policies.all.ids)
  name     = each.key
}

output "remote_domains" {
  value = keys(m365harden_remote_domain.adopted)
}
