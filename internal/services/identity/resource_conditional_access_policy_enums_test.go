package identity

import (
	"slices"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// The schema's value lists are the msgraph-sdk-go models' enums, less
// unknownFutureValue (and less "none" for guest types, which selects nobody):
// every listed value parses with the SDK, and every SDK member is listed.
func TestConditionalAccessEnumsMatchSDK(t *testing.T) {
	cases := []struct {
		name    string
		ours    []string
		parse   func(string) (any, error)
		members []string // every member of the SDK enum
		left    []string // SDK members deliberately not offered
	}{
		{"state", caStates, models.ParseConditionalAccessPolicyState, []string{"enabled", "disabled", "enabledForReportingButNotEnforced"}, nil},
		{"client_app_types", caClientAppTypes, models.ParseConditionalAccessClientApp, []string{"all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other", "unknownFutureValue"}, []string{"unknownFutureValue"}},
		{"risk levels", caRiskLevels, models.ParseRiskLevel, []string{"low", "medium", "high", "hidden", "none", "unknownFutureValue"}, []string{"unknownFutureValue"}},
		{"built_in_controls", caGrantControls, models.ParseConditionalAccessGrantControl, []string{"block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication", "passwordChange", "unknownFutureValue"}, []string{"unknownFutureValue"}},
		{"platforms", caPlatforms, models.ParseConditionalAccessDevicePlatform, []string{"android", "iOS", "windows", "windowsPhone", "macOS", "all", "unknownFutureValue", "linux"}, []string{"unknownFutureValue"}},
		{"guest types", caGuestTypes, models.ParseConditionalAccessGuestOrExternalUserTypes, []string{"none", "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider", "unknownFutureValue"}, []string{"none", "unknownFutureValue"}},
		{"membership kind", caMembershipKinds, models.ParseConditionalAccessExternalTenantsMembershipKind, []string{"all", "enumerated", "unknownFutureValue"}, []string{"unknownFutureValue"}},
		{"filter mode", caFilterModes, models.ParseFilterMode, []string{"include", "exclude"}, nil},
		{"frequency type", caFrequencyTypes, models.ParseSigninFrequencyType, []string{"days", "hours"}, nil},
		{"frequency interval", caFrequencyIntervals, models.ParseSignInFrequencyInterval, []string{"timeBased", "everyTime", "unknownFutureValue"}, []string{"unknownFutureValue"}},
		{"frequency authentication type", caFrequencyAuthTypes, models.ParseSignInFrequencyAuthenticationType, []string{"primaryAndSecondaryAuthentication", "secondaryAuthentication", "unknownFutureValue"}, []string{"unknownFutureValue"}},
		{"persistent browser mode", caBrowserModes, models.ParsePersistentBrowserSessionMode, []string{"always", "never"}, nil},
	}
	for _, c := range cases {
		for _, m := range c.members {
			if v, err := c.parse(m); err != nil || v == nil {
				t.Errorf("%s: the SDK does not know %q: the test's member list is wrong", c.name, m)
			}
			if want := !slices.Contains(c.left, m); slices.Contains(c.ours, m) != want {
				t.Errorf("%s: %q offered = %t, want %t", c.name, m, !want, want)
			}
		}
		for _, v := range c.ours {
			if !slices.Contains(c.members, v) {
				t.Errorf("%s: %q is not an SDK member", c.name, v)
			}
		}
		if v, _ := c.parse("notAMember"); v != nil {
			t.Errorf("%s: the SDK parser accepts anything; the check proves nothing", c.name)
		}
	}
}
