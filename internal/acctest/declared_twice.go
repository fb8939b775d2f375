package acctest

import (
	"regexp"
	"strings"
)

// DeclaredTwice matches the plan error for an object declared twice
// (common.ClaimObject) whose text contains parts, in order. Terraform wraps
// long lines at any space, so each space matches any white space.
func DeclaredTwice(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`)
	}
	return regexp.MustCompile(`(?s)Object\s+declared\s+twice:\s+` + strings.Join(quoted, ".*"))
}
