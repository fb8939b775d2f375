package m365sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Named locations: /identity/conditionalAccess/namedLocations.
//
//   - Resource types: namedLocation, the abstract base
//     (https://learn.microsoft.com/en-us/graph/api/resources/namedlocation:
//     displayName, id, createdDateTime and modifiedDateTime, the last three
//     read-only); countryNamedLocation
//     (https://learn.microsoft.com/en-us/graph/api/resources/countrynamedlocation:
//     countriesAndRegions, required, two-letter codes; countryLookupMethod
//     clientIpAddress (default) | authenticatorAppGps;
//     includeUnknownCountriesAndRegions, default false); ipNamedLocation
//     (https://learn.microsoft.com/en-us/graph/api/resources/ipnamedlocation:
//     ipRanges, required, iPv4CidrRange or iPv6CidrRange
//     (https://learn.microsoft.com/en-us/graph/api/resources/ipv4cidrrange,
//     https://learn.microsoft.com/en-us/graph/api/resources/ipv6cidrrange),
//     each a cidrAddress; isTrusted, default false).
//   - Create (https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-post-namedlocations):
//     the body must carry the @odata.type of the derived type; 201 with the
//     entity. Application permissions: Policy.Read.All and
//     Policy.ReadWrite.ConditionalAccess (both).
//   - List and get (https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-list-namedlocations,
//     https://learn.microsoft.com/en-us/graph/api/namedlocation-get):
//     Policy.Read.All.
//   - Update (https://learn.microsoft.com/en-us/graph/api/ipnamedlocation-update,
//     https://learn.microsoft.com/en-us/graph/api/countrynamedlocation-update):
//     the body must carry the @odata.type; 204. ipRanges is replaced as a
//     whole ("to keep an existing range, include it"). Policy.Read.All and
//     Policy.ReadWrite.ConditionalAccess.
//   - Delete (https://learn.microsoft.com/en-us/graph/api/namedlocation-delete):
//     204; the same two permissions. The reference pages do not document
//     what Graph answers for a location a Conditional Access policy still
//     names; the Entra admin centre refuses to delete one, so the emulator
//     takes the stricter reading and refuses too (400). Public captures
//     show Graph refusing to delete an IP location while it is marked
//     trusted (hashicorp/terraform-provider-azuread#1112, fixed in #1156 by
//     clearing isTrusted first): the emulator refuses that too.
//   - Licence: named locations are part of Conditional Access (Microsoft
//     Entra ID P1); the answer without it is not documented, the emulator
//     uses the Conditional Access one.

const (
	kindNamedLocation   = "namedLocation"
	odataCountryNamedLo = "#microsoft.graph.countryNamedLocation"
	odataIPNamedLo      = "#microsoft.graph.ipNamedLocation"
	odataIPv4Cidr       = "#microsoft.graph.iPv4CidrRange"
	odataIPv6Cidr       = "#microsoft.graph.iPv6CidrRange"
)

var (
	nlCountryRe      = regexp.MustCompile(`^[A-Z]{2}$`)
	nlLookupMethods  = []string{"clientIpAddress", "authenticatorAppGps"}
	nlCommonProps    = []string{"displayName"}
	nlCountryProps   = []string{"countriesAndRegions", "countryLookupMethod", "includeUnknownCountriesAndRegions"}
	nlIPProps        = []string{"ipRanges", "isTrusted"}
	nlReadOnlyProps  = []string{"id", "createdDateTime", "modifiedDateTime"}
	nlWritePermsText = "Insufficient privileges to complete the operation. Requires the application permissions: Policy.ReadWrite.ConditionalAccess and Policy.Read.All."
)

func nlNotFound(id string) *GraphError {
	return &GraphError{Status: http.StatusNotFound, Code: "ResourceNotFound",
		Message: fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)}
}

func nlWriteAllowed(g *GraphCall) *GraphError {
	if g.Principal.HasRole("Policy.Read.All") {
		return nil
	}
	return &GraphError{Status: http.StatusForbidden, Code: "Authorization_RequestDenied", Message: nlWritePermsText}
}

func init() {
	read := []string{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"}
	const ctxColl = "identity/conditionalAccess/namedLocations"
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/identity/conditionalAccess/namedLocations",
		AnyOf: read, Licence: needConditionalAccessLicence,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			items := g.Tenant.Store.List(kindNamedLocation)
			return g.List(items, ctxColl, 100, 999)
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/identity/conditionalAccess/namedLocations/{id}",
		AnyOf: read, Licence: needConditionalAccessLicence,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			o := g.Tenant.Store.Get(kindNamedLocation, g.Vars["id"])
			if o == nil {
				return 0, nil, nlNotFound(g.Vars["id"])
			}
			sel, ge := parseSelect(g.Request.URL.Query().Get("$select"))
			if ge != nil {
				return 0, nil, ge
			}
			out := selectGraph(o, sel)
			out["@odata.type"] = o["@odata.type"]
			out["@odata.context"] = g.Server.url + "/v1.0/$metadata#" + ctxColl + "/$entity"
			return http.StatusOK, out, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "POST", Pattern: "/identity/conditionalAccess/namedLocations",
		AnyOf: []string{"Policy.ReadWrite.ConditionalAccess"}, Licence: needConditionalAccessLicence, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			if ge := nlWriteAllowed(g); ge != nil {
				return 0, nil, ge
			}
			body, ge := nlBody(g.Body)
			if ge != nil {
				return 0, nil, ge
			}
			typ, _ := body["@odata.type"].(string)
			if typ != odataCountryNamedLo && typ != odataIPNamedLo {
				return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest",
					Message: "A namedLocation must be created as a #microsoft.graph.countryNamedLocation or #microsoft.graph.ipNamedLocation (@odata.type is required)."}
			}
			o := Object{"@odata.type": typ}
			if typ == odataCountryNamedLo {
				o["countryLookupMethod"] = "clientIpAddress"
				o["includeUnknownCountriesAndRegions"] = false
			} else {
				o["isTrusted"] = false
			}
			if ge := nlApply(o, body); ge != nil {
				return 0, nil, ge
			}
			if ge := nlValidate(o); ge != nil {
				return 0, nil, ge
			}
			id := newRequestID()
			now := g.Server.now().UTC().Format(time.RFC3339Nano)
			o["id"], o["createdDateTime"], o["modifiedDateTime"] = id, now, now
			g.Tenant.Store.Put(kindNamedLocation, id, o, g.Lag)
			out := o.Clone()
			out["@odata.context"] = g.Server.url + "/v1.0/$metadata#" + ctxColl + "/$entity"
			return http.StatusCreated, out, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "PATCH", Pattern: "/identity/conditionalAccess/namedLocations/{id}",
		AnyOf: []string{"Policy.ReadWrite.ConditionalAccess"}, Licence: needConditionalAccessLicence, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			if ge := nlWriteAllowed(g); ge != nil {
				return 0, nil, ge
			}
			cur := g.Tenant.Store.GetLatest(kindNamedLocation, g.Vars["id"])
			if cur == nil {
				return 0, nil, nlNotFound(g.Vars["id"])
			}
			body, ge := nlBody(g.Body)
			if ge != nil {
				return 0, nil, ge
			}
			if body["@odata.type"] != cur["@odata.type"] {
				return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest",
					Message: fmt.Sprintf("The request body must specify @odata.type '%v' of the named location being updated.", cur["@odata.type"])}
			}
			if ge := nlApply(cur, body); ge != nil {
				return 0, nil, ge
			}
			if ge := nlValidate(cur); ge != nil {
				return 0, nil, ge
			}
			cur["modifiedDateTime"] = g.Server.now().UTC().Format(time.RFC3339Nano)
			id, _ := cur["id"].(string)
			g.Tenant.Store.Put(kindNamedLocation, id, cur, g.Lag)
			return http.StatusNoContent, nil, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "DELETE", Pattern: "/identity/conditionalAccess/namedLocations/{id}",
		AnyOf: []string{"Policy.ReadWrite.ConditionalAccess"}, Licence: needConditionalAccessLicence, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			if ge := nlWriteAllowed(g); ge != nil {
				return 0, nil, ge
			}
			cur := g.Tenant.Store.GetLatest(kindNamedLocation, g.Vars["id"])
			if cur == nil {
				return 0, nil, nlNotFound(g.Vars["id"])
			}
			id, _ := cur["id"].(string)
			if t, _ := cur["isTrusted"].(bool); t {
				return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest",
					Message: fmt.Sprintf("Named location '%s' is marked as trusted and cannot be deleted; set isTrusted to false first.", id)}
			}
			if p := nlReferencedBy(g.Tenant, id); p != "" {
				return 0, nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest",
					Message: fmt.Sprintf("Named location '%s' is used by Conditional Access policy '%s' and cannot be deleted.", id, p)}
			}
			g.Tenant.Store.Delete(kindNamedLocation, id, g.Lag)
			return http.StatusNoContent, nil, nil
		},
	})
}

// nlReferencedBy returns the id of a Conditional Access policy that names
// the location in its location condition, or "".
func nlReferencedBy(t *Tenant, id string) string {
	for _, p := range t.Store.ListLatest(kindConditionalAccessPolicy) {
		loc := asObject(asObject(p["conditions"])["locations"])
		for _, k := range []string{"includeLocations", "excludeLocations"} {
			vals, _ := caStrings(loc, k, "conditions.locations")
			for _, v := range vals {
				if strings.EqualFold(v, id) {
					pid, _ := p["id"].(string)
					return pid
				}
			}
		}
	}
	return ""
}

func nlBody(b []byte) (map[string]any, *GraphError) {
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil || body == nil {
		return nil, &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Empty Payload. JSON content expected."}
	}
	return body, nil
}

// nlApply merges a request body into a location of the body's type.
func nlApply(o Object, body map[string]any) *GraphError {
	typ, _ := o["@odata.type"].(string)
	typeName := strings.TrimPrefix(typ, "#")
	props := nlCountryProps
	if typ == odataIPNamedLo {
		props = nlIPProps
	}
	for k, v := range body {
		switch {
		case k == "@odata.type":
		case slices.Contains(nlReadOnlyProps, k):
			return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("Property '%s' is read-only and cannot be set.", k)}
		case slices.Contains(nlCommonProps, k) || slices.Contains(props, k):
			o[k] = v
		default:
			return odataUnknownProperty(k, typeName)
		}
	}
	return nil
}

func nlTypeError(v any, edm string) *GraphError {
	return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("Cannot convert the literal '%v' to the expected type '%s'.", v, edm)}
}

// nlValidate checks a whole location.
func nlValidate(o Object) *GraphError {
	name, ok := o["displayName"].(string)
	if !ok || strings.TrimSpace(name) == "" {
		return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "displayName is required."}
	}
	if o["@odata.type"] == odataCountryNamedLo {
		list, ok := o["countriesAndRegions"].([]any)
		if !ok || len(list) == 0 {
			return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "countriesAndRegions is required and cannot be empty."}
		}
		for _, c := range list {
			s, _ := c.(string)
			if !nlCountryRe.MatchString(s) {
				return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("Invalid country or region code '%v': use two-letter ISO 3166 codes.", c)}
			}
		}
		m, _ := o["countryLookupMethod"].(string)
		if !slices.Contains(nlLookupMethods, m) {
			return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("Requested value '%v' was not found for 'countryLookupMethod'.", o["countryLookupMethod"])}
		}
		if _, ok := o["includeUnknownCountriesAndRegions"].(bool); !ok {
			return nlTypeError(o["includeUnknownCountriesAndRegions"], "Edm.Boolean")
		}
		return nil
	}
	if _, ok := o["isTrusted"].(bool); !ok {
		return nlTypeError(o["isTrusted"], "Edm.Boolean")
	}
	list, ok := o["ipRanges"].([]any)
	if !ok || len(list) == 0 {
		return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "ipRanges is required and cannot be empty."}
	}
	ranges := make([]any, 0, len(list))
	for _, r := range list {
		m := asObject(r)
		typ, _ := m["@odata.type"].(string)
		cidr, _ := m["cidrAddress"].(string)
		p, err := netip.ParsePrefix(cidr)
		switch {
		case typ != odataIPv4Cidr && typ != odataIPv6Cidr:
			return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Each ipRanges entry must be a #microsoft.graph.iPv4CidrRange or #microsoft.graph.iPv6CidrRange."}
		case err != nil:
			return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("Invalid cidrAddress '%s'.", cidr)}
		case (typ == odataIPv4Cidr) != p.Addr().Is4():
			return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("cidrAddress '%s' does not match %s.", cidr, typ)}
		}
		ranges = append(ranges, Object{"@odata.type": typ, "cidrAddress": cidr})
	}
	o["ipRanges"] = ranges
	return nil
}
