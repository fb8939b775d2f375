# Adopting a tenant that is already configured, in one plan.
#
# This configuration creates nothing: it lists what the tenant has with the
# provider's list data sources and writes an `import` block for every
# instance (step 1). Terraform then writes the matching resource blocks
# (step 2), and the next plan shows no change (step 3):
#
#   terraform init
#   terraform apply                                   # reads only
#   terraform output -raw imports_tf > imports.tf
#   terraform plan -generate-config-out=generated.tf  # Terraform >= 1.5
#   terraform apply                                   # imports, changes nothing
#   terraform plan                                    # No changes.
#
# See README.md for what is (and is not) adopted and for older CLIs.

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    m365harden = {
      source = "m365harden/m365harden"
    }
  }
}

provider "m365harden" {}

# Safe Links and Safe Attachments exist only in tenants with Microsoft
# Defender for Office 365 (Plan 1 or 2); elsewhere their cmdlets are refused.
variable "defender_for_office_365" {
  type    = bool
  default = true
}

# Exchange Online and Security & Compliance.
data "m365harden_remote_domains" "all" {}
data "m365harden_transport_rules" "all" {}
data "m365harden_outbound_spam_filter_policies" "all" {}
data "m365harden_outbound_spam_filter_rules" "all" {}
data "m365harden_anti_phish_policies" "all" {}
data "m365harden_anti_phish_rules" "all" {}
data "m365harden_malware_filter_policies" "all" {}
data "m365harden_preset_security_policies" "all" {}
data "m365harden_dkim_signing_configs" "all" {}
data "m365harden_sharing_policies" "all" {}
data "m365harden_audit_log_retention_policies" "all" {}
data "m365harden_alert_policies" "all" {}

# Microsoft Defender for Office 365.
data "m365harden_safe_links_policies" "all" {
  count = var.defender_for_office_365 ? 1 : 0
}
data "m365harden_safe_links_rules" "all" {
  count = var.defender_for_office_365 ? 1 : 0
}
data "m365harden_safe_attachment_policies" "all" {
  count = var.defender_for_office_365 ? 1 : 0
}
data "m365harden_safe_attachment_rules" "all" {
  count = var.defender_for_office_365 ? 1 : 0
}

# Microsoft Entra ID.
data "m365harden_named_locations" "all" {}
data "m365harden_authentication_strength_policies" "all" {}
data "m365harden_conditional_access_policies" "all" {}

locals {
  tenant_id = data.m365harden_remote_domains.all.id

  # resource type => list of { id = import ID, name = display name }.
  listed = {
    m365harden_remote_domain                  = data.m365harden_remote_domains.all.items
    m365harden_transport_rule                 = data.m365harden_transport_rules.all.items
    m365harden_outbound_spam_filter_policy    = data.m365harden_outbound_spam_filter_policies.all.items
    m365harden_outbound_spam_filter_rule      = data.m365harden_outbound_spam_filter_rules.all.items
    m365harden_anti_phish_policy              = data.m365harden_anti_phish_policies.all.items
    m365harden_anti_phish_rule                = data.m365harden_anti_phish_rules.all.items
    m365harden_malware_filter_policy          = data.m365harden_malware_filter_policies.all.items
    m365harden_preset_security_policy         = data.m365harden_preset_security_policies.all.items
    m365harden_dkim_signing_config            = data.m365harden_dkim_signing_configs.all.items
    m365harden_sharing_policy                 = data.m365harden_sharing_policies.all.items
    m365harden_safe_links_policy              = flatten(data.m365harden_safe_links_policies.all[*].items)
    m365harden_safe_links_rule                = flatten(data.m365harden_safe_links_rules.all[*].items)
    m365harden_safe_attachment_policy         = flatten(data.m365harden_safe_attachment_policies.all[*].items)
    m365harden_safe_attachment_rule           = flatten(data.m365harden_safe_attachment_rules.all[*].items)
    m365harden_audit_log_retention_policy     = data.m365harden_audit_log_retention_policies.all.items
    m365harden_named_location                 = data.m365harden_named_locations.all.items
    m365harden_authentication_strength_policy = data.m365harden_authentication_strength_policies.all.items
    m365harden_conditional_access_policy = [
      for p in data.m365harden_conditional_access_policies.all.policies : { id = p.id, name = p.display_name }
    ]
    # Every authentication method the resource manages has a configuration
    # in every tenant (Graph's configuration IDs).
    m365harden_authentication_method_configuration = [
      for m in ["Email", "Fido2", "MicrosoftAuthenticator", "Sms", "SoftwareOath", "TemporaryAccessPass", "Voice", "X509Certificate"] : { id = m, name = lower(m) }
    ]
    # Only custom alert policies can be managed (default ones are turned
    # on or off in the Defender portal).
    m365harden_alert_policy = [
      for p in data.m365harden_alert_policies.all.policies : { id = p.name, name = p.name } if !p.is_system_rule
    ]
  }

  # Tenant-wide settings: one instance each, imported by the tenant ID
  # (or the only policy's name).
  singletons = {
    m365harden_audit_configuration           = local.tenant_id
    m365harden_transport_config              = local.tenant_id
    m365harden_irm_configuration             = local.tenant_id
    m365harden_external_sender_tagging       = local.tenant_id
    m365harden_connection_filter_policy      = "Default"
    m365harden_security_defaults             = local.tenant_id
    m365harden_authorization_policy          = local.tenant_id
    m365harden_authentication_methods_policy = local.tenant_id
    m365harden_admin_consent_request_policy  = local.tenant_id
  }

  # One import per instance. Resource names come from display names
  # (lower case, other characters as "_"); objects Graph names by GUID add
  # the GUID's first block, as display names need not be unique there.
  imports = concat(
    flatten([
      for type, items in local.listed : [
        for i in items : {
          type = type
          id   = i.id
          name = trim(join("_", compact([
            replace(lower(i.name), "/[^0-9a-z]+/", "_"),
            can(regex("^[0-9a-f]{8}-", i.id)) ? substr(i.id, 0, 8) : "",
          ])), "_")
        }
      ]
    ]),
    [for type, id in local.singletons : { type = type, id = id, name = "tenant" }],
  )
  labels = [for i in local.imports : can(regex("^[a-z_]", i.name)) ? i.name : "_${i.name}"]
}

# Terraform >= 1.5: import blocks for imports.tf.
output "imports_tf" {
  value = join("", [
    for n, i in local.imports : <<-EOT
      import {
        to = ${i.type}.${local.labels[n]}
        id = ${jsonencode(i.id)}
      }
    EOT
  ])
}

# Terraform < 1.5: the same as `terraform import` commands (write the
# resource blocks yourself first; see README.md).
output "import_commands" {
  value = join("", [
    for n, i in local.imports : "terraform import '${i.type}.${local.labels[n]}' '${replace(i.id, "'", "'\\''")}'\n"
  ])
}

output "import_count" {
  value = length(local.imports)
}
