# The rights management templates encryption rules can apply.
data "m365harden_rms_templates" "usable" {}

# Fail the plan early when a template the rules rely on is missing.
resource "m365harden_transport_rule" "do_not_forward_board" {
  name                             = "Do Not Forward: board mail to advisers"
  recipient_domain_is              = ["advisers.example"]
  apply_rights_protection_template = "Do Not Forward"

  lifecycle {
    precondition {
      condition     = contains(data.m365harden_rms_templates.usable.names, "Do Not Forward")
      error_message = "The tenant has no \"Do Not Forward\" template: check Azure Rights Management."
    }
  }
}
