package signins

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

var (
	_ datasource.DataSourceWithConfigure      = &failedSignInsDataSource{}
	_ datasource.DataSourceWithValidateConfig = &failedSignInsDataSource{}
)

// NewFailedSignInsDataSource returns the m365harden_failed_sign_ins data source.
func NewFailedSignInsDataSource() datasource.DataSource { return &failedSignInsDataSource{} }

type failedSignInsDataSource struct {
	clients *clients.Set
}

func (d *failedSignInsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_failed_sign_ins"
}

var countryCodeValidator = stringvalidator.RegexMatches(regexpCountry, "must be a two-letter ISO 3166 country code in upper case, e.g. US")

func (d *failedSignInsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := windowAttributes("createdDateTime")
	for k, v := range map[string]schema.Attribute{
		"id": str("The window and filter read, for reference."),
		"user_principal_names": schema.SetAttribute{
			MarkdownDescription: "Only these users (`userPrincipalName eq ...` in the Graph `$filter`).",
			Optional:            true, ElementType: types.StringType,
			Validators: []validator.Set{setvalidator.SizeAtMost(50), setvalidator.ValueStringsAre(stringvalidator.LengthBetween(3, 256))},
		},
		"app_display_names": schema.SetAttribute{
			MarkdownDescription: "Only sign-ins to these applications (`appDisplayName eq ...`).",
			Optional:            true, ElementType: types.StringType,
			Validators: []validator.Set{setvalidator.SizeAtMost(50), setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
		},
		"ip_addresses": schema.SetAttribute{
			MarkdownDescription: "Only sign-ins from these IP addresses (`ipAddress eq ...`).",
			Optional:            true, ElementType: types.StringType,
			Validators: []validator.Set{setvalidator.SizeAtMost(50), setvalidator.ValueStringsAre(ipAddressValidator{})},
		},
		"error_codes": schema.SetAttribute{
			MarkdownDescription: "Only these Microsoft Entra error codes (`status/errorCode eq ...`), e.g. `[50126, 50053]`. Default: every failure (`status/errorCode ne 0`).",
			Optional:            true, ElementType: types.Int64Type,
			Validators: []validator.Set{setvalidator.SizeAtMost(50), setvalidator.ValueInt64sAre(int64validator.Between(1, 9999999))},
		},
		"expected_countries": schema.SetAttribute{
			MarkdownDescription: "Two-letter country codes the tenant's users sign in from. Failures from any other country are reported in `unexpected_countries`. Default: not set, no country check.",
			Optional:            true, ElementType: types.StringType,
			Validators: []validator.Set{setvalidator.ValueStringsAre(countryCodeValidator)},
		},
		"max_events": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("How many of the newest failed sign-ins `events` holds (0 to 10000, default %d). The aggregates and patterns always cover the whole window.", defaultMaxEvents),
			Optional:            true,
			Validators:          []validator.Int64{int64validator.Between(0, 10000)},
		},
		"spray_min_users": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("A password spray is reported when at least this many distinct users failed from one IP address in the window (2 to 10000, default %d).", defaultSprayMinUsers),
			Optional:            true,
			Validators:          []validator.Int64{int64validator.Between(2, 10000)},
		},
		"brute_force_min_failures": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("A brute force is reported when one user has at least this many failures in the window (2 to 100000, default %d).", defaultBruteForceMinFailures),
			Optional:            true,
			Validators:          []validator.Int64{int64validator.Between(2, 100000)},
		},
		"aggregate_limit": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("How many rows each `by_*` list keeps, largest counts first (1 to 1000, default %d).", defaultAggregateLimit),
			Optional:            true,
			Validators:          []validator.Int64{int64validator.Between(1, 1000)},
		},
		"licensed": schema.BoolAttribute{
			MarkdownDescription: "False when the tenant has no Microsoft Entra ID P1/P2 licence and Graph refused to read sign-in logs (a warning says so; every result is then empty).",
			Computed:            true,
		},
		"graph_filter":   str("The `$filter` sent to Microsoft Graph."),
		"pages_read":     num("How many pages Graph returned (each holds up to 1,000 sign-ins)."),
		"total_failed":   num("Failed sign-ins in the window matching the filters."),
		"distinct_users": num("Distinct users among them."),
		"distinct_ips":   num("Distinct IP addresses among them."),
		"events":         eventsAttribute("The newest failed sign-ins, newest first, at most `max_events`."),
		"by_user":        countsAttribute("Failures per user (`key` is the user principal name), largest first."),
		"by_ip":          countsAttribute("Failures per IP address, largest first."),
		"by_country":     countsAttribute("Failures per two-letter country code, largest first."),
		"by_error_code":  countsAttribute("Failures per Microsoft Entra error code, largest first."),
		"password_sprays": schema.ListNestedAttribute{
			MarkdownDescription: "IP addresses from which at least `spray_min_users` distinct users failed to sign in: the shape of a password spray (one password tried on many accounts). Most users first.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"ip_address":    str("The source address."),
				"country":       str("Its country code."),
				"user_count":    num("Distinct users that failed from it."),
				"failure_count": num("Failures from it."),
				"first_seen":    str("First failure (RFC 3339)."),
				"last_seen":     str("Last failure (RFC 3339)."),
				"users":         strList(fmt.Sprintf("The users, sorted (at most %d).", evidenceLimit)),
			}},
		},
		"brute_forces": schema.ListNestedAttribute{
			MarkdownDescription: "Users with at least `brute_force_min_failures` failures: the shape of a brute-force attack on one account. Most failures first.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"user_principal_name": str("The user attacked."),
				"failure_count":       num("Their failures in the window."),
				"ip_addresses":        strList(fmt.Sprintf("Source addresses, sorted (at most %d).", evidenceLimit)),
				"countries":           strList("Source countries, sorted."),
				"locked_out":          schema.BoolAttribute{MarkdownDescription: "Whether smart lockout locked the account (error 50053 seen).", Computed: true},
				"first_seen":          str("First failure (RFC 3339)."),
				"last_seen":           str("Last failure (RFC 3339)."),
			}},
		},
		"unexpected_countries": schema.ListNestedAttribute{
			MarkdownDescription: "Countries outside `expected_countries` that failed sign-ins came from (empty when `expected_countries` is not set). Most failures first.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"country":       str("Two-letter country code."),
				"failure_count": num("Failures from it."),
				"user_count":    num("Distinct users."),
				"users":         strList(fmt.Sprintf("The users, sorted (at most %d).", evidenceLimit)),
				"ip_addresses":  strList(fmt.Sprintf("Source addresses, sorted (at most %d).", evidenceLimit)),
			}},
		},
	} {
		attrs[k] = v
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Failed sign-ins in a time window from the Microsoft Entra sign-in logs (Microsoft Graph `GET /auditLogs/signIns` with `status/errorCode ne 0`), with counts by user, IP address, country and error code over the whole window, and the attack patterns they show: password sprays (many users failing from one address), brute force (many failures on one user) and failures from unexpected countries.\n\n" +
			"Filters are sent to Graph, pages are read at the service maximum (1,000) and paced under the reports throttle (5 requests per 10 seconds per app per tenant), and only `max_events` events are kept, so a large window costs time, not memory. Needs the `AuditLog.Read.All` and `Directory.Read.All` application permissions and a Microsoft Entra ID P1 or P2 licence.",
		Attributes: attrs,
	}
}

func (d *failedSignInsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (d *failedSignInsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validateWindow(ctx, req, resp)
}

func (d *failedSignInsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m failedSignInsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	start, end, ok := m.windowModel.resolve(time.Now(), &resp.Diagnostics)
	if !ok {
		return
	}
	codes := setInts(ctx, m.ErrorCodes, &resp.Diagnostics)
	failed := "status/errorCode ne 0"
	if len(codes) > 0 {
		failed = anyEqInt("status/errorCode", codes)
	}
	filter := allOf(windowFilter("createdDateTime", start, end), failed,
		anyEq("userPrincipalName", setStrings(ctx, m.UserPrincipalNames, &resp.Diagnostics)),
		anyEq("appDisplayName", setStrings(ctx, m.AppDisplayNames, &resp.Diagnostics)),
		anyEq("ipAddress", setStrings(ctx, m.IPAddresses, &resp.Diagnostics)))
	th := thresholds{
		sprayMinUsers:    intOr(m.SprayMinUsers, defaultSprayMinUsers),
		bruteMinFailures: intOr(m.BruteForceMinFailures, defaultBruteForceMinFailures),
		aggregateLimit:   intOr(m.AggregateLimit, defaultAggregateLimit),
	}
	if cs := setStrings(ctx, m.ExpectedCountries, &resp.Diagnostics); !m.ExpectedCountries.IsNull() {
		th.expectedCountries = map[string]bool{}
		for _, c := range cs {
			th.expectedCountries[strings.ToUpper(c)] = true
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	res, st, err := analyzeFailedSignIns(ctx, d.clients.Graph, filter, intOr(m.MaxEvents, defaultMaxEvents), th)
	m.Licensed = types.BoolValue(true)
	if err != nil {
		if !addReadError(&resp.Diagnostics, "sign-in logs", "P1", "AuditLog.Read.All and Directory.Read.All", err) {
			return
		}
		m.Licensed = types.BoolValue(false)
		res = newFailureAnalyzer(0).result(th)
	}
	m.ID = types.StringValue(rfc(start) + "/" + rfc(end))
	m.WindowStart, m.WindowEnd = types.StringValue(rfc(start)), types.StringValue(rfc(end))
	m.GraphFilter = types.StringValue(filter)
	m.PagesRead = types.Int64Value(int64(st.Pages))
	m.TotalFailed, m.DistinctUsers, m.DistinctIPs = types.Int64Value(res.Total), types.Int64Value(res.DistinctUsers), types.Int64Value(res.DistinctIPs)
	m.Events = nonNil(res.Events)
	m.ByUser, m.ByIP, m.ByCountry, m.ByErrorCode = nonNil(res.ByUser), nonNil(res.ByIP), nonNil(res.ByCountry), nonNil(res.ByErrorCode)
	m.PasswordSprays, m.BruteForces, m.UnexpectedCountries = nonNil(res.Sprays), nonNil(res.BruteForces), nonNil(res.Unexpected)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// analyzeFailedSignIns pages through the failed sign-ins matching filter
// and analyses them on the way.
func analyzeFailedSignIns(ctx context.Context, g *graph.Client, filter string, maxEvents int, th thresholds) (failureResult, graph.ListStats, error) {
	a := newFailureAnalyzer(maxEvents)
	st, err := g.EachSignIn(ctx, filter, func(s *graph.SignIn) error {
		a.add(s)
		return nil
	})
	if err != nil {
		return failureResult{}, st, err
	}
	return a.result(th), st, nil
}

func intOr(v types.Int64, def int) int {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return int(v.ValueInt64())
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type failedSignInsModel struct {
	windowModel
	ID                    types.String   `tfsdk:"id"`
	UserPrincipalNames    types.Set      `tfsdk:"user_principal_names"`
	AppDisplayNames       types.Set      `tfsdk:"app_display_names"`
	IPAddresses           types.Set      `tfsdk:"ip_addresses"`
	ErrorCodes            types.Set      `tfsdk:"error_codes"`
	ExpectedCountries     types.Set      `tfsdk:"expected_countries"`
	MaxEvents             types.Int64    `tfsdk:"max_events"`
	SprayMinUsers         types.Int64    `tfsdk:"spray_min_users"`
	BruteForceMinFailures types.Int64    `tfsdk:"brute_force_min_failures"`
	AggregateLimit        types.Int64    `tfsdk:"aggregate_limit"`
	Licensed              types.Bool     `tfsdk:"licensed"`
	GraphFilter           types.String   `tfsdk:"graph_filter"`
	PagesRead             types.Int64    `tfsdk:"pages_read"`
	TotalFailed           types.Int64    `tfsdk:"total_failed"`
	DistinctUsers         types.Int64    `tfsdk:"distinct_users"`
	DistinctIPs           types.Int64    `tfsdk:"distinct_ips"`
	Events                []eventModel   `tfsdk:"events"`
	ByUser                []countModel   `tfsdk:"by_user"`
	ByIP                  []countModel   `tfsdk:"by_ip"`
	ByCountry             []countModel   `tfsdk:"by_country"`
	ByErrorCode           []countModel   `tfsdk:"by_error_code"`
	PasswordSprays        []sprayModel   `tfsdk:"password_sprays"`
	BruteForces           []bruteModel   `tfsdk:"brute_forces"`
	UnexpectedCountries   []countryModel `tfsdk:"unexpected_countries"`
}
