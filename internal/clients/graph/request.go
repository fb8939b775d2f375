package graph

import (
	"context"
	"net/url"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// Requests are built here rather than by msgraph-sdk-go's request builders
// (the packages under msgraph-sdk-go named after each top-level segment).
// A Terraform provider keeps every exported method of every type it can
// reach: go-plugin, which serves the provider, registers net/rpc servers,
// and net/rpc looks methods up by reflection, which turns the Go linker's
// unused-method pruning off. A request builder reached is then a request
// builder kept whole, with its Get, Post and Patch and every child
// builder; /policies' Get alone parses a policyRoot, whose navigation
// properties reach directoryObject and from there nearly every Graph model:
// tens of megabytes of binary for the twenty-odd requests the provider
// sends. What each request parses into (a model of msgraph-sdk-go's models
// package, with kiota's serialisation) is unchanged: only the models
// reachable from those are linked.

// endpoint is a Graph resource: path, relative to the version, with each
// segment already escaped, and the factory of the model T its answers
// parse into.
type endpoint[T serialization.Parsable] struct {
	c       *Client
	path    string
	factory serialization.ParsableFactory
}

// query holds the OData query options the provider sends.
type query struct {
	Select []string
	Filter string
	Top    int32
}

// errorMapping parses every Graph error answer as an OData error (the
// request builders' mapping), which Describe classifies.
var errorMapping = abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

// at returns the endpoint of path, parsing into the model factory makes.
func at[T serialization.Parsable](c *Client, path string, factory serialization.ParsableFactory) endpoint[T] {
	return endpoint[T]{c: c, path: path, factory: factory}
}

// seg escapes one path segment (an id or a name) as the request builders'
// templates do.
func seg(s string) string { return url.PathEscape(s) }

func (e endpoint[T]) info(method abstractions.HttpMethod, q *query) *abstractions.RequestInformation {
	info := abstractions.NewRequestInformation()
	info.Method = method
	info.UrlTemplate = "{+baseurl}" + e.path
	if q != nil {
		info.UrlTemplate += "{?%24filter,%24select,%24top}"
		if q.Filter != "" {
			info.QueryParametersAny["%24filter"] = q.Filter
		}
		if len(q.Select) > 0 {
			info.QueryParametersAny["%24select"] = q.Select
		}
		if q.Top > 0 {
			info.QueryParametersAny["%24top"] = q.Top
		}
	}
	info.Headers.TryAdd("Accept", "application/json")
	return info
}

func (e endpoint[T]) send(ctx context.Context, info *abstractions.RequestInformation) (T, error) {
	var zero T
	res, err := e.c.adapter.Send(ctx, info, e.factory, errorMapping)
	if err != nil || res == nil {
		return zero, err
	}
	return res.(T), nil
}

func (e endpoint[T]) withBody(ctx context.Context, info *abstractions.RequestInformation, body serialization.Parsable) error {
	return info.SetContentFromParsable(ctx, e.c.adapter, "application/json", body)
}

// Get reads the resource, with q's query options when q is not nil.
func (e endpoint[T]) Get(ctx context.Context, q *query) (T, error) {
	return e.send(ctx, e.info(abstractions.GET, q))
}

// Next reads the page an @odata.nextLink names (an absolute URL, sent as
// it is).
func (e endpoint[T]) Next(ctx context.Context, nextLink string) (T, error) {
	info := e.info(abstractions.GET, nil)
	info.PathParameters["request-raw-url"] = nextLink
	return e.send(ctx, info)
}

// Post sends body and parses the answer.
func (e endpoint[T]) Post(ctx context.Context, body serialization.Parsable) (T, error) {
	info := e.info(abstractions.POST, nil)
	if err := e.withBody(ctx, info, body); err != nil {
		var zero T
		return zero, err
	}
	return e.send(ctx, info)
}

// Patch sends body; what Graph answers (usually 204) is not read.
func (e endpoint[T]) Patch(ctx context.Context, body serialization.Parsable) error {
	return e.sendNoContent(ctx, abstractions.PATCH, body)
}

// Put sends body as a replacement; what Graph answers is not read.
func (e endpoint[T]) Put(ctx context.Context, body serialization.Parsable) error {
	return e.sendNoContent(ctx, abstractions.PUT, body)
}

// Delete deletes the resource.
func (e endpoint[T]) Delete(ctx context.Context) error {
	return e.sendNoContent(ctx, abstractions.DELETE, nil)
}

func (e endpoint[T]) sendNoContent(ctx context.Context, method abstractions.HttpMethod, body serialization.Parsable) error {
	info := e.info(method, nil)
	if body != nil {
		if err := e.withBody(ctx, info, body); err != nil {
			return err
		}
	}
	return e.c.adapter.SendNoContent(ctx, info, errorMapping)
}
