package graph

import (
	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoft/kiota-abstractions-go/store"
	formserialization "github.com/microsoft/kiota-serialization-form-go"
	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	multipartserialization "github.com/microsoft/kiota-serialization-multipart-go"
	textserialization "github.com/microsoft/kiota-serialization-text-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/auditlogs"
	"github.com/microsoftgraph/msgraph-sdk-go/identity"
	"github.com/microsoftgraph/msgraph-sdk-go/identityprotection"
	"github.com/microsoftgraph/msgraph-sdk-go/organization"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"
	"github.com/microsoftgraph/msgraph-sdk-go/subscribedskus"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

// Root stands in for msgraph-sdk-go's GraphServiceClient: the same method
// names, returning the same request builders of the SDK's per-segment
// packages, but only for the top-level segments the provider calls.
//
// GraphServiceClient has a method for every top-level Graph segment, and
// a Terraform provider binary keeps every exported method of every type
// that can reach an interface value: net/rpc (in go-plugin, which serves
// the provider) and text/template (reached through gRPC's
// golang.org/x/net/trace) look methods up by reflection, which turns the
// linker's unused-method pruning off. Holding a GraphServiceClient so
// linked the SDK's whole request-builder tree, about 26 MB of machine code
// plus its tables, for seven segments used. Each method here links its
// segment's package (whole, for the same reason) and nothing else, so add
// a segment only when a call needs it: a method returning
// <package>.New<Segment>RequestBuilderInternal(r.params(), r.adapter),
// the body GraphServiceClient's method has.
type Root struct {
	adapter abstractions.RequestAdapter
	// baseurl, the only path parameter at the root ("{+baseurl}").
	baseURL string
}

// newRoot does what msgraphsdk.NewGraphServiceClient does to the adapter:
// registers kiota's JSON, text, form and multipart serialisers (and the
// first three parsers) as defaults and enables the backing store, so a
// model read and then changed serialises only what was changed.
func newRoot(adapter abstractions.RequestAdapter) *Root {
	abstractions.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory {
		return jsonserialization.NewJsonSerializationWriterFactory()
	})
	abstractions.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory {
		return textserialization.NewTextSerializationWriterFactory()
	})
	abstractions.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory {
		return formserialization.NewFormSerializationWriterFactory()
	})
	abstractions.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory {
		return multipartserialization.NewMultipartSerializationWriterFactory()
	})
	abstractions.RegisterDefaultDeserializer(func() serialization.ParseNodeFactory {
		return jsonserialization.NewJsonParseNodeFactory()
	})
	abstractions.RegisterDefaultDeserializer(func() serialization.ParseNodeFactory {
		return textserialization.NewTextParseNodeFactory()
	})
	abstractions.RegisterDefaultDeserializer(func() serialization.ParseNodeFactory {
		return formserialization.NewFormParseNodeFactory()
	})
	adapter.EnableBackingStore(store.BackingStoreFactoryInstance)
	return &Root{adapter: adapter, baseURL: adapter.GetBaseUrl()}
}

// params returns a fresh path-parameter map for a top-level builder.
func (r *Root) params() map[string]string {
	return map[string]string{"baseurl": r.baseURL}
}

// GetAdapter returns the request adapter (for requests built by hand and
// for $batch).
func (r *Root) GetAdapter() abstractions.RequestAdapter { return r.adapter }

// AuditLogs is /auditLogs.
func (r *Root) AuditLogs() *auditlogs.AuditLogsRequestBuilder {
	return auditlogs.NewAuditLogsRequestBuilderInternal(r.params(), r.adapter)
}

// Identity is /identity.
func (r *Root) Identity() *identity.IdentityRequestBuilder {
	return identity.NewIdentityRequestBuilderInternal(r.params(), r.adapter)
}

// IdentityProtection is /identityProtection.
func (r *Root) IdentityProtection() *identityprotection.IdentityProtectionRequestBuilder {
	return identityprotection.NewIdentityProtectionRequestBuilderInternal(r.params(), r.adapter)
}

// Organization is /organization.
func (r *Root) Organization() *organization.OrganizationRequestBuilder {
	return organization.NewOrganizationRequestBuilderInternal(r.params(), r.adapter)
}

// Policies is /policies.
func (r *Root) Policies() *policies.PoliciesRequestBuilder {
	return policies.NewPoliciesRequestBuilderInternal(r.params(), r.adapter)
}

// SubscribedSkus is /subscribedSkus.
func (r *Root) SubscribedSkus() *subscribedskus.SubscribedSkusRequestBuilder {
	return subscribedskus.NewSubscribedSkusRequestBuilderInternal(r.params(), r.adapter)
}

// Users is /users.
func (r *Root) Users() *users.UsersRequestBuilder {
	return users.NewUsersRequestBuilderInternal(r.params(), r.adapter)
}

// sdkModule is the module whose version the telemetry header reports, and
// sdkVersion that version: the one go.mod requires (TestClientOptionsNameTheSDKVersion
// fails when they differ). Test binaries carry no dependency versions in
// their build information, so it is not read from there.
const (
	sdkModule  = "github.com/microsoftgraph/msgraph-sdk-go"
	sdkVersion = "1.89.0"
)

// clientOptions are msgraphsdk.GetDefaultClientOptions() without importing
// the SDK's root package, which imports every segment's package: the v1.0
// service (no service version) and the SDK's library version.
func clientOptions() msgraphcore.GraphClientOptions {
	return msgraphcore.GraphClientOptions{GraphServiceLibraryVersion: sdkVersion}
}
