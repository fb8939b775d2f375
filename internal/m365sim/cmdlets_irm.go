package m365sim

import (
	"bytes"
	"fmt"
	"strings"
)

// Information Rights Management (IRM) and Microsoft Purview Message
// Encryption prerequisites.
//
//   - Get/Set-IRMConfiguration: one object per organization ("ControlPoint
//     Configuration"). AzureRMSLicensingEnabled turns on the Azure Rights
//     Management licensing that encryption rules need; InternalLicensingEnabled,
//     SimplifiedClientAccessEnabled (the Protect button in Outlook on the
//     web), DecryptAttachmentForEncryptOnly, EnablePdfEncryption and
//     TransportDecryptionSetting (Disabled|Optional|Mandatory: Mandatory
//     rejects what can't be decrypted with an NDR, Optional delivers it).
//     https://learn.microsoft.com/powershell/module/exchangepowershell/set-irmconfiguration
//     https://learn.microsoft.com/previous-versions/office/exchange-server-api/ff342761(v=exchg.150)
//     https://learn.microsoft.com/previous-versions/exchange-server/exchange-140/dd638126(v=exchg.140)
//     The Protect/Encrypt button in Outlook on the web is
//     SimplifiedClientAccessEnabled:
//     https://learn.microsoft.com/purview/manage-office-365-message-encryption
//     Exchange Online's default TransportDecryptionSetting is not documented;
//     the emulator seeds Mandatory (an assumption, not a documented fact).
//     Tenants that got Azure RMS from February 2018 on have it activated
//     automatically, so the seeded tenant starts with licensing on.
//     https://learn.microsoft.com/azure/information-protection/activate-service
//   - Get-RMSTemplate: the rights management templates Exchange can apply.
//     Every tenant with Azure RMS has "Encrypt" and "Do Not Forward", plus
//     the two default "<organization> - Confidential" templates
//     (Test-IRMConfiguration lists them: "Templates available: ..., Encrypt,
//     Do Not Forward"; https://github.com/MicrosoftLearning/SC-400T00A-Microsoft-Information-Protection-Administrator/issues/9).
//     -Type Distributed|Archived|All, default Distributed.
//     https://learn.microsoft.com/powershell/module/exchangepowershell/get-rmstemplate
//
// Permissions: "Information Rights Management" (Exchange Administrator,
// Compliance Administrator); reads also "View-Only Configuration".

const (
	kindIRMConfiguration = "IRMConfiguration"
	kindRMSTemplate      = "RMSTemplate"
	irmIdentity          = "ControlPoint Configuration"

	// RMSTemplateEncrypt and RMSTemplateDoNotForward are the built-in
	// templates every tenant has.
	RMSTemplateEncrypt      = "Encrypt"
	RMSTemplateDoNotForward = "Do Not Forward"
	// doNotForwardGUID is the fixed id Microsoft uses for Do Not Forward.
	doNotForwardGUID = "cf5cf348-a8d7-40d5-91ef-a600b88a395d"
)

func init() {
	registerSeeder(func(t *Tenant) {
		t.Store.Put(kindIRMConfiguration, irmIdentity, Object{
			"Identity":                        irmIdentity,
			"AzureRMSLicensingEnabled":        true,
			"InternalLicensingEnabled":        true,
			"ExternalLicensingEnabled":        true,
			"SimplifiedClientAccessEnabled":   false,
			"DecryptAttachmentForEncryptOnly": false,
			"EnablePdfEncryption":             false,
			"TransportDecryptionSetting":      "Mandatory",
			"JournalReportDecryptionEnabled":  true,
			"SearchEnabled":                   true,
		}, 0)
		org := t.DisplayName
		for _, tpl := range []struct{ name, guid, desc string }{
			{RMSTemplateEncrypt, stableGUID(t.ID, "rms", "encrypt"), "Encrypts the message. Recipients can't remove the encryption, but can otherwise use the message as they like."},
			{RMSTemplateDoNotForward, doNotForwardGUID, "Recipients can read the message but can't forward, print or copy it."},
			{org + " - Confidential", stableGUID(t.ID, "rms", "confidential"), "This content is proprietary information intended for internal users only. It can be modified but can't be shared outside the organization."},
			{org + " - Confidential View Only", stableGUID(t.ID, "rms", "confidential-view-only"), "This content is proprietary information intended for internal users only. It can't be modified."},
		} {
			t.Store.Put(kindRMSTemplate, tpl.name, Object{
				"Identity": tpl.name, "Name": tpl.name, "Guid": tpl.guid, "Type": "Distributed", "Description": tpl.desc,
			}, 0)
		}
	})

	irmBools := []string{"AzureRMSLicensingEnabled", "InternalLicensingEnabled", "SimplifiedClientAccessEnabled",
		"DecryptAttachmentForEncryptOnly", "EnablePdfEncryption", "JournalReportDecryptionEnabled", "SearchEnabled"}
	setParams := map[string]Param{
		"TransportDecryptionSetting": {Type: TString},
		"Confirm":                    {Type: TSwitch},
		"Force":                      {Type: TSwitch},
	}
	for _, b := range irmBools {
		setParams[b] = Param{Type: TBool}
	}

	registerCmdlet(&Cmdlet{
		Name:      "Get-IRMConfiguration",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleInformationRightsMgmt, RoleViewOnlyConfiguration},
		Params:    map[string]Param{},
		Run: func(c *Call) ([]Object, error) {
			o := c.Tenant.Store.Get(kindIRMConfiguration, irmIdentity)
			if o == nil {
				return nil, errNotFound(irmIdentity, c.Tenant)
			}
			return []Object{o}, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Set-IRMConfiguration",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleInformationRightsMgmt},
		Write:     true,
		Params:    setParams,
		Run: func(c *Call) ([]Object, error) {
			o := c.Tenant.Store.GetLatest(kindIRMConfiguration, irmIdentity)
			for _, b := range irmBools {
				if c.Has(b) {
					o[b] = c.Params[b]
				}
			}
			if c.Has("TransportDecryptionSetting") {
				o["TransportDecryptionSetting"] = c.String("TransportDecryptionSetting")
			}
			c.Tenant.Store.Put(kindIRMConfiguration, irmIdentity, o, c.Lag)
			return nil, nil
		},
	})
	registerCmdlet(&Cmdlet{
		Name:      "Get-RMSTemplate",
		Endpoints: []string{EndpointExchange},
		Roles:     []string{RoleInformationRightsMgmt, RoleViewOnlyConfiguration},
		Params: map[string]Param{
			"Identity":   {Type: TString},
			"Type":       {Type: TString},
			"ResultSize": {Type: TResultSize},
		},
		Run: func(c *Call) ([]Object, error) {
			if c.Has("Identity") {
				o := findByNameOrGUID(c.Tenant, kindRMSTemplate, c.String("Identity"), false)
				if o == nil {
					return nil, errNotFound(c.String("Identity"), c.Tenant)
				}
				return []Object{o}, nil
			}
			typ := "Distributed"
			if c.Has("Type") {
				typ = c.String("Type")
			}
			var out []Object
			for _, o := range c.Tenant.Store.List(kindRMSTemplate) {
				if typ == "All" || strings.EqualFold(fmt.Sprint(o["Type"]), typ) {
					out = append(out, o)
				}
			}
			if n, ok := c.Params["ResultSize"].(int); ok && n < len(out) {
				out = out[:n]
			}
			return out, nil
		},
	})
	// The test-only control surface can add a tenant's own templates
	// (published or archived), as an administrator would in Purview.
	registerControlSeeder("rms-templates", func(s *Server, t *Tenant, body []byte) (any, error) {
		var in struct {
			Templates []struct {
				Name        string `json:"name"`
				Description string `json:"description"`
				Archived    bool   `json:"archived"`
			} `json:"templates"`
		}
		if err := decodeStrict(bytes.NewReader(body), &in); err != nil {
			return nil, err
		}
		added := 0
		for _, tpl := range in.Templates {
			if strings.TrimSpace(tpl.Name) == "" {
				return nil, fmt.Errorf("a template needs a name")
			}
			typ := "Distributed"
			if tpl.Archived {
				typ = "Archived"
			}
			t.Store.Put(kindRMSTemplate, tpl.Name, Object{
				"Identity": tpl.Name, "Name": tpl.Name, "Guid": stableGUID(t.ID, "rms", strings.ToLower(tpl.Name)), "Type": typ, "Description": tpl.Description,
			}, 0)
			added++
		}
		return map[string]int{"added": added}, nil
	})
}

// irmLicensingEnabled reports whether Azure RMS licensing is on (the latest
// write: the service checks its own copy).
func irmLicensingEnabled(t *Tenant) bool {
	o := t.Store.GetLatest(kindIRMConfiguration, irmIdentity)
	return o != nil && o["AzureRMSLicensingEnabled"] == true
}

// findRMSTemplate resolves a template by name or GUID among distributed
// templates (archived ones can't be applied to new messages).
func findRMSTemplate(t *Tenant, id string) Object {
	o := findByNameOrGUID(t, kindRMSTemplate, id, true)
	if o == nil || o["Type"] != "Distributed" {
		return nil
	}
	return o
}
