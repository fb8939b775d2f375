// Package common holds what every resource and data source shares: getting
// the configured clients from the provider and turning API errors into
// diagnostics that say what the user can do.
package common

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// Clients returns the provider's client set from ProviderData. It tolerates
// nil (the provider is not configured yet, e.g. during validation) and
// reports a wrong type.
func Clients(providerData any, diags *diag.Diagnostics) *clients.Set {
	if providerData == nil {
		return nil
	}
	c, ok := providerData.(*clients.Set)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *clients.Set, got %T. This is a bug in the provider; please report it.", providerData))
		return nil
	}
	return c
}

// NotConfigured reports a missing client set.
func NotConfigured(diags *diag.Diagnostics) {
	diags.AddError("Provider not configured", "The m365harden provider has no configuration yet (its attributes may depend on values not known until apply).")
}

// AddAPIError adds an error diagnostic: summary says what failed on which
// object; the detail says what the service said and what to do about it.
func AddAPIError(diags *diag.Diagnostics, summary string, err error) {
	diags.AddError(summary, Explain(err))
}

// Explain renders an API error with advice for the kinds users can act on.
func Explain(err error) string {
	var advice string
	switch {
	case errors.Is(err, exchange.ErrForbidden), errors.Is(err, exchange.ErrUnauthorized):
		var e *exchange.Error
		if errors.As(err, &e) && e.Hint() != "" {
			advice = "Permission problem: " + e.Hint() + "."
		}
	case errors.Is(err, exchange.ErrTokenRejected):
		var e *exchange.Error
		if errors.As(err, &e) {
			advice = "Authentication problem: " + e.Hint() + "."
		}
	case errors.Is(err, exchange.ErrDehydrated):
		advice = "The Exchange Online organization is still dehydrated: Enable-OrganizationCustomization has run but has not taken effect yet. Apply again later."
	case errors.Is(err, exchange.ErrThrottled), errors.Is(err, graph.ErrThrottled):
		advice = "The service kept throttling the requests; raise max_retries / max_retry_wait_seconds or run with less parallelism."
	case errors.Is(err, exchange.ErrConflict):
		advice = "An object with this name already exists; import it (terraform import) or choose another name."
	case errors.Is(err, graph.ErrLicence):
		advice = "The tenant lacks the licence this API needs (Microsoft Entra ID P1 for sign-in logs, P2 for Identity Protection)."
	case errors.Is(err, graph.ErrTokenRejected):
		advice = "Authentication problem: Microsoft Graph refused the access token even after a new one was fetched: the client secret or certificate has expired or been revoked, the app was disabled or deleted, or tenant_id names another tenant. (A missing permission is a 403 that names the permission.)"
	case errors.Is(err, graph.ErrForbidden):
		advice = "Permission problem: grant the Microsoft Graph application permission named in the message and give admin consent."
	}
	if advice == "" {
		return err.Error()
	}
	return advice + "\n\n" + err.Error()
}
