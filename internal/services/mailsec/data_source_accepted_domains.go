package mailsec

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

var _ datasource.DataSourceWithConfigure = &acceptedDomainsDataSource{}

// NewAcceptedDomainsDataSource returns the m365harden_accepted_domains data source.
func NewAcceptedDomainsDataSource() datasource.DataSource { return &acceptedDomainsDataSource{} }

type acceptedDomainsDataSource struct {
	clients *clients.Set
}

type acceptedDomainsModel struct {
	ID            types.String          `tfsdk:"id"`
	DomainNames   types.Set             `tfsdk:"domain_names"`
	CustomDomains types.Set             `tfsdk:"custom_domain_names"`
	DefaultDomain types.String          `tfsdk:"default_domain"`
	Domains       []acceptedDomainModel `tfsdk:"domains"`
}

type acceptedDomainModel struct {
	DomainName      types.String `tfsdk:"domain_name"`
	DomainType      types.String `tfsdk:"domain_type"`
	Default         types.Bool   `tfsdk:"default"`
	InitialDomain   types.Bool   `tfsdk:"initial_domain"`
	MatchSubDomains types.Bool   `tfsdk:"match_sub_domains"`
}

func (d *acceptedDomainsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_accepted_domains"
}

func (d *acceptedDomainsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The SMTP domains the organization accepts mail for (`Get-AcceptedDomain`): the initial `*.onmicrosoft.com` domain and every verified custom domain. Use `custom_domain_names` with `for_each` to declare `m365harden_dkim_signing_config` and the DNS records of each domain.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{MarkdownDescription: "The tenant ID.", Computed: true},
			"domain_names": schema.SetAttribute{
				MarkdownDescription: "Every accepted domain, in lower case.",
				ElementType:         types.StringType, Computed: true,
			},
			"custom_domain_names": schema.SetAttribute{
				MarkdownDescription: "The accepted domains other than the initial `*.onmicrosoft.com` domain (the ones whose DNS the organization publishes), in lower case.",
				ElementType:         types.StringType, Computed: true,
			},
			"default_domain": schema.StringAttribute{
				MarkdownDescription: "The default accepted domain (`Default`), in lower case.",
				Computed:            true,
			},
			"domains": schema.ListNestedAttribute{
				MarkdownDescription: "The accepted domains, in the order the service lists them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"domain_name":       schema.StringAttribute{Computed: true, MarkdownDescription: "The domain (`DomainName`), in lower case."},
					"domain_type":       schema.StringAttribute{Computed: true, MarkdownDescription: "`Authoritative`, `InternalRelay` or `ExternalRelay` (`DomainType`)."},
					"default":           schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether it is the default domain (`Default`)."},
					"initial_domain":    schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether it is the initial `*.onmicrosoft.com` domain (`InitialDomain`)."},
					"match_sub_domains": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether mail for its subdomains is accepted too (`MatchSubDomains`)."},
				}},
			},
		},
	}
}

func (d *acceptedDomainsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (d *acceptedDomainsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	list, err := d.clients.Exchange.ListAcceptedDomains(ctx)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Listing the organization's accepted domains failed", err)
		return
	}
	m := acceptedDomainsModel{ID: types.StringValue(d.clients.TenantID), DefaultDomain: types.StringNull(), Domains: []acceptedDomainModel{}}
	var all, custom []string
	for _, a := range list {
		m.Domains = append(m.Domains, acceptedDomainModel{
			DomainName: types.StringValue(lower(a.DomainName)), DomainType: types.StringValue(a.DomainType),
			Default: types.BoolValue(a.Default), InitialDomain: types.BoolValue(a.InitialDomain), MatchSubDomains: types.BoolValue(a.MatchSubDomains),
		})
		all = append(all, a.DomainName)
		if !a.InitialDomain {
			custom = append(custom, a.DomainName)
		}
		if a.Default {
			m.DefaultDomain = types.StringValue(lower(a.DomainName))
		}
	}
	m.DomainNames, m.CustomDomains = lowerSet(all), lowerSet(custom)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
