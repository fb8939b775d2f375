# tenant-baseline: the hardening every managed tenant gets. A tenant's root
# module calls it (one state per tenant), or one configuration calls it once
# per tenant with a provider alias each (see examples/many-tenants and the
# "Managing many tenants" guide). The module has no provider block: the
# caller passes its m365harden provider configuration.

terraform {
  required_version = ">= 1.5"
  required_providers {
    m365harden = {
      source = "m365harden/m365harden"
    }
  }
}

variable "security_contact" {
  description = "An internal mailbox of the tenant that receives outbound spam notifications."
  type        = string
}

variable "forwarding_partner_domains" {
  description = "Partner domains that may receive automatically forwarded mail."
  type        = list(string)
  default     = []
}

# CIS 6.1.1, 3.1.1; ScubaGear MS.EXO.13.1v1, MS.SECURITYSUITE.5.1v1.
resource "m365harden_audit_configuration" "this" {
  mailbox_auditing_enabled            = true
  unified_audit_log_ingestion_enabled = true
}

# ScubaGear MS.EXO.1.1v2: no automatic forwarding to external domains.
resource "m365harden_remote_domain" "default" {
  name                 = "Default"
  domain_name          = "*"
  auto_forward_enabled = false
}

resource "m365harden_remote_domain" "partner" {
  for_each             = toset(var.forwarding_partner_domains)
  name                 = each.value
  domain_name          = each.value
  auto_forward_enabled = true
}

# CIS 6.2.1, 2.1.6: forwarding off in the Default outbound spam policy,
# notifications to the security contact.
resource "m365harden_outbound_spam_filter_policy" "default" {
  name                            = "Default"
  auto_forwarding_mode            = "Off"
  notify_outbound_spam            = true
  notify_outbound_spam_recipients = [var.security_contact]
}

output "tenant_id" {
  description = "The tenant the module was applied to."
  value       = m365harden_audit_configuration.this.id
}
