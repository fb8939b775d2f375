package mailflow

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/wait"
)

var (
	_ resource.ResourceWithConfigure   = &irmConfigurationResource{}
	_ resource.ResourceWithImportState = &irmConfigurationResource{}
)

// transportDecryptionSettings are Set-IRMConfiguration
// -TransportDecryptionSetting's values.
var transportDecryptionSettings = []string{"Disabled", "Optional", "Mandatory"}

// NewIRMConfigurationResource returns the m365harden_irm_configuration resource.
func NewIRMConfigurationResource() resource.Resource { return &irmConfigurationResource{} }

type irmConfigurationResource struct {
	clients *clients.Set
}

func (r *irmConfigurationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_irm_configuration"
}

// irmBool is one boolean IRM setting: attribute name, cmdlet parameter,
// description, and how to read it from the client's value.
type irmBool struct {
	attr, param, desc string
	get               func(*exchange.IRMConfiguration) bool
}

var irmBools = []irmBool{
	{"azure_rms_licensing_enabled", "AzureRMSLicensingEnabled",
		"Whether Azure Rights Management licensing is on for Exchange Online, which encryption mail flow rules (`apply_rights_protection_template`, `apply_ome`) and Microsoft Purview Message Encryption need. Hardened: `true` where encryption rules exist.",
		func(c *exchange.IRMConfiguration) bool { return c.AzureRMSLicensingEnabled }},
	{"internal_licensing_enabled", "InternalLicensingEnabled",
		"Whether IRM features are on for messages sent to internal recipients.",
		func(c *exchange.IRMConfiguration) bool { return c.InternalLicensingEnabled }},
	{"simplified_client_access_enabled", "SimplifiedClientAccessEnabled",
		"Whether the Protect button (Encrypt, Do Not Forward) is shown in Outlook on the web.",
		func(c *exchange.IRMConfiguration) bool { return c.SimplifiedClientAccessEnabled }},
	{"decrypt_attachment_for_encrypt_only", "DecryptAttachmentForEncryptOnly",
		"Whether recipients of Encrypt-only messages get attachments decrypted when they download them.",
		func(c *exchange.IRMConfiguration) bool { return c.DecryptAttachmentForEncryptOnly }},
	{"enable_pdf_encryption", "EnablePdfEncryption",
		"Whether PDF attachments are encrypted by Microsoft Purview Message Encryption.",
		func(c *exchange.IRMConfiguration) bool { return c.EnablePdfEncryption }},
}

func (r *irmConfigurationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The tenant ID.",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"transport_decryption_setting": schema.StringAttribute{
			MarkdownDescription: "How transport decrypts IRM-protected messages so rules and anti-malware can inspect them. Maps to `Set-IRMConfiguration -TransportDecryptionSetting`; one of " + quoteList(transportDecryptionSettings) + ".",
			Optional:            true, Computed: true,
			Validators:    []validator.String{stringvalidator.OneOf(transportDecryptionSettings...)},
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	}
	attrs["timeouts"] = common.SettingsTimeoutsAttribute()
	for _, b := range irmBools {
		attrs[b.attr] = schema.BoolAttribute{
			MarkdownDescription: b.desc + " Maps to `Set-IRMConfiguration -" + b.param + "`.",
			Optional:            true, Computed: true,
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The tenant's Information Rights Management (IRM) settings that encryption mail flow rules and Microsoft Purview Message Encryption depend on (Exchange Online `Get-IRMConfiguration` / `Set-IRMConfiguration`; Microsoft365DSC EXOIRMConfiguration).\n\n" +
			"This is a singleton: creating it adopts the tenant's settings and changes only the attributes you set; destroying it removes it from Terraform state and **leaves the tenant's settings as they are**. An attribute you leave unset is read but not managed.",
		Attributes: attrs,
	}
}

func (r *irmConfigurationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

func (r *irmConfigurationResource) read(ctx context.Context) (*irmConfigurationModel, error) {
	c, err := r.clients.Exchange.GetIRMConfiguration(ctx)
	if err != nil {
		return nil, err
	}
	m := &irmConfigurationModel{
		ID:                         types.StringValue(r.clients.TenantID),
		TransportDecryptionSetting: types.StringValue(canonicalEnum(transportDecryptionSettings, c.TransportDecryptionSetting)),
		Timeouts:                   common.KeepSettingsTimeouts(nil),
	}
	for _, b := range irmBools {
		*m.boolField(b.attr) = types.BoolValue(b.get(c))
	}
	return m, nil
}

// changes returns the Set-IRMConfiguration parameters for the planned
// values that differ from the tenant's.
func (m *irmConfigurationModel) changes(cur *irmConfigurationModel) map[string]any {
	params := map[string]any{}
	for _, b := range irmBools {
		want, have := *m.boolField(b.attr), *cur.boolField(b.attr)
		if known(want) && want.ValueBool() != have.ValueBool() {
			params[b.param] = want.ValueBool()
		}
	}
	if want := m.TransportDecryptionSetting; known(want) && !strings.EqualFold(want.ValueString(), cur.TransportDecryptionSetting.ValueString()) {
		params["TransportDecryptionSetting"] = want.ValueString()
	}
	return params
}

func (r *irmConfigurationResource) apply(ctx context.Context, plan irmConfigurationModel) (*irmConfigurationModel, error) {
	cur, err := r.read(ctx)
	if err != nil {
		return nil, err
	}
	params := plan.changes(cur)
	if len(params) == 0 {
		return cur, nil
	}
	if err := r.clients.Exchange.SetIRMConfiguration(ctx, params); err != nil {
		return nil, err
	}
	var got *irmConfigurationModel
	err = wait.Until(ctx, r.clients.ConsistencyTimeout, func(ctx context.Context) error {
		m, err := r.read(ctx)
		if err != nil {
			return err
		}
		got = m
		if left := plan.changes(m); len(left) > 0 {
			return wait.NotYet("the IRM configuration still differs in %d settings", len(left))
		}
		return nil
	})
	return got, err
}

func (r *irmConfigurationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics, "create")
}

func (r *irmConfigurationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, flush := common.ExchangeWarnings(ctx)
	defer flush(&resp.Diagnostics)
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics, "update")
}

func (r *irmConfigurationResource) write(ctx context.Context, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics, op string) {
	common.WriteSingletonWithin(ctx, r.clients, plan, state, diags, "the tenant's IRM configuration", op,
		func(m *irmConfigurationModel, t timeouts.Value) { m.Timeouts = t }, r.apply, r.read)
}

func (r *irmConfigurationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	m, err := r.read(ctx)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Reading the tenant's IRM configuration failed", err)
		return
	}
	prior := common.TimeoutsOf(ctx, req.State, &resp.Diagnostics)
	m.Timeouts = common.KeepSettingsTimeouts(&prior)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *irmConfigurationResource) Delete(ctx context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddWarning("IRM configuration left in place",
		"m365harden_irm_configuration was removed from Terraform state; the tenant's IRM settings were not changed.")
}

func (r *irmConfigurationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	common.ImportTenantSingleton(ctx, r.clients, "m365harden_irm_configuration", req, resp)
}

type irmConfigurationModel struct {
	ID                              types.String   `tfsdk:"id"`
	AzureRMSLicensingEnabled        types.Bool     `tfsdk:"azure_rms_licensing_enabled"`
	InternalLicensingEnabled        types.Bool     `tfsdk:"internal_licensing_enabled"`
	SimplifiedClientAccessEnabled   types.Bool     `tfsdk:"simplified_client_access_enabled"`
	DecryptAttachmentForEncryptOnly types.Bool     `tfsdk:"decrypt_attachment_for_encrypt_only"`
	EnablePdfEncryption             types.Bool     `tfsdk:"enable_pdf_encryption"`
	TransportDecryptionSetting      types.String   `tfsdk:"transport_decryption_setting"`
	Timeouts                        timeouts.Value `tfsdk:"timeouts"`
}

// boolField returns the model's field for a boolean attribute.
func (m *irmConfigurationModel) boolField(attr string) *types.Bool {
	switch attr {
	case "azure_rms_licensing_enabled":
		return &m.AzureRMSLicensingEnabled
	case "internal_licensing_enabled":
		return &m.InternalLicensingEnabled
	case "simplified_client_access_enabled":
		return &m.SimplifiedClientAccessEnabled
	case "decrypt_attachment_for_encrypt_only":
		return &m.DecryptAttachmentForEncryptOnly
	case "enable_pdf_encryption":
		return &m.EnablePdfEncryption
	}
	panic("unknown IRM attribute " + attr)
}
