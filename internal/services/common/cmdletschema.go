package common

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/m365harden/terraform-provider-m365harden/internal/cmdletref"
)

// Schema helpers for attributes that stand for an Exchange cmdlet
// parameter: the accepted values come from the cmdlet catalogue
// (internal/cmdletref), so a schema can't accept what the service refuses.

// Unmanaged ends the description of an optional+computed attribute.
const Unmanaged = " Unset: read but not managed."

// CmdletValues returns the accepted values of -param of cmdlet from the
// catalogue (deviations applied). A parameter without a value list is a
// programming error: CmdletValues panics (the package's tests build every
// schema).
func CmdletValues(cmdlet, param string) []string {
	c := cmdletref.Load().Cmdlet(cmdlet)
	if c == nil {
		panic("common: " + cmdlet + " is not in the cmdlet catalogue")
	}
	p := c.Param(param)
	if p == nil {
		panic(fmt.Sprintf("common: the catalogue has no -%s of %s", param, cmdlet))
	}
	if p.Values != nil {
		return append([]string(nil), p.Values...)
	}
	// Free-form types (MultiValuedProperty) keep no effective list, but some
	// take one value of an enumeration their description lists
	// (Set-AntiPhishPolicy -TargetedUserProtectionAction); that list is
	// the schema's.
	var out []string
	for _, v := range p.ValidValues {
		out = append(out, v.Value)
	}
	if out == nil {
		panic(fmt.Sprintf("common: the catalogue has no value list for -%s of %s", param, cmdlet))
	}
	return out
}

// QuoteList renders values for descriptions: `A`, `B`.
func QuoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

// CanonicalEnum returns the list's spelling of v (Exchange matches
// enumeration names without regard to case and reports its own spelling).
func CanonicalEnum(vals []string, v string) string {
	for _, e := range vals {
		if strings.EqualFold(e, v) {
			return e
		}
	}
	return v
}

// EnumAttribute is an optional, computed string attribute for -param of
// cmdlet, validated against the catalogue's value list (exact spelling, so
// the plan matches what the service reports). desc should name the
// parameter; the value list and Unmanaged are appended.
func EnumAttribute(cmdlet, param, desc string) schema.StringAttribute {
	vals := CmdletValues(cmdlet, param)
	return schema.StringAttribute{
		MarkdownDescription: desc + " One of " + QuoteList(vals) + "." + Unmanaged,
		Optional:            true, Computed: true,
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		Validators:    []validator.String{stringvalidator.OneOf(vals...)},
	}
}

// OptionalBool is an optional, computed Boolean attribute.
func OptionalBool(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{MarkdownDescription: desc + Unmanaged, Optional: true, Computed: true,
		PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}}
}

// SMTPAddress validates one bare e-mail address (IsSMTPAddress).
func SMTPAddress() validator.String { return smtpAddress{} }

type smtpAddress struct{}

func (smtpAddress) Description(context.Context) string {
	return "must be an SMTP address such as soc@contoso.com"
}

func (v smtpAddress) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v smtpAddress) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if !IsSMTPAddress(req.ConfigValue.ValueString()) {
		resp.Diagnostics.AddAttributeError(req.Path, "Not an SMTP address",
			fmt.Sprintf("%q %s.", req.ConfigValue.ValueString(), v.Description(ctx)))
	}
}

// Known reports whether a planned value is set and known.
func Known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }
