package common

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
)

// ExchangeWarnings returns a context whose Exchange Online and Security &
// Compliance calls report their warnings (those of New-* and Set-*
// cmdlets, and the client's notices such as an Enable-OrganizationCustomization
// it had to run), and a function that adds them to diags as warnings:
//
//	ctx, flush := common.ExchangeWarnings(ctx)
//	defer flush(&resp.Diagnostics)
//
// at the top of a Create or Update.
func ExchangeWarnings(ctx context.Context) (context.Context, func(*diag.Diagnostics)) {
	ctx, w := exchange.WithWarnings(ctx)
	return ctx, func(d *diag.Diagnostics) {
		for _, x := range w.Warnings() {
			d.AddWarning(fmt.Sprintf("%s warning from %s", x.Service, x.Cmdlet), x.Message)
		}
	}
}
