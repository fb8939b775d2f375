package m365sim

import "strings"

// GET /organization and GET /domains: the tenant's id, name and domains.
// Permissions from https://learn.microsoft.com/en-us/graph/api/organization-list
// (Organization.Read.All, Directory.Read.All, ...) and
// https://learn.microsoft.com/en-us/graph/api/domain-list (Domain.Read.All,
// Directory.Read.All).
func init() {
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/organization",
		AnyOf: []string{"Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			return g.List([]Object{organizationObject(g.Tenant)}, "organization", 100, 999)
		},
	})
	registerGraphRoute(&GraphRoute{
		Method: "GET", Pattern: "/domains",
		AnyOf: []string{"Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			var out []Object
			for _, d := range tenantDomains(g.Tenant) {
				out = append(out, Object{
					"id": d["name"], "authenticationType": "Managed", "isAdminManaged": true,
					"isDefault": d["isDefault"], "isInitial": d["isInitial"], "isRoot": true, "isVerified": true,
					"supportedServices": []string{"Email", "OfficeCommunicationsOnline"},
				})
			}
			return g.List(out, "domains", 100, 999)
		},
	})
}

func tenantDomains(t *Tenant) []Object {
	out := []Object{{"name": t.InitialDomain, "type": "Managed", "isDefault": len(t.Domains) == 0, "isInitial": true, "capabilities": "Email, OfficeCommunicationsOnline"}}
	for i, d := range t.Domains {
		out = append(out, Object{"name": d, "type": "Managed", "isDefault": i == 0, "isInitial": false, "capabilities": "Email, OfficeCommunicationsOnline"})
	}
	return out
}

func organizationObject(t *Tenant) Object {
	var plans []Object
	if t.Licences.EntraIDP1 {
		plans = append(plans, Object{"capabilityStatus": "Enabled", "provisioningStatus": "Success", "service": "AADPremiumService", "servicePlanId": "41781fb2-bc02-4b7c-bd55-b576c07bb09d"})
	}
	if t.Licences.EntraIDP2 {
		plans = append(plans, Object{"capabilityStatus": "Enabled", "provisioningStatus": "Success", "service": "AADPremiumService", "servicePlanId": "eec0eb4f-6444-4f95-aba0-50c24d67f998"})
	}
	return Object{
		"id":                         t.ID,
		"displayName":                t.DisplayName,
		"tenantType":                 "AAD",
		"countryLetterCode":          "US",
		"preferredLanguage":          "en",
		"verifiedDomains":            tenantDomains(t),
		"assignedPlans":              plans,
		"onPremisesSyncEnabled":      nil,
		"technicalNotificationMails": []string{"admin@" + strings.ToLower(t.InitialDomain)},
	}
}
