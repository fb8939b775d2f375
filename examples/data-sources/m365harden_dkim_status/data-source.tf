# The CNAME records each DKIM-configured domain needs, for DNS managed
# elsewhere (azurerm_dns_cname_record, cloudflare_dns_record, ...).
data "m365harden_dkim_status" "all" {}

output "dkim_cnames" {
  value = {
    for d in data.m365harden_dkim_status.all.domains : d.domain_name => {
      (d.selector1_host) = d.selector1_cname
      (d.selector2_host) = d.selector2_cname
    }
  }
}
