package common

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
)

type createModel struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
	Size types.Int64  `tfsdk:"size"`
}

func testState() tfsdk.State {
	s := schema.Schema{Attributes: map[string]schema.Attribute{
		"id":   schema.StringAttribute{Computed: true},
		"name": schema.StringAttribute{Required: true},
		"size": schema.Int64Attribute{Optional: true, Computed: true},
	}}
	return tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(context.Background()), nil)}
}

// fakeService is a service where names are unique; New can be made to run
// and lose its answer, or fail before running.
type fakeService struct {
	objects   map[string]string // name -> id
	newCalls  int
	lostAfter []error // answers that replace successful New calls, in order
	before    []error // failures before a New call runs, in order
	size      int64   // what Find reports for the object's size
}

func (f *fakeService) create(ctx context.Context, name string) (string, error) {
	f.newCalls++
	if len(f.before) > 0 {
		err := f.before[0]
		f.before = f.before[1:]
		return "", err
	}
	if _, ok := f.objects[name]; ok {
		return "", &exchange.Error{Status: 400, Cmdlet: "New-X", Message: "exists"}
	}
	f.objects[name] = fmt.Sprintf("guid-%d", len(f.objects)+1)
	if len(f.lostAfter) > 0 {
		err := f.lostAfter[0]
		f.lostAfter = f.lostAfter[1:]
		return "", err
	}
	return f.objects[name], ctx.Err()
}

func (f *fakeService) spec(name string, finish func(ctx context.Context, m createModel) (*createModel, error)) SafeCreate[createModel] {
	if finish == nil {
		finish = func(ctx context.Context, m createModel) (*createModel, error) {
			m.Size = types.Int64Value(f.size)
			return &m, nil
		}
	}
	return SafeCreate[createModel]{
		What: "test object", Name: name,
		New: func(ctx context.Context) (string, error) { return f.create(ctx, name) },
		Find: func(ctx context.Context) (string, string, error) {
			id, ok := f.objects[name]
			if !ok {
				return "", "", nil
			}
			if f.size != 0 && f.size != 5 {
				return id, fmt.Sprintf("its size is %d", f.size), nil
			}
			return id, "", nil
		},
		SetID:  func(m *createModel, id string) { m.ID = types.StringValue(id) },
		Finish: finish,
	}
}

func plan(name string) createModel {
	return createModel{ID: types.StringUnknown(), Name: types.StringValue(name), Size: types.Int64Unknown()}
}

func run(t *testing.T, ctx context.Context, s SafeCreate[createModel]) (createModel, diag.Diagnostics, bool) {
	t.Helper()
	st := testState()
	var diags diag.Diagnostics
	s.Run(ctx, plan(s.Name), &st, &diags)
	if st.Raw.IsNull() {
		return createModel{}, diags, false
	}
	if !st.Raw.IsFullyKnown() {
		t.Fatalf("state holds unknown values: %v", st.Raw)
	}
	var m createModel
	if d := st.Get(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	return m, diags, true
}

var (
	gatewayTimeout = &exchange.Error{Status: 504, Cmdlet: "New-X", Message: "Gateway Timeout"}
	dropped        = fmt.Errorf("Exchange Online New-X: %w", &url.Error{Op: "Post", URL: "https://x", Err: io.EOF})
)

func TestAmbiguous(t *testing.T) {
	for err, want := range map[error]bool{
		gatewayTimeout: true, dropped: true, context.Canceled: true, context.DeadlineExceeded: true,
		&exchange.Error{Status: 503}: true, &exchange.Error{Status: 429}: false, &exchange.Error{Status: 400}: false,
		&exchange.Error{Status: 401}: false, errors.New("getting a token: AADSTS7000215"): false, nil: false,
	} {
		if got := Ambiguous(err); got != want {
			t.Errorf("Ambiguous(%v) = %t, want %t", err, got, want)
		}
	}
}

func TestSafeCreate(t *testing.T) {
	ctx := context.Background()
	t.Run("success", func(t *testing.T) {
		f := &fakeService{objects: map[string]string{}}
		m, diags, ok := run(t, ctx, f.spec("a", nil))
		if !ok || diags.HasError() || m.ID.ValueString() != "guid-1" || f.newCalls != 1 {
			t.Fatalf("m=%+v diags=%v calls=%d", m, diags, f.newCalls)
		}
	})
	t.Run("applied then failed: adopted by lookup", func(t *testing.T) {
		f := &fakeService{objects: map[string]string{}, lostAfter: []error{gatewayTimeout}}
		m, diags, ok := run(t, ctx, f.spec("a", nil))
		if !ok || diags.HasError() || m.ID.ValueString() != "guid-1" || f.newCalls != 1 || len(f.objects) != 1 {
			t.Fatalf("m=%+v diags=%v calls=%d objects=%v", m, diags, f.newCalls, f.objects)
		}
	})
	t.Run("failed before running: sent once more", func(t *testing.T) {
		f := &fakeService{objects: map[string]string{}, before: []error{dropped}}
		m, diags, ok := run(t, ctx, f.spec("a", nil))
		if !ok || diags.HasError() || m.ID.ValueString() != "guid-1" || f.newCalls != 2 || len(f.objects) != 1 {
			t.Fatalf("m=%+v diags=%v calls=%d objects=%v", m, diags, f.newCalls, f.objects)
		}
	})
	t.Run("not a lost answer: not retried, nothing in state", func(t *testing.T) {
		f := &fakeService{objects: map[string]string{}, before: []error{&exchange.Error{Status: 429, Cmdlet: "New-X"}}}
		_, diags, ok := run(t, ctx, f.spec("a", nil))
		if ok || !diags.HasError() || f.newCalls != 1 {
			t.Fatalf("ok=%t diags=%v calls=%d", ok, diags, f.newCalls)
		}
	})
	t.Run("another object of that name: not adopted", func(t *testing.T) {
		f := &fakeService{objects: map[string]string{"a": "theirs"}, before: []error{gatewayTimeout}, size: 9}
		_, diags, ok := run(t, ctx, f.spec("a", nil))
		if ok || !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), `named "a" now exists but its size is 9`) {
			t.Fatalf("ok=%t diags=%v", ok, diags)
		}
	})
	t.Run("follow-up fails: recorded, error", func(t *testing.T) {
		f := &fakeService{objects: map[string]string{}}
		m, diags, ok := run(t, ctx, f.spec("a", func(context.Context, createModel) (*createModel, error) {
			return nil, &exchange.Error{Status: 400, Cmdlet: "Set-X", Message: "bad"}
		}))
		if !ok || !diags.HasError() || m.ID.ValueString() != "guid-1" || !m.Size.IsNull() {
			t.Fatalf("m=%+v diags=%v", m, diags)
		}
	})
	t.Run("interrupted while waiting: recorded, warning", func(t *testing.T) {
		f := &fakeService{objects: map[string]string{}}
		cctx, cancel := context.WithCancel(ctx)
		m, diags, ok := run(t, cctx, f.spec("a", func(ctx context.Context, m createModel) (*createModel, error) {
			cancel()
			<-ctx.Done()
			return nil, ctx.Err()
		}))
		if !ok || diags.HasError() || diags.WarningsCount() != 1 || m.ID.ValueString() != "guid-1" {
			t.Fatalf("m=%+v diags=%v", m, diags)
		}
	})
	t.Run("interrupted while the create is in flight: recorded by name", func(t *testing.T) {
		f := &fakeService{objects: map[string]string{}}
		cctx, cancel := context.WithCancel(ctx)
		s := f.spec("a", nil)
		s.New = func(ctx context.Context) (string, error) {
			f.newCalls++
			cancel() // the request ran but the answer never arrived
			f.objects["a"] = "guid-1"
			return "", ctx.Err()
		}
		m, diags, ok := run(t, cctx, s)
		if !ok || diags.HasError() || m.ID.ValueString() != "guid-1" || f.newCalls != 1 {
			t.Fatalf("m=%+v diags=%v calls=%d", m, diags, f.newCalls)
		}
	})
	t.Run("interrupted before the object shows: recorded by name, not sent again", func(t *testing.T) {
		f := &fakeService{objects: map[string]string{}}
		cctx, cancel := context.WithCancel(ctx)
		s := f.spec("a", nil)
		s.New = func(ctx context.Context) (string, error) {
			f.newCalls++
			cancel()
			return "", ctx.Err()
		}
		m, diags, ok := run(t, cctx, s)
		if !ok || diags.HasError() || m.ID.ValueString() != "a" || f.newCalls != 1 {
			t.Fatalf("m=%+v diags=%v calls=%d", m, diags, f.newCalls)
		}
	})
}
