package m365sim

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"
)

// DKIM signing of outbound mail for the organization's domains, and the
// public DNS zone of the tenant's domains that DKIM (and the
// m365harden_email_authentication data source) checks.
//
//   - New-DkimSigningConfig -DomainName -Enabled [-KeySize 1024|2048]
//     [-BodyCanonicalization|-HeaderCanonicalization Relaxed|Simple]: KeySize
//     defaults to 1024, the canonicalizations to Relaxed.
//     https://learn.microsoft.com/powershell/module/exchangepowershell/new-dkimsigningconfig
//   - Set-DkimSigningConfig -Identity [-Enabled] [-BodyCanonicalization]
//     [-HeaderCanonicalization].
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-dkimsigningconfig
//   - Rotate-DkimSigningConfig -Identity [-KeySize]: creates a new key on
//     the inactive selector; the new selector is used from RotateOnDate, "4
//     days (96 hours)" after the rotation; until then the old one signs.
//     https://learn.microsoft.com/powershell/module/exchangepowershell/rotate-dkimsigningconfig
//     https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure#rotate-dkim-keys
//   - Get-DkimSigningConfig [-Identity]: Selector1CNAME/Selector2CNAME are
//     the CNAME targets to publish at selector1._domainkey.<domain> and
//     selector2._domainkey.<domain>: "selector1-<CustomDomain>._domainkey.
//     <InitialDomainPrefix>.<DynamicPartitionCharacter>-v1.dkim.mail.microsoft"
//     (selector2 with -v1 too), <CustomDomain> with periods replaced by
//     dashes. The partition character is assigned by Microsoft; the emulator
//     derives a stable one from the domain.
//     https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure#syntax-for-dkim-cname-records
//   - Enabling DKIM signing for a custom domain whose two CNAME records are
//     not published fails with CnameMissing ("CNAME record does not exist
//     for this config. Please publish the following two CNAME records
//     first.", quoted in the same article's troubleshooting and in public
//     captures); the *.onmicrosoft.com domain is signed without them. The
//     exception type of that error has not been captured; the emulator
//     reports a validation failure (HTTP 400).
//   - Not documented, so the stricter reading is modelled: a config can be
//     rotated only while it is enabled and not while a rotation is pending
//     (before RotateOnDate); New-DkimSigningConfig takes only accepted
//     domains. Exchange Online has no Remove-DkimSigningConfig: a config,
//     once created, stays.
//
// Permissions: "Security Admin" or "Transport Hygiene" (Exchange
// Administrator, Security Administrator); reads also "View-Only
// Configuration" and "Security Reader" (Microsoft365DSC EXODkimSigningConfig
// settings.json, microsoft/Microsoft365DSC).

const (
	kindDkimSigningConfig = "DkimSigningConfig"
	kindDNSRecord         = "DNSRecord"
	roleTransportHygiene  = "Transport Hygiene"
	// dkimRotationDelay is how long a rotated key waits before it signs.
	dkimRotationDelay = 96 * time.Hour
)

// DKIMSelectorCNAME returns the CNAME target Microsoft 365 gives a domain's
// DKIM selector (1 or 2) in a tenant with the given initial domain.
func DKIMSelectorCNAME(initialDomain, domain string, selector int) string {
	prefix := strings.TrimSuffix(strings.ToLower(initialDomain), ".onmicrosoft.com")
	d := strings.ToLower(domain)
	partition := "abcdefghijklmnopqrstuvwxyz"[len(d)%26]
	return fmt.Sprintf("selector%d-%s._domainkey.%s.%c-v1.dkim.mail.microsoft", selector, strings.ReplaceAll(d, ".", "-"), prefix, partition)
}

// DNSRecord is one record of a tenant's public DNS zone in the emulator.
type DNSRecord struct {
	Name  string `json:"name"`  // owner name, e.g. selector1._domainkey.contoso.com
	Type  string `json:"type"`  // CNAME, TXT or MX
	Value string `json:"value"` // target or text
}

// DNSRecords returns the tenant's published DNS records (what a resolver on
// the internet would answer), sorted by name and type.
func (s *Server) DNSRecords(tenantID string) []DNSRecord {
	t := s.Tenant(tenantID)
	if t == nil {
		return nil
	}
	var out []DNSRecord
	for _, o := range t.Store.ListLatest(kindDNSRecord) {
		for _, v := range stringList(o["Values"]) {
			out = append(out, DNSRecord{Name: asString(o["Name"]), Type: asString(o["Type"]), Value: v})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Type < out[j].Type
	})
	return out
}

func dnsKey(name, typ string) string {
	return strings.ToLower(strings.TrimSuffix(name, ".")) + "|" + strings.ToUpper(typ)
}

// dnsValues returns the published values of a name and type.
func dnsValues(t *Tenant, name, typ string) []string {
	o := t.Store.GetLatest(kindDNSRecord, dnsKey(name, typ))
	if o == nil {
		return nil
	}
	return stringList(o["Values"])
}

// dkimCNAMEsPublished reports whether both selector CNAMEs of a config are
// published as Microsoft 365 gives them.
func dkimCNAMEsPublished(t *Tenant, o Object) bool {
	domain := asString(o["Domain"])
	for i, want := range []string{asString(o["Selector1CNAME"]), asString(o["Selector2CNAME"])} {
		got := dnsValues(t, fmt.Sprintf("selector%d._domainkey.%s", i+1, domain), "CNAME")
		if len(got) != 1 || !strings.EqualFold(strings.TrimSuffix(got[0], "."), want) {
			return false
		}
	}
	return true
}

func errCnameMissing(o Object) *CmdletError {
	d := asString(o["Domain"])
	return &CmdletError{Status: 400, Code: "BadRequest",
		Exception: "Microsoft.Exchange.Management.Tasks.ValidationException",
		Message: fmt.Sprintf("CNAME record does not exist for this config. Please publish the following two CNAME records first. Domain Name : %s Host Name : selector1._domainkey Points To Address : %s Host Name : selector2._domainkey Points To Address : %s If you have already published the CNAME records, sync will take a few minutes to as many as 4 days based on DNS. Return and retry this step later.",
			d, asString(o["Selector1CNAME"]), asString(o["Selector2CNAME"]))}
}

func errDkim(msg string) *CmdletError {
	return &CmdletError{Status: 400, Code: "BadRequest",
		Exception: "Microsoft.Exchange.Management.Tasks.ValidationException", Message: msg}
}

// dkimActiveSelector is the selector that signs now.
func dkimActiveSelector(o Object, now time.Time) string {
	at, err := time.Parse(time.RFC3339, asString(o["RotateOnDate"]))
	if err == nil && now.Before(at) {
		return asString(o["SelectorBeforeRotateOnDate"])
	}
	return asString(o["SelectorAfterRotateOnDate"])
}

// dkimStatus is Get-DkimSigningConfig's Status: Valid when signing works,
// CnameMissing when a custom domain's CNAMEs are missing.
func dkimStatus(t *Tenant, o Object) string {
	if strings.HasSuffix(strings.ToLower(asString(o["Domain"])), ".onmicrosoft.com") || dkimCNAMEsPublished(t, o) {
		return "Valid"
	}
	return "CnameMissing"
}

func newDkimConfig(t *Tenant, domain string, enabled bool, keySize int, now time.Time) Object {
	d := strings.ToLower(domain)
	return Object{
		"Identity":                   d,
		"Name":                       d,
		"Domain":                     d,
		"Guid":                       stableGUID(t.ID, "dkim", d),
		"Enabled":                    enabled,
		"Selector1CNAME":             DKIMSelectorCNAME(t.InitialDomain, d, 1),
		"Selector2CNAME":             DKIMSelectorCNAME(t.InitialDomain, d, 2),
		"Selector1KeySize":           keySize,
		"Selector2KeySize":           keySize,
		"SelectorBeforeRotateOnDate": "selector2",
		"SelectorAfterRotateOnDate":  "selector1",
		"RotateOnDate":               now.UTC().Format(time.RFC3339),
		"KeyCreationTime":            now.UTC().Format(time.RFC3339),
		"BodyCanonicalization":       "Relaxed",
		"HeaderCanonicalization":     "Relaxed",
		"AdminDisplayName":           "",
	}
}

func init() {
	registerSeeder(func(t *Tenant) {
		// The initial domain is signed from the start.
		o := newDkimConfig(t, t.InitialDomain, true, 2048, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
		o["Status"] = "Valid"
		t.Store.Put(kindDkimSigningConfig, strings.ToLower(t.InitialDomain), o, 0)
	})

	keySize := func(c *Call, def int) int {
		if !c.Has("KeySize") {
			return def
		}
		return toInt(c.Params["KeySize"])
	}
	canon := Param{Type: TString}
	readRoles := []string{RoleSecurityAdmin, roleTransportHygiene, RoleViewOnlyConfiguration, RoleSecurityReader}
	writeRoles := []string{RoleSecurityAdmin, roleTransportHygiene}

	registerCmdlet(&Cmdlet{
		Name:      "Get-DkimSigningConfig",
		Endpoints: []string{EndpointExchange},
		Roles:     readRoles,
		Params:    map[string]Param{"Identity": {Type: TString}},
		Run: func(c *Call) ([]Object, error) {
			var out []Object
			if c.Has("Identity") {
				o := findByNameOrGUID(c.Tenant, kindDkimSigningConfig, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				out = []Object{o}
			} else {
				out = c.Tenant.Store.List(kindDkimSigningConfig)
			}
			for _, o := range out {
				o["Status"] = dkimStatus(c.Tenant, o)
			}
			return out, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "New-DkimSigningConfig",
		Endpoints: []string{EndpointExchange},
		Roles:     writeRoles,
		Write:     true,
		Params: map[string]Param{
			"DomainName":             {Type: TString, Validate: validateSmtpDomainWithSubdomains},
			"Enabled":                {Type: TBool},
			"KeySize":                {Type: TInt},
			"AdminDisplayName":       {Type: TString},
			"BodyCanonicalization":   canon,
			"HeaderCanonicalization": canon,
			"Confirm":                {Type: TSwitch},
		},
		Run: func(c *Call) ([]Object, error) {
			domain := strings.ToLower(c.String("DomainName"))
			if findByNameOrGUID(c.Tenant, kindAcceptedDomain, domain, true) == nil {
				return nil, errDkim(fmt.Sprintf("The domain %s isn't an accepted domain of this organization. DKIM signing can be configured only for accepted domains.", domain))
			}
			if c.Tenant.Store.GetLatest(kindDkimSigningConfig, domain) != nil {
				return nil, errAlreadyExists("DKIM signing config", domain)
			}
			o := newDkimConfig(c.Tenant, domain, false, keySize(c, 1024), c.Server.now())
			for _, p := range []string{"BodyCanonicalization", "HeaderCanonicalization", "AdminDisplayName"} {
				if c.Has(p) {
					o[p] = c.String(p)
				}
			}
			enabled, _ := c.Params["Enabled"].(bool)
			if enabled && dkimStatus(c.Tenant, o) != "Valid" {
				return nil, errCnameMissing(o)
			}
			o["Enabled"] = enabled
			o["Status"] = dkimStatus(c.Tenant, o)
			c.Tenant.Store.Put(kindDkimSigningConfig, domain, o, c.Lag)
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-DkimSigningConfig",
		Endpoints: []string{EndpointExchange},
		Roles:     writeRoles,
		Write:     true,
		Params: map[string]Param{
			"Identity":               {Type: TString},
			"Enabled":                {Type: TBool},
			"AdminDisplayName":       {Type: TString},
			"BodyCanonicalization":   canon,
			"HeaderCanonicalization": canon,
			"Confirm":                {Type: TSwitch},
		},
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindDkimSigningConfig, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			if en, ok := c.Params["Enabled"].(bool); ok {
				if en && dkimStatus(c.Tenant, o) != "Valid" {
					return nil, errCnameMissing(o)
				}
				o["Enabled"] = en
			}
			for _, p := range []string{"BodyCanonicalization", "HeaderCanonicalization", "AdminDisplayName"} {
				if c.Has(p) {
					o[p] = c.String(p)
				}
			}
			c.Tenant.Store.Put(kindDkimSigningConfig, asString(o["Domain"]), o, c.Lag)
			return nil, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Rotate-DkimSigningConfig",
		Endpoints: []string{EndpointExchange},
		Roles:     writeRoles,
		Write:     true,
		Params: map[string]Param{
			"Identity": {Type: TString},
			"KeySize":  {Type: TInt},
			"Confirm":  {Type: TSwitch},
		},
		Run: func(c *Call) ([]Object, error) {
			o := findByNameOrGUID(c.Tenant, kindDkimSigningConfig, c.String("Identity"), true)
			if o == nil {
				return nil, errNotFound(c.String("Identity"), c.Tenant)
			}
			now := c.Server.now()
			if o["Enabled"] != true {
				return nil, errDkim(fmt.Sprintf("DKIM signing for %s is disabled; enable it before rotating its keys.", asString(o["Domain"])))
			}
			if at, err := time.Parse(time.RFC3339, asString(o["RotateOnDate"])); err == nil && now.Before(at) {
				return nil, errDkim(fmt.Sprintf("A key rotation for %s is already pending until %s; rotate again after that.", asString(o["Domain"]), at.Format(time.RFC3339)))
			}
			active := dkimActiveSelector(o, now)
			next := "selector2"
			if active == "selector2" {
				next = "selector1"
			}
			sizeKey := "Selector1KeySize"
			if next == "selector2" {
				sizeKey = "Selector2KeySize"
			}
			o[sizeKey] = keySize(c, toInt(o[sizeKey]))
			o["SelectorBeforeRotateOnDate"] = active
			o["SelectorAfterRotateOnDate"] = next
			o["RotateOnDate"] = now.Add(dkimRotationDelay).UTC().Format(time.RFC3339)
			o["KeyCreationTime"] = now.UTC().Format(time.RFC3339)
			c.Tenant.Store.Put(kindDkimSigningConfig, asString(o["Domain"]), o, c.Lag)
			return nil, nil
		},
	})

	// The test-only control surface publishes or removes records in the
	// tenant's public DNS zone, as the domain owner would at their DNS
	// provider.
	registerControlSeeder("dns-records", func(s *Server, t *Tenant, body []byte) (any, error) {
		var in struct {
			Records []DNSRecord `json:"records"`
			Remove  bool        `json:"remove"`
		}
		if err := decodeStrict(bytes.NewReader(body), &in); err != nil {
			return nil, err
		}
		grouped := map[string][]DNSRecord{}
		var order []string
		for _, r := range in.Records {
			typ := strings.ToUpper(r.Type)
			if typ != "CNAME" && typ != "TXT" && typ != "MX" {
				return nil, fmt.Errorf("record type %q: only CNAME, TXT and MX are modelled", r.Type)
			}
			if strings.TrimSpace(r.Name) == "" {
				return nil, fmt.Errorf("a record needs a name")
			}
			k := dnsKey(r.Name, typ)
			if _, ok := grouped[k]; !ok {
				order = append(order, k)
			}
			grouped[k] = append(grouped[k], DNSRecord{Name: strings.ToLower(strings.TrimSuffix(r.Name, ".")), Type: typ, Value: r.Value})
		}
		for _, k := range order {
			rs := grouped[k]
			if in.Remove {
				t.Store.Delete(kindDNSRecord, k, 0)
				continue
			}
			vals := make([]string, 0, len(rs))
			for _, r := range rs {
				vals = append(vals, r.Value)
			}
			t.Store.Put(kindDNSRecord, k, Object{"Name": rs[0].Name, "Type": rs[0].Type, "Values": vals}, 0)
		}
		return map[string]int{"records": len(in.Records)}, nil
	})
}
