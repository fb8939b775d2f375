package acctest_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Every shipped baseline's posture data source is read after every
// resource of the baseline, directly (depends_on) or through resources it
// depends on, so that a recovery apply (after an interrupted or failed
// one) does not leave the outputs showing the tenant before the change: a
// false drift (issue 10 item 7).
func TestBaselinesPostureReadsAfterEveryResource(t *testing.T) {
	blockRe := regexp.MustCompile(`(?m)^(resource|data) "(m365harden_[a-z0-9_]+)" "([a-z0-9_]+)" \{`)
	refRe := regexp.MustCompile(`\b(m365harden_[a-z0-9_]+\.[a-z0-9_]+)\b`)
	for _, path := range []string{"baseline/main.tf", "baselines/cis/main.tf", "baselines/scuba/main.tf"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", path))
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		// Each top-level block runs to the next one (or the end): its body
		// holds the references it depends on.
		locs := blockRe.FindAllStringSubmatchIndex(src, -1)
		refs := map[string][]string{}
		var resources, postures []string
		for i, l := range locs {
			end := len(src)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			kind, addr := src[l[2]:l[3]], src[l[4]:l[5]]+"."+src[l[6]:l[7]]
			if kind == "data" {
				addr = "data." + addr
			}
			for _, m := range refRe.FindAllStringSubmatch(src[l[1]:end], -1) {
				refs[addr] = append(refs[addr], m[1])
			}
			switch {
			case kind == "resource":
				resources = append(resources, addr)
			case strings.HasPrefix(addr, "data.m365harden_posture."):
				postures = append(postures, addr)
			}
		}
		if len(postures) == 0 || len(resources) == 0 {
			t.Fatalf("%s: %d posture data sources, %d resources", path, len(postures), len(resources))
		}
		for _, p := range postures {
			after := map[string]bool{}
			var visit func(string)
			visit = func(a string) {
				for _, r := range refs[a] {
					if !after[r] {
						after[r] = true
						visit(r)
					}
				}
			}
			visit(p)
			var missing []string
			for _, r := range resources {
				if !after[r] {
					missing = append(missing, r)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s: %s is not read after %v: add them to its depends_on", path, p, missing)
			}
		}
	}
}
