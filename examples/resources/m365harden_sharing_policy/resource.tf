# Calendar sharing limited to free/busy with federated organizations, no
# anonymous publishing, contacts with one partner (ScubaGear MS.EXO.6.1,
# MS.EXO.6.2).
resource "m365harden_sharing_policy" "default" {
  name = "Default Sharing Policy"
  domains = [
    "*:CalendarSharingFreeBusySimple",
    "fabrikam.com:CalendarSharingFreeBusyDetail,ContactsSharing",
  ]
}
