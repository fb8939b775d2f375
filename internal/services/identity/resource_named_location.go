package identity

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure        = &namedLocationResource{}
	_ resource.ResourceWithImportState      = &namedLocationResource{}
	_ resource.ResourceWithConfigValidators = &namedLocationResource{}
)

// countryLookupMethods are countryLookupMethodType's members
// (https://learn.microsoft.com/en-us/graph/api/resources/countrynamedlocation).
var countryLookupMethods = []string{"clientIpAddress", "authenticatorAppGps"}

var countryCodeRe = regexp.MustCompile(`^[A-Z]{2}$`)

// NewNamedLocationResource returns the m365harden_named_location resource.
func NewNamedLocationResource() resource.Resource { return &namedLocationResource{} }

type namedLocationResource struct {
	clients *clients.Set
}

type namedLocationModel struct {
	ID          types.String          `tfsdk:"id"`
	DisplayName types.String          `tfsdk:"display_name"`
	Country     *countryLocationModel `tfsdk:"country"`
	IP          *ipLocationModel      `tfsdk:"ip"`
	Timeouts    timeouts.Value        `tfsdk:"timeouts"`
}

type countryLocationModel struct {
	CountriesAndRegions types.Set    `tfsdk:"countries_and_regions"`
	IncludeUnknown      types.Bool   `tfsdk:"include_unknown_countries_and_regions"`
	CountryLookupMethod types.String `tfsdk:"country_lookup_method"`
}

type ipLocationModel struct {
	IPRanges  types.Set  `tfsdk:"ip_ranges"`
	IsTrusted types.Bool `tfsdk:"is_trusted"`
}

func (r *namedLocationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_named_location"
}

// replaceOnKindChange replaces the location when it turns from a country
// location into an IP location or back: Graph cannot change a location's
// @odata.type.
func replaceOnKindChange() planmodifier.Object {
	return objectplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.ObjectRequest, resp *objectplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = !req.State.Raw.IsNull() && req.StateValue.IsNull() != req.PlanValue.IsNull()
	}, "Switching between a country and an IP location replaces it.", "Switching between a country and an IP location replaces it.")
}

func (r *namedLocationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Microsoft Entra named location (Microsoft Graph v1.0 `/identity/conditionalAccess/namedLocations`) for Conditional Access policies: a **country location** (`countryNamedLocation`) — e.g. the countries your users sign in from, so a policy can block every other country — or an **IP location** (`ipNamedLocation`) with CIDR ranges, optionally trusted. Set exactly one of `country` and `ip`; switching between them replaces the location.\n\n" +
			"Destroying the resource deletes the location. Graph refuses to delete a location a Conditional Access policy still names; a trusted IP location is first set untrusted, then deleted.",
		Attributes: map[string]schema.Attribute{
			"timeouts": common.TimeoutsAttribute(),
			"id": schema.StringAttribute{
				MarkdownDescription: "The location's ID (Graph `id`): use it in `m365harden_conditional_access_policy` `conditions.locations`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: "The location's name (Graph `displayName`). Graph does not require names to be unique; import by name needs exactly one match.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 256)},
			},
			"country": schema.SingleNestedAttribute{
				MarkdownDescription: "A country location (Graph `#microsoft.graph.countryNamedLocation`).",
				Optional:            true,
				PlanModifiers:       []planmodifier.Object{replaceOnKindChange()},
				Attributes: map[string]schema.Attribute{
					"countries_and_regions": schema.SetAttribute{
						MarkdownDescription: "Two-letter ISO 3166 country or region codes, upper case (Graph `countriesAndRegions`), e.g. `[\"DE\", \"FR\"]`.",
						ElementType:         types.StringType,
						Required:            true,
						Validators: []validator.Set{setvalidator.SizeAtLeast(1),
							setvalidator.ValueStringsAre(stringvalidator.RegexMatches(countryCodeRe, "must be a two-letter upper-case ISO 3166 code such as \"DE\""))},
					},
					"include_unknown_countries_and_regions": schema.BoolAttribute{
						MarkdownDescription: "Whether IP addresses that map to no country or region belong to the location (Graph `includeUnknownCountriesAndRegions`). Default `false`.",
						Optional:            true, Computed: true,
						Default: booldefault.StaticBool(false),
					},
					"country_lookup_method": schema.StringAttribute{
						MarkdownDescription: "How the user's country is determined (Graph `countryLookupMethod`): " + quoteList(countryLookupMethods) + ". Default `clientIpAddress`.",
						Optional:            true, Computed: true,
						Default:    stringdefault.StaticString("clientIpAddress"),
						Validators: []validator.String{stringvalidator.OneOf(countryLookupMethods...)},
					},
				},
			},
			"ip": schema.SingleNestedAttribute{
				MarkdownDescription: "An IP location (Graph `#microsoft.graph.ipNamedLocation`).",
				Optional:            true,
				PlanModifiers:       []planmodifier.Object{replaceOnKindChange()},
				Attributes: map[string]schema.Attribute{
					"ip_ranges": schema.SetAttribute{
						MarkdownDescription: "IPv4 and IPv6 ranges in CIDR notation (Graph `ipRanges`, each an `iPv4CidrRange` or `iPv6CidrRange` `cidrAddress`), written as the network address, e.g. `203.0.113.0/24` or `2001:db8::/48`.",
						ElementType:         types.StringType,
						Required:            true,
						Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(cidrValidator{})},
					},
					"is_trusted": schema.BoolAttribute{
						MarkdownDescription: "Whether the location is trusted (Graph `isTrusted`): trusted locations make up `AllTrusted` in Conditional Access and lower sign-in risk. Default `false`.",
						Optional:            true, Computed: true,
						Default: booldefault.StaticBool(false),
					},
				},
			},
		},
	}
}

func (r *namedLocationResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{resourcevalidator.ExactlyOneOf(path.MatchRoot("country"), path.MatchRoot("ip"))}
}

func (r *namedLocationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// cidrValidator accepts a CIDR range written as its network address in
// canonical form, so what Graph reports back compares equal.
type cidrValidator struct{}

func (cidrValidator) Description(context.Context) string {
	return "must be an IPv4 or IPv6 range in CIDR notation, written as the network address"
}
func (v cidrValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (cidrValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := cidrProblem(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid IP range", msg)
	}
}

func cidrProblem(s string) string {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return fmt.Sprintf("%q is not an IPv4 or IPv6 range in CIDR notation (e.g. 203.0.113.0/24 or 2001:db8::/48).", s)
	}
	if p.Addr().Is4In6() {
		return fmt.Sprintf("%q is an IPv4-mapped IPv6 range: write the IPv4 range instead.", s)
	}
	if m := p.Masked(); m.String() != s {
		return fmt.Sprintf("%q is not written as its network address: use %q.", s, m.String())
	}
	return ""
}

func (m *namedLocationModel) toAPI(ctx context.Context, diags *diag.Diagnostics) *graph.NamedLocation {
	l := &graph.NamedLocation{DisplayName: m.DisplayName.ValueString()}
	if c := m.Country; c != nil {
		l.Country = &graph.CountryLocation{
			CountriesAndRegions:               setStrings(ctx, c.CountriesAndRegions, diags),
			IncludeUnknownCountriesAndRegions: c.IncludeUnknown.ValueBool(),
			CountryLookupMethod:               c.CountryLookupMethod.ValueString(),
		}
		slices.Sort(l.Country.CountriesAndRegions)
	}
	if ip := m.IP; ip != nil {
		l.IP = &graph.IPLocation{IPRanges: setStrings(ctx, ip.IPRanges, diags), IsTrusted: ip.IsTrusted.ValueBool()}
		slices.Sort(l.IP.IPRanges)
	}
	return l
}

func namedLocationFromAPI(ctx context.Context, l *graph.NamedLocation, prior *timeouts.Value, diags *diag.Diagnostics) *namedLocationModel {
	m := &namedLocationModel{ID: types.StringValue(l.ID), DisplayName: types.StringValue(l.DisplayName), Timeouts: common.KeepTimeouts(prior)}
	if c := l.Country; c != nil {
		m.Country = &countryLocationModel{
			CountriesAndRegions: stringSet(ctx, c.CountriesAndRegions, diags),
			IncludeUnknown:      types.BoolValue(c.IncludeUnknownCountriesAndRegions),
			CountryLookupMethod: types.StringValue(c.CountryLookupMethod),
		}
	}
	if ip := l.IP; ip != nil {
		m.IP = &ipLocationModel{IPRanges: stringSet(ctx, ip.IPRanges, diags), IsTrusted: types.BoolValue(ip.IsTrusted)}
	}
	return m
}

// sameLocation compares what the resource manages.
func sameLocation(a, b *graph.NamedLocation) bool {
	if a.DisplayName != b.DisplayName || (a.Country == nil) != (b.Country == nil) || (a.IP == nil) != (b.IP == nil) {
		return false
	}
	sorted := func(v []string) []string { v = slices.Clone(v); slices.Sort(v); return v }
	if a.Country != nil {
		return slices.Equal(sorted(a.Country.CountriesAndRegions), sorted(b.Country.CountriesAndRegions)) &&
			a.Country.IncludeUnknownCountriesAndRegions == b.Country.IncludeUnknownCountriesAndRegions &&
			a.Country.CountryLookupMethod == b.Country.CountryLookupMethod
	}
	if a.IP != nil {
		return slices.Equal(sorted(a.IP.IPRanges), sorted(b.IP.IPRanges)) && a.IP.IsTrusted == b.IP.IsTrusted
	}
	return true
}

func nlAPIError(diags *diag.Diagnostics, summary string, err error) {
	switch {
	case errors.Is(err, graph.ErrForbidden):
		diags.AddError(summary, "Permission problem: the app needs the Microsoft Graph application permissions Policy.Read.All (to read) and Policy.ReadWrite.ConditionalAccess together with Policy.Read.All (to write), with admin consent.\n\n"+err.Error())
	case errors.Is(err, graph.ErrLicence):
		diags.AddError(summary, "Named locations are part of Conditional Access, which needs Microsoft Entra ID P1 in the tenant.\n\n"+err.Error())
	default:
		common.AddAPIError(diags, summary, err)
	}
}

// waitFor polls until reads show want.
func (r *namedLocationResource) waitFor(ctx context.Context, id string, want *graph.NamedLocation) (*graph.NamedLocation, error) {
	var got *graph.NamedLocation
	err := wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		l, err := r.clients.Graph.GetNamedLocation(ctx, id)
		if graph.IsNotFound(err) {
			return wait.NotYet("the location is not visible yet")
		}
		if err != nil {
			return err
		}
		if !sameLocation(l, want) {
			return wait.NotYet("reads still show the previous version")
		}
		got = l
		return nil
	})
	return got, err
}

func (r *namedLocationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan namedLocationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	want := plan.toAPI(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "create", &resp.Diagnostics)
	// Graph allows several named locations with one name; this resource
	// does not, so that a create can be recognised after an ambiguous
	// failure.
	uniqueCreate[*graph.NamedLocation]{
		what: "named location", name: want.DisplayName,
		list:   r.clients.Graph.ListNamedLocations,
		nameOf: func(l *graph.NamedLocation) string { return l.DisplayName },
		idOf:   func(l *graph.NamedLocation) string { return l.ID },
		post: func(ctx context.Context) (*graph.NamedLocation, error) {
			return r.clients.Graph.CreateNamedLocation(ctx, want)
		},
		record: func(ctx context.Context, created *graph.NamedLocation) {
			plan.ID = types.StringValue(created.ID)
			resp.Diagnostics.Append(common.SaveCreated(ctx, &resp.State, &plan)...)
		},
		wait: func(ctx context.Context, id string) error {
			got, err := r.waitFor(ctx, id, want)
			if err == nil {
				resp.Diagnostics.Append(resp.State.Set(ctx, namedLocationFromAPI(ctx, got, &plan.Timeouts, &resp.Diagnostics))...)
			}
			return err
		},
		report: nlAPIError,
		settle: r.clients.ConsistencyTimeout,
	}.run(ctx, &resp.Diagnostics)
}

func (r *namedLocationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var id types.String
	var tv timeouts.Value
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("timeouts"), &tv)...)
	if resp.Diagnostics.HasError() {
		return
	}
	l, err := r.clients.Graph.GetNamedLocation(ctx, id.ValueString())
	if graph.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Named location not found",
			fmt.Sprintf("Named location %s no longer exists; it was removed from state and will be created again on the next apply.", id.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		nlAPIError(&resp.Diagnostics, fmt.Sprintf("Reading named location %s failed", id.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, namedLocationFromAPI(ctx, l, &tv, &resp.Diagnostics))...)
}

func (r *namedLocationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if common.TimeoutsOnlyChange(req, resp) {
		return
	}
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var plan namedLocationModel
	var id types.String
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	want := plan.toAPI(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, plan.Timeouts, "update", &resp.Diagnostics)
	if err := r.clients.Graph.UpdateNamedLocation(ctx, id.ValueString(), want); err != nil {
		nlAPIError(&resp.Diagnostics, fmt.Sprintf("Updating named location %q (%s) failed", want.DisplayName, id.ValueString()), err)
		if cur, rerr := r.clients.Graph.GetNamedLocation(ctx, id.ValueString()); rerr == nil {
			resp.Diagnostics.Append(resp.State.Set(ctx, namedLocationFromAPI(ctx, cur, &plan.Timeouts, &resp.Diagnostics))...)
		}
		return
	}
	got, err := r.waitFor(ctx, id.ValueString(), want)
	if err != nil {
		nlAPIError(&resp.Diagnostics, fmt.Sprintf("Named location %q (%s) was updated but reads do not show the change yet", want.DisplayName, id.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, namedLocationFromAPI(ctx, got, &plan.Timeouts, &resp.Diagnostics))...)
}

func (r *namedLocationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var state namedLocationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = common.ConsistencyBudget(ctx, r.clients, state.Timeouts, "delete", &resp.Diagnostics)
	id := state.ID.ValueString()
	// Graph refuses to delete a trusted IP location: make it untrusted
	// first and wait until reads show that.
	cur, err := r.clients.Graph.GetNamedLocation(ctx, id)
	if graph.IsNotFound(err) {
		return
	}
	if err != nil {
		nlAPIError(&resp.Diagnostics, fmt.Sprintf("Reading named location %s before deleting it failed", id), err)
		return
	}
	if cur.IP != nil && cur.IP.IsTrusted {
		untrusted := *cur
		ip := *cur.IP
		ip.IsTrusted = false
		untrusted.IP = &ip
		if err := r.clients.Graph.UpdateNamedLocation(ctx, id, &untrusted); err != nil && !graph.IsNotFound(err) {
			nlAPIError(&resp.Diagnostics, fmt.Sprintf("Marking named location %s untrusted before deleting it failed", id), err)
			return
		}
		if _, err := r.waitFor(ctx, id, &untrusted); err != nil {
			nlAPIError(&resp.Diagnostics, fmt.Sprintf("Named location %s was marked untrusted but reads do not show it yet", id), err)
			return
		}
	}
	err = r.clients.Graph.DeleteNamedLocation(ctx, id)
	switch {
	case graph.IsNotFound(err):
		return
	case errors.Is(err, graph.ErrInUse):
		resp.Diagnostics.AddError(fmt.Sprintf("Deleting named location %s failed", id),
			"Microsoft Graph refused to delete the location, most likely because a Conditional Access policy still names it in its location condition. Remove it from those policies first (Terraform does this in order when the policy refers to this resource's id).\n\n"+err.Error())
		return
	case err != nil:
		nlAPIError(&resp.Diagnostics, fmt.Sprintf("Deleting named location %s failed", id), err)
		return
	}
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		_, err := r.clients.Graph.GetNamedLocation(ctx, id)
		switch {
		case graph.IsNotFound(err):
			return nil
		case err != nil:
			return err
		}
		return wait.NotYet("reads still show the location")
	})
	if err != nil {
		nlAPIError(&resp.Diagnostics, fmt.Sprintf("Named location %s was deleted but reads still show it", id), err)
	}
}

// ImportState takes the location's ID or its display name (exactly one
// location must have it).
func (r *namedLocationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	in := strings.TrimSpace(req.ID)
	if guidRe.MatchString(strings.ToLower(in)) {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), strings.ToLower(in))...)
		return
	}
	all, err := r.clients.Graph.ListNamedLocations(ctx)
	if err != nil {
		nlAPIError(&resp.Diagnostics, "Listing named locations to import "+in+" failed", err)
		return
	}
	var ids []string
	for _, l := range all {
		if l.DisplayName == in {
			ids = append(ids, l.ID)
		}
	}
	switch len(ids) {
	case 1:
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), ids[0])...)
	case 0:
		resp.Diagnostics.AddError("Named location not found",
			fmt.Sprintf("No named location has the ID or display name %q (import by the location's ID or its exact display name).", req.ID))
	default:
		resp.Diagnostics.AddError("Ambiguous display name",
			fmt.Sprintf("%d named locations are called %q (%s): import by ID.", len(ids), in, strings.Join(ids, ", ")))
	}
}
