package graph

import (
	"context"
	"encoding/json"
	"fmt"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// UserObjectID resolves a user, by object id or user principal name, to
// its object id: GET /users/{id | userPrincipalName}?$select=id
// (User.Read.All; https://learn.microsoft.com/en-us/graph/api/user-get).
//
// Sent through the client's adapter (token, retries, logs) but decoded as
// plain JSON: msgraph-sdk-go's users request builders and its models.User
// would link the SDK's whole model graph (a user's navigation properties
// reach nearly every Graph type), many megabytes of binary for one id.
func (c *Client) UserObjectID(ctx context.Context, idOrUPN string) (string, error) {
	const op = "GET /users/{id}"
	var out struct {
		ID string `json:"id"`
	}
	if err := c.getJSON(ctx, op, userInfo(idOrUPN), &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", fmt.Errorf("Microsoft Graph %s: the answer has no id", op) //nolint:staticcheck // ST1005: product name
	}
	return out.ID, nil
}

// userInfo is GET /users/{idOrUPN}?$select=id, with the SDK's template for
// /users/{user-id}: the id is expanded as a path segment ("@" becomes
// %40), as UserItemRequestBuilder does.
func userInfo(idOrUPN string) *abstractions.RequestInformation {
	info := abstractions.NewRequestInformation()
	info.Method = abstractions.GET
	info.UrlTemplate = "{+baseurl}/users/{user%2Did}{?%24select}"
	info.PathParameters["user%2Did"] = idOrUPN
	info.QueryParametersAny["%24select"] = []string{"id"}
	return info
}

// getJSON sends info through the client's adapter and decodes the JSON
// answer into out. A Graph error answer is an *Error (Describe).
func (c *Client) getJSON(ctx context.Context, op string, info *abstractions.RequestInformation, out any) error {
	info.Headers.TryAdd("Accept", "application/json")
	raw, err := c.adapter.SendPrimitive(ctx, info, "[]byte", abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue})
	if err != nil {
		return Describe(err, op)
	}
	b, _ := raw.([]byte)
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("Microsoft Graph %s: reading the answer: %w", op, err) //nolint:staticcheck // ST1005: product name
	}
	return nil
}
