package m365sim

import (
	"net/http"
	"time"
)

// Identity Protection:
//   - GET /identityProtection/riskyUsers
//     (https://learn.microsoft.com/en-us/graph/api/riskyuser-list):
//     IdentityRiskyUser.Read.All; "Using the riskyUsers API requires a
//     Microsoft Entra ID P2 license".
//   - GET /identityProtection/riskDetections
//     (https://learn.microsoft.com/en-us/graph/api/riskdetection-list):
//     IdentityRiskEvent.Read.All; "You must have a Microsoft Entra ID P1 or
//     P2 license to use the risk detection API"; default page 20, $top up to
//     500.
//
// Microsoft does not document the body of the licence 403 on these APIs;
// public reports (microsoft/zerotrustassessment#1022) show a plain 403
// Forbidden, which the emulator answers with code Forbidden and an
// explanatory message. A token without the permission gets scopesMissing
// (graph.go): code AccessDenied, so the two 403s differ by code.
// riskyUsers paging is not documented either: the emulator uses the risk
// detections' numbers (20 by default, 500 at most).

var riskyUserFilter = &filterSchema[RiskyUser]{
	Type: "microsoft.graph.riskyUser",
	Fields: map[string]filterField[RiskyUser]{
		"risklevel":               {Kind: filterString, Ops: "eq ne", Enum: riskLevels, Str: func(u *RiskyUser) string { return u.RiskLevel }},
		"riskstate":               {Kind: filterString, Ops: "eq ne", Enum: riskStates, Str: func(u *RiskyUser) string { return u.RiskState }},
		"riskdetail":              {Kind: filterString, Ops: "eq", Str: func(u *RiskyUser) string { return u.RiskDetail }},
		"userprincipalname":       {Kind: filterString, Ops: "eq startswith", Str: func(u *RiskyUser) string { return u.UserPrincipalName }},
		"userdisplayname":         {Kind: filterString, Ops: "eq startswith", Str: func(u *RiskyUser) string { return u.UserDisplayName }},
		"id":                      {Kind: filterString, Ops: "eq", Str: func(u *RiskyUser) string { return u.ID }},
		"risklastupdateddatetime": {Kind: filterTime, Ops: "eq ge gt le lt", Int: func(u *RiskyUser) int64 { return u.Updated.UnixNano() }},
	},
}

var riskDetectionFilter = &filterSchema[RiskDetection]{
	Type: "microsoft.graph.riskDetection",
	Fields: map[string]filterField[RiskDetection]{
		"riskeventtype":     {Kind: filterString, Ops: "eq ne", Str: func(d *RiskDetection) string { return d.RiskEventType }},
		"risklevel":         {Kind: filterString, Ops: "eq ne", Enum: riskLevels, Str: func(d *RiskDetection) string { return d.RiskLevel }},
		"riskstate":         {Kind: filterString, Ops: "eq ne", Enum: riskStates, Str: func(d *RiskDetection) string { return d.RiskState }},
		"userprincipalname": {Kind: filterString, Ops: "eq startswith", Str: func(d *RiskDetection) string { return d.UserPrincipalName }},
		"userid":            {Kind: filterString, Ops: "eq", Str: func(d *RiskDetection) string { return d.UserID }},
		"ipaddress":         {Kind: filterString, Ops: "eq startswith", Str: func(d *RiskDetection) string { return d.IPAddress }},
		"detecteddatetime":  {Kind: filterTime, Ops: "eq ge gt le lt", Int: func(d *RiskDetection) int64 { return d.Detected.UnixNano() }},
		"activitydatetime":  {Kind: filterTime, Ops: "eq ge gt le lt", Int: func(d *RiskDetection) int64 { return d.ActivityAt.UnixNano() }},
	},
}

func needEntraP2(t *Tenant) *GraphError {
	if t.Licences.EntraIDP2 {
		return nil
	}
	return &GraphError{Status: http.StatusForbidden, Code: "Forbidden",
		Message: "The tenant is not licensed for this feature: the riskyUsers API requires a Microsoft Entra ID P2 license."}
}

func needEntraP1OrP2(t *Tenant) *GraphError {
	if t.Licences.EntraIDP1 || t.Licences.EntraIDP2 {
		return nil
	}
	return &GraphError{Status: http.StatusForbidden, Code: "Forbidden",
		Message: "The tenant is not licensed for this feature: the risk detection API requires a Microsoft Entra ID P1 or P2 license."}
}

var riskyUserProperties = []string{"id", "isDeleted", "isProcessing", "riskDetail", "riskLastUpdatedDateTime", "riskLevel", "riskState", "userDisplayName", "userPrincipalName", "history"}

var riskDetectionProperties = []string{"id", "requestId", "correlationId", "riskEventType", "riskState", "riskLevel", "riskDetail", "source",
	"detectionTimingType", "activity", "tokenIssuerType", "ipAddress", "location", "activityDateTime", "detectedDateTime",
	"lastUpdatedDateTime", "userId", "userDisplayName", "userPrincipalName", "additionalInfo"}

func init() {
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/identityProtection/riskyUsers",
		AnyOf:   []string{"IdentityRiskyUser.Read.All", "IdentityRiskyUser.ReadWrite.All"},
		Denied:  scopesMissing,
		Query:   []string{"$select", "$filter", "$top", "$skiptoken"},
		Licence: needEntraP2,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			pred, ge := compileFilter(riskyUserFilter, g.Request.URL.Query().Get("$filter"))
			if ge != nil {
				return 0, nil, ge
			}
			if ge := checkSelect(g, "microsoft.graph.riskyUser", riskyUserProperties); ge != nil {
				return 0, nil, ge
			}
			h := tenantSignInHistory(g.Tenant)
			var match []*RiskyUser
			for i := range h.RiskyUsers {
				if pred(&h.RiskyUsers[i]) {
					match = append(match, &h.RiskyUsers[i])
				}
			}
			return g.ListFunc(len(match), func(i int) Object {
				u := match[i]
				return Object{
					"id": u.ID, "isDeleted": false, "isProcessing": false, "riskDetail": u.RiskDetail,
					"riskLastUpdatedDateTime": u.Updated.UTC().Format(time.RFC3339Nano), "riskLevel": u.RiskLevel, "riskState": u.RiskState,
					"userDisplayName": u.UserDisplayName, "userPrincipalName": u.UserPrincipalName,
				}
			}, "identityProtection/riskyUsers", 20, 500)
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/identityProtection/riskDetections",
		AnyOf:   []string{"IdentityRiskEvent.Read.All", "IdentityRiskEvent.ReadWrite.All"},
		Denied:  scopesMissing,
		Query:   []string{"$select", "$filter", "$top", "$skiptoken"},
		Licence: needEntraP1OrP2,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			pred, ge := compileFilter(riskDetectionFilter, g.Request.URL.Query().Get("$filter"))
			if ge != nil {
				return 0, nil, ge
			}
			if ge := checkSelect(g, "microsoft.graph.riskDetection", riskDetectionProperties); ge != nil {
				return 0, nil, ge
			}
			h := tenantSignInHistory(g.Tenant)
			var match []*RiskDetection
			for i := range h.RiskDetections {
				if pred(&h.RiskDetections[i]) {
					match = append(match, &h.RiskDetections[i])
				}
			}
			return g.ListFunc(len(match), func(i int) Object {
				d := match[i]
				return Object{
					"id": d.ID, "requestId": d.RequestID, "correlationId": stableGUID("correlation", d.ID),
					"riskEventType": d.RiskEventType, "riskState": d.RiskState, "riskLevel": d.RiskLevel, "riskDetail": d.RiskDetail,
					"source": d.Source, "detectionTimingType": d.Timing, "activity": d.Activity, "tokenIssuerType": "AzureAD",
					"ipAddress":           d.IPAddress,
					"location":            map[string]any{"city": d.City, "state": "", "countryOrRegion": d.Country, "geoCoordinates": map[string]any{"altitude": nil, "latitude": nil, "longitude": nil}},
					"activityDateTime":    d.ActivityAt.UTC().Format(time.RFC3339Nano),
					"detectedDateTime":    d.Detected.UTC().Format(time.RFC3339Nano),
					"lastUpdatedDateTime": d.Detected.UTC().Format(time.RFC3339Nano),
					"userId":              d.UserID, "userDisplayName": d.UserDisplayName, "userPrincipalName": d.UserPrincipalName,
					"additionalInfo": "[]",
				}
			}, "identityProtection/riskDetections", 20, 500)
		},
	})
}
