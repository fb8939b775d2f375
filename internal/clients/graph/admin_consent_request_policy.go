package graph

import (
	"context"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// The admin consent request policy, Microsoft Graph v1.0
// /policies/adminConsentRequestPolicy
// (https://learn.microsoft.com/en-us/graph/api/resources/adminconsentrequestpolicy).

// AdminConsentRequestPolicy is the policy; Reviewers are the
// accessReviewReviewerScope queries.
type AdminConsentRequestPolicy struct {
	IsEnabled             bool
	NotifyReviewers       bool
	RemindersEnabled      bool
	RequestDurationInDays int32
	Reviewers             []string
	Version               int32
}

// GetAdminConsentRequestPolicy reads the policy (Policy.Read.All).
func (c *Client) GetAdminConsentRequestPolicy(ctx context.Context) (*AdminConsentRequestPolicy, error) {
	p, err := adminConsentPolicy(c).Get(ctx, nil)
	if err != nil {
		return nil, Describe(err, "GET /policies/adminConsentRequestPolicy")
	}
	b := func(v *bool) bool { return v != nil && *v }
	out := &AdminConsentRequestPolicy{IsEnabled: b(p.GetIsEnabled()), NotifyReviewers: b(p.GetNotifyReviewers()), RemindersEnabled: b(p.GetRemindersEnabled()), Reviewers: []string{}}
	if v := p.GetRequestDurationInDays(); v != nil {
		out.RequestDurationInDays = *v
	}
	if v := p.GetVersion(); v != nil {
		out.Version = *v
	}
	for _, r := range p.GetReviewers() {
		out.Reviewers = append(out.Reviewers, deref(r.GetQuery()))
	}
	return out, nil
}

// PutAdminConsentRequestPolicy replaces the policy
// (Policy.ReadWrite.ConsentRequest). Graph documents PUT for this update,
// with every property required; the SDK only generates PATCH, so the
// request is built by the SDK and sent as PUT.
func (c *Client) PutAdminConsentRequestPolicy(ctx context.Context, p *AdminConsentRequestPolicy) error {
	const op = "PUT /policies/adminConsentRequestPolicy"
	body := models.NewAdminConsentRequestPolicy()
	body.SetIsEnabled(&p.IsEnabled)
	body.SetNotifyReviewers(&p.NotifyReviewers)
	body.SetRemindersEnabled(&p.RemindersEnabled)
	body.SetRequestDurationInDays(&p.RequestDurationInDays)
	reviewers := make([]models.AccessReviewReviewerScopeable, 0, len(p.Reviewers))
	for _, q := range p.Reviewers {
		r := models.NewAccessReviewReviewerScope()
		query, typ := q, "MicrosoftGraph"
		r.SetQuery(&query)
		r.SetQueryType(&typ)
		reviewers = append(reviewers, r)
	}
	body.SetReviewers(reviewers)
	if err := adminConsentPolicy(c).Put(ctx, body); err != nil {
		return Describe(err, op)
	}
	return nil
}

// adminConsentPolicy is /policies/adminConsentRequestPolicy.
func adminConsentPolicy(c *Client) endpoint[models.AdminConsentRequestPolicyable] {
	return at[models.AdminConsentRequestPolicyable](c, "/policies/adminConsentRequestPolicy", models.CreateAdminConsentRequestPolicyFromDiscriminatorValue)
}
