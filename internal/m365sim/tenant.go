package m365sim

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

// The resource (audience) URIs of the four endpoints. Tokens carry these in
// `aud` whatever host the emulator listens on, exactly as the real services
// expect: the provider asks for the real scopes and only the hosts change.
const (
	AudienceGraph      = "https://graph.microsoft.com"
	AudienceExchange   = "https://outlook.office365.com"
	AudienceCompliance = "https://ps.compliance.protection.outlook.com"
)

// Endpoint families, used for fault injection, replication lag and counters.
const (
	EndpointLogin      = "login"
	EndpointGraph      = "graph"
	EndpointExchange   = "exchange"
	EndpointCompliance = "compliance"
)

// Fixture describes the tenants the emulator starts with. It is loaded from a
// JSON file (see DefaultFixture for the built-in one).
type Fixture struct {
	Tenants []TenantSpec `json:"tenants"`
}

// TenantSpec is one tenant in a fixture.
type TenantSpec struct {
	ID            string   `json:"id"`
	DisplayName   string   `json:"display_name"`
	InitialDomain string   `json:"initial_domain"`
	Domains       []string `json:"domains,omitempty"` // further verified domains
	Licences      Licences `json:"licences"`
	Region        string   `json:"region,omitempty"` // Security & Compliance region path, e.g. "eur01"
	Dehydrated    bool     `json:"dehydrated,omitempty"`
	// HydrationDelaySeconds is how long Enable-OrganizationCustomization
	// takes to take effect (0 = DefaultHydrationDelay, negative = at once).
	HydrationDelaySeconds float64   `json:"hydration_delay_seconds,omitempty"`
	Apps                  []AppSpec `json:"apps"`
}

// Licences are the service plans that gate features.
type Licences struct {
	EntraIDP1        bool `json:"entra_id_p1"`
	EntraIDP2        bool `json:"entra_id_p2"`
	AdvancedAuditing bool `json:"advanced_auditing"` // Microsoft Purview Audit (Premium)
	// AdvancedAlerts: threshold and anomaly alert policies (Microsoft 365
	// E5/G5, or E3 with Defender for Office 365 P2, E5 Compliance or the
	// E5 eDiscovery and Audit add-on).
	AdvancedAlerts bool `json:"advanced_alerts"`
	// DefenderForOffice365: Microsoft Defender for Office 365 Plan 1 or 2
	// (impersonation protection in anti-phishing policies, Safe Links,
	// Safe Attachments).
	DefenderForOffice365 bool `json:"defender_for_office365"`
}

// AppSpec is an app registration with its service principal's grants.
type AppSpec struct {
	ClientID     string `json:"client_id"`
	DisplayName  string `json:"display_name"`
	ObjectID     string `json:"object_id,omitempty"` // service principal object id
	ClientSecret string `json:"client_secret,omitempty"`
	// CertificatePEM is the public certificate uploaded to the app
	// registration; client assertions must be signed by its key.
	CertificatePEM string `json:"certificate_pem,omitempty"`
	// FederatedCredentials trust tokens from an external issuer (workload
	// identity federation).
	FederatedCredentials []FederatedCredential `json:"federated_credentials,omitempty"`
	// ManagedIdentity marks the app as a managed identity: the emulator's
	// managed identity endpoint issues tokens for it without a secret.
	ManagedIdentity bool `json:"managed_identity,omitempty"`
	// Graph application permissions granted with admin consent
	// (e.g. "Organization.Read.All") and, for Exchange, "Exchange.ManageAsApp".
	Permissions []string `json:"permissions"`
	// Entra directory roles assigned to the service principal
	// (e.g. "Exchange Administrator"); they grant Exchange RBAC roles.
	DirectoryRoles []string `json:"directory_roles,omitempty"`
	// Exchange management roles assigned directly to the service principal
	// (e.g. "Audit Logs", "View-Only Configuration").
	ManagementRoles []string `json:"management_roles,omitempty"`
}

// FederatedCredential is a federated identity credential on an app.
type FederatedCredential struct {
	Issuer   string `json:"issuer"`
	Subject  string `json:"subject"`
	Audience string `json:"audience"` // normally api://AzureADTokenExchange
	// KeyPEM is the issuer's public key (PEM) used to verify assertions.
	KeyPEM string `json:"key_pem"`
}

// Tenant is one emulated tenant: its fixture data and its object store.
type Tenant struct {
	TenantSpec
	Store *Store
}

// App returns the app registration with the client id, or nil.
func (t *Tenant) App(clientID string) *AppSpec {
	for i := range t.Apps {
		if strings.EqualFold(t.Apps[i].ClientID, clientID) {
			return &t.Apps[i]
		}
	}
	return nil
}

// HasDomain reports whether name is one of the tenant's verified domains.
func (t *Tenant) HasDomain(name string) bool {
	if strings.EqualFold(name, t.InitialDomain) {
		return true
	}
	for _, d := range t.Domains {
		if strings.EqualFold(d, name) {
			return true
		}
	}
	return false
}

// LoadFixture reads a fixture file.
func LoadFixture(path string) (*Fixture, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f Fixture
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("fixture %s: %w", path, err)
	}
	return &f, f.validate()
}

func (f *Fixture) validate() error {
	if len(f.Tenants) == 0 {
		return fmt.Errorf("fixture has no tenants")
	}
	for _, t := range f.Tenants {
		if t.ID == "" || t.InitialDomain == "" {
			return fmt.Errorf("tenant %q: id and initial_domain are required", t.DisplayName)
		}
		for _, a := range t.Apps {
			if a.ClientID == "" {
				return fmt.Errorf("tenant %s: an app has no client_id", t.ID)
			}
		}
	}
	return nil
}

// Well-known identities of the built-in fixture. Tests and the demo use them.
const (
	DemoTenantID     = "7a3c2f10-5b6e-4d21-9c4f-0e8d1a2b3c4d"
	DemoDomain       = "contoso.onmicrosoft.com"
	DemoAdminAppID   = "11111111-2222-4333-8444-555555555555"
	DemoAdminSecret  = "sim-admin-secret-not-for-production"
	DemoNoRoleAppID  = "22222222-3333-4444-8555-666666666666"
	DemoNoRoleSecret = "sim-norole-secret-not-for-production"
	DemoReaderAppID  = "33333333-4444-4555-8666-777777777777"
	DemoReaderSecret = "sim-reader-secret-not-for-production"
	DemoMSIAppID     = "44444444-5555-4666-8777-888888888888"
	// DemoNoManageAsAppID has the Exchange Administrator role but not the
	// Exchange.ManageAsApp permission: Exchange answers it 401.
	DemoNoManageAsAppID     = "66666666-7777-4888-8999-aaaaaaaaaaaa"
	DemoNoManageAsAppSecret = "sim-nomanage-secret-not-for-production"
)

// AllGraphPermissions are the application permissions the provider may need.
var AllGraphPermissions = []string{
	"Organization.Read.All", "Domain.Read.All", "Directory.Read.All",
	"AuditLog.Read.All", "IdentityRiskyUser.Read.All", "IdentityRiskEvent.Read.All",
	"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "Policy.ReadWrite.SecurityDefaults",
	"Policy.ReadWrite.Authorization", "Policy.ReadWrite.AuthenticationMethod", "Policy.ReadWrite.ConsentRequest",
	"Exchange.ManageAsApp",
}

// DefaultFixture is the built-in tenant set: one licensed tenant with an
// administrator app, an app without Exchange roles, a read-only app and a
// managed identity.
func DefaultFixture() *Fixture {
	return &Fixture{Tenants: []TenantSpec{{
		ID:            DemoTenantID,
		DisplayName:   "Contoso",
		InitialDomain: DemoDomain,
		Domains:       []string{"contoso.com"},
		Licences:      Licences{EntraIDP1: true, EntraIDP2: true, AdvancedAuditing: true, AdvancedAlerts: true, DefenderForOffice365: true},
		Region:        "eur01",
		Apps: []AppSpec{
			{
				ClientID: DemoAdminAppID, DisplayName: "m365harden pipeline", ObjectID: "a1a1a1a1-0000-4000-8000-000000000001",
				ClientSecret: DemoAdminSecret,
				Permissions:  AllGraphPermissions,
				// Filled in at start with the emulator's own issuer and key (login.go).
				FederatedCredentials: []FederatedCredential{{Issuer: "builtin", Subject: "repo:m365harden/demo:ref:refs/heads/main", Audience: "api://AzureADTokenExchange"}},
				DirectoryRoles:       []string{"Exchange Administrator", "Compliance Administrator"},
			},
			{
				ClientID: DemoNoRoleAppID, DisplayName: "app without Exchange role", ObjectID: "a1a1a1a1-0000-4000-8000-000000000002",
				ClientSecret: DemoNoRoleSecret,
				Permissions:  AllGraphPermissions,
			},
			{
				ClientID: DemoReaderAppID, DisplayName: "read-only auditor", ObjectID: "a1a1a1a1-0000-4000-8000-000000000003",
				ClientSecret:   DemoReaderSecret,
				Permissions:    []string{"Organization.Read.All", "AuditLog.Read.All", "Policy.Read.All", "Exchange.ManageAsApp"},
				DirectoryRoles: []string{"Global Reader"},
			},
			{
				ClientID: DemoNoManageAsAppID, DisplayName: "app without Exchange.ManageAsApp", ObjectID: "a1a1a1a1-0000-4000-8000-000000000005",
				ClientSecret:   DemoNoManageAsAppSecret,
				Permissions:    []string{"Organization.Read.All", "Domain.Read.All"},
				DirectoryRoles: []string{"Exchange Administrator", "Compliance Administrator"},
			},
			{
				ClientID: DemoMSIAppID, DisplayName: "pipeline managed identity", ObjectID: "a1a1a1a1-0000-4000-8000-000000000004",
				ManagedIdentity: true,
				Permissions:     AllGraphPermissions,
				DirectoryRoles:  []string{"Exchange Administrator", "Compliance Administrator"},
			},
		},
	}}}
}

func newTenant(spec TenantSpec, now func() time.Time) *Tenant {
	if spec.Region == "" {
		spec.Region = "nam01"
	}
	t := &Tenant{TenantSpec: spec, Store: newStore(now)}
	seedBuiltins(t)
	return t
}
