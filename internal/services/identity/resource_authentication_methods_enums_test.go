package identity

import (
	"slices"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// The authentication methods schemas' value lists are the msgraph-sdk-go
// models' enums less unknownFutureValue: every listed value parses with the
// SDK, and every SDK member is listed.
func TestAuthenticationMethodsEnumsMatchSDK(t *testing.T) {
	cases := []struct {
		name    string
		ours    []string
		parse   func(string) (any, error)
		members []string
	}{
		{"policy_migration_state", amMigrationStates, models.ParseAuthenticationMethodsPolicyMigrationState, []string{"preMigration", "migrationInProgress", "migrationComplete", "unknownFutureValue"}},
		{"advanced config state", amAdvancedStates, models.ParseAdvancedConfigState, []string{"default", "enabled", "disabled", "unknownFutureValue"}},
		{"target_type", amTargetTypes, models.ParseAuthenticationMethodTargetType, []string{"user", "group", "unknownFutureValue"}},
		{"feature target type", amFeatureTargets, models.ParseFeatureTargetType, []string{"group", "administrativeUnit", "role", "unknownFutureValue"}},
		{"state", amMethodStates, models.ParseAuthenticationMethodState, []string{"enabled", "disabled"}},
		{"authentication_mode", amAuthModes, models.ParseMicrosoftAuthenticatorAuthenticationMode, []string{"deviceBasedPush", "push", "any"}},
		{"enforcement_type", amKeyEnforcement, models.ParseFido2RestrictionEnforcementType, []string{"allow", "block", "unknownFutureValue"}},
		{"allow_external_id_to_use_email_otp", amEmailOTPStates, models.ParseExternalEmailOtpState, []string{"default", "enabled", "disabled", "unknownFutureValue"}},
	}
	for _, c := range cases {
		for _, m := range c.members {
			if v, err := c.parse(m); err != nil || v == nil {
				t.Errorf("%s: the SDK does not know %q: the test's member list is wrong", c.name, m)
			}
			if want := m != "unknownFutureValue"; slices.Contains(c.ours, m) != want {
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
