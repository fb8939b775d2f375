data "m365harden_accepted_domains" "all" {}

output "custom_domains" {
  value = data.m365harden_accepted_domains.all.custom_domain_names
}
