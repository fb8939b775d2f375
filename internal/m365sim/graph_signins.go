package m365sim

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// GET /auditLogs/signIns (https://learn.microsoft.com/en-us/graph/api/signin-list):
// AuditLog.Read.All and Directory.Read.All; a tenant with Microsoft Entra ID
// P1 or P2 (others get 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant);
// default and maximum page size 1,000, newest first; $filter on the
// properties the signIn resource documents
// (https://learn.microsoft.com/en-us/graph/api/resources/signin); $select;
// the identity and access reports throttle
// (https://learn.microsoft.com/en-us/graph/throttling-limits#identity-and-access-reports-service-limits).
// Risky sign-ins are the same collection filtered on the risk properties.

var riskLevels = []string{"low", "medium", "high", "hidden", "none", "unknownFutureValue"}
var riskStates = []string{"none", "confirmedSafe", "remediated", "dismissed", "atRisk", "confirmedCompromised", "unknownFutureValue"}

var signInFilter = &filterSchema[SignIn]{
	Type: "microsoft.graph.signIn",
	Fields: map[string]filterField[SignIn]{
		"createddatetime":          {Kind: filterTime, Ops: "eq ge gt le lt", Int: func(s *SignIn) int64 { return s.Created * int64(time.Second) }},
		"status/errorcode":         {Kind: filterInt, Ops: "eq ne", Int: func(s *SignIn) int64 { return int64(s.ErrorCode) }},
		"userprincipalname":        {Kind: filterString, Ops: "eq startswith", Str: func(s *SignIn) string { return s.User.UPN }},
		"userid":                   {Kind: filterString, Ops: "eq", Str: func(s *SignIn) string { return s.User.ID }},
		"userdisplayname":          {Kind: filterString, Ops: "eq startswith", Str: func(s *SignIn) string { return s.User.DisplayName }},
		"appdisplayname":           {Kind: filterString, Ops: "eq startswith", Str: func(s *SignIn) string { return s.App.Name }},
		"appid":                    {Kind: filterString, Ops: "eq startswith", Str: func(s *SignIn) string { return s.App.ID }},
		"ipaddress":                {Kind: filterString, Ops: "eq startswith", Str: func(s *SignIn) string { return s.IPAddress }},
		"clientappused":            {Kind: filterString, Ops: "eq", Str: func(s *SignIn) string { return s.ClientAppUsed }},
		"location/countryorregion": {Kind: filterString, Ops: "eq startswith", Str: func(s *SignIn) string { return s.Place.Country }},
		"location/city":            {Kind: filterString, Ops: "eq startswith", Str: func(s *SignIn) string { return s.Place.City }},
		"risklevelduringsignin":    {Kind: filterString, Ops: "eq", Enum: riskLevels, Str: func(s *SignIn) string { return s.RiskDuring }},
		"risklevelaggregated":      {Kind: filterString, Ops: "eq", Enum: riskLevels, Str: func(s *SignIn) string { return s.RiskAggregated }},
		"riskstate":                {Kind: filterString, Ops: "eq", Enum: riskStates, Str: func(s *SignIn) string { return s.RiskState }},
	},
}

func init() {
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/auditLogs/signIns",
		AnyOf:    []string{"AuditLog.Read.All"},
		Denied:   auditLogPermissionMissing,
		Query:    []string{"$select", "$filter", "$top", "$skiptoken"},
		Licence:  needEntraP1,
		Throttle: reportThrottle,
		Handler:  listSignIns,
	})
	registerControlSeeder("report_throttle", func(s *Server, _ *Tenant, body []byte) (any, error) {
		var o struct {
			Requests   int     `json:"requests"`
			PerSeconds float64 `json:"per_seconds"`
		}
		if err := decodeStrict(strings.NewReader(string(body)), &o); err != nil {
			return nil, err
		}
		s.SetReportThrottle(o.Requests, time.Duration(o.PerSeconds*float64(time.Second)))
		return o, nil
	})
}

// auditLogPermissionMissing is Graph's answer to a token without
// AuditLog.Read.All on the audit logs: 403
// Authentication_MSGraphPermissionMissing "Calling principal does not have
// required MSGraph permissions AuditLog.Read.All" (captured in
// https://github.com/microsoftgraph/microsoft-graph-explorer-v4/issues/2731
// and https://github.com/microsoftgraph/microsoft-graph-explorer-v4/issues/3165;
// for signIns with Directory.Read.All alone in
// https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/3196).
// It is checked before the licence, as the capture on a tenant with
// Directory.Read.All shows.
func auditLogPermissionMissing([]string) *GraphError {
	return &GraphError{Status: http.StatusForbidden, Code: "Authentication_MSGraphPermissionMissing",
		Message: "Calling principal does not have required MSGraph permissions AuditLog.Read.All"}
}

// needEntraP1 is Graph's answer for sign-in logs in a tenant without
// Microsoft Entra ID P1 or P2.
func needEntraP1(t *Tenant) *GraphError {
	if t.Licences.EntraIDP1 || t.Licences.EntraIDP2 {
		return nil
	}
	return &GraphError{Status: http.StatusForbidden, Code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
		Message: "Neither tenant is B2C or tenant doesn't have premium license"}
}

// The signIn properties a $select may name.
var signInProperties = []string{
	"id", "createdDateTime", "userDisplayName", "userPrincipalName", "userId", "appId", "appDisplayName",
	"ipAddress", "clientAppUsed", "correlationId", "conditionalAccessStatus", "isInteractive",
	"riskDetail", "riskLevelAggregated", "riskLevelDuringSignIn", "riskState", "riskEventTypes_v2",
	"resourceDisplayName", "resourceId", "status", "deviceDetail", "location", "appliedConditionalAccessPolicies",
}

func checkSelect(g *GraphCall, typ string, props []string) *GraphError {
	v := g.Request.URL.Query().Get("$select")
	if v == "" {
		return nil
	}
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		found := false
		for _, p := range props {
			if strings.EqualFold(p, f) {
				found = true
				break
			}
		}
		if !found && !strings.Contains(f, "/") && graphFieldRe.MatchString(f) {
			return &GraphError{Status: 400, Code: "BadRequest", Message: fmt.Sprintf("Could not find a property named '%s' on type '%s'.", f, typ)}
		}
	}
	return nil
}

func listSignIns(g *GraphCall) (int, any, *GraphError) {
	// The operation needs Directory.Read.All as well as AuditLog.Read.All.
	if !g.Principal.HasRole("Directory.Read.All") && !g.Principal.HasRole("Directory.ReadWrite.All") {
		return 0, nil, &GraphError{Status: 403, Code: "Authorization_RequestDenied",
			Message: "Insufficient privileges to complete the operation. Requires the application permissions: AuditLog.Read.All, Directory.Read.All."}
	}
	q := g.Request.URL.Query()
	if q.Has("$orderby") || q.Has("$search") || q.Has("$expand") {
		return 0, nil, &GraphError{Status: 400, Code: "BadRequest", Message: "Query option '$orderby', '$search' or '$expand' is not supported on signIns."}
	}
	pred, ge := compileFilter(signInFilter, q.Get("$filter"))
	if ge != nil {
		return 0, nil, ge
	}
	if ge := signInLowerBound(g, q.Get("$filter")); ge != nil {
		return 0, nil, ge
	}
	if ge := checkSelect(g, "microsoft.graph.signIn", signInProperties); ge != nil {
		return 0, nil, ge
	}
	h := tenantSignInHistory(g.Tenant)
	var match []int32
	for i := range h.SignIns {
		if pred(&h.SignIns[i]) {
			match = append(match, int32(i))
		}
	}
	seed := h.Summary.Seed
	return g.ListFunc(len(match), func(i int) Object { return signInObject(seed, &h.SignIns[match[i]]) }, "auditLogs/signIns", 1000, 1000)
}

func signInObject(seed int64, s *SignIn) Object {
	id := stableGUID("signin", fmt.Sprint(seed), fmt.Sprint(s.Seq))
	ca := "success"
	reason := "Other."
	if s.ErrorCode != 0 {
		ca, reason = "notApplied", s.FailureReason
	}
	return Object{
		"id":                      id,
		"createdDateTime":         time.Unix(s.Created, 0).UTC().Format("2006-01-02T15:04:05Z"),
		"userDisplayName":         s.User.DisplayName,
		"userPrincipalName":       s.User.UPN,
		"userId":                  s.User.ID,
		"appId":                   s.App.ID,
		"appDisplayName":          s.App.Name,
		"ipAddress":               s.IPAddress,
		"clientAppUsed":           s.ClientAppUsed,
		"correlationId":           stableGUID("correlation", id),
		"conditionalAccessStatus": ca,
		"isInteractive":           true,
		"riskDetail":              s.RiskDetail,
		"riskLevelAggregated":     s.RiskAggregated,
		"riskLevelDuringSignIn":   s.RiskDuring,
		"riskState":               s.RiskState,
		"riskEventTypes_v2":       []string{},
		"resourceDisplayName":     s.App.Name,
		"resourceId":              s.App.ID,
		"status": map[string]any{
			"errorCode":         int(s.ErrorCode),
			"failureReason":     reason,
			"additionalDetails": nil,
		},
		"deviceDetail": map[string]any{
			"deviceId": "", "displayName": "", "operatingSystem": "Windows10", "browser": "Edge 120.0.0",
			"isCompliant": false, "isManaged": false, "trustType": "",
		},
		"location": map[string]any{
			"city": s.Place.City, "state": s.Place.State, "countryOrRegion": s.Place.Country,
			"geoCoordinates": map[string]any{"altitude": nil, "latitude": nil, "longitude": nil},
		},
		"appliedConditionalAccessPolicies": []any{},
	}
}

// signInRetention is how long Microsoft Entra keeps sign-in logs with
// Entra ID P1/P2 (https://learn.microsoft.com/en-us/entra/identity/monitoring-health/reference-reports-data-retention).
const signInRetention = 30 * 24 * time.Hour

var signInLowerBoundRe = regexp.MustCompile(`(?i)\bcreatedDateTime\s+(?:ge|gt)\s+(\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2}))`)

// signInLowerBound refuses a createdDateTime lower bound older than the
// retention window: Graph answers 400 "Invalid filter clause" (a maintainer
// describes the minimum-date check in
// https://github.com/microsoftgraph/microsoft-graph-docs/issues/5676; the
// exact wording after the prefix is not published, so the message only
// names the bound).
func signInLowerBound(g *GraphCall, filter string) *GraphError {
	oldest := g.Server.now().UTC().Add(-signInRetention)
	for _, m := range signInLowerBoundRe.FindAllStringSubmatch(filter, -1) {
		ts, err := time.Parse(time.RFC3339Nano, m[1])
		if err == nil && ts.Before(oldest) {
			return &GraphError{Status: 400, Code: "BadRequest", Message: "Invalid filter clause: createdDateTime lower bound " + m[1] + " is older than the sign-in log retention"}
		}
	}
	return nil
}
