# CIS 6.1.1 / ScubaGear MS.EXO.13.1v1: mailbox auditing on by default.
# CIS 3.1.1 / ScubaGear MS.SECURITYSUITE.5.1v1: the Microsoft 365 audit log on.
resource "m365harden_audit_configuration" "this" {
  mailbox_auditing_enabled            = true
  unified_audit_log_ingestion_enabled = true
}
