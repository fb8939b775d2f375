# The built-in Default remote domain (every domain without a remote domain of
# its own): adopted, never created or removed. Block auto-forwarding to it.
resource "m365harden_remote_domain" "default" {
  name                 = "Default"
  domain_name          = "*"
  auto_forward_enabled = false
}

# An approved partner that may receive auto-forwarded mail.
resource "m365harden_remote_domain" "partner" {
  name                 = "Partner"
  domain_name          = "partner.example"
  auto_forward_enabled = true
  allowed_oof_type     = "External"
}
