package graph

import (
	"context"
	"errors"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// Identity Protection: risky users
// (https://learn.microsoft.com/en-us/graph/api/riskyuser-list, Microsoft
// Entra ID P2) and risk detections
// (https://learn.microsoft.com/en-us/graph/api/riskdetection-list, P1 or
// P2, $top up to 500).

// RiskPageSize is the largest page these collections serve.
const RiskPageSize = 500

// RiskyUser is a user Identity Protection flags.
type RiskyUser struct {
	ID                string
	UserPrincipalName string
	UserDisplayName   string
	RiskLevel         string
	RiskState         string
	RiskDetail        string
	RiskLastUpdated   time.Time
}

// RiskDetection is one Identity Protection detection.
type RiskDetection struct {
	ID                string
	RiskEventType     string
	RiskLevel         string
	RiskState         string
	RiskDetail        string
	DetectionTiming   string
	Source            string
	IPAddress         string
	City              string
	CountryOrRegion   string
	ActivityDateTime  time.Time
	DetectedDateTime  time.Time
	UserID            string
	UserPrincipalName string
	UserDisplayName   string
}

// EachRiskyUser streams the risky users matching filter.
func (c *Client) EachRiskyUser(ctx context.Context, filter string, fn func(*RiskyUser) error) (ListStats, error) {
	var st ListStats
	q := &query{
		Top:    RiskPageSize,
		Select: []string{"id", "userPrincipalName", "userDisplayName", "riskLevel", "riskState", "riskDetail", "riskLastUpdatedDateTime"},
		Filter: filter,
	}
	b := at[models.RiskyUserCollectionResponseable](c, "/identityProtection/riskyUsers", models.CreateRiskyUserCollectionResponseFromDiscriminatorValue)
	var next *string
	for {
		var resp models.RiskyUserCollectionResponseable
		var err error
		if next == nil {
			resp, err = b.Get(ctx, q)
		} else {
			resp, err = b.Next(ctx, *next)
		}
		if err != nil {
			return st, asLicence(Describe(err, "GET /identityProtection/riskyUsers"))
		}
		st.Pages++
		for _, u := range resp.GetValue() {
			st.Events++
			ru := &RiskyUser{
				ID: str(u.GetId()), UserPrincipalName: str(u.GetUserPrincipalName()), UserDisplayName: str(u.GetUserDisplayName()),
				RiskLevel: enumStr(u.GetRiskLevel()), RiskState: enumStr(u.GetRiskState()), RiskDetail: enumStr(u.GetRiskDetail()),
			}
			if t := u.GetRiskLastUpdatedDateTime(); t != nil {
				ru.RiskLastUpdated = t.UTC()
			}
			if err := fn(ru); err != nil {
				if errors.Is(err, ErrStopPaging) {
					return st, nil
				}
				return st, err
			}
		}
		next = resp.GetOdataNextLink()
		if next == nil || *next == "" {
			return st, nil
		}
	}
}

// EachRiskDetection streams the risk detections matching filter.
func (c *Client) EachRiskDetection(ctx context.Context, filter string, fn func(*RiskDetection) error) (ListStats, error) {
	var st ListStats
	q := &query{
		Top: RiskPageSize,
		Select: []string{"id", "riskEventType", "riskLevel", "riskState", "riskDetail", "detectionTimingType", "source", "ipAddress",
			"location", "activityDateTime", "detectedDateTime", "userId", "userPrincipalName", "userDisplayName"},
		Filter: filter,
	}
	b := at[models.RiskDetectionCollectionResponseable](c, "/identityProtection/riskDetections", models.CreateRiskDetectionCollectionResponseFromDiscriminatorValue)
	var next *string
	for {
		var resp models.RiskDetectionCollectionResponseable
		var err error
		if next == nil {
			resp, err = b.Get(ctx, q)
		} else {
			resp, err = b.Next(ctx, *next)
		}
		if err != nil {
			return st, asLicence(Describe(err, "GET /identityProtection/riskDetections"))
		}
		st.Pages++
		for _, d := range resp.GetValue() {
			st.Events++
			rd := &RiskDetection{
				ID: str(d.GetId()), RiskEventType: str(d.GetRiskEventType()), RiskLevel: enumStr(d.GetRiskLevel()),
				RiskState: enumStr(d.GetRiskState()), RiskDetail: enumStr(d.GetRiskDetail()), DetectionTiming: enumStr(d.GetDetectionTimingType()),
				Source: str(d.GetSource()), IPAddress: str(d.GetIpAddress()), UserID: str(d.GetUserId()),
				UserPrincipalName: str(d.GetUserPrincipalName()), UserDisplayName: str(d.GetUserDisplayName()),
			}
			if l := d.GetLocation(); l != nil {
				rd.City, rd.CountryOrRegion = str(l.GetCity()), str(l.GetCountryOrRegion())
			}
			if t := d.GetActivityDateTime(); t != nil {
				rd.ActivityDateTime = t.UTC()
			}
			if t := d.GetDetectedDateTime(); t != nil {
				rd.DetectedDateTime = t.UTC()
			}
			if err := fn(rd); err != nil {
				if errors.Is(err, ErrStopPaging) {
					return st, nil
				}
				return st, err
			}
		}
		next = resp.GetOdataNextLink()
		if next == nil || *next == "" {
			return st, nil
		}
	}
}
