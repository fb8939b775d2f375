package identity_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest"
)

// A named location or authentication strength whose display name the
// tenant already has (in another case) is not created a second time: the
// create fails on display_name with the import command, and the tenant
// still holds one object of that name.
func TestAccNamedLocationAndStrength_duplicateNameRefused(t *testing.T) {
	cases := []struct {
		name, path, kind string
		body             map[string]any
		config           func(tn *acctest.Tenant) string
	}{
		{
			name: "named_location", path: nlPath, kind: "named location",
			body: map[string]any{
				"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "office network", "isTrusted": true,
				"ipRanges": []map[string]any{{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "198.51.100.0/24"}},
			},
			config: func(tn *acctest.Tenant) string { return nlIPConfig(tn, "Office network", `["203.0.113.0/24"]`, true) },
		},
		{
			name: "authentication_strength", path: asPath, kind: "authentication strength",
			body:   map[string]any{"displayName": "fido2 only", "allowedCombinations": []string{"fido2"}},
			config: func(tn *acctest.Tenant) string { return asConfig(tn, "FIDO2 only", "", `["fido2"]`) },
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tn := acctest.NewTenant(t)
			var existing string
			count := func(*terraform.State) error {
				code, out := graphJSON(t, tn, "GET", c.path, nil)
				if code != 200 {
					return fmt.Errorf("GET %s: %d %v", c.path, code, out)
				}
				n := 0
				for _, v := range out["value"].([]any) {
					if asString(v.(map[string]any)["id"]) == existing {
						n++
					} else if regexp.MustCompile(`(?i)^(office network|fido2 only)$`).MatchString(asString(v.(map[string]any)["displayName"])) {
						return fmt.Errorf("a second %s named %v was created", c.kind, v.(map[string]any)["displayName"])
					}
				}
				if n != 1 {
					return fmt.Errorf("the out-of-band %s %s is gone", c.kind, existing)
				}
				return nil
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					PreConfig: func() {
						code, out := graphJSON(t, tn, "POST", c.path, c.body)
						if code != 201 {
							t.Fatalf("out-of-band POST %s: %d %v", c.path, code, out)
						}
						existing = asString(out["id"])
					},
					Config:      c.config(tn),
					ExpectError: regexp.MustCompile(`(?s)already has an? ` + c.kind + ` named.*terraform\s+import`),
				}},
			})
			if err := count(nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}
