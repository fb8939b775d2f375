package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// The authentication methods policy's beta-only settings, read and written
// with GET/PATCH /beta/policies/authenticationMethodsPolicy
// (https://learn.microsoft.com/en-us/graph/api/authenticationmethodspolicy-update?view=graph-rest-beta).
// msgraph-sdk-go (v1.0 models) has neither property, so these are raw JSON
// requests on the same request adapter: same credential, retries,
// throttling handling and error classification as every other call.
// Microsoft says of /beta: "APIs under the /beta version in Microsoft Graph
// are subject to change"; these two calls may break when it does.

// AuthMethodsBetaSettings are the beta-only settings; nil parts are not
// sent on update.
type AuthMethodsBetaSettings struct {
	// SystemPreferred is systemCredentialPreferences, system-preferred MFA
	// (https://learn.microsoft.com/en-us/graph/api/resources/systemcredentialpreferences?view=graph-rest-beta).
	SystemPreferred *SystemCredentialPreferences
	// ReportSuspicious is reportSuspiciousActivitySettings
	// (https://learn.microsoft.com/en-us/graph/api/resources/reportsuspiciousactivitysettings?view=graph-rest-beta).
	ReportSuspicious *ReportSuspiciousActivity
}

// SystemCredentialPreferences is system-preferred MFA.
type SystemCredentialPreferences struct {
	State          string
	IncludeTargets []ExcludeTarget // includeTarget: the same {id, targetType}
	ExcludeTargets []ExcludeTarget
}

// ReportSuspiciousActivity is the report suspicious activity setting.
type ReportSuspiciousActivity struct {
	State              string
	IncludeTarget      ExcludeTarget // includeTarget: {id, targetType}
	VoiceReportingCode int64
}

type betaTarget struct {
	ID         string `json:"id"`
	TargetType string `json:"targetType"`
}

type betaSystemPreferred struct {
	State          string       `json:"state"`
	IncludeTargets []betaTarget `json:"includeTargets"`
	ExcludeTargets []betaTarget `json:"excludeTargets"`
}

type betaReportSuspicious struct {
	State              string     `json:"state"`
	IncludeTarget      betaTarget `json:"includeTarget"`
	VoiceReportingCode int64      `json:"voiceReportingCode"`
}

type betaAuthMethodsPolicy struct {
	SystemCredentialPreferences      *betaSystemPreferred  `json:"systemCredentialPreferences,omitempty"`
	ReportSuspiciousActivitySettings *betaReportSuspicious `json:"reportSuspiciousActivitySettings,omitempty"`
}

func targetsFromBeta(in []betaTarget) []ExcludeTarget {
	out := []ExcludeTarget{}
	for _, t := range in {
		out = append(out, ExcludeTarget(t))
	}
	return out
}

func targetsToBeta(in []ExcludeTarget) []betaTarget {
	out := []betaTarget{}
	for _, t := range in {
		out = append(out, betaTarget(t))
	}
	return out
}

const authMethodsBetaPath = "/policies/authenticationMethodsPolicy"

// betaRequest sends a raw JSON request to path under /beta on the
// configured Graph host and returns the answer's body.
func (c *Client) betaRequest(ctx context.Context, method abs.HttpMethod, path string, body []byte) ([]byte, error) {
	op := method.String() + " /beta" + path
	base := strings.TrimSuffix(c.adapter.GetBaseUrl(), "/v1.0")
	u, err := url.Parse(base + "/beta" + path)
	if err != nil {
		return nil, fmt.Errorf("Microsoft Graph %s: %w", op, err) //nolint:staticcheck // ST1005: product name
	}
	ri := abs.NewRequestInformation()
	ri.Method = method
	ri.SetUri(*u)
	ri.Headers.TryAdd("Accept", "application/json")
	if body != nil {
		ri.SetStreamContentAndContentType(body, "application/json")
	}
	raw, err := c.adapter.SendPrimitive(ctx, ri, "[]byte", abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue})
	if err != nil {
		return nil, Describe(err, op)
	}
	b, _ := raw.([]byte)
	return b, nil
}

// GetAuthMethodsBetaSettings reads the beta-only settings
// (Policy.Read.AuthenticationMethod or Policy.Read.All).
func (c *Client) GetAuthMethodsBetaSettings(ctx context.Context) (*AuthMethodsBetaSettings, error) {
	b, err := c.betaRequest(ctx, abs.GET, authMethodsBetaPath, nil)
	if err != nil {
		return nil, err
	}
	var p betaAuthMethodsPolicy
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("Microsoft Graph GET /beta%s: reading the answer: %w", authMethodsBetaPath, err) //nolint:staticcheck // ST1005: product name
	}
	out := &AuthMethodsBetaSettings{}
	if s := p.SystemCredentialPreferences; s != nil {
		out.SystemPreferred = &SystemCredentialPreferences{State: s.State, IncludeTargets: targetsFromBeta(s.IncludeTargets), ExcludeTargets: targetsFromBeta(s.ExcludeTargets)}
	}
	if r := p.ReportSuspiciousActivitySettings; r != nil {
		out.ReportSuspicious = &ReportSuspiciousActivity{State: r.State, IncludeTarget: ExcludeTarget(r.IncludeTarget), VoiceReportingCode: r.VoiceReportingCode}
	}
	return out, nil
}

// UpdateAuthMethodsBetaSettings PATCHes the parts that are set, each sent
// whole (Policy.ReadWrite.AuthenticationMethod).
func (c *Client) UpdateAuthMethodsBetaSettings(ctx context.Context, s *AuthMethodsBetaSettings) error {
	var p betaAuthMethodsPolicy
	if v := s.SystemPreferred; v != nil {
		p.SystemCredentialPreferences = &betaSystemPreferred{State: v.State, IncludeTargets: targetsToBeta(v.IncludeTargets), ExcludeTargets: targetsToBeta(v.ExcludeTargets)}
	}
	if v := s.ReportSuspicious; v != nil {
		p.ReportSuspiciousActivitySettings = &betaReportSuspicious{State: v.State, IncludeTarget: betaTarget(v.IncludeTarget), VoiceReportingCode: v.VoiceReportingCode}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = c.betaRequest(ctx, abs.PATCH, authMethodsBetaPath, body)
	return err
}
