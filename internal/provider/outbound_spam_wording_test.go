package provider

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/m365harden/terraform-provider-m365harden/internal/cmdletref"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// notifyOutboundSpamNote is the note Microsoft's Set-HostedOutboundSpamFilterPolicy
// reference puts on -NotifyOutboundSpam and -NotifyOutboundSpamRecipients
// (https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedoutboundspamfilterpolicy;
// MicrosoftDocs/office-docs-powershell, exchange/exchange-ps/ExchangePowerShell/Set-HostedOutboundSpamFilterPolicy.md
// at commit 5137565dfcb55b49c5ee307dafc3aa7d7f5d4b60, CC BY 4.0). The cmdlet
// catalogue keeps value lists only, not parameter notes, so it is quoted here.
const notifyOutboundSpamNote = "This setting is replaced by the default alert policy named **User restricted from sending email**, which sends notification messages to admins. We recommend that you use the alert policy rather than this setting to notify admins and other users."

// TestOutboundSpamWordingMatchesReference (issue 9 item 11): what the
// provider says about `AutoForwardingMode = Automatic` and
// `NotifyOutboundSpam` (and the remote domain's AutoForwardEnabled default) states each fact of Microsoft's current reference, is
// the one shared text wherever it is shown (resource schema, generated docs),
// and no older wording ("documented as Off today") is left anywhere.
func TestOutboundSpamWordingMatchesReference(t *testing.T) {
	cat := cmdletref.Load()
	set := cat.Cmdlet("Set-HostedOutboundSpamFilterPolicy")
	if set == nil {
		t.Fatal("Set-HostedOutboundSpamFilterPolicy is not in the cmdlet catalogue")
	}
	note := func(param, value string) string {
		p := set.Param(param)
		if p == nil {
			t.Fatalf("-%s is not in the catalogue", param)
		}
		for _, v := range p.ValidValues {
			if v.Value == value {
				return v.Note
			}
		}
		t.Fatalf("the catalogue lists no note for -%s %s", param, value)
		return ""
	}

	// Each fact of the reference's note on Automatic, and the words that
	// state it in the shared text.
	automatic := note("AutoForwardingMode", "Automatic")
	for _, f := range []struct{ ref, ours string }{
		{"This value is the default", "`Automatic` is the default"},
		{"When this value was introduced, it was equivalent to On", "equivalent to On when introduced"},
		{"In 2021, the value changed to Off for new organizations and for existing organizations that weren't actively using the Automatic value", "changed to Off in 2021 for new organizations and for existing ones not actively using it"},
		{"For existing organizations that were already using the value, it can remain equivalent to On", "can remain equivalent to On for organizations that were already using it"},
		{"use On or Off instead of Automatic", "advises On or Off instead"},
	} {
		if !strings.Contains(automatic, f.ref) {
			t.Errorf("the reference no longer says %q of AutoForwardingMode Automatic (it says %q): review common.AutomaticForwardingMeaning", f.ref, automatic)
		}
		if !strings.Contains(common.AutomaticForwardingMeaning, f.ours) {
			t.Errorf("common.AutomaticForwardingMeaning does not say %q (the reference: %q)", f.ours, f.ref)
		}
	}
	if !strings.Contains(common.AutomaticForwardingEvidence, "can remain equivalent to On") {
		t.Errorf("the evidence text %q does not say Automatic can still mean On", common.AutomaticForwardingEvidence)
	}

	// NotifyOutboundSpam: the value notes (catalogue) and the parameter's
	// replacement note (quoted above).
	if n := note("NotifyOutboundSpam", "$true"); !strings.Contains(n, "Notify the admins specified by the NotifyOutboundSpamRecipients parameter") {
		t.Errorf("-NotifyOutboundSpam $true is now described as %q", n)
	}
	if n := note("NotifyOutboundSpam", "$false"); !strings.Contains(n, "Don't send notifications. This value is the default.") {
		t.Errorf("-NotifyOutboundSpam $false is now described as %q", n)
	}
	for _, f := range []struct{ ref, ours string }{
		{"replaced by the default alert policy", "replaced by the default alert policy"},
		{"**User restricted from sending email**", `"User restricted from sending email"`},
		{"sends notification messages to admins", "which notifies admins"},
		{"We recommend that you use the alert policy rather than this setting", "recommends that alert policy rather than this setting"},
	} {
		if !strings.Contains(notifyOutboundSpamNote, f.ref) {
			t.Fatalf("bad quote of the reference: %q lacks %q", notifyOutboundSpamNote, f.ref)
		}
		if !strings.Contains(common.NotifyOutboundSpamReplaced, f.ours) {
			t.Errorf("common.NotifyOutboundSpamReplaced does not say %q (the reference: %q)", f.ours, f.ref)
		}
	}

	// The resource's schema shows the shared texts.
	ctx := context.Background()
	schemas := map[string]map[string]string{}
	for _, f := range New("test")().(*m365hardenProvider).Resources(ctx) {
		r := f()
		var md resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "m365harden"}, &md)
		var sr resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &sr)
		schemas[md.TypeName] = map[string]string{}
		for name, a := range sr.Schema.Attributes {
			schemas[md.TypeName][name] = a.GetMarkdownDescription()
		}
	}
	descs := schemas["m365harden_outbound_spam_filter_policy"]
	if descs == nil {
		t.Fatal("m365harden_outbound_spam_filter_policy is not registered")
	}
	// The remote domain's side of automatic forwarding (Set-RemoteDomain
	// -AutoForwardEnabled): $true is Exchange Online's default, also on the
	// built-in Default domain.
	rd := cat.Cmdlet("Set-RemoteDomain")
	if rd == nil || rd.Param("AutoForwardEnabled") == nil {
		t.Fatal("Set-RemoteDomain -AutoForwardEnabled is not in the catalogue")
	}
	var rdTrue string
	for _, v := range rd.Param("AutoForwardEnabled").ValidValues {
		if v.Value == "$true" {
			rdTrue = v.Note
		}
	}
	if !strings.Contains(rdTrue, "default for new remote domains that you create and the built-in remote domain named Default in Exchange Online") {
		t.Errorf("Set-RemoteDomain -AutoForwardEnabled $true is now described as %q", rdTrue)
	}
	if d := schemas["m365harden_remote_domain"]["auto_forward_enabled"]; !strings.Contains(d, "Exchange Online's default is `true`") {
		t.Errorf("auto_forward_enabled's description does not give Exchange Online's default: %q", d)
	}
	if !strings.Contains(descs["auto_forwarding_mode"], common.AutomaticForwardingMeaning) {
		t.Errorf("auto_forwarding_mode's description does not carry the shared Automatic text: %q", descs["auto_forwarding_mode"])
	}
	if !strings.Contains(descs["notify_outbound_spam"], common.NotifyOutboundSpamReplaced) {
		t.Errorf("notify_outbound_spam's description does not carry the replacement note: %q", descs["notify_outbound_spam"])
	}

	// The generated pages show them too (make generate after a change).
	for _, page := range []string{"../../docs/resources/outbound_spam_filter_policy.md", "../../docs/data-sources/posture.md"} {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{common.AutomaticForwardingMeaning, common.NotifyOutboundSpamReplaced} {
			if !strings.Contains(string(b), s) {
				t.Errorf("%s lacks %q (run make generate)", page, s)
			}
		}
	}

	// No older wording is left in code, templates, examples or docs.
	stale := []string{"documented as Off today", "Automatic means Off", "Microsoft may change what it means", "Microsoft's to change"}
	self, _ := filepath.Abs("outbound_spam_wording_test.go")
	for _, root := range []string{"../../internal", "../../templates", "../../examples", "../../docs", "../../README.md"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch filepath.Ext(path) {
			case ".go", ".md", ".tmpl", ".tf", ".sh":
			default:
				return nil
			}
			if abs, _ := filepath.Abs(path); abs == self {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, s := range stale {
				if strings.Contains(string(b), s) {
					t.Errorf("%s still says %q", path, s)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
