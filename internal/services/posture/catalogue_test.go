package posture

import (
	"os"
	"strings"
	"testing"
)

// TestTemplateListsEveryControl keeps the documentation in step with the
// catalogue: every control's section (id, references, what pass means,
// what it needs) must be in the template verbatim.
func TestTemplateListsEveryControl(t *testing.T) {
	b, err := os.ReadFile("../../../templates/data-sources/posture.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, c := range catalogue {
		if !strings.Contains(doc, controlDoc(c)) {
			t.Errorf("templates/data-sources/posture.md.tmpl lacks (or has an outdated) section for %s:\n%s", c.ID, controlDoc(c))
		}
	}
}

// TestCatalogue checks ids are unique slugs and every control has
// references, a pass criterion and its needs.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range catalogue {
		if seen[c.ID] || !domainLabelOnly(c.ID) {
			t.Errorf("bad or duplicate id %q", c.ID)
		}
		seen[c.ID] = true
		if len(c.References) == 0 || c.Pass == "" || c.Needs == "" || c.Title == "" || c.eval == nil {
			t.Errorf("%s: incomplete entry", c.ID)
		}
	}
}

func domainLabelOnly(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return s != ""
}
