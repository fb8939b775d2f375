package conv

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestStringKeepCase(t *testing.T) {
	for _, c := range []struct {
		prior  types.String
		tenant string
		want   string
	}{
		{types.StringValue("default"), "Default", "default"}, // same ignoring case: the user's spelling
		{types.StringValue("Default"), "Default", "Default"}, // identical
		{types.StringValue("strict"), "Default", "Default"},  // a real change shows
		{types.StringNull(), "Default", "Default"},           // nothing to keep
		{types.StringUnknown(), "Default", "Default"},        // nothing known to keep
		{types.StringValue("ANN@Contoso.com"), "ann@contoso.com", "ANN@Contoso.com"},
	} {
		if got := StringKeepCase(c.prior, c.tenant); got.ValueString() != c.want {
			t.Errorf("StringKeepCase(%s, %q) = %q, want %q", c.prior, c.tenant, got.ValueString(), c.want)
		}
	}
}

func TestSetKeepCase(t *testing.T) {
	prior := StringSet([]string{"mailboxlogin", "HardDelete", "update"})
	// Same elements, the service's spelling: the result equals prior exactly.
	if got := SetKeepCase(prior, []string{"HardDelete", "MailboxLogin", "Update"}); !got.Equal(prior) {
		t.Errorf("same elements ignoring case: got %s, want %s", got, prior)
	}
	// One element removed and one added out of band: both show.
	got := SetKeepCase(prior, []string{"MailboxLogin", "Update", "Create"})
	want := StringSet([]string{"mailboxlogin", "update", "Create"})
	if !got.Equal(want) {
		t.Errorf("changed elements: got %s, want %s", got, want)
	}
	// Null prior: the service's values.
	if got := SetKeepCase(types.SetNull(types.StringType), []string{"A"}); !got.Equal(StringSet([]string{"A"})) {
		t.Errorf("null prior: got %s", got)
	}
	// Empty tenant list: an empty, known set.
	if got := SetKeepCase(prior, nil); got.IsNull() || len(got.Elements()) != 0 {
		t.Errorf("empty tenant list: got %s", got)
	}
}

func TestEqualFold(t *testing.T) {
	if !EqualFold([]string{"a", "B"}, []string{"b", "A"}) {
		t.Error("same elements ignoring case and order should be equal")
	}
	if EqualFold([]string{"a"}, []string{"a", "b"}) || EqualFold([]string{"a", "c"}, []string{"a", "b"}) {
		t.Error("different elements should differ")
	}
}

func TestUniqueFold(t *testing.T) {
	check := func(vals []string) int {
		resp := &validator.SetResponse{}
		UniqueFold().ValidateSet(context.Background(), validator.SetRequest{Path: path.Root("x"), ConfigValue: StringSet(vals)}, resp)
		return resp.Diagnostics.ErrorsCount()
	}
	if n := check([]string{"Update", "update"}); n != 1 {
		t.Errorf("case-only duplicate: %d errors, want 1", n)
	}
	if n := check([]string{"Update", "Create"}); n != 0 {
		t.Errorf("distinct values: %d errors, want 0", n)
	}
}

func TestTimeSpan(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		out  string
	}{
		{"90.00:00:00", 90 * day, "90.00:00:00"},
		{"365.12:00:00", 365*day + 12*time.Hour, "365.12:00:00"},
		{"00:00:00", 0, "00:00:00"},
		{"23:59:59", day - time.Second, "23:59:59"},
		{"1.00:00:00.5", day + 500*time.Millisecond, "1.00:00:00.5000000"},
		{"1.00:00:00.0000001", day + tick, "1.00:00:00.0000001"},
		{"24855.00:00:00", 24855 * day, "24855.00:00:00"},
		{"90", 90 * day, "90.00:00:00"},
		{"-1.00:00:00", -day, "-1.00:00:00"},
	} {
		got, err := ParseTimeSpan(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseTimeSpan(%q) = %v, %v; want %v", c.in, got, err, c.want)
			continue
		}
		if s := FormatTimeSpan(got); s != c.out {
			t.Errorf("FormatTimeSpan(%v) = %q, want %q", got, s, c.out)
		}
	}
	for _, bad := range []string{"", "x", "1.24:00:00", "1.00:60:00", "00:00:60", "1.00:00", "1.00:00:00.12345678", "1.00:00:00."} {
		if _, err := ParseTimeSpan(bad); err == nil {
			t.Errorf("ParseTimeSpan(%q) accepted", bad)
		}
	}
	if d, whole := WholeDays(365*day + 12*time.Hour); d != 365 || whole {
		t.Errorf("WholeDays(365.5 days) = %d, %t", d, whole)
	}
	if d, whole := WholeDays(90 * day); d != 90 || !whole {
		t.Errorf("WholeDays(90 days) = %d, %t", d, whole)
	}
	if FormatDays(90) != "90.00:00:00" {
		t.Errorf("FormatDays(90) = %q", FormatDays(90))
	}
}
