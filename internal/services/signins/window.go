package signins

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// Microsoft Entra keeps sign-in logs and risk detections for 30 days with
// P1/P2 (https://learn.microsoft.com/en-us/entra/identity/monitoring-health/reference-reports-data-retention).
const maxLookback = 30 * 24 * time.Hour

const defaultLookback = "24h"

// Risk levels and states as Graph spells them
// (https://learn.microsoft.com/en-us/graph/api/resources/signin).
var (
	minRiskLevels   = []string{"low", "medium", "high"}
	riskLevelValues = []string{"low", "medium", "high", "hidden", "none"}
	riskStateValues = []string{"none", "confirmedSafe", "remediated", "dismissed", "atRisk", "confirmedCompromised"}
)

func quoted(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

var lookbackRe = regexp.MustCompile(`^(?:(\d+)d)?((?:\d+(?:\.\d+)?(?:h|m|s))*)$`)

// parseLookback parses a Go duration with an optional leading day count:
// "24h", "90m", "7d", "1d12h".
func parseLookback(s string) (time.Duration, error) {
	m := lookbackRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil || (m[1] == "" && m[2] == "") {
		return 0, fmt.Errorf("%q is not a duration: use hours, minutes or seconds as Go writes them (24h, 90m, 1h30m) with an optional leading day count (7d, 1d12h)", s)
	}
	var d time.Duration
	if m[1] != "" {
		days, err := strconv.Atoi(m[1])
		if err != nil || days > 30 {
			return 0, fmt.Errorf("%q is longer than the 30 days Microsoft Entra keeps sign-in logs", s)
		}
		d = time.Duration(days) * 24 * time.Hour
	}
	if m[2] != "" {
		rest, err := time.ParseDuration(m[2])
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration: %v", s, err)
		}
		d += rest
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be longer than zero", s)
	}
	if d > maxLookback {
		return 0, fmt.Errorf("%q is longer than the 30 days Microsoft Entra keeps sign-in logs", s)
	}
	return d, nil
}

type lookbackValidator struct{}

func (lookbackValidator) Description(context.Context) string {
	return "a duration such as 24h, 90m or 7d, at most 30 days"
}
func (v lookbackValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (lookbackValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseLookback(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid lookback", err.Error())
	}
}

type rfc3339Validator struct{}

func (rfc3339Validator) Description(context.Context) string {
	return "an RFC 3339 time such as 2026-11-30T08:00:00Z"
}
func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.RFC3339, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid time", fmt.Sprintf("%q is not an RFC 3339 time (for example 2026-11-30T08:00:00Z): %v", req.ConfigValue.ValueString(), err))
	}
}

// windowAttributes are the since / lookback / until arguments shared by the
// windowed data sources; what names the Graph property they filter on.
func windowAttributes(what string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"since": schema.StringAttribute{
			MarkdownDescription: "Start of the window, an RFC 3339 time (`" + what + " ge since` in the Graph `$filter`). Conflicts with `lookback`.",
			Optional:            true,
			Validators: []validator.String{
				rfc3339Validator{},
				stringvalidator.ConflictsWith(path.MatchRoot("lookback")),
			},
		},
		"lookback": schema.StringAttribute{
			MarkdownDescription: "Length of the window ending at `until`: a Go duration (`24h`, `90m`, `1h30m`) with an optional leading day count (`7d`, `1d12h`), at most 30 days (Microsoft Entra's retention). Defaults to `" + defaultLookback + "` when `since` is not set either.",
			Optional:            true,
			Validators:          []validator.String{lookbackValidator{}},
		},
		"until": schema.StringAttribute{
			MarkdownDescription: "End of the window, an RFC 3339 time (`" + what + " le until`). Defaults to the time of the read.",
			Optional:            true,
			Validators:          []validator.String{rfc3339Validator{}},
		},
		"window_start": schema.StringAttribute{
			MarkdownDescription: "The start of the window that was read (RFC 3339).",
			Computed:            true,
		},
		"window_end": schema.StringAttribute{
			MarkdownDescription: "The end of the window that was read (RFC 3339).",
			Computed:            true,
		},
	}
}

type windowModel struct {
	Since       types.String `tfsdk:"since"`
	Lookback    types.String `tfsdk:"lookback"`
	Until       types.String `tfsdk:"until"`
	WindowStart types.String `tfsdk:"window_start"`
	WindowEnd   types.String `tfsdk:"window_end"`
}

// resolve computes the window; with unknown values it reports nothing (the
// check runs again once they are known).
func (w *windowModel) resolve(now time.Time, diags *diag.Diagnostics) (start, end time.Time, ok bool) {
	if w.Since.IsUnknown() || w.Lookback.IsUnknown() || w.Until.IsUnknown() {
		return start, end, false
	}
	end = now.UTC()
	if !w.Until.IsNull() {
		t, err := time.Parse(time.RFC3339, w.Until.ValueString())
		if err != nil {
			return start, end, false // the validator reports it
		}
		end = t.UTC()
	}
	switch {
	case !w.Since.IsNull():
		t, err := time.Parse(time.RFC3339, w.Since.ValueString())
		if err != nil {
			return start, end, false
		}
		start = t.UTC()
	default:
		lb := defaultLookback
		if !w.Lookback.IsNull() {
			lb = w.Lookback.ValueString()
		}
		d, err := parseLookback(lb)
		if err != nil {
			return start, end, false
		}
		start = end.Add(-d)
	}
	// Graph refuses a createdDateTime lower bound older than the retention
	// window with 400 "Invalid filter clause" (microsoftgraph/microsoft-graph-docs#5676,
	// a maintainer on the minimum-date check); say so before any request.
	if oldest := now.UTC().Add(-maxLookback); !w.Since.IsNull() && start.Before(oldest) {
		diags.AddAttributeError(path.Root("since"), "since is older than the sign-in log retention",
			fmt.Sprintf("since = %s is older than %s: Microsoft Entra keeps sign-in logs and risk detections for 30 days (Entra ID P1/P2), and Graph refuses an older lower bound. Use a later since, or lookback of at most 30d.", start.Format(time.RFC3339), oldest.Format(time.RFC3339)))
		return start, end, false
	}
	if !start.Before(end) {
		diags.AddAttributeError(path.Root("since"), "Inverted window",
			fmt.Sprintf("The window starts at %s and ends at %s: since must be before until.", start.Format(time.RFC3339), end.Format(time.RFC3339)))
		return start, end, false
	}
	return start, end, true
}

// Filter building: every clause is sent to Graph.

func anyEq(property string, values []string) string {
	if len(values) == 0 {
		return ""
	}
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = property + " eq " + graph.ODataString(v)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " or ") + ")"
}

func anyEqInt(property string, values []int64) string {
	if len(values) == 0 {
		return ""
	}
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprintf("%s eq %d", property, v)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " or ") + ")"
}

func allOf(clauses ...string) string {
	var out []string
	for _, c := range clauses {
		if c != "" {
			out = append(out, c)
		}
	}
	return strings.Join(out, " and ")
}

func windowFilter(property string, start, end time.Time) string {
	return property + " ge " + graph.ODataTime(start) + " and " + property + " le " + graph.ODataTime(end)
}

func setStrings(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	return out
}

func setInts(ctx context.Context, s types.Set, diags *diag.Diagnostics) []int64 {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	var out []int64
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	return out
}

// addReadError turns a failed Graph listing into a diagnostic. A missing
// licence is a warning: the data source returns no findings and says so
// (licensed = false), and the rest of the plan goes on. A missing
// permission (classified by Graph's error code, never its text) is an error
// naming permission, the Microsoft Graph application permission to grant.
func addReadError(diags *diag.Diagnostics, what, licence, permission string, err error) (unlicensed bool) {
	if graph.IsLicence(err) {
		diags.AddWarning(fmt.Sprintf("%s: the tenant has no %s licence", what, licence),
			fmt.Sprintf("Microsoft Graph refused to read %s because the tenant lacks a Microsoft Entra ID %s licence. "+
				"This data source returns no findings and sets licensed = false; the rest of the plan is unaffected. "+
				"Assign %s licences to the tenant to read it.\n\nGraph answered: %v", what, licence, licence, err))
		return true
	}
	if graph.IsForbidden(err) {
		diags.AddError(fmt.Sprintf("Reading %s failed: the app lacks the Microsoft Graph permission %s", what, permission),
			fmt.Sprintf("Microsoft Graph refused to read %s because the app's token does not carry the %s application permission. "+
				"Grant the app %s in Microsoft Entra ID (API permissions, Microsoft Graph, application permissions) and give admin consent; "+
				"a new token carries it.\n\nGraph answered: %v", what, permission, permission, err))
		return false
	}
	var advice string
	switch {
	case errors.Is(err, graph.ErrThrottled):
		advice = "Graph kept throttling the requests even after waiting as it asked; narrow the window or read it less often."
	case errors.Is(err, graph.ErrBadRequest):
		advice = "Graph refused the query; check the filter arguments."
	}
	msg := err.Error()
	if advice != "" {
		msg = advice + "\n\n" + msg
	}
	diags.AddError("Reading "+what+" failed", msg)
	return false
}

var (
	regexpCountry   = regexp.MustCompile(`^[A-Z]{2}$`)
	regexpEventType = regexp.MustCompile(`^[A-Za-z0-9]+$`)
)

func pathRoot(name string) path.Path { return path.Root(name) }

// ipAddressValidator accepts exactly what net/netip parses as an IPv4 or
// IPv6 address (no zone, no prefix): Graph answers an impossible address
// such as 999.1.1.1 with an empty result, which can only be a mistake.
type ipAddressValidator struct{}

func (ipAddressValidator) Description(context.Context) string {
	return "must be an IPv4 or IPv6 address"
}

func (v ipAddressValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (ipAddressValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if !validIP(req.ConfigValue.ValueString()) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid IP address",
			fmt.Sprintf("%q is not an IPv4 or IPv6 address (for example 203.0.113.7 or 2001:db8::7).", req.ConfigValue.ValueString()))
	}
}

func validIP(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}
