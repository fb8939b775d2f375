package posture

import (
	"fmt"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// Controls on the authentication methods policy
// (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodspolicy).

const (
	ctlAuthMethodsMigration = "auth-methods-migration-complete"
	ctlWeakMethodsDisabled  = "auth-methods-weak-disabled"
	ctlAuthenticatorContext = "authenticator-login-context"
)

// noFeatureTarget is the excludeTarget id meaning "nobody excluded", as a
// new tenant's Authenticator feature settings show it
// (https://learn.microsoft.com/en-us/graph/api/microsoftauthenticatorauthenticationmethodconfiguration-get).
const noFeatureTarget = "00000000-0000-0000-0000-000000000000"

const amRead = "Microsoft Graph `Policy.Read.AuthenticationMethod` or `Policy.Read.All`"

func authMethodsControls() []control {
	return []control{
		{ID: ctlAuthMethodsMigration, Title: "Authentication methods migration complete",
			References: []string{"Scuba MS.AAD.3.4v1", "DSC AADAuthenticationMethodPolicy"},
			Pass:       "\"The Authentication Methods Manage Migration feature SHALL be set to Migration Complete\": the authentication methods policy's `policyMigrationState` is `migrationComplete`.",
			Needs:      amRead, eval: evalAuthMethodsMigration},
		{ID: ctlWeakMethodsDisabled, Title: "SMS, voice and email OTP disabled",
			References: []string{"Scuba MS.AAD.3.5v2", "CIS 5.2.3.5", "DSC AADAuthenticationMethodPolicySms", "DSC AADAuthenticationMethodPolicyVoice", "DSC AADAuthenticationMethodPolicyEmail"},
			Pass:       "\"The authentication methods SMS, Voice Call, and Email One-Time Passcode (OTP) SHALL be disabled\": the `Sms`, `Voice` and `Email` method configurations have `state = disabled`. This is also CIS 5.2.3.5, weak authentication methods disabled, as CIS v5.0.0 lists them (SMS, Voice Call, Email OTP); CIS v6.0 lists only SMS and Voice Call, so this control is stricter than v6.0.",
			Needs:      amRead, eval: evalWeakMethodsDisabled},
		{ID: ctlAuthenticatorContext, Title: "Microsoft Authenticator shows login context",
			References: []string{"Scuba MS.AAD.3.3v2", "CIS 5.2.3.1", "DSC AADAuthenticationMethodPolicyAuthenticator"},
			Pass:       "\"If Microsoft Authenticator is enabled, it SHALL be configured to show login context information\": the method is disabled, or both `displayAppInformationRequiredState` and `displayLocationInformationRequiredState` are `enabled` for `all_users` with nobody excluded. Number matching is always on and not checked.",
			Needs:      amRead, eval: evalAuthenticatorContext},
	}
}

func (e *evaluation) getAuthMethods() (*graph.AuthMethodsPolicy, error) {
	return e.authMethods.get(func() (*graph.AuthMethodsPolicy, error) { return e.c.Graph.GetAuthMethodsPolicy(e.ctx) })
}

const amWhat = "the authentication methods policy (GET /policies/authenticationMethodsPolicy)"

func evalAuthMethodsMigration(e *evaluation) result {
	p, err := e.getAuthMethods()
	if err != nil {
		return unknown(amWhat, err)
	}
	if p.PolicyMigrationState == "migrationComplete" {
		return pass("The migration to the authentication methods policy is complete: the legacy MFA and SSPR policies no longer decide.")
	}
	return fail([]object{{Type: "authentication_methods_policy", Name: p.ID, Detail: "policyMigrationState=" + p.PolicyMigrationState}},
		"The authentication methods policy's migration state is %s, not migrationComplete: the legacy MFA and SSPR policies still decide which methods users may use.", p.PolicyMigrationState)
}

func evalWeakMethodsDisabled(e *evaluation) result {
	p, err := e.getAuthMethods()
	if err != nil {
		return unknown(amWhat, err)
	}
	var objs []object
	for _, id := range []string{graph.MethodSms, graph.MethodVoice, graph.MethodEmail} {
		m := p.Methods[id]
		switch {
		case m == nil:
			return result{Status: statusUnknown, Reason: reasonError, Summary: fmt.Sprintf("Could not evaluate: the authentication methods policy has no %s configuration.", id)}
		case m.State != "disabled":
			objs = append(objs, object{Type: "authentication_method", Name: id, Detail: "state=" + m.State})
		}
	}
	if len(objs) > 0 {
		return fail(objs, "%s still enabled.", plural(len(objs), "weak method is", "weak methods are"))
	}
	return pass("SMS, voice call and email one-time passcodes are disabled.")
}

func evalAuthenticatorContext(e *evaluation) result {
	p, err := e.getAuthMethods()
	if err != nil {
		return unknown(amWhat, err)
	}
	m := p.Methods[graph.MethodMicrosoftAuthenticator]
	switch {
	case m == nil || m.Authenticator == nil:
		return result{Status: statusUnknown, Reason: reasonError, Summary: "Could not evaluate: the authentication methods policy has no MicrosoftAuthenticator configuration."}
	case m.State != "enabled":
		return pass("Microsoft Authenticator is disabled: nothing to show context in.")
	}
	var objs []object
	for name, f := range map[string]graph.FeatureConfig{
		"displayAppInformationRequiredState":      m.Authenticator.DisplayAppInformation,
		"displayLocationInformationRequiredState": m.Authenticator.DisplayLocationInfo,
	} {
		if f.State != "enabled" || f.IncludeTargetID != "all_users" || (f.ExcludeTargetID != "" && f.ExcludeTargetID != noFeatureTarget) {
			objs = append(objs, object{Type: "authenticator_feature", Name: name,
				Detail: fmt.Sprintf("state=%s include=%s exclude=%s", f.State, f.IncludeTargetID, f.ExcludeTargetID)})
		}
	}
	if len(objs) > 0 {
		return fail(objs, "Microsoft Authenticator is enabled but does not show the app and the location to every user (%s).", plural(len(objs), "feature", "features"))
	}
	return pass("Microsoft Authenticator shows the app and the location of each sign-in to all users.")
}
