# ScubaGear MS.SECURITYSUITE.5.2v1: keep audit records for at least a year.
resource "m365harden_audit_log_retention_policy" "mailbox_access" {
  name               = "Mailbox access, one year"
  description        = "MailItemsAccessed records for investigations"
  record_types       = ["ExchangeItem"]
  operations         = ["MailItemsAccessed"]
  retention_duration = "TwelveMonths"
  priority           = 100
}
