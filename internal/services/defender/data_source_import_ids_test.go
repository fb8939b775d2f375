package defender

import (
	"testing"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
)

// The Defender list data sources leave out the policies no resource can
// manage: the Built-in protection policy and the presets' own policies
// (by RecommendedPolicyType, or by name where that property is absent).
func TestManagedPolicy(t *testing.T) {
	for _, c := range []struct {
		o    exchange.Object
		want bool
	}{
		{exchange.Object{"Name": "Finance links", "IsBuiltInProtection": false, "RecommendedPolicyType": "Custom"}, true},
		{exchange.Object{"Name": "Office365 AntiPhish Default"}, true},
		{exchange.Object{"Name": "Default", "RecommendedPolicyType": "Custom"}, true},
		{exchange.Object{"Name": "Built-In Protection Policy", "IsBuiltInProtection": true}, false},
		{exchange.Object{"Name": "built-in protection policy"}, false},
		{exchange.Object{"Name": "Standard Preset Security Policy1622650005393", "RecommendedPolicyType": "Standard"}, false},
		{exchange.Object{"Name": "Strict Preset Security Policy1622650005403"}, false},
		{exchange.Object{"Name": "Renamed preset", "RecommendedPolicyType": "strict"}, false},
	} {
		if got := managedPolicy(c.o); got != c.want {
			t.Errorf("managedPolicy(%v) = %v, want %v", c.o, got, c.want)
		}
	}
}
