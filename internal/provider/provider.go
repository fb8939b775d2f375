// Package provider is the m365harden provider: its configuration schema,
// Configure (building the shared client set) and the list of resources and
// data sources.
package provider

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/auth"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/alerts"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/audit"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/defender"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/identity"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/mailflow"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/mailsec"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/posture"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/signins"
)

var _ provider.Provider = &m365hardenProvider{}

// New returns a provider factory for the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &m365hardenProvider{version: version} }
}

type m365hardenProvider struct {
	version string
}

func (p *m365hardenProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "m365harden"
	resp.Version = p.version
}

func (p *m365hardenProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	envNames := auth.EnvironmentNames()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the security hardening of a Microsoft 365 tenant: Exchange Online and Security & Compliance settings, the Microsoft Entra ID policies that go with them, and findings from sign-in logs.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{
				MarkdownDescription: "The Microsoft Entra tenant ID (a GUID). Environment: `M365_TENANT_ID` or `ARM_TENANT_ID`.",
				Optional:            true,
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The application (client) ID of the app registration the provider signs in as. Environment: `M365_CLIENT_ID` or `ARM_CLIENT_ID`.",
				Optional:            true,
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "A client secret of the app registration. Environment: `M365_CLIENT_SECRET` or `ARM_CLIENT_SECRET`.",
				Optional:            true, Sensitive: true,
			},
			"client_certificate": schema.StringAttribute{
				MarkdownDescription: "A client certificate with its private key: a PFX (PKCS#12) file encoded in base64, or PEM text. Environment: `M365_CLIENT_CERTIFICATE` or `ARM_CLIENT_CERTIFICATE`.",
				Optional:            true, Sensitive: true,
			},
			"client_certificate_path": schema.StringAttribute{
				MarkdownDescription: "Path of a PFX or PEM file with the client certificate and its private key. Environment: `M365_CLIENT_CERTIFICATE_PATH` or `ARM_CLIENT_CERTIFICATE_PATH`.",
				Optional:            true,
			},
			"client_certificate_password": schema.StringAttribute{
				MarkdownDescription: "Password of the client certificate, if it has one. Environment: `M365_CLIENT_CERTIFICATE_PASSWORD` or `ARM_CLIENT_CERTIFICATE_PASSWORD`.",
				Optional:            true, Sensitive: true,
			},
			"use_oidc": schema.BoolAttribute{
				MarkdownDescription: "Authenticate with workload identity federation (OIDC): an ID token from a trusted issuer, such as GitHub Actions, exchanged for an access token. Environment: `M365_USE_OIDC` or `ARM_USE_OIDC`.",
				Optional:            true,
			},
			"oidc_token": schema.StringAttribute{
				MarkdownDescription: "The ID token for OIDC authentication. Environment: `M365_OIDC_TOKEN` or `ARM_OIDC_TOKEN`.",
				Optional:            true, Sensitive: true,
			},
			"oidc_token_file_path": schema.StringAttribute{
				MarkdownDescription: "A file holding the ID token for OIDC authentication, read on every token request (Kubernetes workload identity rotates it). Environment: `M365_OIDC_TOKEN_FILE_PATH`, `ARM_OIDC_TOKEN_FILE_PATH` or `AZURE_FEDERATED_TOKEN_FILE`.",
				Optional:            true,
			},
			"oidc_request_url": schema.StringAttribute{
				MarkdownDescription: "The URL to request an ID token from (GitHub Actions: `ACTIONS_ID_TOKEN_REQUEST_URL`), asked for audience `api://AzureADTokenExchange`. Environment: `M365_OIDC_REQUEST_URL`, `ARM_OIDC_REQUEST_URL` or `ACTIONS_ID_TOKEN_REQUEST_URL`. Must be https (the request carries `oidc_request_token`).",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^(?i)https://[^/?#\s]+`), "must be an https URL (the request carries oidc_request_token)")},
			},
			"oidc_request_token": schema.StringAttribute{
				MarkdownDescription: "The bearer token for `oidc_request_url` (GitHub Actions: `ACTIONS_ID_TOKEN_REQUEST_TOKEN`). Environment: `M365_OIDC_REQUEST_TOKEN`, `ARM_OIDC_REQUEST_TOKEN` or `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.",
				Optional:            true, Sensitive: true,
			},
			"use_msi": schema.BoolAttribute{
				MarkdownDescription: "Authenticate as the managed identity of the machine or service running Terraform; `client_id` selects a user-assigned identity. Environment: `M365_USE_MSI` or `ARM_USE_MSI`.",
				Optional:            true,
			},
			"use_cli": schema.BoolAttribute{
				MarkdownDescription: "Authenticate with the account signed in to the Azure CLI (`az account get-access-token`). Environment: `M365_USE_CLI` or `ARM_USE_CLI`.",
				Optional:            true,
			},
			"environment": schema.StringAttribute{
				MarkdownDescription: "The Microsoft cloud: " + backticked(envNames) + " (GCC High is `usgovernment`, DoD is `dod`, 21Vianet is `china`). Defaults to `public`. Environment: `M365_ENVIRONMENT` or `ARM_ENVIRONMENT`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(envNames...)},
			},
			"ca_file": schema.StringAttribute{
				MarkdownDescription: "Path of a PEM file with extra certificate authorities to trust, besides the system's: for TLS-inspecting proxies, and for the m365sim emulator. Environment: `M365_CA_FILE`.",
				Optional:            true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a throttled (429) or unavailable (503/504) request is retried, honouring `Retry-After`: exactly this many, and `0` turns retrying off. Default 5. (A request answered 401 is sent once more with a new token, whatever this says.) Environment: `M365_MAX_RETRIES`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, 10)},
			},
			"max_retry_wait_seconds": schema.Int64Attribute{
				MarkdownDescription: "The most time, in seconds, spent waiting between retries of one request. Default 120. Environment: `M365_MAX_RETRY_WAIT_SECONDS`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, 3600)},
			},
		},
		Blocks: map[string]schema.Block{
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Override the service hosts (base URLs, https only), for proxies or the m365sim emulator. Token audiences stay those of `environment`.",
				Attributes: map[string]schema.Attribute{
					"login":      schema.StringAttribute{Optional: true, MarkdownDescription: "Microsoft Entra login (authority host), e.g. `https://login.microsoftonline.com/`. Environment: `M365_LOGIN_ENDPOINT`."},
					"graph":      schema.StringAttribute{Optional: true, MarkdownDescription: "Microsoft Graph, without `/v1.0`, e.g. `https://graph.microsoft.com`. Environment: `M365_GRAPH_ENDPOINT`."},
					"exchange":   schema.StringAttribute{Optional: true, MarkdownDescription: "Exchange Online, e.g. `https://outlook.office365.com`. Environment: `M365_EXCHANGE_ENDPOINT`."},
					"compliance": schema.StringAttribute{Optional: true, MarkdownDescription: "Security & Compliance, e.g. `https://ps.compliance.protection.outlook.com`. Environment: `M365_COMPLIANCE_ENDPOINT`."},
					"compliance_regional_hosts": schema.ListAttribute{
						ElementType: types.StringType, Optional: true,
						MarkdownDescription: "The hosts Security & Compliance may redirect to, and the only ones besides `compliance` that receive its access token: `host`, `host:port`, or `*.domain` for any subdomain (port 443). Security & Compliance answers a tenant's first call with a redirect to its regional host. Replaces the environment's list (public cloud: `*.ps.compliance.protection.outlook.com`). Environment: `M365_COMPLIANCE_REGIONAL_HOSTS` (comma-separated).",
						Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.RegexMatches(regionalHostRe, "must be host, host:port or *.domain"))},
					},
				},
			},
		},
	}
}

func backticked(s []string) string {
	q := make([]string, len(s))
	for i := range s {
		q[i] = "`" + s[i] + "`"
	}
	return strings.Join(q, ", ")
}

type providerModel struct {
	TenantID                  types.String    `tfsdk:"tenant_id"`
	ClientID                  types.String    `tfsdk:"client_id"`
	ClientSecret              types.String    `tfsdk:"client_secret"`
	ClientCertificate         types.String    `tfsdk:"client_certificate"`
	ClientCertificatePath     types.String    `tfsdk:"client_certificate_path"`
	ClientCertificatePassword types.String    `tfsdk:"client_certificate_password"`
	UseOIDC                   types.Bool      `tfsdk:"use_oidc"`
	OIDCToken                 types.String    `tfsdk:"oidc_token"`
	OIDCTokenFilePath         types.String    `tfsdk:"oidc_token_file_path"`
	OIDCRequestURL            types.String    `tfsdk:"oidc_request_url"`
	OIDCRequestToken          types.String    `tfsdk:"oidc_request_token"`
	UseMSI                    types.Bool      `tfsdk:"use_msi"`
	UseCLI                    types.Bool      `tfsdk:"use_cli"`
	Environment               types.String    `tfsdk:"environment"`
	CAFile                    types.String    `tfsdk:"ca_file"`
	MaxRetries                types.Int64     `tfsdk:"max_retries"`
	MaxRetryWaitSeconds       types.Int64     `tfsdk:"max_retry_wait_seconds"`
	Endpoints                 *endpointsModel `tfsdk:"endpoints"`
}

type endpointsModel struct {
	Login                   types.String `tfsdk:"login"`
	Graph                   types.String `tfsdk:"graph"`
	Exchange                types.String `tfsdk:"exchange"`
	Compliance              types.String `tfsdk:"compliance"`
	ComplianceRegionalHosts types.List   `tfsdk:"compliance_regional_hosts"`
}

// regionalHostRe is a host, host:port or *.domain.
var regionalHostRe = regexp.MustCompile(`^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$`)

// str returns the configured value, else the first environment variable set.
func str(v types.String, envs ...string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	for _, e := range envs {
		if s := os.Getenv(e); s != "" {
			return s
		}
	}
	return ""
}

func boolean(v types.Bool, envs ...string) bool {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool()
	}
	for _, e := range envs {
		if s := os.Getenv(e); s != "" {
			b, _ := strconv.ParseBool(s)
			return b
		}
	}
	return false
}

func integer(v types.Int64, def int64, envs ...string) int64 {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueInt64()
	}
	for _, e := range envs {
		if s := os.Getenv(e); s != "" {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n
			}
		}
	}
	return def
}

// authFromConfig reads the authentication attributes. When the configuration
// names any method, methods set only in the environment are ignored, so a
// pipeline's ARM_* variables never clash with an explicit configuration.
func authFromConfig(m providerModel) auth.Config {
	fromConfig := auth.Config{
		ClientSecret:          m.ClientSecret.ValueString(),
		ClientCertificate:     m.ClientCertificate.ValueString(),
		ClientCertificatePath: m.ClientCertificatePath.ValueString(),
		UseOIDC:               m.UseOIDC.ValueBool(),
		UseMSI:                m.UseMSI.ValueBool(),
		UseCLI:                m.UseCLI.ValueBool(),
	}
	c := auth.Config{
		TenantID:                  str(m.TenantID, "M365_TENANT_ID", "ARM_TENANT_ID"),
		ClientID:                  str(m.ClientID, "M365_CLIENT_ID", "ARM_CLIENT_ID"),
		ClientCertificatePassword: str(m.ClientCertificatePassword, "M365_CLIENT_CERTIFICATE_PASSWORD", "ARM_CLIENT_CERTIFICATE_PASSWORD"),
		OIDCToken:                 str(m.OIDCToken, "M365_OIDC_TOKEN", "ARM_OIDC_TOKEN"),
		OIDCTokenFilePath:         str(m.OIDCTokenFilePath, "M365_OIDC_TOKEN_FILE_PATH", "ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE"),
		OIDCRequestURL:            str(m.OIDCRequestURL, "M365_OIDC_REQUEST_URL", "ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"),
		OIDCRequestToken:          str(m.OIDCRequestToken, "M365_OIDC_REQUEST_TOKEN", "ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
	}
	namesMethod := fromConfig.ClientSecret != "" || fromConfig.ClientCertificate != "" || fromConfig.ClientCertificatePath != "" ||
		fromConfig.UseOIDC || fromConfig.UseMSI || fromConfig.UseCLI
	if namesMethod {
		c.ClientSecret, c.ClientCertificate, c.ClientCertificatePath = fromConfig.ClientSecret, fromConfig.ClientCertificate, fromConfig.ClientCertificatePath
		c.UseOIDC, c.UseMSI, c.UseCLI = fromConfig.UseOIDC, fromConfig.UseMSI, fromConfig.UseCLI
		return c
	}
	c.ClientSecret = str(m.ClientSecret, "M365_CLIENT_SECRET", "ARM_CLIENT_SECRET")
	c.ClientCertificate = str(m.ClientCertificate, "M365_CLIENT_CERTIFICATE", "ARM_CLIENT_CERTIFICATE")
	c.ClientCertificatePath = str(m.ClientCertificatePath, "M365_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_CERTIFICATE_PATH")
	c.UseOIDC = boolean(m.UseOIDC, "M365_USE_OIDC", "ARM_USE_OIDC")
	c.UseMSI = boolean(m.UseMSI, "M365_USE_MSI", "ARM_USE_MSI")
	c.UseCLI = boolean(m.UseCLI, "M365_USE_CLI", "ARM_USE_CLI")
	return c
}

// UserAgent is the User-Agent the provider sends to Microsoft Graph,
// Exchange Online and Security & Compliance:
// "m365harden/{provider version} terraform/{Terraform CLI version}". An
// unknown Terraform version (a client that does not send one) is "unknown".
func UserAgent(providerVersion, terraformVersion string) string {
	if providerVersion == "" {
		providerVersion = "dev"
	}
	if terraformVersion == "" {
		terraformVersion = "unknown"
	}
	return "m365harden/" + providerVersion + " terraform/" + terraformVersion
}

func (p *m365hardenProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Values unknown until apply: leave the provider unconfigured for now.
	for _, v := range []interface{ IsUnknown() bool }{m.TenantID, m.ClientID, m.ClientSecret, m.ClientCertificate, m.ClientCertificatePath, m.OIDCToken, m.CAFile} {
		if v.IsUnknown() {
			return
		}
	}
	a := authFromConfig(m)
	if a.TenantID == "" {
		resp.Diagnostics.AddAttributeError(path.Root("tenant_id"), "Missing tenant_id", "Set tenant_id, or the M365_TENANT_ID / ARM_TENANT_ID environment variable, to the Microsoft Entra tenant ID (a GUID).")
	}
	if a.ClientID == "" && !a.UseMSI && !a.UseCLI {
		resp.Diagnostics.AddAttributeError(path.Root("client_id"), "Missing client_id", "Set client_id, or the M365_CLIENT_ID / ARM_CLIENT_ID environment variable, to the application (client) ID of the app registration.")
	}
	if _, err := a.Method(); err != nil {
		resp.Diagnostics.AddError("Authentication is not configured correctly", err.Error())
	}
	if resp.Diagnostics.HasError() {
		return
	}
	cfg := clients.Config{
		Auth:         a,
		Environment:  str(m.Environment, "M365_ENVIRONMENT", "ARM_ENVIRONMENT"),
		CAFile:       str(m.CAFile, "M365_CA_FILE"),
		MaxRetries:   int(integer(m.MaxRetries, 5, "M365_MAX_RETRIES")),
		MaxRetryWait: time.Duration(integer(m.MaxRetryWaitSeconds, 120, "M365_MAX_RETRY_WAIT_SECONDS")) * time.Second,
		UserAgent:    UserAgent(p.version, req.TerraformVersion),
	}
	ep := endpointsModel{}
	if m.Endpoints != nil {
		ep = *m.Endpoints
	}
	cfg.LoginURL = str(ep.Login, "M365_LOGIN_ENDPOINT")
	cfg.GraphURL = str(ep.Graph, "M365_GRAPH_ENDPOINT")
	cfg.ExchangeURL = str(ep.Exchange, "M365_EXCHANGE_ENDPOINT")
	cfg.ComplianceURL = str(ep.Compliance, "M365_COMPLIANCE_ENDPOINT")
	switch {
	case !ep.ComplianceRegionalHosts.IsNull() && !ep.ComplianceRegionalHosts.IsUnknown():
		hosts := []string{}
		resp.Diagnostics.Append(ep.ComplianceRegionalHosts.ElementsAs(ctx, &hosts, false)...)
		cfg.ComplianceRegionalHosts = hosts
	case os.Getenv("M365_COMPLIANCE_REGIONAL_HOSTS") != "":
		cfg.ComplianceRegionalHosts = []string{}
		for _, h := range strings.Split(os.Getenv("M365_COMPLIANCE_REGIONAL_HOSTS"), ",") {
			if h = strings.TrimSpace(h); h != "" {
				cfg.ComplianceRegionalHosts = append(cfg.ComplianceRegionalHosts, h)
			}
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Environment == "" {
		cfg.Environment = "public"
	}

	method, _ := a.Method()
	tflog.Info(ctx, "configuring m365harden", map[string]any{"tenant_id": a.TenantID, "client_id": a.ClientID, "auth_method": method, "environment": cfg.Environment})
	set, err := clients.New(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Could not configure the m365harden provider", err.Error())
		return
	}
	resp.DataSourceData = set
	resp.ResourceData = set
}

func (p *m365hardenProvider) Resources(_ context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	out = append(out, audit.Resources()...)
	out = append(out, alerts.Resources()...)
	out = append(out, mailflow.Resources()...)
	out = append(out, mailsec.Resources()...)
	out = append(out, identity.Resources()...)
	out = append(out, defender.Resources()...)
	return out
}

func (p *m365hardenProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	var out []func() datasource.DataSource
	out = append(out, audit.DataSources()...)
	out = append(out, alerts.DataSources()...)
	out = append(out, mailflow.DataSources()...)
	out = append(out, mailsec.DataSources()...)
	out = append(out, signins.DataSources()...)
	out = append(out, identity.DataSources()...)
	out = append(out, posture.DataSources()...)
	// List data sources returning import IDs, for adopting a tenant.
	out = append(out, audit.ImportIDDataSources()...)
	out = append(out, mailflow.ImportIDDataSources()...)
	out = append(out, mailsec.ImportIDDataSources()...)
	out = append(out, identity.ImportIDDataSources()...)
	out = append(out, defender.ImportIDDataSources()...)
	return out
}
