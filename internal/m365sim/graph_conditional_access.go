package m365sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Conditional Access policies: /identity/conditionalAccess/policies.
//
//   - Resource types: conditionalAccessPolicy
//     (https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccesspolicy:
//     state enabled|disabled|enabledForReportingButNotEnforced, conditions
//     required), conditionalAccessConditionSet
//     (https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccessconditionset:
//     applications and clientAppTypes required, users required when there are
//     no clientApplications, risk levels low|medium|high|hidden|none),
//     conditionalAccessGrantControls
//     (https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccessgrantcontrols:
//     operator AND|OR, builtInControls block|mfa|compliantDevice|
//     domainJoinedDevice|approvedApplication|compliantApplication|passwordChange;
//     passwordChange must go with mfa under AND, needs userRiskLevels and
//     allows no condition other than users, applications and userRiskLevels).
//   - Create (https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-post-policies):
//     201 with the entity, modifiedDateTime null; a valid policy has an
//     application rule, a user rule and a grant or session control.
//   - Permissions: reads Policy.Read.All; writes Policy.ReadWrite.ConditionalAccess
//     together with Policy.Read.All (the create page's application row).
//   - Licence: Conditional Access needs Microsoft Entra ID P1
//     (https://learn.microsoft.com/en-us/entra/identity/conditional-access/overview#license-requirements),
//     risk conditions need P2. Graph's answer for risk conditions without P2,
//     seen in public reports (crossplane-contrib/provider-upjet-azuread#5), is
//     400 BadRequest "1039: Cannot create or update policies with premium P2
//     features. ..."; the answer without P1 is not documented: the emulator
//     uses Graph's code for premium-only APIs in a non-premium tenant.
//   - Malformed bodies (unknown enum members, wrong types) get the 400 seen in
//     public reports (hashicorp/terraform-provider-azuread#790): "1007:
//     Incoming ConditionalAccessPolicy object is null or does not match the
//     schema of ConditionalAccessPolicy type. ...".
//
// Security defaults and enabled policies exclude each other. Creating or
// updating a policy to state "enabled" while security defaults are on is
// refused with "Security Defaults is enabled in the tenant. You must disable
// Security defaults before enabling a Conditional Access policy." (seen on
// the live service by public tools: j0eyv/ConditionalAccessBaseline#17,
// KelvinTegelaar/CIPP#2214); report-only and disabled policies may coexist
// with them (the security defaults page, quoted in MicrosoftDocs/azure-docs#41233:
// "If you're using Conditional Access and have Conditional Access policies
// enabled in your environment, security defaults won't be available to
// you"). The status and code are not in the captures: the emulator answers
// 400 BadRequest.
//
// The portal also refuses "block" combined with other grant controls; Graph's
// pages do not document it, so the emulator does not enforce it.

const kindConditionalAccessPolicy = "conditionalAccessPolicy"

var (
	caStates         = []string{"enabled", "disabled", "enabledForReportingButNotEnforced"}
	caClientAppTypes = []string{"all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"}
	caRiskLevels     = []string{"low", "medium", "high", "hidden", "none"}
	caGrantControls  = []string{"block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication", "passwordChange"}
	caOperators      = []string{"AND", "OR"}
	caUserKeywords   = []string{"All", "None", "GuestsOrExternalUsers"}
	caAppKeywords    = []string{"All", "None", "Office365", "MicrosoftAdminPortals"}
	caLocKeywords    = []string{"All", "AllTrusted"}
	// conditionalAccessPlatforms
	// (https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccessplatforms):
	// conditionalAccessDevicePlatform members.
	caPlatforms = []string{"android", "iOS", "windows", "windowsPhone", "macOS", "linux", "all"}
	// conditionalAccessGuestsOrExternalUsers
	// (https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccessguestsorexternalusers):
	// guestOrExternalUserTypes is a flags enum sent as one comma-separated
	// string; externalTenants is conditionalAccessAllExternalTenants or
	// conditionalAccessEnumeratedExternalTenants (membershipKind all|enumerated,
	// https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccessexternaltenants).
	caGuestTypes = []string{"none", "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider"}
	// conditionalAccessFilter
	// (https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccessfilter): mode include|exclude.
	caFilterModes = []string{"include", "exclude"}
	// signInFrequencySessionControl
	// (https://learn.microsoft.com/en-us/graph/api/resources/signinfrequencysessioncontrol)
	// and persistentBrowserSessionControl
	// (https://learn.microsoft.com/en-us/graph/api/resources/persistentbrowsersessioncontrol).
	caFrequencyTypes     = []string{"days", "hours"}
	caFrequencyIntervals = []string{"timeBased", "everyTime"}
	caFrequencyAuthTypes = []string{"primaryAndSecondaryAuthentication", "secondaryAuthentication"}
	caBrowserModes       = []string{"always", "never"}
	caGUID               = regexp.MustCompile(`^(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// Built-in authentication strengths: three read-only policies
// (https://learn.microsoft.com/en-us/graph/api/resources/authenticationstrengths-overview);
// their fixed ids are seen in public tooling (e.g. the NSP.M365.ConditionalAccess
// module on the PowerShell Gallery). Custom strengths are the tenant's
// authenticationStrengthPolicy objects (see caAuthStrength).
var caBuiltInAuthStrengths = map[string]Object{
	"00000000-0000-0000-0000-000000000002": {"displayName": "Multifactor authentication", "requirementsSatisfied": "mfa"},
	"00000000-0000-0000-0000-000000000003": {"displayName": "Passwordless MFA", "requirementsSatisfied": "mfa"},
	"00000000-0000-0000-0000-000000000004": {"displayName": "Phishing-resistant MFA", "requirementsSatisfied": "mfa"},
}

func caBadRequest(format string, args ...any) *GraphError {
	return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf(format, args...)}
}

func caSchemaError(detail string) *GraphError {
	return caBadRequest("1007: Incoming ConditionalAccessPolicy object is null or does not match the schema of ConditionalAccessPolicy type. %s For examples, please see API documentation at https://docs.microsoft.com/en-us/graph/api/conditionalaccessroot-post-policies?view=graph-rest-1.0.", detail)
}

func needConditionalAccessLicence(t *Tenant) *GraphError {
	if t.Licences.EntraIDP1 || t.Licences.EntraIDP2 {
		return nil
	}
	return &GraphError{Status: http.StatusForbidden, Code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
		Message: "Neither tenant is B2C or tenant doesn't have premium license. Conditional Access requires Microsoft Entra ID P1."}
}

// caNotFound answers a missing policy id. Graph documents no body for it;
// the message follows the directory's "Resource '...' does not exist"
// (seen in public reports, DanielChronlund/DCToolbox#6).
func caNotFound(id string) *GraphError {
	return &GraphError{Status: http.StatusNotFound, Code: "ResourceNotFound",
		Message: fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)}
}

// caWriteAllowed checks the second permission writes need; without it the
// answer is conditional access's missing-scope 403 (scopesMissing).
func caWriteAllowed(g *GraphCall) *GraphError {
	if g.Principal.HasRole("Policy.Read.All") {
		return nil
	}
	return scopesMissing(nil)
}

func init() {
	read := []string{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"}
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/identity/conditionalAccess/policies",
		AnyOf: read, Denied: scopesMissing, Licence: needConditionalAccessLicence,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			// A tenant holds at most 195 policies
			// (https://learn.microsoft.com/en-us/entra/identity/conditional-access/overview):
			// one page answers them all.
			return g.List(g.Tenant.Store.List(kindConditionalAccessPolicy), "identity/conditionalAccess/policies", 1000, 1000)
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/identity/conditionalAccess/policies/{id}",
		AnyOf: read, Denied: scopesMissing, Licence: needConditionalAccessLicence,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			o := g.Tenant.Store.Get(kindConditionalAccessPolicy, g.Vars["id"])
			if o == nil {
				return 0, nil, caNotFound(g.Vars["id"])
			}
			sel, ge := parseSelect(g.Request.URL.Query().Get("$select"))
			if ge != nil {
				return 0, nil, ge
			}
			out := selectGraph(o, sel)
			out["@odata.context"] = g.Server.url + "/v1.0/$metadata#identity/conditionalAccess/policies/$entity"
			return http.StatusOK, out, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "POST", Pattern: "/identity/conditionalAccess/policies",
		AnyOf: []string{"Policy.ReadWrite.ConditionalAccess"}, Denied: scopesMissing, Licence: needConditionalAccessLicence, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			if ge := caWriteAllowed(g); ge != nil {
				return 0, nil, ge
			}
			var body map[string]any
			if err := json.Unmarshal(g.Body, &body); err != nil || body == nil {
				return 0, nil, caSchemaError("The request body is not a JSON object.")
			}
			p, ge := caMerge(Object{}, body)
			if ge != nil {
				return 0, nil, ge
			}
			if ge := caValidate(g.Tenant, p); ge != nil {
				return 0, nil, ge
			}
			if ge := caSecurityDefaultsConflict(g.Tenant, p); ge != nil {
				return 0, nil, ge
			}
			id := newRequestID()
			p["id"] = id
			p["templateId"] = nil
			p["createdDateTime"] = g.Server.now().UTC().Format(time.RFC3339Nano)
			p["modifiedDateTime"] = nil
			g.Tenant.Store.Put(kindConditionalAccessPolicy, id, p, g.Lag)
			out := p.Clone()
			out["@odata.context"] = g.Server.url + "/v1.0/$metadata#identity/conditionalAccess/policies/$entity"
			return http.StatusCreated, out, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "PATCH", Pattern: "/identity/conditionalAccess/policies/{id}",
		AnyOf: []string{"Policy.ReadWrite.ConditionalAccess"}, Denied: scopesMissing, Licence: needConditionalAccessLicence, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			if ge := caWriteAllowed(g); ge != nil {
				return 0, nil, ge
			}
			cur := g.Tenant.Store.GetLatest(kindConditionalAccessPolicy, g.Vars["id"])
			if cur == nil {
				return 0, nil, caNotFound(g.Vars["id"])
			}
			var body map[string]any
			if err := json.Unmarshal(g.Body, &body); err != nil || body == nil {
				return 0, nil, caSchemaError("The request body is not a JSON object.")
			}
			p, ge := caMerge(cur, body)
			if ge != nil {
				return 0, nil, ge
			}
			if ge := caValidate(g.Tenant, p); ge != nil {
				return 0, nil, ge
			}
			if ge := caSecurityDefaultsConflict(g.Tenant, p); ge != nil {
				return 0, nil, ge
			}
			p["modifiedDateTime"] = g.Server.now().UTC().Format(time.RFC3339Nano)
			id, _ := cur["id"].(string)
			g.Tenant.Store.Put(kindConditionalAccessPolicy, id, p, g.Lag)
			return http.StatusNoContent, nil, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "DELETE", Pattern: "/identity/conditionalAccess/policies/{id}",
		AnyOf: []string{"Policy.ReadWrite.ConditionalAccess"}, Denied: scopesMissing, Licence: needConditionalAccessLicence, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			if ge := caWriteAllowed(g); ge != nil {
				return 0, nil, ge
			}
			if !g.Tenant.Store.Delete(kindConditionalAccessPolicy, g.Vars["id"], g.Lag) {
				return 0, nil, caNotFound(g.Vars["id"])
			}
			return http.StatusNoContent, nil, nil
		},
	})
}

// The properties the emulator models, per complex type; a declared property
// it does not model may only be null.
var (
	caPolicyProps      = map[string]bool{"displayName": true, "state": true, "conditions": true, "grantControls": true, "sessionControls": true, "description": false, "templateId": false}
	caConditionProps   = map[string]bool{"users": true, "applications": true, "clientAppTypes": true, "userRiskLevels": true, "signInRiskLevels": true, "locations": true, "platforms": true, "devices": true, "clientApplications": false, "servicePrincipalRiskLevels": false, "authenticationFlows": false, "insiderRiskLevels": false}
	caUserProps        = map[string]bool{"includeUsers": true, "excludeUsers": true, "includeGroups": true, "excludeGroups": true, "includeRoles": true, "excludeRoles": true, "includeGuestsOrExternalUsers": true, "excludeGuestsOrExternalUsers": true}
	caPlatformProps    = map[string]bool{"includePlatforms": true, "excludePlatforms": true}
	caDeviceProps      = map[string]bool{"deviceFilter": true}
	caApplicationProps = map[string]bool{"includeApplications": true, "excludeApplications": true, "includeUserActions": true, "includeAuthenticationContextClassReferences": true, "applicationFilter": false}
	caLocationProps    = map[string]bool{"includeLocations": true, "excludeLocations": true}
	caGrantProps       = map[string]bool{"operator": true, "builtInControls": true, "customAuthenticationFactors": true, "termsOfUse": true, "authenticationStrength": true}
	caSessionProps     = map[string]bool{"signInFrequency": true, "applicationEnforcedRestrictions": false, "cloudAppSecurity": false, "persistentBrowser": true, "disableResilienceDefaults": false, "secureSignInSession": false}
)

// caMerge applies a request body to a policy: properties present replace
// the stored ones, nested complex values are merged property by property.
func caMerge(cur Object, body map[string]any) (Object, *GraphError) {
	out := cur.Clone()
	for k, v := range body {
		if k == "@odata.type" || strings.HasSuffix(k, "@odata.type") {
			continue
		}
		modelled, known := caPolicyProps[k]
		switch {
		case k == "id" || k == "createdDateTime" || k == "modifiedDateTime":
			return nil, caBadRequest("Property '%s' is read-only and cannot be set.", k)
		case !known:
			return nil, odataUnknownProperty(k, "microsoft.graph.conditionalAccessPolicy")
		case !modelled:
			if v != nil {
				return nil, caSchemaError(fmt.Sprintf("The emulator does not model '%s'.", k))
			}
		case k == "conditions":
			m, ok := v.(map[string]any)
			if !ok {
				return nil, caSchemaError("'conditions' must be an object.")
			}
			merged, ge := caMergeConditions(asObject(out["conditions"]), m)
			if ge != nil {
				return nil, ge
			}
			out["conditions"] = merged
		case k == "grantControls" || k == "sessionControls":
			if v == nil {
				out[k] = nil
				continue
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil, caSchemaError(fmt.Sprintf("'%s' must be an object.", k))
			}
			props, typ := caGrantProps, "conditionalAccessGrantControls"
			if k == "sessionControls" {
				props, typ = caSessionProps, "conditionalAccessSessionControls"
			}
			merged, ge := caMergeObject(asObject(out[k]), m, props, typ)
			if ge != nil {
				return nil, ge
			}
			out[k] = merged
		default:
			out[k] = v
		}
	}
	return out, nil
}

func caMergeConditions(cur Object, body map[string]any) (Object, *GraphError) {
	if cur == nil {
		cur = Object{}
	}
	for k, v := range body {
		if k == "@odata.type" {
			continue
		}
		modelled, known := caConditionProps[k]
		switch {
		case !known:
			return nil, odataUnknownProperty(k, "microsoft.graph.conditionalAccessConditionSet")
		case !modelled:
			if v != nil {
				return nil, caSchemaError(fmt.Sprintf("The emulator does not model conditions.%s.", k))
			}
			cur[k] = nil
		case k == "users" || k == "applications" || k == "locations" || k == "platforms" || k == "devices":
			if v == nil {
				cur[k] = nil
				continue
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil, caSchemaError(fmt.Sprintf("'conditions.%s' must be an object.", k))
			}
			props, typ := caUserProps, "conditionalAccessUsers"
			if k == "applications" {
				props, typ = caApplicationProps, "conditionalAccessApplications"
			} else if k == "locations" {
				props, typ = caLocationProps, "conditionalAccessLocations"
			} else if k == "platforms" {
				props, typ = caPlatformProps, "conditionalAccessPlatforms"
			} else if k == "devices" {
				props, typ = caDeviceProps, "conditionalAccessDevices"
			}
			merged, ge := caMergeObject(asObject(cur[k]), m, props, typ)
			if ge != nil {
				return nil, ge
			}
			cur[k] = merged
		default:
			cur[k] = v
		}
	}
	return cur, nil
}

func caMergeObject(cur Object, body map[string]any, props map[string]bool, typ string) (Object, *GraphError) {
	if cur == nil {
		cur = Object{}
	}
	for k, v := range body {
		if k == "@odata.type" || strings.HasSuffix(k, "@odata.context") {
			continue
		}
		modelled, known := props[k]
		if !known {
			return nil, odataUnknownProperty(k, "microsoft.graph."+typ)
		}
		if !modelled && v != nil {
			return nil, caSchemaError(fmt.Sprintf("The emulator does not model %s.%s.", typ, k))
		}
		cur[k] = v
	}
	return cur, nil
}

func asObject(v any) Object {
	switch t := v.(type) {
	case Object:
		return t.Clone()
	case map[string]any:
		return Object(t).Clone()
	}
	return nil
}

// caStrings reads a string collection; null and absent are empty.
func caStrings(o Object, key, where string) ([]string, *GraphError) {
	v, ok := o[key]
	if !ok || v == nil {
		return []string{}, nil
	}
	switch t := v.(type) {
	case []string:
		return append([]string{}, t...), nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, caSchemaError(fmt.Sprintf("'%s.%s' must be a collection of strings.", where, key))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, caSchemaError(fmt.Sprintf("'%s.%s' must be a collection of strings.", where, key))
}

// caCheck reads a string collection and checks every member: an enum member
// (exact case, as OData enums are) or, with ids, a GUID or a keyword.
func caCheck(o Object, key, where string, enum []string, ids bool) ([]string, *GraphError) {
	vals, ge := caStrings(o, key, where)
	if ge != nil {
		return nil, ge
	}
	for i, v := range vals {
		switch {
		case slices.Contains(enum, v):
		case ids && caGUID.MatchString(v):
			vals[i] = strings.ToLower(v)
		default:
			return nil, caSchemaError(fmt.Sprintf("Requested value '%s' was not found for '%s.%s'.", v, where, key))
		}
	}
	o[key] = anyStrings(vals)
	return vals, nil
}

// anyStrings stores a collection as []any: the store's copies keep an empty
// []any empty, so Graph's [] never turns into null.
func anyStrings(v []string) []any {
	out := make([]any, len(v))
	for i := range v {
		out[i] = v[i]
	}
	return out
}

// caValidate checks a whole policy and fills in the properties Graph reports
// as empty collections or null.
func caValidate(t *Tenant, p Object) *GraphError {
	name, _ := p["displayName"].(string)
	if strings.TrimSpace(name) == "" {
		return caBadRequest("displayName is required.")
	}
	state, _ := p["state"].(string)
	if !slices.Contains(caStates, state) {
		return caSchemaError(fmt.Sprintf("Requested value '%v' was not found for 'state'.", p["state"]))
	}
	if _, ok := p["sessionControls"]; !ok {
		p["sessionControls"] = nil
	}
	if _, ok := p["grantControls"]; !ok {
		p["grantControls"] = nil
	}
	cond := asObject(p["conditions"])
	if cond == nil {
		return caSchemaError("'conditions' is required.")
	}
	for k, modelled := range caConditionProps {
		if _, ok := cond[k]; !ok && !modelled {
			cond[k] = nil
		}
	}
	clientApps, ge := caCheck(cond, "clientAppTypes", "conditions", caClientAppTypes, false)
	if ge != nil {
		return ge
	}
	if len(clientApps) == 0 {
		return caSchemaError("'conditions.clientAppTypes' is required.")
	}
	userRisk, ge := caCheck(cond, "userRiskLevels", "conditions", caRiskLevels, false)
	if ge != nil {
		return ge
	}
	signInRisk, ge := caCheck(cond, "signInRiskLevels", "conditions", caRiskLevels, false)
	if ge != nil {
		return ge
	}
	users := asObject(cond["users"])
	if users == nil {
		return caSchemaError("'conditions.users' is required.")
	}
	included := 0
	for k, modelled := range caUserProps {
		if !modelled {
			if _, ok := users[k]; !ok {
				users[k] = nil
			}
			continue
		}
		if k == "includeGuestsOrExternalUsers" || k == "excludeGuestsOrExternalUsers" {
			g, ge := caValidateGuests(users[k], "conditions.users."+k)
			if ge != nil {
				return ge
			}
			if g == nil {
				users[k] = nil
			} else {
				users[k] = g
				if k == "includeGuestsOrExternalUsers" {
					included++
				}
			}
			continue
		}
		kw := caUserKeywords
		if k != "includeUsers" && k != "excludeUsers" {
			kw = nil
		}
		vals, ge := caCheck(users, k, "conditions.users", kw, true)
		if ge != nil {
			return ge
		}
		if strings.HasPrefix(k, "include") {
			included += len(vals)
		}
	}
	if included == 0 {
		return caBadRequest("conditions.users must include users, groups or roles (use includeUsers 'None' to include nobody).")
	}
	cond["users"] = users
	apps := asObject(cond["applications"])
	if apps == nil {
		return caSchemaError("'conditions.applications' is required.")
	}
	if _, ok := apps["applicationFilter"]; !ok {
		apps["applicationFilter"] = nil
	}
	includeApps, ge := caCheck(apps, "includeApplications", "conditions.applications", caAppKeywords, true)
	if ge != nil {
		return ge
	}
	if _, ge := caCheck(apps, "excludeApplications", "conditions.applications", caAppKeywords, true); ge != nil {
		return ge
	}
	includedApps := len(includeApps)
	for _, k := range []string{"includeUserActions", "includeAuthenticationContextClassReferences"} {
		v, ge := caStrings(apps, k, "conditions.applications")
		if ge != nil {
			return ge
		}
		apps[k] = anyStrings(v)
		includedApps += len(v)
	}
	if includedApps == 0 {
		return caBadRequest("conditions.applications must include applications (use includeApplications 'None' to include none).")
	}
	cond["applications"] = apps
	hasLocations := false
	if loc := asObject(cond["locations"]); loc != nil {
		inc, ge := caCheck(loc, "includeLocations", "conditions.locations", caLocKeywords, true)
		if ge != nil {
			return ge
		}
		exc, ge := caCheck(loc, "excludeLocations", "conditions.locations", caLocKeywords, true)
		if ge != nil {
			return ge
		}
		if ge := caLocationsExist(t, append(slices.Clone(inc), exc...)); ge != nil {
			return ge
		}
		hasLocations = len(inc)+len(exc) > 0
		cond["locations"] = loc
	} else {
		cond["locations"] = nil
	}
	hasPlatforms := false
	if pl := asObject(cond["platforms"]); pl != nil {
		inc, ge := caCheck(pl, "includePlatforms", "conditions.platforms", caPlatforms, false)
		if ge != nil {
			return ge
		}
		if _, ge := caCheck(pl, "excludePlatforms", "conditions.platforms", caPlatforms, false); ge != nil {
			return ge
		}
		// The resource type page: includePlatforms is required.
		if len(inc) == 0 {
			return caSchemaError("'conditions.platforms.includePlatforms' is required.")
		}
		hasPlatforms = true
		cond["platforms"] = pl
	} else {
		cond["platforms"] = nil
	}
	hasDevices := false
	if d := asObject(cond["devices"]); d != nil {
		f := asObject(d["deviceFilter"])
		if f == nil {
			d["deviceFilter"] = nil
		} else {
			if ge := caKnownProps(f, map[string]bool{"mode": true, "rule": true}, "conditionalAccessFilter"); ge != nil {
				return ge
			}
			mode, _ := f["mode"].(string)
			if !slices.Contains(caFilterModes, mode) {
				return caSchemaError(fmt.Sprintf("Requested value '%v' was not found for 'conditions.devices.deviceFilter.mode'.", f["mode"]))
			}
			if rule, _ := f["rule"].(string); strings.TrimSpace(rule) == "" {
				return caBadRequest("conditions.devices.deviceFilter.rule is required.")
			}
			d["deviceFilter"] = f
			hasDevices = true
		}
		cond["devices"] = d
	} else {
		cond["devices"] = nil
	}
	p["conditions"] = cond

	var controls []string
	hasGrant := false
	if gc := asObject(p["grantControls"]); gc != nil {
		var ge *GraphError
		if controls, ge = caCheck(gc, "builtInControls", "grantControls", caGrantControls, false); ge != nil {
			return ge
		}
		terms, ge := caCheck(gc, "termsOfUse", "grantControls", nil, true)
		if ge != nil {
			return ge
		}
		custom, ge := caStrings(gc, "customAuthenticationFactors", "grantControls")
		if ge != nil {
			return ge
		}
		gc["customAuthenticationFactors"] = anyStrings(custom)
		op, _ := gc["operator"].(string)
		if !slices.Contains(caOperators, op) {
			return caSchemaError(fmt.Sprintf("Requested value '%v' was not found for 'grantControls.operator'.", gc["operator"]))
		}
		hasStrength := false
		switch as := gc["authenticationStrength"].(type) {
		case nil:
			gc["authenticationStrength"] = nil
		case map[string]any, Object:
			id, _ := asObject(as)["id"].(string)
			st, ge := caAuthStrength(t, id)
			if ge != nil {
				return ge
			}
			gc["authenticationStrength"] = st
			hasStrength = true
		default:
			return caSchemaError("'grantControls.authenticationStrength' must be an object.")
		}
		hasGrant = len(controls)+len(terms)+len(custom) > 0 || hasStrength
		p["grantControls"] = gc
	}
	hasSession := false
	if sc := asObject(p["sessionControls"]); sc != nil {
		for k, modelled := range caSessionProps {
			if _, ok := sc[k]; !ok && !modelled {
				sc[k] = nil
			}
		}
		if f := asObject(sc["signInFrequency"]); f != nil {
			if ge := caKnownProps(f, map[string]bool{"isEnabled": true, "value": true, "type": true, "authenticationType": true, "frequencyInterval": true}, "signInFrequencySessionControl"); ge != nil {
				return ge
			}
			interval, _ := f["frequencyInterval"].(string)
			if f["frequencyInterval"] == nil {
				interval = "timeBased"
			}
			if !slices.Contains(caFrequencyIntervals, interval) {
				return caSchemaError(fmt.Sprintf("Requested value '%v' was not found for 'sessionControls.signInFrequency.frequencyInterval'.", f["frequencyInterval"]))
			}
			if at, ok := f["authenticationType"]; ok && at != nil && !slices.Contains(caFrequencyAuthTypes, fmt.Sprint(at)) {
				return caSchemaError(fmt.Sprintf("Requested value '%v' was not found for 'sessionControls.signInFrequency.authenticationType'.", at))
			}
			v, _ := f["value"].(float64)
			typ, _ := f["type"].(string)
			if f["type"] != nil && !slices.Contains(caFrequencyTypes, typ) {
				return caSchemaError(fmt.Sprintf("Requested value '%v' was not found for 'sessionControls.signInFrequency.type'.", f["type"]))
			}
			// type is null when frequencyInterval is everyTime
			// (https://learn.microsoft.com/en-us/graph/api/resources/signinfrequencysessioncontrol?view=graph-rest-beta);
			// a time-based frequency needs a value and a type. The Entra admin
			// centre offers 1-23 hours and 1-365 days; Graph's page gives no
			// range: the emulator takes the admin centre's, the stricter reading.
			switch {
			case interval == "everyTime" && (f["value"] != nil || f["type"] != nil):
				return caBadRequest("sessionControls.signInFrequency: value and type must be null when frequencyInterval is everyTime.")
			case interval == "timeBased" && (v < 1 || typ == "" || (typ == "hours" && v > 23) || v > 365):
				return caBadRequest("sessionControls.signInFrequency: a time-based frequency needs a value of 1-23 hours or 1-365 days.")
			}
			for _, k := range []string{"isEnabled", "value", "type", "authenticationType", "frequencyInterval"} {
				if _, ok := f[k]; !ok {
					f[k] = nil
				}
			}
			sc["signInFrequency"] = f
			hasSession = true
		} else {
			sc["signInFrequency"] = nil
		}
		if b := asObject(sc["persistentBrowser"]); b != nil {
			if ge := caKnownProps(b, map[string]bool{"isEnabled": true, "mode": true}, "persistentBrowserSessionControl"); ge != nil {
				return ge
			}
			if mode, _ := b["mode"].(string); !slices.Contains(caBrowserModes, mode) {
				return caSchemaError(fmt.Sprintf("Requested value '%v' was not found for 'sessionControls.persistentBrowser.mode'.", b["mode"]))
			}
			if _, ok := b["isEnabled"]; !ok {
				b["isEnabled"] = nil
			}
			sc["persistentBrowser"] = b
			hasSession = true
		} else {
			sc["persistentBrowser"] = nil
		}
		p["sessionControls"] = sc
	}
	if !hasGrant && !hasSession {
		return caBadRequest("A policy needs at least one grant control or session control.")
	}
	if slices.Contains(controls, "passwordChange") {
		gc := asObject(p["grantControls"])
		if gc["operator"] != "AND" || !slices.Contains(controls, "mfa") {
			return caBadRequest("passwordChange must be accompanied by mfa using the AND operator.")
		}
		if len(userRisk) == 0 {
			return caBadRequest("passwordChange can only be used in a policy with userRiskLevels.")
		}
		if len(signInRisk) > 0 || hasLocations || hasPlatforms || hasDevices {
			return caBadRequest("A policy with passwordChange cannot contain conditions other than users, applications and userRiskLevels.")
		}
	}
	if (len(userRisk) > 0 || len(signInRisk) > 0) && !t.Licences.EntraIDP2 {
		return caBadRequest("1039: Cannot create or update policies with premium P2 features. Upgrade to a premium P2 license and try again.")
	}
	return nil
}

// caKnownProps refuses a property the complex type does not declare, as
// Graph's OData reader does.
func caKnownProps(o Object, props map[string]bool, typ string) *GraphError {
	for k := range o {
		if k == "@odata.type" {
			continue
		}
		if !props[k] {
			return odataUnknownProperty(k, "microsoft.graph."+typ)
		}
	}
	return nil
}

// caValidateGuests checks a conditionalAccessGuestsOrExternalUsers value
// and returns it as stored (nil for null).
func caValidateGuests(v any, where string) (Object, *GraphError) {
	if v == nil {
		return nil, nil
	}
	g := asObject(v)
	if g == nil {
		switch v.(type) {
		case Object, map[string]any: // a stored null
			return nil, nil
		}
		return nil, caSchemaError(fmt.Sprintf("'%s' must be an object.", where))
	}
	if ge := caKnownProps(g, map[string]bool{"guestOrExternalUserTypes": true, "externalTenants": true}, "conditionalAccessGuestsOrExternalUsers"); ge != nil {
		return nil, ge
	}
	typesStr, ok := g["guestOrExternalUserTypes"].(string)
	if !ok || typesStr == "" {
		return nil, caBadRequest("%s.guestOrExternalUserTypes is required.", where)
	}
	for _, t := range strings.Split(typesStr, ",") {
		if !slices.Contains(caGuestTypes, t) {
			return nil, caSchemaError(fmt.Sprintf("Requested value '%s' was not found for '%s.guestOrExternalUserTypes'.", t, where))
		}
	}
	switch et := g["externalTenants"].(type) {
	case nil:
		g["externalTenants"] = nil
	case map[string]any, Object:
		t := asObject(et)
		if ge := caKnownProps(t, map[string]bool{"membershipKind": true, "members": true}, "conditionalAccessExternalTenants"); ge != nil {
			return nil, ge
		}
		kind, _ := t["membershipKind"].(string)
		odataType, _ := t["@odata.type"].(string)
		switch kind {
		case "all":
			if _, has := t["members"]; has || (odataType != "" && odataType != "#microsoft.graph.conditionalAccessAllExternalTenants") {
				return nil, caSchemaError(fmt.Sprintf("'%s.externalTenants' with membershipKind all is a conditionalAccessAllExternalTenants and has no members.", where))
			}
			t["@odata.type"] = "#microsoft.graph.conditionalAccessAllExternalTenants"
		case "enumerated":
			if odataType != "" && odataType != "#microsoft.graph.conditionalAccessEnumeratedExternalTenants" {
				return nil, caSchemaError(fmt.Sprintf("'%s.externalTenants' with membershipKind enumerated is a conditionalAccessEnumeratedExternalTenants.", where))
			}
			members, ge := caCheck(t, "members", where+".externalTenants", nil, true)
			if ge != nil {
				return nil, ge
			}
			if len(members) == 0 {
				return nil, caBadRequest("%s.externalTenants.members must list at least one tenant when membershipKind is enumerated.", where)
			}
			t["@odata.type"] = "#microsoft.graph.conditionalAccessEnumeratedExternalTenants"
		default:
			return nil, caSchemaError(fmt.Sprintf("Requested value '%v' was not found for '%s.externalTenants.membershipKind'.", t["membershipKind"], where))
		}
		g["externalTenants"] = t
	default:
		return nil, caSchemaError(fmt.Sprintf("'%s.externalTenants' must be an object.", where))
	}
	return g, nil
}

// caSecurityDefaultsConflict refuses an enabled policy while security
// defaults are on (see the file comment for the sources).
func caSecurityDefaultsConflict(t *Tenant, p Object) *GraphError {
	if p["state"] != "enabled" || !securityDefaultsOn(t) {
		return nil
	}
	return caBadRequest("Security Defaults is enabled in the tenant. You must disable Security defaults before enabling a Conditional Access policy.")
}

// enabledConditionalAccessPolicies counts the policies in state enabled, as
// the service holds them (not as a lagging replica shows them).
func enabledConditionalAccessPolicies(t *Tenant) int {
	n := 0
	for _, p := range t.Store.ListLatest(kindConditionalAccessPolicy) {
		if p["state"] == "enabled" {
			n++
		}
	}
	return n
}

// caAuthStrength is the authenticationStrength a policy's grant controls
// reference: a built-in, or a custom strength the tenant holds. Any other id
// is refused; Graph documents no message for it, the emulator answers 400
// (the stricter reading: a grant that cannot be evaluated is not stored).
func caAuthStrength(t *Tenant, id string) (Object, *GraphError) {
	id = strings.ToLower(id)
	if builtIn, ok := caBuiltInAuthStrengths[id]; ok {
		st := builtIn.Clone()
		st["id"] = id
		st["policyType"] = "builtIn"
		return st, nil
	}
	if caGUID.MatchString(id) {
		if o := t.Store.GetLatest(kindAuthStrength, id); o != nil {
			st := Object{"id": id, "policyType": "custom"}
			for _, k := range []string{"displayName", "description", "requirementsSatisfied", "allowedCombinations"} {
				st[k] = cloneValue(o[k])
			}
			return st, nil
		}
	}
	return nil, caBadRequest("The authentication strength policy '%s' does not exist.", id)
}

// caMFATrustedIPs is the system location "Multifactor authentication trusted
// IPs": policies reference it though it is not listed as a named location
// (Microsoft365DSC/Microsoft365DSC#2974, DanielChronlund/DCToolbox#5).
const caMFATrustedIPs = "00000000-0000-0000-0000-000000000000"

// caLocationsExist refuses a location id that is not one of the tenant's
// named locations, as Graph does: 400 "1040: NamedLocation with id … does not
// exist in the directory." (KelvinTegelaar/CIPP#4655). "All" and
// "AllTrusted" are keywords, checked by caCheck.
func caLocationsExist(t *Tenant, ids []string) *GraphError {
	for _, id := range ids {
		if !caGUID.MatchString(id) || id == caMFATrustedIPs {
			continue
		}
		if t.Store.GetLatest(kindNamedLocation, id) == nil {
			return caBadRequest("1040: NamedLocation with id %s does not exist in the directory.", id)
		}
	}
	return nil
}
