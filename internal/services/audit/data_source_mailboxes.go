package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/conv"
)

// mailboxTypes are the RecipientTypeDetails values Get-Mailbox filters by
// (https://learn.microsoft.com/powershell/module/exchangepowershell/get-mailbox).
var mailboxTypes = []string{"DiscoveryMailbox", "EquipmentMailbox", "GroupMailbox", "LegacyMailbox", "LinkedMailbox",
	"LinkedRoomMailbox", "RoomMailbox", "SchedulingMailbox", "SharedMailbox", "TeamMailbox", "UserMailbox"}

var _ datasource.DataSourceWithConfigure = &mailboxesDataSource{}

// NewMailboxesDataSource returns the m365harden_mailboxes data source.
func NewMailboxesDataSource() datasource.DataSource { return &mailboxesDataSource{} }

type mailboxesDataSource struct {
	clients *clients.Set
}

func (d *mailboxesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_mailboxes"
}

// mailboxAttrTypes is the object type of one element of `mailboxes`.
var mailboxAttrTypes = map[string]attr.Type{
	"guid":                           types.StringType,
	"user_principal_name":            types.StringType,
	"primary_smtp_address":           types.StringType,
	"display_name":                   types.StringType,
	"external_directory_object_id":   types.StringType,
	"recipient_type_details":         types.StringType,
	"audit_enabled":                  types.BoolType,
	"audit_log_age_limit_days":       types.Int64Type,
	"audit_log_age_limit":            types.StringType,
	"audit_admin":                    types.SetType{ElemType: types.StringType},
	"audit_delegate":                 types.SetType{ElemType: types.StringType},
	"audit_owner":                    types.SetType{ElemType: types.StringType},
	"default_audit_set":              types.SetType{ElemType: types.StringType},
	"forwarding_address":             types.StringType,
	"forwarding_smtp_address":        types.StringType,
	"deliver_to_mailbox_and_forward": types.BoolType,
}

func (d *mailboxesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	set := func(desc string) schema.SetAttribute {
		return schema.SetAttribute{MarkdownDescription: desc, Computed: true, ElementType: types.StringType}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Mailboxes with their audit and forwarding settings (Exchange Online `Get-Mailbox -ResultSize Unlimited`). The filters are sent to the service (`-RecipientTypeDetails`, OPATH `-Filter`), and results are read 1000 per page, so `audit_enabled = false` on a large tenant reads only the mailboxes that need fixing.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The filter, as sent to the service.",
				Computed:            true,
			},
			"recipient_types": schema.SetAttribute{
				MarkdownDescription: "Only mailboxes of these subtypes (`Get-Mailbox -RecipientTypeDetails`): " + "`" + strings.Join(mailboxTypes, "`, `") + "`. Unset: all.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOfCaseInsensitive(mailboxTypes...)),
					conv.UniqueFold(),
				},
			},
			"audit_enabled": schema.BoolAttribute{
				MarkdownDescription: "Only mailboxes whose `AuditEnabled` is this value (OPATH `AuditEnabled -eq $true/$false`). Unset: both. Note that Exchange Online ignores the flag while mailbox auditing on by default is on for the organization: a mailbox with `AuditEnabled = false` is still audited (https://learn.microsoft.com/purview/audit-mailboxes).",
				Optional:            true,
			},
			"forwarding_configured": schema.BoolAttribute{
				MarkdownDescription: "`true`: only mailboxes with a `ForwardingSmtpAddress` or `ForwardingAddress`; `false`: only mailboxes with neither (OPATH `-ne $null` / `-eq $null`). Unset: both.",
				Optional:            true,
			},
			"mailboxes": schema.ListNestedAttribute{
				MarkdownDescription: "The matching mailboxes, in the service's order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"guid":                         str("`Guid`."),
					"user_principal_name":          str("`UserPrincipalName`."),
					"primary_smtp_address":         str("`PrimarySmtpAddress`."),
					"display_name":                 str("`DisplayName`."),
					"external_directory_object_id": str("`ExternalDirectoryObjectId`: the Microsoft Entra object ID of the user."),
					"recipient_type_details":       str("`RecipientTypeDetails` (UserMailbox, SharedMailbox, ...)."),
					"audit_enabled":                schema.BoolAttribute{MarkdownDescription: "`AuditEnabled`.", Computed: true},
					"audit_log_age_limit_days":     schema.Int64Attribute{MarkdownDescription: "`AuditLogAgeLimit`, in whole days (rounded down).", Computed: true},
					"audit_log_age_limit":          str("`AuditLogAgeLimit` exactly, as Exchange reports it (`d.hh:mm:ss`)."),
					"audit_admin":                  set("`AuditAdmin`: actions logged for administrators."),
					"audit_delegate":               set("`AuditDelegate`: actions logged for delegates."),
					"audit_owner":                  set("`AuditOwner`: actions logged for the owner."),
					"default_audit_set":            set("`DefaultAuditSet`: logon types on Microsoft's managed default list."),
					"forwarding_address":           str("`ForwardingAddress`: the internal recipient mail is forwarded to, or null."),
					"forwarding_smtp_address":      str("`ForwardingSmtpAddress` without its `smtp:` prefix, or null."),
					"deliver_to_mailbox_and_forward": schema.BoolAttribute{
						MarkdownDescription: "`DeliverToMailboxAndForward`: whether forwarded mail is also kept in the mailbox.", Computed: true,
					},
				}},
			},
		},
	}
}

func (d *mailboxesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = common.Clients(req.ProviderData, &resp.Diagnostics)
}

// mailboxesFilter builds the OPATH filter for the data source's arguments.
func mailboxesFilter(auditEnabled, forwarding types.Bool) string {
	var parts []string
	if !auditEnabled.IsNull() && !auditEnabled.IsUnknown() {
		parts = append(parts, fmt.Sprintf("AuditEnabled -eq $%t", auditEnabled.ValueBool()))
	}
	if !forwarding.IsNull() && !forwarding.IsUnknown() {
		if forwarding.ValueBool() {
			parts = append(parts, "(ForwardingSmtpAddress -ne $null -or ForwardingAddress -ne $null)")
		} else {
			parts = append(parts, "(ForwardingSmtpAddress -eq $null -and ForwardingAddress -eq $null)")
		}
	}
	return strings.Join(parts, " -and ")
}

func nullableString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// mailboxObject converts one mailbox to an element of `mailboxes`.
func mailboxObject(m *exchange.Mailbox) attr.Value {
	return types.ObjectValueMust(mailboxAttrTypes, map[string]attr.Value{
		"guid":                           types.StringValue(m.Guid),
		"user_principal_name":            types.StringValue(m.UserPrincipalName),
		"primary_smtp_address":           types.StringValue(m.PrimarySmtpAddress),
		"display_name":                   types.StringValue(m.DisplayName),
		"external_directory_object_id":   types.StringValue(m.ExternalDirectoryObjectId),
		"recipient_type_details":         types.StringValue(m.RecipientTypeDetails),
		"audit_enabled":                  types.BoolValue(m.AuditEnabled),
		"audit_log_age_limit_days":       types.Int64Value(int64(m.AuditLogAgeLimit / (24 * time.Hour))),
		"audit_log_age_limit":            types.StringValue(conv.FormatTimeSpan(m.AuditLogAgeLimit)),
		"audit_admin":                    stringSet(m.AuditAdmin),
		"audit_delegate":                 stringSet(m.AuditDelegate),
		"audit_owner":                    stringSet(m.AuditOwner),
		"default_audit_set":              stringSet(m.DefaultAuditSet),
		"forwarding_address":             nullableString(m.ForwardingAddress),
		"forwarding_smtp_address":        nullableString(m.ForwardingSmtpAddress),
		"deliver_to_mailbox_and_forward": types.BoolValue(m.DeliverToMailboxAndForward),
	})
}

// readMailboxes streams the matching mailboxes into list elements.
func readMailboxes(ctx context.Context, c *exchange.Client, q exchange.MailboxQuery) ([]attr.Value, error) {
	var out []attr.Value
	err := c.ListMailboxes(ctx, q, func(m *exchange.Mailbox) error {
		out = append(out, mailboxObject(m))
		return nil
	})
	return out, err
}

func (d *mailboxesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		common.NotConfigured(&resp.Diagnostics)
		return
	}
	var m mailboxesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	q := exchange.MailboxQuery{
		Filter:               mailboxesFilter(m.AuditEnabled, m.ForwardingConfigured),
		RecipientTypeDetails: setStrings(m.RecipientTypes),
		Fields:               append(append([]string{}, exchange.MailboxIdentityFields...), append(append([]string{}, exchange.MailboxAuditFields...), exchange.MailboxForwardingFields...)...),
	}
	elems, err := readMailboxes(ctx, d.clients.Exchange, q)
	if err != nil {
		common.AddAPIError(&resp.Diagnostics, "Listing mailboxes failed", err)
		return
	}
	m.Mailboxes = types.ListValueMust(types.ObjectType{AttrTypes: mailboxAttrTypes}, elems)
	id := "all"
	if q.Filter != "" || len(q.RecipientTypeDetails) > 0 {
		id = strings.TrimSpace(strings.Join(q.RecipientTypeDetails, ",") + " " + q.Filter)
	}
	m.ID = types.StringValue(id)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

type mailboxesModel struct {
	ID                   types.String `tfsdk:"id"`
	RecipientTypes       types.Set    `tfsdk:"recipient_types"`
	AuditEnabled         types.Bool   `tfsdk:"audit_enabled"`
	ForwardingConfigured types.Bool   `tfsdk:"forwarding_configured"`
	Mailboxes            types.List   `tfsdk:"mailboxes"`
}
