package provider

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/m365harden/terraform-provider-m365harden/internal/cmdletref"
)

var (
	quotedRe   = regexp.MustCompile(`"([^"]*)"`)
	backtickRe = regexp.MustCompile("`-?([A-Z][A-Za-z0-9]+)`")
)

type enumAttr struct {
	values []string
	desc   string
}

// enumAttrs walks a resource schema and returns, per attribute path, the
// values of its one-of validators (on a string, or on the elements of a
// set or list) and its description.
func enumAttrs(ctx context.Context, attrs map[string]schema.Attribute, prefix string, out map[string]enumAttr) {
	for name, a := range attrs {
		p := prefix + name
		var descs []string
		switch x := a.(type) {
		case schema.StringAttribute:
			for _, v := range x.Validators {
				descs = append(descs, v.Description(ctx))
			}
		case schema.SetAttribute:
			for _, v := range x.Validators {
				descs = append(descs, v.Description(ctx))
			}
		case schema.ListAttribute:
			for _, v := range x.Validators {
				descs = append(descs, v.Description(ctx))
			}
		case schema.SingleNestedAttribute:
			enumAttrs(ctx, x.Attributes, p+".", out)
		case schema.ListNestedAttribute:
			enumAttrs(ctx, x.NestedObject.Attributes, p+".", out)
		case schema.SetNestedAttribute:
			enumAttrs(ctx, x.NestedObject.Attributes, p+".", out)
		}
		for _, d := range descs {
			if i := strings.Index(d, "value must be one of:"); i >= 0 {
				e := out[p]
				for _, m := range quotedRe.FindAllStringSubmatch(d[i:], -1) {
					e.values = append(e.values, m[1])
				}
				e.desc = a.GetMarkdownDescription()
				out[p] = e
			}
		}
	}
}

// catalogueParams returns, for a parameter name, the value lists the cmdlet
// catalogue holds for it on New-/Set-/Get- cmdlets, keyed by cmdlet.
func catalogueParams(cat *cmdletref.Catalogue, param string) map[string][]string {
	out := map[string][]string{}
	for _, n := range cat.Names() {
		l := strings.ToLower(n)
		if !strings.HasPrefix(l, "new-") && !strings.HasPrefix(l, "set-") && !strings.HasPrefix(l, "get-") {
			continue
		}
		p := cat.Cmdlet(n).Param(param)
		if p == nil {
			continue
		}
		vals := p.Values
		if vals == nil {
			for _, v := range p.ValidValues {
				vals = append(vals, v.Value)
			}
		}
		if vals != nil {
			out[n] = vals
		}
	}
	return out
}

func subsetFold(sub, of []string) (missing []string) {
	for _, s := range sub {
		found := false
		for _, o := range of {
			if strings.EqualFold(s, o) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, s)
		}
	}
	return missing
}

// Issue 9, item 14: every enumeration an Exchange resource argument accepts
// is the cmdlet catalogue's value list for the parameter its description
// names (the first `Parameter` in backticks), or a subset of it that the
// description documents ("not offered"/"refused" values are named there).
// Arguments whose description names no catalogued parameter with a value
// list are Graph properties or provider-side choices and are listed in
// notCmdletEnums with the reason, so a new enumeration cannot slip through
// without a decision.
func TestEnumValidatorsMatchCmdletCatalogue(t *testing.T) {
	ctx := context.Background()
	cat := cmdletref.Load()
	p := New("test")().(*m365hardenProvider)
	for _, f := range p.Resources(ctx) {
		r := f()
		var md resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "m365harden"}, &md)
		var sr resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &sr)
		attrs := map[string]enumAttr{}
		enumAttrs(ctx, sr.Schema.Attributes, "", attrs)
		keys := make([]string, 0, len(attrs))
		for k := range attrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			a := attrs[k]
			id := md.TypeName + "." + k
			if _, ok := notCmdletEnums[id]; ok {
				continue
			}
			// The parameter: the attribute's name in PascalCase, else
			// the first catalogued parameter its description names.
			var param string
			var lists map[string][]string
			cands := []string{pascal(k[strings.LastIndex(k, ".")+1:]), pascal(strings.TrimPrefix(k, "required_"))}
			for _, m := range backtickRe.FindAllStringSubmatch(a.desc, -1) {
				cands = append(cands, m[1])
			}
			for _, c := range cands {
				if l := catalogueParams(cat, c); len(l) > 0 {
					param, lists = c, l
					break
				}
			}
			if lists == nil {
				t.Errorf("%s: one of %v, but its description names no catalogued cmdlet parameter with a value list; map it or add it to notCmdletEnums with the reason", id, a.values)
				continue
			}
			best := ""
			var bestMissing []string
			for cmdlet, vals := range lists {
				miss := subsetFold(a.values, vals)
				if best == "" || len(miss) < len(bestMissing) {
					best, bestMissing = cmdlet, miss
				}
			}
			if len(bestMissing) > 0 {
				t.Errorf("%s accepts %v, which %s -%s does not list (catalogue: %v)", id, bestMissing, best, param, lists[best])
				continue
			}
			// A subset must be documented: the description names every
			// value it accepts.
			if extra := subsetFold(lists[best], a.values); len(extra) > 0 {
				for _, v := range a.values {
					if !strings.Contains(a.desc, "`"+v+"`") {
						t.Errorf("%s refuses %d values of %s -%s (e.g. %s) but its description does not list what it accepts (%s missing)", id, len(extra), best, param, extra[0], v)
						break
					}
				}
			}
		}
	}
}

// pascal turns an attribute name into a cmdlet parameter name:
// allowed_oof_type -> AllowedOofType (the catalogue matches names ignoring
// case).
func pascal(s string) string {
	parts := strings.Split(s, "_")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

// notCmdletEnums are enumerations that stand for no Exchange cmdlet
// parameter, with the source of their values.
var notCmdletEnums = map[string]string{
	"m365harden_preset_security_policy.level":                                                                                 "not a parameter: the preset whose rules (named \"<level> Preset Security Policy\", get-eopprotectionpolicyrule -Identity) are managed",
	"m365harden_mailbox_audit_baseline.recipient_types":                                                                       "Get-Mailbox -RecipientTypeDetails, whose catalogue entry keeps no value list; the mailbox types that have audit settings",
	"m365harden_conditional_access_policy.conditions.client_app_types":                                                        graphCA,
	"m365harden_conditional_access_policy.conditions.devices.device_filter.mode":                                              graphCA,
	"m365harden_conditional_access_policy.conditions.platforms.exclude_platforms":                                             graphCA,
	"m365harden_conditional_access_policy.conditions.platforms.include_platforms":                                             graphCA,
	"m365harden_conditional_access_policy.conditions.sign_in_risk_levels":                                                     graphCA,
	"m365harden_conditional_access_policy.conditions.user_risk_levels":                                                        graphCA,
	"m365harden_conditional_access_policy.conditions.users.exclude_guests_or_external_users.external_tenants_membership_kind": graphCA,
	"m365harden_conditional_access_policy.conditions.users.exclude_guests_or_external_users.guest_or_external_user_types":     graphCA,
	"m365harden_conditional_access_policy.conditions.users.include_guests_or_external_users.external_tenants_membership_kind": graphCA,
	"m365harden_conditional_access_policy.conditions.users.include_guests_or_external_users.guest_or_external_user_types":     graphCA,
	"m365harden_conditional_access_policy.grant_controls.built_in_controls":                                                   graphCA,
	"m365harden_conditional_access_policy.grant_controls.operator":                                                            graphCA,
	"m365harden_conditional_access_policy.session_controls.persistent_browser.mode":                                           graphCA,
	"m365harden_conditional_access_policy.session_controls.sign_in_frequency.authentication_type":                             graphCA,
	"m365harden_conditional_access_policy.session_controls.sign_in_frequency.frequency_interval":                              graphCA,
	"m365harden_conditional_access_policy.session_controls.sign_in_frequency.type":                                            graphCA,
	"m365harden_conditional_access_policy.state":                                                                              graphCA,
	"m365harden_named_location.country.country_lookup_method":                                                                 "Graph countryNamedLocation.countryLookupMethod (countryLookupMethodType)",
	"m365harden_authorization_policy.allow_invites_from":                                                                      "Graph authorizationPolicy.allowInvitesFrom (allowInvitesFrom enum)",
	"m365harden_authorization_policy.guest_user_access":                                                                       "provider names for the Graph authorizationPolicy.guestUserRoleId GUIDs",
	"m365harden_authentication_methods_policy.registration_campaign.include_targets.targeted_authentication_method":           graphAuthMethods,
	"m365harden_authentication_methods_policy.registration_campaign.state":                                                    graphAuthMethods,
	"m365harden_authentication_method_configuration.email.allow_external_id_to_use_email_otp":                                 graphAuthMethods,
	"m365harden_authentication_method_configuration.exclude_targets.target_type":                                              graphAuthMethods,
	"m365harden_authentication_method_configuration.fido2.key_restrictions.enforcement_type":                                  graphAuthMethods,
	"m365harden_authentication_method_configuration.include_targets.authentication_mode":                                      graphAuthMethods,
	"m365harden_authentication_method_configuration.include_targets.target_type":                                              graphAuthMethods,
	"m365harden_authentication_method_configuration.method":                                                                   graphAuthMethods,
	"m365harden_authentication_method_configuration.microsoft_authenticator.display_app_information.exclude_target_type":      graphAuthMethods,
	"m365harden_authentication_method_configuration.microsoft_authenticator.display_app_information.include_target_type":      graphAuthMethods,
	"m365harden_authentication_method_configuration.microsoft_authenticator.display_app_information.state":                    graphAuthMethods,
	"m365harden_authentication_method_configuration.microsoft_authenticator.display_location_information.exclude_target_type": graphAuthMethods,
	"m365harden_authentication_method_configuration.microsoft_authenticator.display_location_information.include_target_type": graphAuthMethods,
	"m365harden_authentication_method_configuration.microsoft_authenticator.display_location_information.state":               graphAuthMethods,
	"m365harden_safe_attachment_policy.redirect_address":                                                                      "an SMTP address; the one-of is only the empty string that clears it",
	"m365harden_authentication_methods_policy.policy_migration_state":                                                         graphAuthMethods,
	"m365harden_authentication_methods_policy.registration_campaign.exclude_targets.target_type":                              graphAuthMethods,
	"m365harden_authentication_methods_policy.registration_campaign.include_targets.target_type":                              graphAuthMethods,
	"m365harden_authentication_methods_policy.system_credential_preferences.state":                                            graphAuthMethods, // beta; same SDK enums as v1.0
	"m365harden_authentication_methods_policy.system_credential_preferences.include_targets.target_type":                      graphAuthMethods,
	"m365harden_authentication_methods_policy.system_credential_preferences.exclude_targets.target_type":                      graphAuthMethods,
	"m365harden_authentication_methods_policy.report_suspicious_activity_settings.state":                                      graphAuthMethods,
	"m365harden_authentication_methods_policy.report_suspicious_activity_settings.include_target.target_type":                 graphAuthMethods,
	"m365harden_authorization_policy.user_consent":                                                                            "provider names for Graph defaultUserRolePermissions.permissionGrantPoliciesAssigned values",
}

// graphAuthMethods: Graph authentication methods policy enumerations, held
// to msgraph-sdk-go's models by resource_authentication_methods_enums_test.go
// (the method names are the configuration ids Graph documents).
const graphAuthMethods = "Graph authenticationMethodsPolicy enumeration (msgraph-sdk-go models)"

// graphCA: Graph conditionalAccessPolicy enumerations, held to
// msgraph-sdk-go's models by resource_conditional_access_policy_enums_test.go.
const graphCA = "Graph conditionalAccessPolicy enumeration (msgraph-sdk-go models)"
