package acctest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/m365sim"
)

// Names lists the names of one kind of object in the tenant, in lower case,
// one entry per object (a duplicate appears twice), as an administrator
// sees them: list is a Get-* cmdlet on an Exchange Online or Security &
// Compliance endpoint (the objects' Name), or a Graph collection path (the
// objects' displayName).
func (tn *Tenant) Names(t *testing.T, endpoint, list string) []string {
	t.Helper()
	var out []string
	if endpoint == m365sim.EndpointGraph {
		code, body, err := tn.Sim.GraphRequest(tn.ID, "GET", list, nil)
		if err != nil || code != 200 {
			t.Fatalf("GET %s: %d %v", list, code, err)
		}
		var l struct {
			Value []struct {
				DisplayName string `json:"displayName"`
			} `json:"value"`
		}
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatal(err)
		}
		for _, v := range l.Value {
			out = append(out, strings.ToLower(v.DisplayName))
		}
		return out
	}
	for _, o := range tn.Invoke(t, endpoint, list, nil) {
		out = append(out, strings.ToLower(fmt.Sprint(o["Name"])))
	}
	return out
}
