package exchange

import (
	"fmt"
	"strconv"
	"strings"
)

// String returns a string property ("" when absent or null).
func (o Object) String(name string) string {
	switch v := o[name].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// Bool returns a boolean property; Exchange sometimes sends "True"/"False".
func (o Object) Bool(name string) bool {
	switch v := o[name].(type) {
	case bool:
		return v
	case string:
		b, _ := strconv.ParseBool(strings.ToLower(v))
		return b
	}
	return false
}

// Int returns an integer property.
func (o Object) Int(name string) int64 {
	switch v := o[name].(type) {
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// Strings returns a multi-valued property; a single string becomes a
// one-element slice and null an empty one.
func (o Object) Strings(name string) []string {
	switch v := o[name].(type) {
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		if v == "" {
			return []string{}
		}
		return []string{v}
	}
	return []string{}
}

// Has reports whether the property is present.
func (o Object) Has(name string) bool { _, ok := o[name]; return ok }
