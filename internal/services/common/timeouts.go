package common

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

// DefaultConsistencyTimeout is how long a create, update or delete waits
// for the service to show the change when the resource's timeouts
// attribute does not say: the provider's consistency timeout (3 minutes).
// Microsoft documents no replication bound for the settings these
// resources write, so no per-service default is claimed.
const DefaultConsistencyTimeout = 3 * time.Minute

var timeoutsOpts = timeouts.Opts{
	Create: true, Update: true, Delete: true,
	CreateDescription: "How long a create waits for the service to show the new object as planned (a Go duration such as `10m`; default `3m`). When it passes, the apply fails with an error naming the timeout; the object stays in state (tainted) and the next apply replaces it.",
	UpdateDescription: "How long an update waits for the service to show the change (default `3m`).",
	DeleteDescription: "How long a destroy waits for the object to stop reading back (default `3m`; only for resources whose destroy removes an object).",
}

// TimeoutsAttribute is the `timeouts` attribute (attribute form:
// `timeouts = { create = "10m" }`) of every resource that waits for
// eventual consistency after a write.
func TimeoutsAttribute() schema.Attribute {
	a := timeouts.Attributes(context.Background(), timeoutsOpts).(schema.SingleNestedAttribute)
	a.MarkdownDescription = "How long to wait for Microsoft 365 to show a change before the apply fails (`create`, `update`, `delete`; default `3m` each, the provider's consistency wait). Reads right after a write can answer the old value or *not found* while the service replicates."
	return a
}

// KeepTimeouts returns prior (the plan's or state's timeouts) for a model
// built from what the service answered, or a null value of the right type
// when there is none (import).
func KeepTimeouts(prior *timeouts.Value) timeouts.Value {
	if prior != nil && len(prior.AttributeTypes(context.Background())) > 0 {
		return *prior
	}
	t := timeouts.Attributes(context.Background(), timeoutsOpts).GetType().(timeouts.Type)
	return timeouts.Value{Object: types.ObjectNull(t.AttrTypes)}
}

// ConsistencyBudget returns ctx with the consistency waits of operation op
// ("create", "update" or "delete") bounded by the resource's timeouts
// attribute, or by the provider's consistency timeout when it is unset.
func ConsistencyBudget(ctx context.Context, c *clients.Set, t timeouts.Value, op string, diags *diag.Diagnostics) context.Context {
	def := DefaultConsistencyTimeout
	if c != nil && c.ConsistencyTimeout > 0 {
		def = c.ConsistencyTimeout
	}
	var (
		d  time.Duration
		dd diag.Diagnostics
	)
	if t.IsNull() || t.IsUnknown() || len(t.AttributeTypes(ctx)) == 0 {
		return ctx
	}
	switch op {
	case "create":
		d, dd = t.Create(ctx, def)
	case "update":
		d, dd = t.Update(ctx, def)
	case "delete":
		d, dd = t.Delete(ctx, def)
	default:
		panic(fmt.Sprintf("ConsistencyBudget: unknown operation %q", op))
	}
	diags.Append(dd...)
	if v, ok := t.Attributes()[op]; !ok || v.IsNull() || v.IsUnknown() {
		return ctx // unset: each wait keeps the provider's timeout
	}
	return wait.WithBudget(ctx, d, "timeouts."+op)
}
