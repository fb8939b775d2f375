package common

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

type timeoutsModel struct {
	Name     types.String   `tfsdk:"name"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// An update that changes timeouts alone is recorded without a request; a
// change of anything else is left to the resource.
func TestTimeoutsOnlyChange(t *testing.T) {
	ctx := context.Background()
	s := schema.Schema{Attributes: map[string]schema.Attribute{
		"name": schema.StringAttribute{Required: true}, "timeouts": TimeoutsAttribute()}}
	tv := func(create string) timeouts.Value {
		if create == "" {
			return KeepTimeouts(nil)
		}
		v := KeepTimeouts(nil)
		obj, d := types.ObjectValue(v.AttributeTypes(ctx), map[string]attr.Value{
			"create": types.StringValue(create), "update": types.StringNull(), "delete": types.StringNull()})
		if d.HasError() {
			t.Fatal(d)
		}
		return timeouts.Value{Object: obj}
	}
	build := func(name, create string) (tfsdk.Plan, tfsdk.State) {
		p, st := tfsdk.Plan{Schema: s}, tfsdk.State{Schema: s}
		m := timeoutsModel{Name: types.StringValue(name), Timeouts: tv(create)}
		if d := p.Set(ctx, &m); d.HasError() {
			t.Fatal(d)
		}
		if d := st.Set(ctx, &m); d.HasError() {
			t.Fatal(d)
		}
		return p, st
	}
	plan, _ := build("a", "2s")
	_, prior := build("a", "")
	resp := resource.UpdateResponse{State: prior}
	if !TimeoutsOnlyChange(resource.UpdateRequest{Plan: plan, State: prior}, &resp) {
		t.Fatal("a change of timeouts alone was not recognised")
	}
	if !resp.State.Raw.Equal(plan.Raw) {
		t.Fatalf("state = %v, want the plan %v", resp.State.Raw, plan.Raw)
	}
	plan, _ = build("b", "2s")
	resp = resource.UpdateResponse{State: prior}
	if TimeoutsOnlyChange(resource.UpdateRequest{Plan: plan, State: prior}, &resp) {
		t.Fatal("a change of name was taken for a change of timeouts alone")
	}
	if !resp.State.Raw.Equal(prior.Raw) {
		t.Fatal("state was changed although the update was left to the resource")
	}
}
