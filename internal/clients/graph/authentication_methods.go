package graph

import (
	"context"
	"fmt"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// The tenant's authentication methods policy, Microsoft Graph v1.0
// /policies/authenticationMethodsPolicy
// (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodspolicy),
// and its per-method configurations,
// /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}
// (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodconfiguration).

// AuthMethodsPolicy is the policy as read.
type AuthMethodsPolicy struct {
	ID                   string
	PolicyMigrationState string
	Campaign             RegistrationCampaign
	// Methods are the configurations the answer carries, by ID; methods
	// this provider does not model are left out.
	Methods map[string]*AuthMethodConfig
}

// RegistrationCampaign is
// registrationEnforcement.authenticationMethodsRegistrationCampaign
// (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodsregistrationcampaign).
type RegistrationCampaign struct {
	State                string
	SnoozeDurationInDays int64
	IncludeTargets       []CampaignTarget
	ExcludeTargets       []ExcludeTarget
}

// CampaignTarget is an authenticationMethodsRegistrationCampaignIncludeTarget.
type CampaignTarget struct {
	ID, TargetType, TargetedAuthenticationMethod string
}

// ExcludeTarget is an excludeTarget.
type ExcludeTarget struct {
	ID, TargetType string
}

// AuthMethodsPolicyPatch names what to change; nil is not sent. The
// campaign, when set, is sent whole.
type AuthMethodsPolicyPatch struct {
	PolicyMigrationState *string
	Campaign             *RegistrationCampaign
}

// GetAuthMethodsPolicy reads the policy (Policy.Read.AuthenticationMethod
// or Policy.Read.All).
func (c *Client) GetAuthMethodsPolicy(ctx context.Context) (*AuthMethodsPolicy, error) {
	p, err := at[models.AuthenticationMethodsPolicyable](c, authMethodsPolicyPath, models.CreateAuthenticationMethodsPolicyFromDiscriminatorValue).Get(ctx, nil)
	if err != nil {
		return nil, Describe(err, "GET /policies/authenticationMethodsPolicy")
	}
	out := &AuthMethodsPolicy{ID: deref(p.GetId()), Methods: map[string]*AuthMethodConfig{}}
	for _, m := range p.GetAuthenticationMethodConfigurations() {
		if cfg, err := authMethodFromSDK(m); err == nil {
			out.Methods[cfg.ID] = cfg
		}
	}
	if v := p.GetPolicyMigrationState(); v != nil {
		out.PolicyMigrationState = v.String()
	}
	if re := p.GetRegistrationEnforcement(); re != nil {
		if rc := re.GetAuthenticationMethodsRegistrationCampaign(); rc != nil {
			if v := rc.GetState(); v != nil {
				out.Campaign.State = v.String()
			}
			if v := rc.GetSnoozeDurationInDays(); v != nil {
				out.Campaign.SnoozeDurationInDays = int64(*v)
			}
			out.Campaign.IncludeTargets = []CampaignTarget{}
			for _, t := range rc.GetIncludeTargets() {
				ct := CampaignTarget{ID: deref(t.GetId()), TargetedAuthenticationMethod: deref(t.GetTargetedAuthenticationMethod())}
				if v := t.GetTargetType(); v != nil {
					ct.TargetType = v.String()
				}
				out.Campaign.IncludeTargets = append(out.Campaign.IncludeTargets, ct)
			}
			out.Campaign.ExcludeTargets = excludeTargetsFromSDK(rc.GetExcludeTargets())
		}
	}
	return out, nil
}

// UpdateAuthMethodsPolicy PATCHes the named properties
// (Policy.ReadWrite.AuthenticationMethod).
func (c *Client) UpdateAuthMethodsPolicy(ctx context.Context, p *AuthMethodsPolicyPatch) error {
	body := models.NewAuthenticationMethodsPolicy()
	if p.PolicyMigrationState != nil {
		v, err := parseEnum[models.AuthenticationMethodsPolicyMigrationState](models.ParseAuthenticationMethodsPolicyMigrationState, *p.PolicyMigrationState, "policyMigrationState")
		if err != nil {
			return err
		}
		body.SetPolicyMigrationState(&v)
	}
	if rc := p.Campaign; rc != nil {
		m := models.NewAuthenticationMethodsRegistrationCampaign()
		st, err := parseEnum[models.AdvancedConfigState](models.ParseAdvancedConfigState, rc.State, "registration campaign state")
		if err != nil {
			return err
		}
		m.SetState(&st)
		snooze := int32(rc.SnoozeDurationInDays)
		m.SetSnoozeDurationInDays(&snooze)
		inc := []models.AuthenticationMethodsRegistrationCampaignIncludeTargetable{}
		for _, t := range rc.IncludeTargets {
			e := models.NewAuthenticationMethodsRegistrationCampaignIncludeTarget()
			tt, err := parseEnum[models.AuthenticationMethodTargetType](models.ParseAuthenticationMethodTargetType, t.TargetType, "targetType")
			if err != nil {
				return err
			}
			id, method := t.ID, t.TargetedAuthenticationMethod
			e.SetId(&id)
			e.SetTargetType(&tt)
			e.SetTargetedAuthenticationMethod(&method)
			inc = append(inc, e)
		}
		m.SetIncludeTargets(inc)
		exc, err := excludeTargetsToSDK(rc.ExcludeTargets)
		if err != nil {
			return err
		}
		m.SetExcludeTargets(exc)
		re := models.NewRegistrationEnforcement()
		re.SetAuthenticationMethodsRegistrationCampaign(m)
		body.SetRegistrationEnforcement(re)
	}
	if err := at[models.AuthenticationMethodsPolicyable](c, authMethodsPolicyPath, models.CreateAuthenticationMethodsPolicyFromDiscriminatorValue).Patch(ctx, body); err != nil {
		return Describe(err, "PATCH /policies/authenticationMethodsPolicy")
	}
	return nil
}

func excludeTargetsFromSDK(list []models.ExcludeTargetable) []ExcludeTarget {
	out := []ExcludeTarget{}
	for _, t := range list {
		et := ExcludeTarget{ID: deref(t.GetId())}
		if v := t.GetTargetType(); v != nil {
			et.TargetType = v.String()
		}
		out = append(out, et)
	}
	return out
}

func excludeTargetsToSDK(list []ExcludeTarget) ([]models.ExcludeTargetable, error) {
	out := []models.ExcludeTargetable{}
	for _, t := range list {
		e := models.NewExcludeTarget()
		tt, err := parseEnum[models.AuthenticationMethodTargetType](models.ParseAuthenticationMethodTargetType, t.TargetType, "targetType")
		if err != nil {
			return nil, err
		}
		id := t.ID
		e.SetId(&id)
		e.SetTargetType(&tt)
		out = append(out, e)
	}
	return out, nil
}

// Authentication method configuration IDs
// (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodconfiguration).
const (
	MethodFido2                  = "Fido2"
	MethodMicrosoftAuthenticator = "MicrosoftAuthenticator"
	MethodSms                    = "Sms"
	MethodVoice                  = "Voice"
	MethodEmail                  = "Email"
	MethodTemporaryAccessPass    = "TemporaryAccessPass"
	MethodSoftwareOath           = "SoftwareOath"
	// MethodX509Certificate is certificate-based authentication
	// (https://learn.microsoft.com/en-us/graph/api/resources/x509certificateauthenticationmethodconfiguration);
	// only its state and targets are managed.
	MethodX509Certificate = "X509Certificate"
)

// AuthMethodConfig is one method's configuration. Exactly one of the
// method-specific parts is set, by ID (none for Sms, SoftwareOath and
// X509Certificate).
type AuthMethodConfig struct {
	ID             string
	State          string
	IncludeTargets []MethodTarget
	ExcludeTargets []ExcludeTarget
	Authenticator  *AuthenticatorSettings
	Fido2          *Fido2Settings
	Voice          *VoiceSettings
	Email          *EmailSettings
	TAP            *TAPSettings
}

// MethodTarget is an authenticationMethodTarget, or its Microsoft
// Authenticator (authenticationMode) or SMS (isUsableForSignIn) subtype.
type MethodTarget struct {
	ID                     string
	TargetType             string
	IsRegistrationRequired bool
	AuthenticationMode     *string
	IsUsableForSignIn      *bool
}

// AuthenticatorSettings is the Microsoft Authenticator configuration's own
// part (https://learn.microsoft.com/en-us/graph/api/resources/microsoftauthenticatorauthenticationmethodconfiguration).
type AuthenticatorSettings struct {
	IsSoftwareOathEnabled bool
	DisplayAppInformation FeatureConfig
	DisplayLocationInfo   FeatureConfig
}

// FeatureConfig is an authenticationMethodFeatureConfiguration
// (https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodfeatureconfiguration).
type FeatureConfig struct {
	State                              string
	IncludeTargetID, IncludeTargetType string
	ExcludeTargetID, ExcludeTargetType string
}

// Fido2Settings is the FIDO2 (passkey) configuration's own part
// (https://learn.microsoft.com/en-us/graph/api/resources/fido2authenticationmethodconfiguration).
type Fido2Settings struct {
	IsAttestationEnforced            bool
	IsSelfServiceRegistrationAllowed bool
	KeyRestrictionsEnforced          bool
	KeyRestrictionsEnforcementType   string
	AAGUIDs                          []string
}

// VoiceSettings is the voice call configuration's own part.
type VoiceSettings struct{ IsOfficePhoneAllowed bool }

// EmailSettings is the email OTP configuration's own part.
type EmailSettings struct{ AllowExternalIDToUseEmailOTP string }

// TAPSettings is the Temporary Access Pass configuration's own part
// (https://learn.microsoft.com/en-us/graph/api/resources/temporaryaccesspassauthenticationmethodconfiguration).
type TAPSettings struct {
	DefaultLength            int64
	DefaultLifetimeInMinutes int64
	MinimumLifetimeInMinutes int64
	MaximumLifetimeInMinutes int64
	IsUsableOnce             bool
}

const authMethodsPolicyPath = "/policies/authenticationMethodsPolicy"

func authMethodPath(id string) string {
	return authMethodsPolicyPath + "/authenticationMethodConfigurations/" + id
}

// authMethodConfig is
// /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}.
func authMethodConfig(c *Client, id string) endpoint[models.AuthenticationMethodConfigurationable] {
	return at[models.AuthenticationMethodConfigurationable](c, authMethodPath(seg(id)), models.CreateAuthenticationMethodConfigurationFromDiscriminatorValue)
}

// GetAuthMethodConfig reads one method's configuration.
func (c *Client) GetAuthMethodConfig(ctx context.Context, id string) (*AuthMethodConfig, error) {
	m, err := authMethodConfig(c, id).Get(ctx, nil)
	if err != nil {
		return nil, Describe(err, "GET "+authMethodPath(id))
	}
	out, err := authMethodFromSDK(m)
	if err != nil {
		return nil, fmt.Errorf("Microsoft Graph GET %s: %w", authMethodPath(id), err) //nolint:staticcheck // ST1005: product name
	}
	return out, nil
}

// authMethodFromSDK converts a configuration of a method this provider
// models.
func authMethodFromSDK(m models.AuthenticationMethodConfigurationable) (*AuthMethodConfig, error) {
	b := func(v *bool) bool { return v != nil && *v }
	i := func(v *int32) int64 {
		if v == nil {
			return 0
		}
		return int64(*v)
	}
	out := &AuthMethodConfig{ID: deref(m.GetId()), ExcludeTargets: excludeTargetsFromSDK(m.GetExcludeTargets()), IncludeTargets: []MethodTarget{}}
	if v := m.GetState(); v != nil {
		out.State = v.String()
	}
	addTarget := func(t models.AuthenticationMethodTargetable) *MethodTarget {
		mt := MethodTarget{ID: deref(t.GetId()), IsRegistrationRequired: b(t.GetIsRegistrationRequired())}
		if v := t.GetTargetType(); v != nil {
			mt.TargetType = v.String()
		}
		out.IncludeTargets = append(out.IncludeTargets, mt)
		return &out.IncludeTargets[len(out.IncludeTargets)-1]
	}
	switch v := m.(type) {
	case *models.MicrosoftAuthenticatorAuthenticationMethodConfiguration:
		for _, t := range v.GetIncludeTargets() {
			mt := addTarget(t)
			if am := t.GetAuthenticationMode(); am != nil {
				s := am.String()
				mt.AuthenticationMode = &s
			}
		}
		a := &AuthenticatorSettings{IsSoftwareOathEnabled: b(v.GetIsSoftwareOathEnabled())}
		if fs := v.GetFeatureSettings(); fs != nil {
			a.DisplayAppInformation = featureFromSDK(fs.GetDisplayAppInformationRequiredState())
			a.DisplayLocationInfo = featureFromSDK(fs.GetDisplayLocationInformationRequiredState())
		}
		out.Authenticator = a
	case *models.SmsAuthenticationMethodConfiguration:
		for _, t := range v.GetIncludeTargets() {
			mt := addTarget(t)
			u := b(t.GetIsUsableForSignIn())
			mt.IsUsableForSignIn = &u
		}
	case *models.Fido2AuthenticationMethodConfiguration:
		for _, t := range v.GetIncludeTargets() {
			addTarget(t)
		}
		f := &Fido2Settings{IsAttestationEnforced: b(v.GetIsAttestationEnforced()), IsSelfServiceRegistrationAllowed: b(v.GetIsSelfServiceRegistrationAllowed()), AAGUIDs: []string{}}
		if kr := v.GetKeyRestrictions(); kr != nil {
			f.KeyRestrictionsEnforced = b(kr.GetIsEnforced())
			if et := kr.GetEnforcementType(); et != nil {
				f.KeyRestrictionsEnforcementType = et.String()
			}
			f.AAGUIDs = nonNil(kr.GetAaGuids())
		}
		out.Fido2 = f
	case *models.VoiceAuthenticationMethodConfiguration:
		for _, t := range v.GetIncludeTargets() {
			addTarget(t)
		}
		out.Voice = &VoiceSettings{IsOfficePhoneAllowed: b(v.GetIsOfficePhoneAllowed())}
	case *models.EmailAuthenticationMethodConfiguration:
		for _, t := range v.GetIncludeTargets() {
			addTarget(t)
		}
		e := &EmailSettings{}
		if s := v.GetAllowExternalIdToUseEmailOtp(); s != nil {
			e.AllowExternalIDToUseEmailOTP = s.String()
		}
		out.Email = e
	case *models.TemporaryAccessPassAuthenticationMethodConfiguration:
		for _, t := range v.GetIncludeTargets() {
			addTarget(t)
		}
		out.TAP = &TAPSettings{
			DefaultLength: i(v.GetDefaultLength()), DefaultLifetimeInMinutes: i(v.GetDefaultLifetimeInMinutes()),
			MinimumLifetimeInMinutes: i(v.GetMinimumLifetimeInMinutes()), MaximumLifetimeInMinutes: i(v.GetMaximumLifetimeInMinutes()),
			IsUsableOnce: b(v.GetIsUsableOnce()),
		}
	case *models.SoftwareOathAuthenticationMethodConfiguration:
		for _, t := range v.GetIncludeTargets() {
			addTarget(t)
		}
	case *models.X509CertificateAuthenticationMethodConfiguration:
		for _, t := range v.GetIncludeTargets() {
			addTarget(t)
		}
	default:
		return nil, fmt.Errorf("authentication method %q is not one this provider manages", out.ID)
	}
	return out, nil
}

func featureFromSDK(f models.AuthenticationMethodFeatureConfigurationable) FeatureConfig {
	var out FeatureConfig
	if f == nil {
		return out
	}
	if v := f.GetState(); v != nil {
		out.State = v.String()
	}
	if t := f.GetIncludeTarget(); t != nil {
		out.IncludeTargetID = deref(t.GetId())
		if v := t.GetTargetType(); v != nil {
			out.IncludeTargetType = v.String()
		}
	}
	if t := f.GetExcludeTarget(); t != nil {
		out.ExcludeTargetID = deref(t.GetId())
		if v := t.GetTargetType(); v != nil {
			out.ExcludeTargetType = v.String()
		}
	}
	return out
}

func featureToSDK(f FeatureConfig) (models.AuthenticationMethodFeatureConfigurationable, error) {
	m := models.NewAuthenticationMethodFeatureConfiguration()
	st, err := parseEnum[models.AdvancedConfigState](models.ParseAdvancedConfigState, f.State, "feature state")
	if err != nil {
		return nil, err
	}
	m.SetState(&st)
	target := func(id, typ string) (models.FeatureTargetable, error) {
		t := models.NewFeatureTarget()
		tt, err := parseEnum[models.FeatureTargetType](models.ParseFeatureTargetType, typ, "feature targetType")
		if err != nil {
			return nil, err
		}
		t.SetId(&id)
		t.SetTargetType(&tt)
		return t, nil
	}
	inc, err := target(f.IncludeTargetID, f.IncludeTargetType)
	if err != nil {
		return nil, err
	}
	exc, err := target(f.ExcludeTargetID, f.ExcludeTargetType)
	if err != nil {
		return nil, err
	}
	m.SetIncludeTarget(inc)
	m.SetExcludeTarget(exc)
	return m, nil
}

// UpdateAuthMethodConfig PATCHes one method's configuration, sent whole
// with its @odata.type (Policy.ReadWrite.AuthenticationMethod).
func (c *Client) UpdateAuthMethodConfig(ctx context.Context, cfg *AuthMethodConfig) error {
	st, err := parseEnum[models.AuthenticationMethodState](models.ParseAuthenticationMethodState, cfg.State, "state")
	if err != nil {
		return err
	}
	exc, err := excludeTargetsToSDK(cfg.ExcludeTargets)
	if err != nil {
		return err
	}
	base := func(t *models.AuthenticationMethodTarget, mt MethodTarget) error {
		tt, err := parseEnum[models.AuthenticationMethodTargetType](models.ParseAuthenticationMethodTargetType, mt.TargetType, "targetType")
		if err != nil {
			return err
		}
		id, req := mt.ID, mt.IsRegistrationRequired
		t.SetId(&id)
		t.SetTargetType(&tt)
		t.SetIsRegistrationRequired(&req)
		return nil
	}
	plain := func() ([]models.AuthenticationMethodTargetable, error) {
		out := []models.AuthenticationMethodTargetable{}
		for _, mt := range cfg.IncludeTargets {
			t := models.NewAuthenticationMethodTarget()
			if err := base(t, mt); err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		return out, nil
	}
	var body models.AuthenticationMethodConfigurationable
	switch cfg.ID {
	case MethodMicrosoftAuthenticator:
		m := models.NewMicrosoftAuthenticatorAuthenticationMethodConfiguration()
		inc := []models.MicrosoftAuthenticatorAuthenticationMethodTargetable{}
		for _, mt := range cfg.IncludeTargets {
			t := models.NewMicrosoftAuthenticatorAuthenticationMethodTarget()
			if err := base(&t.AuthenticationMethodTarget, mt); err != nil {
				return err
			}
			if mt.AuthenticationMode != nil {
				am, err := parseEnum[models.MicrosoftAuthenticatorAuthenticationMode](models.ParseMicrosoftAuthenticatorAuthenticationMode, *mt.AuthenticationMode, "authenticationMode")
				if err != nil {
					return err
				}
				t.SetAuthenticationMode(&am)
			}
			inc = append(inc, t)
		}
		m.SetIncludeTargets(inc)
		if a := cfg.Authenticator; a != nil {
			oath := a.IsSoftwareOathEnabled
			m.SetIsSoftwareOathEnabled(&oath)
			fs := models.NewMicrosoftAuthenticatorFeatureSettings()
			app, err := featureToSDK(a.DisplayAppInformation)
			if err != nil {
				return err
			}
			loc, err := featureToSDK(a.DisplayLocationInfo)
			if err != nil {
				return err
			}
			fs.SetDisplayAppInformationRequiredState(app)
			fs.SetDisplayLocationInformationRequiredState(loc)
			m.SetFeatureSettings(fs)
		}
		body = m
	case MethodSms:
		m := models.NewSmsAuthenticationMethodConfiguration()
		inc := []models.SmsAuthenticationMethodTargetable{}
		for _, mt := range cfg.IncludeTargets {
			t := models.NewSmsAuthenticationMethodTarget()
			if err := base(&t.AuthenticationMethodTarget, mt); err != nil {
				return err
			}
			if mt.IsUsableForSignIn != nil {
				u := *mt.IsUsableForSignIn
				t.SetIsUsableForSignIn(&u)
			}
			inc = append(inc, t)
		}
		m.SetIncludeTargets(inc)
		body = m
	case MethodFido2:
		m := models.NewFido2AuthenticationMethodConfiguration()
		inc, err := plain()
		if err != nil {
			return err
		}
		m.SetIncludeTargets(inc)
		if f := cfg.Fido2; f != nil {
			att, self := f.IsAttestationEnforced, f.IsSelfServiceRegistrationAllowed
			m.SetIsAttestationEnforced(&att)
			m.SetIsSelfServiceRegistrationAllowed(&self)
			kr := models.NewFido2KeyRestrictions()
			enf := f.KeyRestrictionsEnforced
			kr.SetIsEnforced(&enf)
			et, err := parseEnum[models.Fido2RestrictionEnforcementType](models.ParseFido2RestrictionEnforcementType, f.KeyRestrictionsEnforcementType, "enforcementType")
			if err != nil {
				return err
			}
			kr.SetEnforcementType(&et)
			kr.SetAaGuids(nonNil(f.AAGUIDs))
			m.SetKeyRestrictions(kr)
		}
		body = m
	case MethodVoice:
		m := models.NewVoiceAuthenticationMethodConfiguration()
		inc, err := plain()
		if err != nil {
			return err
		}
		m.SetIncludeTargets(inc)
		if v := cfg.Voice; v != nil {
			office := v.IsOfficePhoneAllowed
			m.SetIsOfficePhoneAllowed(&office)
		}
		body = m
	case MethodEmail:
		m := models.NewEmailAuthenticationMethodConfiguration()
		inc, err := plain()
		if err != nil {
			return err
		}
		m.SetIncludeTargets(inc)
		if e := cfg.Email; e != nil {
			v, err := parseEnum[models.ExternalEmailOtpState](models.ParseExternalEmailOtpState, e.AllowExternalIDToUseEmailOTP, "allowExternalIdToUseEmailOtp")
			if err != nil {
				return err
			}
			m.SetAllowExternalIdToUseEmailOtp(&v)
		}
		body = m
	case MethodTemporaryAccessPass:
		m := models.NewTemporaryAccessPassAuthenticationMethodConfiguration()
		inc, err := plain()
		if err != nil {
			return err
		}
		m.SetIncludeTargets(inc)
		if t := cfg.TAP; t != nil {
			i32 := func(v int64) *int32 { x := int32(v); return &x }
			m.SetDefaultLength(i32(t.DefaultLength))
			m.SetDefaultLifetimeInMinutes(i32(t.DefaultLifetimeInMinutes))
			m.SetMinimumLifetimeInMinutes(i32(t.MinimumLifetimeInMinutes))
			m.SetMaximumLifetimeInMinutes(i32(t.MaximumLifetimeInMinutes))
			once := t.IsUsableOnce
			m.SetIsUsableOnce(&once)
		}
		body = m
	case MethodSoftwareOath:
		m := models.NewSoftwareOathAuthenticationMethodConfiguration()
		inc, err := plain()
		if err != nil {
			return err
		}
		m.SetIncludeTargets(inc)
		body = m
	case MethodX509Certificate:
		// State and targets only: certificateUserBindings and
		// authenticationModeConfiguration are not sent, so PATCH leaves them.
		m := models.NewX509CertificateAuthenticationMethodConfiguration()
		inc, err := plain()
		if err != nil {
			return err
		}
		m.SetIncludeTargets(inc)
		body = m
	default:
		return fmt.Errorf("authentication method %q is not one this provider manages", cfg.ID)
	}
	body.SetState(&st)
	body.SetExcludeTargets(exc)
	if err := authMethodConfig(c, cfg.ID).Patch(ctx, body); err != nil {
		return Describe(err, "PATCH "+authMethodPath(cfg.ID))
	}
	return nil
}
