package common

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients"
	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
)

// ImportIDs describes a list data source that returns the import IDs of
// every instance of one resource type, for `import` blocks with `for_each`
// (Terraform 1.7+) or for writing import blocks out (older versions).
type ImportIDs struct {
	// TypeName is the data source's name without the provider prefix
	// ("remote_domains").
	TypeName string
	// Resource is the resource type the IDs import into.
	Resource string
	// Summary says what is listed and with which call.
	Summary string
	// IDIs says what an import ID is ("the remote domain's name").
	IDIs string
	// Permissions names the grants and roles the read needs.
	Permissions string
	// Filters are optional arguments the service filters on.
	Filters []ImportIDsFilter
	// List returns the instances; filters holds the set filter arguments
	// by attribute name, in their canonical spelling.
	List func(ctx context.Context, c *clients.Set, filters map[string]string) ([]ImportIDItem, error)
}

// ImportIDsFilter is one optional filter argument with its allowed values.
type ImportIDsFilter struct {
	Attr        string
	Description string
	Values      []string
}

// ImportIDItem is one instance: its import ID and its display name.
type ImportIDItem struct {
	ID   string
	Name string
}

// NewImportIDsDataSource returns a data source factory for spec.
func NewImportIDsDataSource(spec ImportIDs) func() datasource.DataSource {
	return func() datasource.DataSource { return &importIDsDataSource{spec: spec} }
}

type importIDsDataSource struct {
	spec    ImportIDs
	clients *clients.Set
}

var importIDItemType = types.ObjectType{AttrTypes: map[string]attr.Type{"id": types.StringType, "name": types.StringType}}

func (d *importIDsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.spec.TypeName
}

func (d *importIDsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{MarkdownDescription: "The tenant ID.", Computed: true},
		"ids": schema.ListAttribute{
			MarkdownDescription: fmt.Sprintf("The import IDs of `%s` (%s), sorted: use them in `import` blocks (`for_each = toset(...ids)`).", d.spec.Resource, d.spec.IDIs),
			Computed:            true, ElementType: types.StringType,
		},
		"items": schema.ListNestedAttribute{
			MarkdownDescription: "The same instances with their display names, sorted by import ID.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"id":   schema.StringAttribute{Computed: true, MarkdownDescription: "The import ID (" + d.spec.IDIs + ")."},
				"name": schema.StringAttribute{Computed: true, MarkdownDescription: "The display name."},
			}},
		},
	}
	for _, f := range d.spec.Filters {
		attrs[f.Attr] = schema.StringAttribute{
			MarkdownDescription: f.Description + " One of `" + strings.Join(f.Values, "`, `") + "` (any letter case); unset lists all.",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.OneOfCaseInsensitive(f.Values...)},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: d.spec.Summary + " Returns the import IDs of `" + d.spec.Resource + "`, to adopt a tenant's existing configuration: see the \"Adopting an existing tenant\" guide (the `examples/adopt` configuration). Reads only.\n\n" +
			"**Permissions:** " + d.spec.Permissions,
		Attributes: attrs,
	}
}

func (d *importIDsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = Clients(req.ProviderData, &resp.Diagnostics)
}

func (d *importIDsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		NotConfigured(&resp.Diagnostics)
		return
	}
	filters := map[string]string{}
	for _, f := range d.spec.Filters {
		var v types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(f.Attr), &v)...)
		if v.IsNull() || v.IsUnknown() {
			continue
		}
		for _, allowed := range f.Values {
			if strings.EqualFold(allowed, v.ValueString()) {
				filters[f.Attr] = allowed
			}
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	items, err := d.spec.List(ctx, d.clients, filters)
	if err != nil {
		AddAPIError(&resp.Diagnostics, "Listing the tenant's "+strings.ReplaceAll(d.spec.TypeName, "_", " ")+" failed", err)
		return
	}
	sort.Slice(items, func(i, j int) bool { return strings.ToLower(items[i].ID) < strings.ToLower(items[j].ID) })
	ids := make([]attr.Value, 0, len(items))
	objs := make([]attr.Value, 0, len(items))
	for _, it := range items {
		ids = append(ids, types.StringValue(it.ID))
		o, diags := types.ObjectValue(importIDItemType.AttrTypes, map[string]attr.Value{"id": types.StringValue(it.ID), "name": types.StringValue(it.Name)})
		resp.Diagnostics.Append(diags...)
		objs = append(objs, o)
	}
	idList, diags := types.ListValue(types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	itemList, diags := types.ListValue(importIDItemType, objs)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), d.clients.TenantID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("ids"), idList)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("items"), itemList)...)
}

// ExchangeReadPermissions is what reading Exchange Online configuration
// lists needs.
const ExchangeReadPermissions = "application permission `Exchange.ManageAsApp`; the Exchange management role *View-Only Configuration*, held by the *Global Reader* and *Exchange Administrator* Entra roles."

// RuleStateFilter is the `state` filter of an Exchange rule list (the
// `-State` parameter of the rule's Get cmdlet).
var RuleStateFilter = ImportIDsFilter{Attr: "state", Description: "Only the rules in this state (the Get cmdlet's `-State`).", Values: []string{"Enabled", "Disabled"}}

// ExchangeNames lists the objects an Exchange Online or Security &
// Compliance Get cmdlet returns by one property (the import ID), paging at
// the service maximum. params are the cmdlet's filter parameters; idProp
// and nameProp name the properties read.
func ExchangeNames(ctx context.Context, c *exchange.Client, cmdlet string, params map[string]any, idProp, nameProp string) ([]ImportIDItem, error) {
	return ExchangeNamesWhere(ctx, c, cmdlet, params, idProp, nameProp, nil, nil)
}

// ExchangeNamesWhere is ExchangeNames keeping only the objects keep accepts;
// keepFields are the further properties keep reads (selected as well).
func ExchangeNamesWhere(ctx context.Context, c *exchange.Client, cmdlet string, params map[string]any, idProp, nameProp string, keepFields []string, keep func(exchange.Object) bool) ([]ImportIDItem, error) {
	var out []ImportIDItem
	fields := []string{idProp}
	if nameProp != idProp {
		fields = append(fields, nameProp)
	}
	fields = append(fields, keepFields...)
	err := c.InvokeEach(ctx, cmdlet, params, func(o exchange.Object) error {
		if keep == nil || keep(o) {
			out = append(out, ImportIDItem{ID: o.String(idProp), Name: o.String(nameProp)})
		}
		return nil
	}, exchange.Select(fields...))
	return out, err
}

// StateParams turns a rule list's state filter into the cmdlet's -State.
func StateParams(filters map[string]string) map[string]any {
	if s, ok := filters["state"]; ok {
		return map[string]any{"State": s}
	}
	return nil
}
