# The demo configuration that `make demo` applies against m365sim. The
# provider reads its settings from the M365_* environment variables the demo
# script exports (tenant, app, client secret, endpoints, CA file).
terraform {
  required_providers {
    m365harden = {
      source = "m365harden/m365harden"
    }
  }
}

provider "m365harden" {}

# Mailbox auditing on by default and the unified audit log on.
resource "m365harden_audit_configuration" "this" {
  mailbox_auditing_enabled            = true
  unified_audit_log_ingestion_enabled = true
}
