package m365sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
)

// The admin consent request policy: a singleton, /policies/adminConsentRequestPolicy.
//   - Resource type (https://learn.microsoft.com/en-us/graph/api/resources/adminconsentrequestpolicy):
//     isEnabled, notifyReviewers, remindersEnabled, requestDurationInDays
//     (1 to 30), reviewers (accessReviewReviewerScope: query, queryType
//     "MicrosoftGraph", queryRoot), version (read-only, incremented on
//     every update).
//   - Get (https://learn.microsoft.com/en-us/graph/api/adminconsentrequestpolicy-get):
//     Policy.Read.All (the emulator also lets the write permission read).
//   - Update (https://learn.microsoft.com/en-us/graph/api/adminconsentrequestpolicy-update):
//     PUT, not PATCH; every one of isEnabled, notifyReviewers,
//     remindersEnabled, requestDurationInDays and reviewers is required;
//     Policy.ReadWrite.ConsentRequest (least) or Directory.ReadWrite.All;
//     204. Reviewers are users, groups or directory roles named by the
//     query forms the page's examples use. An enabled policy needs at least
//     one reviewer (the consent workflow page,
//     https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-admin-consent-workflow);
//     the resource page allows up to 25.
//   - A new tenant has the workflow off, with no reviewers.

const kindAdminConsentPolicy = "adminConsentRequestPolicy"

var acrReviewerQuery = regexp.MustCompile(`^(/users/[0-9a-fA-F-]{36}|/groups/[0-9a-fA-F-]{36}/transitiveMembers/microsoft\.graph\.user|/beta/roleManagement/directory/roleAssignments\?\$filter=roleDefinitionId eq '[0-9a-fA-F-]{36}')$`)

func init() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindAdminConsentPolicy, kindAdminConsentPolicy, Object{
			"id": nil, "isEnabled": false, "notifyReviewers": false, "remindersEnabled": false,
			"requestDurationInDays": float64(0), "version": float64(0), "reviewers": []any{},
		}, 0)
	})
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/policies/adminConsentRequestPolicy",
		AnyOf: []string{"Policy.Read.All", "Policy.ReadWrite.ConsentRequest", "Directory.ReadWrite.All"},
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			out := g.Tenant.Store.Get(kindAdminConsentPolicy, kindAdminConsentPolicy).Clone()
			out["@odata.context"] = g.Server.url + "/v1.0/$metadata#policies/adminConsentRequestPolicy/$entity"
			return http.StatusOK, out, nil
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "PUT", Pattern: "/policies/adminConsentRequestPolicy",
		AnyOf: []string{"Policy.ReadWrite.ConsentRequest", "Directory.ReadWrite.All"}, Write: true,
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			bad := func(f string, a ...any) *GraphError {
				return &GraphError{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf(f, a...)}
			}
			var body map[string]any
			if err := json.Unmarshal(g.Body, &body); err != nil || body == nil {
				return 0, nil, bad("Empty Payload. JSON content expected.")
			}
			cur := g.Tenant.Store.GetLatest(kindAdminConsentPolicy, kindAdminConsentPolicy)
			next := cur.Clone()
			for k, v := range body {
				switch k {
				case "@odata.type":
				case "isEnabled", "notifyReviewers", "remindersEnabled":
					b, ok := v.(bool)
					if !ok {
						return 0, nil, nlTypeError(v, "Edm.Boolean")
					}
					next[k] = b
				case "requestDurationInDays":
					n, ok := v.(float64)
					if !ok || n != float64(int(n)) {
						return 0, nil, nlTypeError(v, "Edm.Int32")
					}
					next[k] = n
				case "reviewers":
					list, ok := v.([]any)
					if !ok {
						return 0, nil, bad("reviewers must be a collection of accessReviewReviewerScope.")
					}
					if len(list) > 25 {
						return 0, nil, bad("A maximum of 25 reviewers can be specified.")
					}
					rs := make([]any, 0, len(list))
					for _, r := range list {
						m := asObject(r)
						q, _ := m["query"].(string)
						if m == nil || m["queryType"] != "MicrosoftGraph" || !acrReviewerQuery.MatchString(q) {
							return 0, nil, bad("Invalid reviewer '%v': use a MicrosoftGraph query for a user, a group's members or a directory role.", r)
						}
						rs = append(rs, Object{"query": q, "queryType": "MicrosoftGraph", "queryRoot": m["queryRoot"]})
					}
					next[k] = rs
				case "version", "id":
					// Read-only; what Graph does with them in a PUT is not
					// documented: the stricter reading refuses them.
					return 0, nil, bad("Property '%s' is read-only and cannot be set.", k)
				default:
					return 0, nil, odataUnknownProperty(k, "microsoft.graph.adminConsentRequestPolicy")
				}
			}
			for _, k := range []string{"isEnabled", "notifyReviewers", "remindersEnabled", "requestDurationInDays", "reviewers"} {
				if _, ok := body[k]; !ok {
					return 0, nil, bad("The property '%s' is required when updating the admin consent request policy.", k)
				}
			}
			if next["isEnabled"] == true {
				if d, _ := next["requestDurationInDays"].(float64); d < 1 || d > 30 {
					return 0, nil, bad("requestDurationInDays must be between 1 and 30.")
				}
				if len(next["reviewers"].([]any)) == 0 {
					return 0, nil, bad("At least one reviewer is required to enable the admin consent request policy.")
				}
			}
			v, _ := cur["version"].(float64)
			next["version"] = v + 1
			g.Tenant.Store.Put(kindAdminConsentPolicy, kindAdminConsentPolicy, next, g.Lag)
			return http.StatusNoContent, nil, nil
		},
	})
}
