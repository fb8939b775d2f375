package common

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
)

var claimSchema = schema.Schema{Attributes: map[string]schema.Attribute{
	"name":   schema.StringAttribute{Required: true},
	"policy": schema.StringAttribute{Optional: true},
	"note":   schema.StringAttribute{Optional: true},
}}

// planReq is the ModifyPlan request of a block with these attribute values
// (nil: null; tftypes.UnknownValue: unknown); destroy plans a destroy.
func planReq(name, policy, note any, destroy bool) resource.ModifyPlanRequest {
	typ := claimSchema.Type().TerraformType(context.Background())
	obj := tftypes.NewValue(typ, map[string]tftypes.Value{
		"name":   tftypes.NewValue(tftypes.String, name),
		"policy": tftypes.NewValue(tftypes.String, policy),
		"note":   tftypes.NewValue(tftypes.String, note),
	})
	plan := obj
	if destroy {
		plan = tftypes.NewValue(typ, nil)
	}
	return resource.ModifyPlanRequest{
		Config: tfsdk.Config{Schema: claimSchema, Raw: obj},
		Plan:   tfsdk.Plan{Schema: claimSchema, Raw: plan},
		State:  tfsdk.State{Schema: claimSchema, Raw: tftypes.NewValue(typ, nil)},
	}
}

func claimName(set *clients.Set, req resource.ModifyPlanRequest) diag.Diagnostics {
	var resp resource.ModifyPlanResponse
	ClaimName(context.Background(), set, req, &resp, "m365harden_x", "name", "x policy")
	return resp.Diagnostics
}

func TestClaimName(t *testing.T) {
	set := &clients.Set{}
	if d := claimName(set, planReq("Strict", nil, "a", false)); d.HasError() {
		t.Fatalf("first claim: %v", d)
	}
	// Terraform plans a replaced block twice with one configuration.
	if d := claimName(set, planReq("Strict", nil, "a", false)); d.HasError() {
		t.Fatalf("the same block planned again: %v", d)
	}
	if d := claimName(set, planReq("Standard", nil, "b", false)); d.HasError() {
		t.Fatalf("another name: %v", d)
	}
	d := claimName(set, planReq(" strict", nil, "b", false))
	if !d.HasError() || len(d) != 1 {
		t.Fatalf("the same name in another case must fail once, got %v", d)
	}
	e, ok := d[0].(diag.DiagnosticWithPath)
	if !ok || !e.Path().Equal(path.Root("name")) {
		t.Fatalf("error not on the name attribute: %#v", d[0])
	}
	for _, want := range []string{`Object declared twice: x policy " strict"`, "Another m365harden_x block", `names it as x policy "Strict"`, "attribute name", "Give each block its own name"} {
		if !strings.Contains(d[0].Summary()+" "+d[0].Detail(), want) {
			t.Errorf("message lacks %q:\n%s\n%s", want, d[0].Summary(), d[0].Detail())
		}
	}
	// Another provider configuration (or the next terraform command, which
	// configures the provider again) has its own registry.
	if d := claimName(&clients.Set{}, planReq("STRICT", nil, "c", false)); d.HasError() {
		t.Fatalf("another provider configuration: %v", d)
	}
	// A destroy plan, an unknown or a missing name claim nothing.
	if d := claimName(set, planReq("Lax", nil, "d", true)); d.HasError() {
		t.Fatalf("destroy: %v", d)
	}
	if d := claimName(set, planReq(tftypes.UnknownValue, nil, "e", false)); d.HasError() {
		t.Fatalf("unknown name: %v", d)
	}
	if d := claimName(set, planReq("Lax", nil, "f", false)); d.HasError() {
		t.Fatalf("a name only a destroy plan named: %v", d)
	}
	if d := claimName(nil, planReq("Lax", nil, "g", false)); d.HasError() {
		t.Fatalf("unconfigured provider: %v", d)
	}
}

func TestClaimRulePolicy(t *testing.T) {
	set := &clients.Set{}
	claim := func(name, policy, note string) diag.Diagnostics {
		var resp resource.ModifyPlanResponse
		req := planReq(name, policy, note, false)
		ClaimName(context.Background(), set, req, &resp, "m365harden_x_rule", "name", "x rule")
		ClaimRulePolicy(context.Background(), set, req, &resp, "m365harden_x_rule", "policy", "x policy")
		return resp.Diagnostics
	}
	if d := claim("Rule A", "Strict", "a"); d.HasError() {
		t.Fatal(d)
	}
	// A rule named like a policy is not the policy's rule.
	if d := claim("Strict", "Standard", "b"); d.HasError() {
		t.Fatalf("names and policies are separate keys: %v", d)
	}
	d := claim("Rule C", "STRICT", "c")
	if len(d) != 1 || !strings.Contains(d[0].Detail(), "Exchange associates a x policy with one rule only") {
		t.Fatalf("a second rule for one policy must fail once, got %v", d)
	}
}

func TestClaimMailbox(t *testing.T) {
	set := &clients.Set{}
	const guid = "8f2e3f0c-5a6b-4c7d-9e8f-0a1b2c3d4e5f"
	claim := func(identity, guid, note string) diag.Diagnostics {
		var d diag.Diagnostics
		ClaimMailbox(set, planReq(identity, nil, note, false), &d, path.Root("identity"), "m365harden_x", identity, guid)
		return d
	}
	if d := claim("ann@contoso.com", guid, "a"); d.HasError() {
		t.Fatal(d)
	}
	d := claim(strings.ToUpper(guid), strings.ToUpper(guid), "b")
	if len(d) != 1 || !strings.Contains(d[0].Detail(), `names it as mailbox "ann@contoso.com"`) {
		t.Fatalf("the mailbox by its GUID must fail and name the other spelling, got %v", d)
	}
	// A mailbox that does not resolve is keyed by its identity as written.
	if d := claim("new@contoso.com", "", "c"); d.HasError() {
		t.Fatal(d)
	}
	if d := claim("New@Contoso.com", "", "d"); !d.HasError() {
		t.Fatal("the same unresolved identity in another case must fail")
	}
}

func TestClaimSingletonConcurrent(t *testing.T) {
	set := &clients.Set{}
	const blocks = 40
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed int
	)
	for i := range blocks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var resp resource.ModifyPlanResponse
			ClaimSingleton(set, planReq("x", nil, fmt.Sprint(i), false), &resp, "m365harden_x", "x configuration")
			if resp.Diagnostics.HasError() {
				mu.Lock()
				failed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if failed != blocks-1 {
		t.Fatalf("%d blocks for one singleton planned at once: want %d failures, got %d", blocks, blocks-1, failed)
	}
}
