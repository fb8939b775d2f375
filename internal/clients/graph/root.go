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
)

// registerSerializers does what msgraphsdk.NewGraphServiceClient does to
// the adapter: registers kiota's JSON, text, form and multipart
// serialisers (and the first three parsers) as defaults and enables the
// backing store, so a model read and then changed serialises only what was
// changed. msgraph-sdk-go's root package (GraphServiceClient) is not
// imported: it imports every segment's request builders (request.go says
// why those are not used either).
func registerSerializers(adapter abstractions.RequestAdapter) {
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
