import {
  to = m365harden_named_location.allowed_countries
  id = "Allowed sign-in countries"
}
