# No forwarding at all for this mailbox: a forward added later shows in the
# next plan and the apply clears it.
resource "m365harden_mailbox_forwarding" "megan" {
  mailbox = "megan@contoso.com"
}

# An approved forward to a partner, keeping a copy in the mailbox.
resource "m365harden_mailbox_forwarding" "adele" {
  mailbox                        = "adele@contoso.com"
  forwarding_smtp_address        = "adele@partner.example"
  deliver_to_mailbox_and_forward = true
}
