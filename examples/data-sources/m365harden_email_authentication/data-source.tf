# SPF, DMARC and DKIM records of every custom domain, checked through a
# public resolver (ScubaGear MS.EXO.2.2, 3.1, 4.1-4.4; CIS 2.1.8-2.1.10).
data "m365harden_email_authentication" "this" {
  resolver = "1.1.1.1:53"
}

output "email_authentication_problems" {
  value = { for d in data.m365harden_email_authentication.this.domains : d.domain_name => d.problems if !d.compliant }
}
